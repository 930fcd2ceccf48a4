/**
 * The submit path and a learner's reads, on the API against a hand-written
 * baseline (plain Fastify + pg) measured in the same run, on a real PostgreSQL.
 *
 *   npm run bench
 *   (= npm run build && tsc -p tsconfig.bench.json && node dist/bench/submit-path.js)
 *
 * Env: BENCH_DURATION (s per timed run, default 10), BENCH_WARMUP (s, default 5),
 * BENCH_CONNECTIONS (default 50), BENCH_POOL_SIZE (PostgreSQL connections per
 * server, default 10 as the API), BENCH_LEARNERS (default 100000),
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_DATABASE (default assessment_bench; dropped and re-created),
 * BENCH_LOG_LEVEL (both servers, default info as the API), BENCH_SERVER_STDOUT=inherit.
 * Webhooks phase (submit-path/webhooks.ts): BENCH_WEBHOOKS=0 skips it,
 * BENCH_WEBHOOK_ORDER (default without,with,without), BENCH_WEBHOOK_POLL_MS
 * (the API's WEBHOOK_POLL_INTERVAL_MS; default the app's), BENCH_WEBHOOK_DRAIN_TIMEOUT_S (default 120),
 * BENCH_WEBHOOK_PROFILE=1 (a CPU profile of the API per run, summed by package).
 *
 * 1. The API, started on an empty database, migrates it; Module 5 and its
 *    answer key are imported through the app's ModuleImportService; learners
 *    are inserted; the baseline gets a clone of that database.
 * 2. Each server runs in its own child process, on its own database. A probe
 *    learner goes through the path by hand on each (the two servers' answers
 *    are compared). Then autocannon drives each scenario (warm-up, then timed)
 *    on the baseline and right after on the API: submit, then each read,
 *    recording latencies, the CPU of the server, PostgreSQL, autocannon and the
 *    rest of the machine, the server's event loop and its memory.
 * 3. At the end of each server's submit scenario the database is checked: every
 *    acknowledged submit is a finished attempt scored once, with its rows.
 *    The script exits 1 when that, or the probe comparison, fails.
 * 4. Webhooks: in a fresh API process on the API's database, the submit
 *    scenario without, with and without again one endpoint registered for
 *    every event type, a receiver in a child process checking each signature:
 *    submits/s and their ratio, delivery lag, queued against received, drain
 *    time. A lost delivery or a bad signature also exits 1.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { TokenService } from '../src/auth/token.service';
import { loadConfig } from '../src/config/config';
import { forkServer, measured, nextMessage, stopServer } from './submit-path/children';
import {
  connect,
  checkInvariant,
  loadFixture,
  recreateDatabase,
  seedLearners,
  waitUntilIdle,
} from './submit-path/database';
import type { QuizFixture, SubmitLedger } from './submit-path/database';
import {
  type CompletedFlow,
  LearnerPool,
  type LoadTiming,
  type ReadScenario,
  runReadLoad,
  runSubmitLoad,
  summarise,
} from './submit-path/load';
import { machineDescription, peakRssMiB } from './submit-path/machine';
import { differences, type Probe, probe, probeProblems } from './submit-path/probe';
import { invariantLine, readTable, type ServerResult, submitTables, verdicts } from './submit-path/report';
import { webhookTables, webhookVerdicts } from './submit-path/webhook-report';
import { measureWebhooks } from './submit-path/webhooks';
import {
  type BenchSettings,
  databaseOf,
  loadSettings,
  serverEnv,
  SERVER_KINDS,
  type ServerKind,
  withDatabase,
} from './submit-path/settings';

/** The baseline first, as in http-adapter.ts. */
const MEASURING_ORDER: readonly ServerKind[] = ['baseline', 'api'];

/**
 * What a learner reads, each measured on both servers. A new read is one line
 * here and a route in submit-path/baseline-server.ts; until the baseline has
 * the route, its row reads "answers 404" and the ratio is n/a.
 */
const READ_SCENARIOS: ReadScenario[] = [
  { name: 'progress', path: (flow, quiz) => `/v1/users/${flow.userId}/modules/${quiz.moduleSlug}/progress` },
  { name: 'attempt', path: (flow) => `/v1/attempts/${flow.attemptId}` },
  { name: 'attempts-list', path: (_flow, quiz) => `/v1/users/me/attempts?quizId=${quiz.quizId}` },
];

interface LiveServer {
  kind: ServerKind;
  child: ChildProcess;
  url: string;
  db: Client;
  probe: Probe;
  ledger: SubmitLedger;
  /** Learners whose submit was acknowledged: the reads ask for them. */
  completed: CompletedFlow[];
}

