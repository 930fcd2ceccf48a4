/**
 * Cohort reports (issue 8) on a real PostgreSQL: the first page of cohort
 * progress with its summary, item analysis, the full progress CSV and the
 * responses CSV, for cohorts of 1,000 and 10,000 learners on Module 5, against
 * the same SQL statements replayed on a plain pg Client in the same run.
 *
 *   npm run bench:reports
 *   (= tsc -p tsconfig.bench.json && node dist/bench/reports.js)
 *
 * Env: BENCH_LEARNERS (default 1000,10000), BENCH_WARMUP (default 5) and
 * BENCH_RUNS (default 20) per JSON endpoint, BENCH_CSV_WARMUP (2) and
 * BENCH_CSV_RUNS (10) for progress.csv, BENCH_RESPONSES (1: download
 * responses.csv once; 0: skip), BENCH_TIMEOUT_S (600, per request),
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_DATABASE (default assessment_bench_reports; dropped and re-created
 * for each cohort size), BENCH_POOL_SIZE (10, as the API), BENCH_LOG_LEVEL
 * (warn), BENCH_OUT (bench/results/reports: JSON figures and EXPLAIN plans),
 * BENCH_KEEP=1 (keep the database of the last size afterwards, for psql), BENCH_ONLY (comma-separated
 * parts of endpoint names, e.g. `progress.csv,item`; all when unset).
 *
 * For each cohort size N:
 * 1. A fresh database; the API (bench/reports/server.ts: createApp with
 *    loadConfig, NODE_ENV=production, in a child process) migrates it; Module 5
 *    and its answer key are imported through POST /v1/modules/import as an
 *    admin; the cohort is seeded in SQL (bench/reports/seed.ts), then VACUUM ANALYZE.
 * 2. For each endpoint, in a fresh API process so that its memory is its own:
 *    one checked request (status, row counts), warm-up requests, one request
 *    with the API's statements captured, then timed sequential requests as
 *    the cohort's instructor, sampling the API's VmRSS every 50 ms and the CPU
 *    of the API, PostgreSQL, this process and the rest of the machine.
 * 3. The captured statements replayed on a pg Client (the baseline), and
 *    EXPLAIN (ANALYZE, BUFFERS) of every statement slower than 2 ms.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { childMessage } from './child-message';
import { describeStatement, explain, replayable, type Explained, replay, type Replay } from './reports/baseline';
import {
  type CpuShare,
  type Fetched,
  get,
  machineDescription,
  median,
  percentile,
  rssMiB,
  sampleRss,
  startCpuAccounting,
} from './reports/measure';
import type { CapturedStatement, ChildMessage, ParentMessage } from './reports/protocol';
import {
  insertUser,
  loadModule,
  type ModuleFixture,
  recreateDatabase,
  seedCohort,
  type SeededCohort,
} from './reports/seed';

const ROOT = join(__dirname, '..', '..');
const SEEDS = join(ROOT, 'seeds', 'modules');
const MODULE5 = '05_Monitoring_Logging_and_Incident_Response';

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`${name} must be a number ≥ 0`);
  return value;
}

const settings = {
  learners: (process.env.BENCH_LEARNERS ?? '1000,10000').split(',').map((n) => {
    const value = Number(n.trim());
    if (!Number.isInteger(value) || value < 10) throw new Error('BENCH_LEARNERS: integers ≥ 10, comma-separated');
    return value;
  }),
  warmup: envNumber('BENCH_WARMUP', 5),
  runs: Math.max(1, envNumber('BENCH_RUNS', 20)),
  csvWarmup: envNumber('BENCH_CSV_WARMUP', 2),
  csvRuns: Math.max(1, envNumber('BENCH_CSV_RUNS', 10)),
  responses: envNumber('BENCH_RESPONSES', 1) > 0,
  timeoutMs: envNumber('BENCH_TIMEOUT_S', 600) * 1000,
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: process.env.BENCH_DATABASE ?? 'assessment_bench_reports',
  poolSize: envNumber('BENCH_POOL_SIZE', 10),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
  out: process.env.BENCH_OUT ?? join(ROOT, 'bench', 'results', 'reports'),
  keep: envNumber('BENCH_KEEP', 0) > 0,
  /** Names (or parts of names) of the endpoints to measure; all when unset. */
  only: (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean),
};

