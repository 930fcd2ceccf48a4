/**
 * Where a server's time goes on the submit path, for the one who optimises it:
 *
 * 1. cost per request: learners go through start, save, submit and the reads
 *    one request at a time; every statement the server sends to PostgreSQL is
 *    recorded (one `pg` query = one round trip), with the CPU the server and
 *    its PostgreSQL backends used per request;
 * 2. CPU: V8's sampling profiler runs in the server through
 *    BENCH_PROFILE_SECONDS of submit load (after a warm-up), and the profile is
 *    summed by package or app folder, inclusive (a sample counts for every
 *    package on its stack) and self.
 *
 *   npm run build && npx tsc -p tsconfig.bench.json && node dist/bench/submit-profile.js [api|baseline ...]
 *
 * Uses the same env as submit-path.ts (database, pool, log level; its own
 * database `<BENCH_DATABASE>_profile`) and BENCH_PROFILE_SECONDS (default 15).
 * The profiles are kept in bench/results/ (git-ignored) for Chrome DevTools or speedscope.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenService } from '../src/auth/token.service';
import { loadConfig } from '../src/config/config';
import { connect, loadFixture, recreateDatabase, seedLearners, type QuizFixture } from './submit-path/database';
import { type CompletedFlow, type Learner, LearnerPool, runSubmitLoad } from './submit-path/load';
import { type CpuProfile, summariseProfile } from './submit-path/cpu-profile';
import { startCpuAccounting } from './submit-path/machine';
import type { ChildMessage } from './submit-path/protocol';
import { type BenchSettings, databaseOf, loadSettings, serverEnv, type ServerKind } from './submit-path/settings';

const PROFILE_SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 15);

function fromChild<T extends ChildMessage['type']>(child: ChildProcess, type: T) {
  return new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type === type) {
        child.off('exit', reject);
        child.off('message', onMessage);
        resolve(message as Extract<ChildMessage, { type: T }>);
      }
    };
    child.on('message', onMessage);
    child.once('exit', reject);
  });
}

function forkServer(settings: BenchSettings, kind: ServerKind | 'seed', env: NodeJS.ProcessEnv, execArgv: string[]) {
  return fork(join(__dirname, 'submit-path', 'server-main.js'), [kind, settings.root], {
    cwd: settings.root,
    env: { ...serverEnv(settings, kind), ...env },
    execArgv,
    stdio: ['ignore', settings.serverStdout, 'inherit', 'ipc'],
  });
}

async function stop(child: ChildProcess) {
  const exited = once(child, 'exit');
  child.disconnect();
  await exited;
}

/** A statement's gist: its first words, with TypeORM's column lists cut short. */
function gist(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const select = /^SELECT .*? FROM "?(\w+)"?/i.exec(flat);
  if (select && flat.includes('AS "'))
    return `SELECT … FROM ${select[1]}${/ FOR UPDATE/i.test(flat) ? ' FOR UPDATE' : ''}`;
  return flat.length > 90 ? `${flat.slice(0, 90)}…` : flat;
}

const COHORT = Number(process.env.BENCH_PROFILE_LEARNERS ?? 300);

/**
 * Per kind of request: statements sent to PostgreSQL, and CPU of the server
 * and of its PostgreSQL backends, with one request at a time (no contention):
 * COHORT learners start, then the same learners save, then submit, then read.
 */