async function startServer(
  settings: BenchSettings,
  kind: ServerKind,
  fixture: QuizFixture,
  learners: LearnerPool,
): Promise<LiveServer> {
  const child = forkServer(settings, kind);
  const { port } = await nextMessage(child, 'listening');
  const url = `http://127.0.0.1:${port}`;
  const probed = await probe(url, fixture, learners.reserved, READ_SCENARIOS);
  const db = await connect(withDatabase(settings.serverUrl, databaseOf(settings, kind)));
  const ledger = { sent: new Set([probed.flow.attemptId]), acknowledged: new Set([probed.flow.attemptId]) };
  return { kind, child, url, db, probe: probed, ledger, completed: [] };
}

/**
 * Both servers run side by side (each on its own database, the one not under
 * load idle), and each scenario is measured on one right after the other, so
 * that the two figures of a ratio are minutes apart at most.
 */
async function measureServers(settings: BenchSettings, fixture: QuizFixture, learners: LearnerPool) {
  const admin = await connect(settings.serverUrl);
  const servers: LiveServer[] = [];
  try {
    for (const kind of MEASURING_ORDER) servers.push(await startServer(settings, kind, fixture, learners));
    const results = new Map<ServerKind, Partial<ServerResult>>(
      servers.map((server) => [server.kind, { kind: server.kind, probe: server.probe, reads: new Map() }]),
    );
    const announce = (server: LiveServer, what: string) =>
      console.log(`  ${server.kind}: ${what}, ${settings.warmup} s warm-up + ${settings.duration} s`);

    for (const server of servers) {
      const { kind, child, url, ledger, completed } = server;
      const load = (timing: LoadTiming) =>
        runSubmitLoad({ url, connections: settings.connections, timing, fixture, learners, ledger, completed });
      // Each server's database has the same learners, fresh.
      learners.reset();
      announce(server, 'submit');
      const submit = await measured(child, settings, kind, load);
      await waitUntilIdle(admin, databaseOf(settings, kind));
      const invariant = await checkInvariant(server.db, ledger, fixture);
      console.log(`  ${invariantLine(kind, invariant)}`);
      if (learners.rounds > 3)
        console.log(`  WARNING: learners made up to ${learners.rounds} attempts; raise BENCH_LEARNERS`);
      Object.assign(results.get(kind)!, { submit, invariant });
    }

    for (const scenario of READ_SCENARIOS) {
      for (const server of servers) {
        const { kind, child, url, completed } = server;
        const reads = results.get(kind)!.reads!;
        const answer = server.probe.answers.get(`GET ${scenario.name}`);
        if (answer?.status !== 200) {
          reads.set(scenario.name, { unavailable: `answers ${String(answer?.status)}` });
          continue;
        }
        const load = (timing: LoadTiming) =>
          runReadLoad({ url, connections: settings.connections, timing, scenario, fixture, learners, completed });
        announce(server, `read ${scenario.name}`);
        reads.set(scenario.name, await measured(child, settings, kind, load));
      }
    }
    for (const server of servers) results.get(server.kind)!.peakRssMiB = peakRssMiB(server.child.pid!) ?? NaN;
    return {
      results: servers.map((server) => results.get(server.kind) as ServerResult),
      apiLedger: servers.find((server) => server.kind === 'api')!.ledger,
    };
  } finally {
    for (const server of servers) {
      await stopServer(server.child);
      await server.db.end();
    }
    await admin.end();
  }
}

/** A fresh database, migrated by the app, with Module 5 and the learners; the baseline's is a clone. */
async function prepareDatabases(settings: BenchSettings): Promise<{ fixture: QuizFixture; learnerIds: string[] }> {
  const admin = await connect(settings.serverUrl);
  try {
    await recreateDatabase(admin, settings.database);
    const seeding = forkServer(settings, 'seed');
    const seeded = nextMessage(seeding, 'seeded');
    const { report } = await seeded;
    await once(seeding, 'exit');
    const db = await connect(withDatabase(settings.serverUrl, settings.database));
    let fixture: QuizFixture;
    let learnerIds: string[];
    try {
      learnerIds = await seedLearners(db, settings.learners + 1);
      fixture = await loadFixture(db, report);
      // Both servers start with fresh statistics and nothing for autovacuum to do.
      await db.query('VACUUM ANALYZE');
    } finally {
      await db.end();
    }
    await recreateDatabase(admin, databaseOf(settings, 'baseline'), settings.database);
    console.log(
      `seeded ${settings.database}: Module 5 (${report.status}), quiz of ${fixture.questionCount} questions, ` +
        `${settings.learners} learners; cloned to ${databaseOf(settings, 'baseline')}`,
    );
    return { fixture, learnerIds };
  } finally {
    await admin.end();
  }
}

function revision(root: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src', 'migrations');
    return dirty ? `${commit} with uncommitted changes in src/ or migrations/` : commit;
  } catch {
    return 'not a git checkout';
  }
}