function databaseUrl(): string {
  const url = new URL(settings.adminUrl);
  url.pathname = `/${settings.database}`;
  return url.toString();
}

// ---------------------------------------------------------------------------
// The API in a child process

interface Api {
  child: ChildProcess;
  pid: number;
  base: string;
}

function nextMessage<T extends ChildMessage['type']>(child: ChildProcess, type: T) {
  return childMessage<ChildMessage, T>(child, type, 'the API');
}

function ask<T extends ChildMessage['type']>(
  api: Api,
  message: ParentMessage,
  reply: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  const answer = nextMessage(api.child, reply);
  api.child.send(message);
  return answer;
}

async function startApi(jwtSecret: string): Promise<Api> {
  const child = fork(join(__dirname, 'reports', 'server.js'), [], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl(),
      JWT_SECRET: jwtSecret,
      // Required in production; nothing here sends webhooks, so a fresh one per API process.
      WEBHOOK_SECRET_KEY: `bench-${randomBytes(24).toString('hex')}`,
      LOG_LEVEL: settings.logLevel,
      DB_POOL_SIZE: String(settings.poolSize),
      // No sweeper: its periodic statement would land in the captures. Nothing here has a deadline.
      ATTEMPT_SWEEP_INTERVAL_MS: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await nextMessage(child, 'ready');
  return { child, pid: child.pid!, base: `http://127.0.0.1:${port}` };
}

async function stopApi(api: Api): Promise<void> {
  if (api.child.exitCode !== null || api.child.signalCode !== null) return;
  api.child.kill('SIGTERM');
  await once(api.child, 'exit');
}

async function tokenFor(api: Api, userId: string, role: string): Promise<string> {
  return (await ask(api, { type: 'token', userId, roles: [role] }, 'token')).token;
}

// ---------------------------------------------------------------------------
// Endpoints

interface Endpoint {
  name: string;
  path: string;
  json: boolean;
  warmup: number;
  runs: number;
  /** Median target in ms, from the issue. */
  target?: number;
  /** Throws when the answer is not what the seed says it must be. */
  check(fetched: Fetched): string;
}

interface Expected {
  learners: number;
  statuses: Record<string, number>;
  /** Active learners with a graded attempt; with any finished attempt. */
  finishedLearners: [number, number];
  questions: number;
  responseRows: number;
}

function endpoints(cohortId: string, fixture: ModuleFixture, expected: Expected): Endpoint[] {
  const ok = (fetched: Fetched, what: string) => {
    if (fetched.status !== 200) throw new Error(`${what}: HTTP ${fetched.status} ${fetched.text ?? ''}`);
  };
  const list: Endpoint[] = [
    {
      name: 'progress (page 1 + summary)',
      path: `/v1/cohorts/${cohortId}/progress?module=${fixture.slug}&limit=50`,
      json: true,
      warmup: settings.warmup,
      runs: settings.runs,
      target: 100,
      check(fetched) {
        ok(fetched, this.name);
        const body = JSON.parse(fetched.text!) as {
          summary: { learners: number; counts: Record<string, number>; activities: unknown[] };
          items: unknown[];
        };
        const counts = body.summary.counts;
        const want = expected.statuses;
        if (
          body.summary.learners !== expected.learners ||
          body.items.length !== Math.min(50, expected.learners) ||
          ['not_started', 'in_progress', 'completed'].some((s) => (counts[s] ?? 0) !== (want[s] ?? 0))
        ) {
          throw new Error(`progress: unexpected ${JSON.stringify(body.summary)} (want ${JSON.stringify(want)})`);
        }
        return `${body.summary.learners} learners, ${JSON.stringify(counts)}, ${body.summary.activities.length} activities`;
      },
    },
    {
      name: 'item analysis',
      path: `/v1/cohorts/${cohortId}/quizzes/${fixture.quizId}/item-analysis`,
      json: true,
      warmup: settings.warmup,
      runs: settings.runs,
      target: 300,
      check(fetched) {
        ok(fetched, this.name);
        const body = JSON.parse(fetched.text!) as {
          learners: number;
          items: unknown[];
          quiz: { mean: number | null; cronbachAlpha: number | null };
        };
        // Learners with a graded attempt, or also those whose only finished attempts wait for grading.
        const [least, most] = expected.finishedLearners;
        if (body.learners < least || body.learners > most || body.items.length !== expected.questions) {
          throw new Error(
            `item analysis: ${body.learners} learners, ${body.items.length} items ` +
              `(want ${least} to ${most}, ${expected.questions})`,
          );
        }
        return `${body.learners} learners, ${body.items.length} items, mean ${body.quiz.mean}, alpha ${body.quiz.cronbachAlpha}`;
      },
    },
    {
      name: 'progress.csv',
      path: `/v1/cohorts/${cohortId}/progress.csv?module=${fixture.slug}`,
      json: false,
      warmup: settings.csvWarmup,
      runs: settings.csvRuns,
      target: 2000,
      check(fetched) {
        ok(fetched, this.name);
        if (fetched.lines !== expected.learners + 1) {
          throw new Error(`progress.csv: ${fetched.lines} lines, want ${expected.learners + 1}`);
        }
        return `${fetched.lines} lines, ${(fetched.bytes / 2 ** 20).toFixed(1)} MiB`;
      },
    },
  ];
  if (settings.responses) {
    list.push({
      name: 'responses.csv',
      path: `/v1/cohorts/${cohortId}/responses.csv`,
      json: false,
      warmup: 0,
      runs: 1,
      check(fetched) {
        ok(fetched, this.name);
        if (fetched.timedOut) return `TIMED OUT after ${fetched.lines} lines`;
        if (fetched.lines !== expected.responseRows + 1) {
          throw new Error(`responses.csv: ${fetched.lines} lines, want ${expected.responseRows + 1}`);
        }
        return `${fetched.lines} lines, ${(fetched.bytes / 2 ** 20).toFixed(1)} MiB`;
      },
    });
  }
  if (settings.only.length === 0) return list;
  return list.filter((endpoint) => settings.only.some((part) => endpoint.name.includes(part)));
}

interface StatementFigure {
  label: string;
  /** In the API (driver call to result), from the captured request. */
  appMs: number;
  /** Replayed on the pg Client, median. */
  baselineMs: number;
  rows: number;
}

interface EndpointResult {
  name: string;
  target?: number;
  checked: string;
  runs: Fetched[];
  cpu: CpuShare;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  statements: number;
  /** Captured request: its wall time and the sum of its statements' driver times. */
  capturedMs: number;
  capturedSqlMs: number;
  baseline: Replay;
  /** CSV exports: the first page's statement returning every row at once (see everyRow). */
  oneStatementMs?: number;
  slowest: StatementFigure[];
  explained: Explained[];
}

/** Groups page statements (same text) so a CSV's hundreds of pages read as one line. */
function statementFigures(captured: CapturedStatement[], base: Replay): StatementFigure[] {
  const byText = new Map<string, StatementFigure & { count: number }>();
  captured.forEach((statement, index) => {
    const figure = byText.get(statement.text) ?? {
      label: describeStatement(statement.text),
      appMs: 0,
      baselineMs: 0,
      rows: 0,
      count: 0,
    };
    figure.appMs += statement.ms;
    figure.baselineMs += base.perStatement[index];
    figure.rows += statement.rows;
    figure.count++;
    byText.set(statement.text, figure);
  });
  return [...byText.values()]
    .map(({ count, ...figure }) => ({ ...figure, label: count > 1 ? `${count} × ${figure.label}` : figure.label }))
    .sort((a, b) => b.baselineMs - a.baselineMs);
}

/**
 * The first page's statement (`… LIMIT $a [OFFSET $b]`, keyset parameters still empty) with no limit and
 * no offset: every row in one statement, the floor for the database's part of a paged export.
 */
function everyRow(statement: CapturedStatement): CapturedStatement | undefined {
  const match = /LIMIT \$(\d+)(?: OFFSET \$(\d+))?\s*$/.exec(statement.text);
  if (!match) return undefined;
  const values = [...statement.values];
  values[Number(match[1]) - 1] = null; // LIMIT NULL: no limit
  if (match[2]) values[Number(match[2]) - 1] = 0;
  return { ...statement, values };
}

async function measureEndpoint(
  endpoint: Endpoint,
  jwtSecret: string,
  instructorId: string,
  db: Client,
  admin: Client,
): Promise<EndpointResult> {
  const api = await startApi(jwtSecret);
  try {
    const token = await tokenFor(api, instructorId, 'instructor');
    const call = () => get(`${api.base}${endpoint.path}`, token, endpoint.json, settings.timeoutMs);
    // Memory from the idle, just-started process to the peak over every request of the endpoint.
    const rssBeforeMiB = rssMiB(api.pid) ?? NaN;
    const stopRss = sampleRss(api.pid);
    const checked = endpoint.check(await call());
    console.log(`    ${endpoint.name}: ${checked}`);
    for (let i = 0; i < endpoint.warmup; i++) await call();

    await ask(api, { type: 'capture', on: true }, 'capturing');
    const capturedRun = await call();
    const captured = replayable((await ask(api, { type: 'capture', on: false }, 'captured')).statements);

    const stopCpu = await startCpuAccounting(admin, settings.database, api.pid);
    const runs: Fetched[] = [];
    for (let i = 0; i < endpoint.runs; i++) {
      const fetched = await call();
      if (fetched.status !== 200) throw new Error(`${endpoint.name}: HTTP ${fetched.status}`);
      runs.push(fetched);
    }
    const cpu = await stopCpu();
    const rssPeakMiB = stopRss();

    const baseline = await replay(db, captured, endpoint.warmup > 0 ? 2 : 0, endpoint.runs);
    const figures = statementFigures(captured, baseline);
    let oneStatementMs: number | undefined;
    const all = endpoint.json ? undefined : captured.map(everyRow).find((x) => x !== undefined);
    if (all) oneStatementMs = median((await replay(db, [all], 1, Math.min(5, endpoint.runs))).totals);
    // EXPLAIN each distinct slow statement; for paged exports, the first and the last page.
    const explained: Explained[] = [];
    const seen = new Map<string, number[]>();
    captured.forEach((statement, index) => seen.set(statement.text, [...(seen.get(statement.text) ?? []), index]));
    for (const indexes of seen.values()) {
      const picks = indexes.length > 1 ? [indexes[0], indexes[indexes.length - 1]] : indexes;
      for (const [n, index] of picks.entries()) {
        if (baseline.perStatement[index] < 2 && indexes.length === 1) continue;
        const page = indexes.length > 1 ? (n === 0 ? ' (first page)' : ' (last page)') : '';
        explained.push(await explain(db, `${describeStatement(captured[index].text)}${page}`, captured[index]));
      }
    }
    return {
      name: endpoint.name,
      target: endpoint.target,
      checked,
      runs,
      cpu,
      rssBeforeMiB,
      rssPeakMiB,
      statements: captured.length,
      capturedMs: capturedRun.ms,
      capturedSqlMs: captured.reduce((sum, s) => sum + s.ms, 0),
      baseline,
      oneStatementMs,
      slowest: figures.slice(0, 4),
      explained,
    };
  } finally {
    await stopApi(api);
  }
}

// ---------------------------------------------------------------------------
// One cohort size

interface SizeResult {
  learners: number;
  seeded: SeededCohort;
  fixture: ModuleFixture;
  endpoints: EndpointResult[];
}

async function importModule5(api: Api, adminToken: string): Promise<void> {
  const res = await fetch(`${api.base}/v1/modules/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      markdown: readFileSync(join(SEEDS, `${MODULE5}.md`), 'utf8'),
      answerKey: readFileSync(join(SEEDS, `${MODULE5}.answers.yaml`), 'utf8'),
    }),
  });
  if (res.status >= 300) throw new Error(`import failed: ${res.status} ${await res.text()}`);
}

async function measureSize(learners: number, admin: Client): Promise<SizeResult> {
  console.log(`\ncohort of ${learners} learners`);
  await recreateDatabase(settings.adminUrl, settings.database);
  const jwtSecret = randomBytes(32).toString('hex');
  const db = new Client({ connectionString: databaseUrl() });
  const api = await startApi(jwtSecret); // migrates the empty database
  await db.connect();
  try {
    const adminId = await insertUser(db, 'admin', 'bench-admin');
    await importModule5(api, await tokenFor(api, adminId, 'admin'));
    await stopApi(api);
    const fixture = await loadModule(db, '05-monitoring-logging-and-incident-response');
    console.log(
      `  Module 5: ${fixture.steps} steps, ${fixture.checklistItems} checklist items, ${fixture.questions} questions`,
    );
    const seeded = await seedCohort(db, fixture, learners, new Date());
    console.log(`  seeded in ${seeded.seconds.toFixed(1)} s: ${JSON.stringify(seeded.counts)}`);
    console.log(`  statuses (active learners): ${JSON.stringify(seeded.statuses)}`);
    const [expected] = (
      await db.query<{ graded: number; finished: number; responses: number }>(
        `WITH l AS (SELECT user_id FROM cohort_members WHERE cohort_id = $1 AND role = 'learner' AND status = 'active')
         SELECT (SELECT count(DISTINCT a.user_id)::int FROM attempts a JOIN l USING (user_id)
                  WHERE a.state IN ('graded', 'submitted')) AS graded,
                (SELECT count(DISTINCT a.user_id)::int FROM attempts a JOIN l USING (user_id)
                  WHERE a.state IN ('graded', 'pending_grading', 'submitted')) AS finished,
                (SELECT count(*)::int FROM attempt_responses r JOIN attempts a ON a.id = r.attempt_id
                   JOIN l USING (user_id)) AS responses`,
        [seeded.cohortId],
      )
    ).rows;
    const results: EndpointResult[] = [];
    for (const endpoint of endpoints(seeded.cohortId, fixture, {
      learners,
      statuses: seeded.statuses,
      finishedLearners: [expected.graded, expected.finished],
      questions: fixture.questions,
      responseRows: expected.responses,
    })) {
      results.push(await measureEndpoint(endpoint, jwtSecret, seeded.instructorId, db, admin));
    }
    return { learners, seeded, fixture, endpoints: results };
  } finally {
    await stopApi(api);
    await db.end();
  }
}

// ---------------------------------------------------------------------------
// Output

const f0 = (ms: number) => (Number.isFinite(ms) ? String(Math.round(ms)) : '–');
const f1 = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(1) : '–');
const pct = (cores: number) => `${Math.round(cores * 100)} %`;

function sizeTable(size: SizeResult): string {
  const rows = size.endpoints.map((e) => {
    const times = e.runs.map((r) => r.ms);
    const app = median(times);
    const base = median(e.baseline.totals);
    const met = e.target === undefined ? '–' : app < e.target ? `yes (< ${e.target})` : `**no** (< ${e.target})`;
    return [
      e.name,
      e.runs.length,
      f1(app),
      f1(percentile(times, 95)),
      f1(median(e.runs.map((r) => r.headersMs))),
      met,
      e.statements,
      f1(base),
      (app / base).toFixed(2),
      f0(e.rssBeforeMiB),
      f0(e.rssPeakMiB),
      pct(e.cpu.server),
      pct(e.cpu.postgres),
      pct(e.cpu.client),
      pct(e.cpu.other),
    ].join(' | ');
  });
  return [
    '| endpoint | runs | median ms | p95 ms | headers ms | target met | statements | baseline ms | × baseline | RSS before MiB | RSS peak MiB | API CPU | PG CPU | client CPU | other CPU |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function statementTable(size: SizeResult): string {
  const lines = ['| endpoint | statement | in API ms | replayed ms | rows |', '| --- | --- | ---: | ---: | ---: |'];
  for (const e of size.endpoints) {
    for (const s of e.slowest) {
      lines.push(
        `| ${e.name} | \`${s.label.replace(/\|/g, '\\|')}\` | ${f1(s.appMs)} | ${f1(s.baselineMs)} | ${s.rows} |`,
      );
    }
    if (e.oneStatementMs !== undefined) {
      lines.push(`| ${e.name} | every row in one statement (no paging) | – | ${f1(e.oneStatementMs)} | – |`);
    }
  }
  return lines.join('\n');
}