async function costPerRequest(settings: BenchSettings, kind: ServerKind, fixture: QuizFixture, learners: LearnerPool) {
  const child = forkServer(settings, kind, { BENCH_COUNT_QUERIES: '1' }, []);
  const admin = await connect(settings.serverUrl);
  try {
    const { port } = await fromChild(child, 'listening');
    const url = `http://127.0.0.1:${port}`;
    const take = async () => {
      const reply = fromChild(child, 'queries');
      child.send({ type: 'queries' });
      return (await reply).queries;
    };
    const steps: { request: string; method: string; path: (attemptId: string) => string; body?: string }[] = [
      { request: 'start', method: 'POST', path: () => `/v1/quizzes/${fixture.quizId}/attempts`, body: '{}' },
      { request: 'save', method: 'PUT', path: (id) => `/v1/attempts/${id}/responses`, body: fixture.saveBody },
      { request: 'submit', method: 'POST', path: (id) => `/v1/attempts/${id}/submit` },
      { request: 'GET attempt', method: 'GET', path: (id) => `/v1/attempts/${id}` },
      { request: 'GET attempts-list', method: 'GET', path: () => `/v1/users/me/attempts?quizId=${fixture.quizId}` },
      { request: 'GET progress', method: 'GET', path: () => `/v1/users/me/modules/${fixture.moduleSlug}/progress` },
    ];
    const send = async (learner: Learner, step: (typeof steps)[number], attemptId: string) => {
      const response = await fetch(`${url}${step.path(attemptId)}`, {
        method: step.method,
        headers: {
          authorization: `Bearer ${learner.token}`,
          ...(step.body ? { 'content-type': 'application/json' } : {}),
        },
        body: step.body,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${kind} ${step.request}: ${response.status} ${text}`);
      return text;
    };
    const runCohort = async (size: number, measure: boolean) => {
      const cohort = Array.from({ length: size }, () => ({ learner: learners.next(), attemptId: '' }));
      const rows = [];
      for (const step of steps) {
        await take();
        const stopCpu = await startCpuAccounting(admin, databaseOf(settings, kind), child.pid!);
        let bytes = 0;
        for (const member of cohort) {
          const text = await send(member.learner, step, member.attemptId);
          if (step.request === 'start') member.attemptId = (JSON.parse(text) as { id: string }).id;
          bytes = text.length;
        }
        const cpu = await stopCpu();
        const queries = await take();
        const perRequest = queries.length / size;
        rows.push({
          request: step.request,
          bytes,
          statements: perRequest,
          serverMs: (cpu.server * cpu.wallMs) / size,
          postgresMs: (cpu.postgres * cpu.wallMs) / size,
          example: queries.slice(-Math.round(perRequest)),
        });
      }
      return measure ? rows : [];
    };
    await runCohort(30, false);
    const rows = await runCohort(COHORT, true);
    console.log(`\n### ${kind}: cost per request, one request at a time (${COHORT} learners, after 30)\n`);
    console.log('| request | response bytes | statements | server CPU ms | PostgreSQL CPU ms | statements sent |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    for (const row of rows) {
      const what = row.example.map((query) => `\`${gist(query.text)}\``).join('<br>');
      const cells = [
        row.request,
        row.bytes,
        row.statements.toFixed(1),
        row.serverMs.toFixed(2),
        row.postgresMs.toFixed(2),
      ];
      console.log(`| ${cells.join(' | ')} | ${what} |`);
    }
    const submit = rows.slice(0, 3);
    const sum = (pick: (row: (typeof rows)[number]) => number) => submit.reduce((total, row) => total + pick(row), 0);
    console.log(
      `\n${kind}, one submit (start + save + submit): ${sum((row) => row.statements).toFixed(0)} statements, ` +
        `${sum((row) => row.serverMs).toFixed(2)} ms server CPU, ${sum((row) => row.postgresMs).toFixed(2)} ms PostgreSQL CPU`,
    );
  } finally {
    await stop(child);
    await admin.end();
  }
}

async function profileCpu(settings: BenchSettings, kind: ServerKind, fixture: QuizFixture, learners: LearnerPool) {
  const dir = join(settings.root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `profile-${kind}.cpuprofile`);
  const child = forkServer(settings, kind, {}, []);
  let submits: number;
  let seconds: number;
  try {
    const { port } = await fromChild(child, 'listening');
    const url = `http://127.0.0.1:${port}`;
    const base = { url, connections: settings.connections, fixture, learners, completed: [] as CompletedFlow[] };
    const ledger = { sent: new Set<string>(), acknowledged: new Set<string>() };
    const run = await runSubmitLoad({
      ...base,
      ledger,
      timing: {
        warmup: settings.warmup,
        duration: PROFILE_SECONDS,
        onWindowStart: async () => {
          const profiling = fromChild(child, 'profiling');
          child.send({ type: 'profile', action: 'start' });
          await profiling;
        },
      },
    });
    const profiled = fromChild(child, 'profiled');
    child.send({ type: 'profile', action: 'stop', file });
    await profiled;
    submits = run.submits;
    seconds = run.wallMs / 1000;
  } finally {
    await stop(child);
  }
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(
    `\n### ${kind}: CPU profile of ${seconds.toFixed(0)} s of submit load after ${settings.warmup} s warm-up ` +
      `(${submits} submits, ${(submits / seconds).toFixed(0)}/s; ${file})\n`,
  );
  console.log(
    'Share of the samples in which the server was not idle, by package or app folder ' +
      '(inclusive: anywhere on the stack; self: the running frame). V8 samples wall time, so a frame ' +
      'that was preempted, such as a socket write that woke PostgreSQL, counts while it waits for a core.\n',
  );
  console.log('| where | inclusive | self |\n| --- | ---: | ---: |');
  console.log(summary.categories.join('\n'));
  console.log(`\nFunctions with the most self time:\n`);
  console.log('| function | self |\n| --- | ---: |');
  console.log(summary.functions.join('\n'));
}

async function main() {
  const settings = loadSettings();
  settings.database = `${settings.database}_profile`;
  const kinds = (process.argv.slice(2).length ? process.argv.slice(2) : ['api', 'baseline']) as ServerKind[];
  const admin = await connect(settings.serverUrl);
  const fixtures = new Map<ServerKind, { fixture: QuizFixture; learners: LearnerPool }>();
  try {
    // One database per server, each seeded as submit-path.ts seeds (the baseline reuses the API's seeding).
    await recreateDatabase(admin, settings.database);
    const seeding = forkServer(settings, 'seed', {}, []);
    const { report } = await fromChild(seeding, 'seeded');
    await once(seeding, 'exit');
    const db = await connect(serverEnv(settings, 'api').DATABASE_URL!);
    const ids = await seedLearners(db, settings.learners + 1);
    const fixture = await loadFixture(db, report);
    await db.query('VACUUM ANALYZE');
    await db.end();
    await recreateDatabase(admin, databaseOf(settings, 'baseline'), settings.database);
    const tokens = new TokenService(loadConfig(serverEnv(settings, 'api')));
    for (const kind of kinds) {
      const sign = (id: string) => tokens.signAccessToken({ kind: 'user', id, roles: ['learner'] }).token;
      fixtures.set(kind, { fixture, learners: new LearnerPool(ids, sign) });
    }
  } finally {
    await admin.end();
  }
  for (const kind of kinds) {
    const { fixture, learners } = fixtures.get(kind)!;
    await costPerRequest(settings, kind, fixture, learners);
    await profileCpu(settings, kind, fixture, learners);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