async function main(): Promise<void> {
  const settings = loadSettings();
  console.log(
    `${machineDescription()}; revision ${revision(settings.root)}\n` +
      `${settings.connections} connections, ${settings.warmup} s warm-up + ${settings.duration} s per scenario, ` +
      `pool ${settings.poolSize} per server, log level ${settings.logLevel}`,
  );
  const { fixture, learnerIds } = await prepareDatabases(settings);
  const tokens = new TokenService(loadConfig(serverEnv(settings, 'api')));
  const learners = new LearnerPool(
    learnerIds,
    (id) => tokens.signAccessToken({ kind: 'user', id, roles: ['learner'] }).token,
  );

  const { results, apiLedger } = await measureServers(settings, fixture, learners);
  // After the main phase, on the API's database, in a fresh API process; the learners go on from where they were.
  const webhooks = settings.webhooks
    ? await measureWebhooks({
        settings,
        fixture,
        learners,
        ledger: apiLedger,
        sign: (id, roles) => tokens.signAccessToken({ kind: 'user', id, roles }).token,
      })
    : undefined;

  const names = READ_SCENARIOS.map((scenario) => scenario.name);
  console.log(`\nSubmit path (one submit = start + save 6 answers + submit):\n\n${submitTables(results)}`);
  console.log(`\nReads (each request for another learner who has submitted):\n\n${readTable(results, names)}\n`);
  for (const result of results) console.log(invariantLine(result.kind, result.invariant));
  if (webhooks) {
    console.log(
      `\nWebhooks (the API's submit scenario in one fresh API process, NODE_ENV=${webhooks.nodeEnv}, ` +
        `poll interval ${webhooks.pollIntervalMs} ms; runs in order; the endpoint subscribes to ` +
        `${webhooks.eventTypes.length} event types):\n\n${webhookTables(webhooks)}\n`,
    );
    console.log(
      invariantLine('api', webhooks.invariant).replace('invariant api', 'invariant api after the webhooks runs'),
    );
  }
  const found = [...verdicts(results, names), ...(webhooks ? webhookVerdicts(webhooks) : [])];
  console.log(`\nTargets:\n${found.map((v) => `- ${v.met ? 'met' : 'NOT met'}: ${v.target}: ${v.value}`).join('\n')}`);

  // A read the baseline does not serve yet (404) is reported as unavailable, not as a failure.
  const [first, second] = SERVER_KINDS.map((kind) => results.find((result) => result.kind === kind)!);
  const baselineProbe = results.find((result) => result.kind === 'baseline')!.probe;
  const unserved = [...baselineProbe.answers].filter(([, answer]) => answer.status === 404).map(([name]) => name);
  const problems = results.flatMap((result) =>
    probeProblems(result.kind, result.probe, result.kind === 'baseline' ? unserved : []),
  );
  const unlike = differences(first.probe, second.probe, unserved);
  if (unlike.length > 0) problems.push(`the API and the baseline answered differently: ${unlike.join('; ')}`);
  const busiest = Math.max(
    ...results.flatMap((r) => [
      r.submit.cpu.other,
      ...[...r.reads.values()].map((run) => ('cpu' in run ? run.cpu.other : 0)),
    ]),
    ...(webhooks?.runs.map((run) => run.submit.cpu.other) ?? []),
  );
  if (busiest > 0.1) {
    console.log(`\nWARNING: other processes used up to ${Math.round(busiest * 100)} % of a core during a run; rerun.`);
  }

  const dir = join(settings.root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `submit-path-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        settings: { ...settings, jwtSecret: undefined, webhookSecretKey: undefined },
        machine: machineDescription(),
        results,
        webhooks,
        verdicts: found,
      },
      (key, value: unknown) => {
        // Summaries instead of every latency and every answer body.
        if ((key === 'latencies' || key === 'flows') && Array.isArray(value)) return summarise(value as number[]);
        if (key === 'answers' && value instanceof Map) {
          return Object.fromEntries([...(value as Probe['answers'])].map(([name, answer]) => [name, answer.status]));
        }
        return value instanceof Map ? Object.fromEntries(value) : value instanceof Set ? value.size : value;
      },
      2,
    ),
  );
  console.log(`\nfull results: ${file}`);

  const broken = results.filter((result) => !result.invariant.ok).map((r) => invariantLine(r.kind, r.invariant));
  if (webhooks && !webhooks.invariant.ok) broken.push(invariantLine('api', webhooks.invariant));
  // A lost or forged delivery is a broken guarantee, not a missed target.
  for (const verdict of webhooks ? webhookVerdicts(webhooks).slice(2) : []) {
    if (!verdict.met) problems.push(`webhooks: ${verdict.target}: ${verdict.value}`);
  }
  if (problems.length > 0 || broken.length > 0) {
    console.error(`\nFAILED:\n${[...problems, ...broken].join('\n')}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