function memoryTable(sizes: SizeResult[]): string {
  const names = sizes[0].endpoints.map((e) => e.name);
  const header = sizes.map((s) => `peak − before, ${s.learners} (MiB)`);
  const lines = [`| endpoint | ${header.join(' | ')} |`, `| --- |${sizes.map(() => ' ---: |').join('')}`];
  for (const name of names) {
    const cells = sizes.map((s) => {
      const e = s.endpoints.find((x) => x.name === name);
      return e ? `${f0(e.rssPeakMiB - e.rssBeforeMiB)} (${f0(e.rssBeforeMiB)} → ${f0(e.rssPeakMiB)})` : '–';
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The commit, and the files under src/ that differ from it: the code measured is the working tree's. */
function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], { cwd: ROOT })
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3));
    return dirty.length === 0 ? head : `${head} + uncommitted changes to ${dirty.join(', ')}`;
  } catch {
    return 'unknown (no git)';
  }
}

async function main(): Promise<void> {
  console.log(`${machineDescription()}`);
  console.log(`settings: ${JSON.stringify({ ...settings, adminUrl: undefined })}`);
  mkdirSync(settings.out, { recursive: true });
  const admin = new Client({ connectionString: settings.adminUrl });
  await admin.connect();
  const { rows } = await admin.query<{ version: string }>('SELECT version()');
  console.log(rows[0].version);
  console.log(`code: ${codeVersion()}`);
  const sizes: SizeResult[] = [];
  try {
    for (const learners of settings.learners) {
      const size = await measureSize(learners, admin);
      sizes.push(size);
      const plans = size.endpoints
        .flatMap((e) =>
          e.explained.map(
            (x) =>
              `=== ${e.name}: ${x.label}\n-- parameters: ${JSON.stringify(x.values)}\n${x.text.trim()}\n\n${x.plan}\n`,
          ),
        )
        .join('\n');
      writeFileSync(join(settings.out, `explain-${learners}.txt`), plans);
      console.log(`\n${sizeTable(size)}\n\n${statementTable(size)}`);
      for (const e of size.endpoints) {
        for (const x of e.explained) {
          console.log(
            `  EXPLAIN ${e.name} / ${x.label}: execution ${f1(x.executionMs)} ms, planning ${f1(x.planningMs)} ms` +
              (x.jitMs === null ? '' : `, JIT ${f1(x.jitMs)} ms`),
          );
        }
      }
    }
  } finally {
    if (settings.keep) {
      console.log(`\nkept database ${settings.database} (the last cohort size) for psql`);
    } else {
      await admin.query(`DROP DATABASE IF EXISTS "${settings.database}" WITH (FORCE)`).catch(() => undefined);
    }
    await admin.end();
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(
    join(settings.out, `results-${stamp}.json`),
    JSON.stringify(
      sizes.map((s) => ({
        ...s,
        endpoints: s.endpoints.map(({ runs, explained, ...e }) => ({
          ...e,
          ms: runs.map((r) => r.ms),
          headersMs: runs.map((r) => r.headersMs),
          bytes: runs[0]?.bytes,
          lines: runs[0]?.lines,
          explained: explained.map(({ label, executionMs, planningMs, jitMs }) => ({
            label,
            executionMs,
            planningMs,
            jitMs,
          })),
        })),
      })),
      null,
      2,
    ),
  );
  console.log(
    `\nMemory of the API (VmRSS every 50 ms: idle after start → peak over all its requests; a fresh process per endpoint):\n\n${memoryTable(sizes)}`,
  );
  const busiest = Math.max(...sizes.flatMap((s) => s.endpoints.map((e) => e.cpu.other)));
  if (busiest > 0.1) {
    console.log(`\nWARNING: other processes used up to ${pct(busiest)} of a core during a timed phase.`);
  }
  console.log(`\nFigures and EXPLAIN plans in ${settings.out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
