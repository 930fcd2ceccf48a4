/**
 * Open-loop latency of the submit path (issue 18), on the API and the
 * hand-written baseline in the same run:
 *
 *   npm run bench:open-loop
 *   (= npm run build && tsc -p tsconfig.bench.json && node dist/bench/open-loop.js)
 *
 * Env: as the submit-path bench (BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS for the capacity run,
 * BENCH_POOL_SIZE, BENCH_LEARNERS, BENCH_DATABASE_URL, BENCH_LOG_LEVEL), BENCH_DATABASE (default
 * assessment_cluster_open_loop; the baseline's is <name>_baseline; both dropped at the end),
 * BENCH_OPEN_LOOP_LOADS (fractions of the API's capacity, default 0.4,0.6,0.8).
 *
 * 1. Seeds as the submit-path bench does, the two servers side by side (child processes, own databases).
 * 2. Capacity: the closed-loop submit scenario (as `npm run bench`), submits/s of each server.
 * 3. For each fraction of the API's capacity, that many learner flows per second start on a timer, on the
 *    baseline and right after on the API (the same arrival rate for both, so a row compares what a learner
 *    feels): p50/p99 per request, the first request of a flow timed from when it was due.
 * 4. Every acknowledged submit is a finished attempt scored once; any failure exits 1.
 */
import { TokenService } from '../src/auth/token.service';
import { loadConfig } from '../src/config/config';
import { cleanUp, onCleanup, runBench } from './cluster/cleanup';
import { OPEN_STEPS, type OpenLoopRun, runOpenLoop } from './open-loop/arrivals';
import { prepareDatabase } from './cluster/seed';
import { forkServer, nextMessage, stopServer } from './submit-path/children';
import { checkInvariant, connect, type SubmitLedger, waitUntilIdle } from './submit-path/database';
import { type CompletedFlow, LearnerPool, runSubmitLoad } from './submit-path/load';
import { type CpuShare, machineDescription, startCpuAccounting } from './submit-path/machine';
import {
  databaseOf,
  loadSettings,
  serverEnv,
  SERVER_KINDS,
  type ServerKind,
  withDatabase,
} from './submit-path/settings';

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');

interface Row {
  fraction: number;
  kind: ServerKind;
  run: OpenLoopRun;
  cpu: CpuShare;
}

async function main(): Promise<void> {
  process.env.BENCH_DATABASE ??= 'assessment_cluster_open_loop';
  const settings = loadSettings();
  if (!settings.database.startsWith('assessment_cluster'))
    throw new Error('BENCH_DATABASE must start with assessment_cluster');
  const fractions = (process.env.BENCH_OPEN_LOOP_LOADS ?? '0.4,0.6,0.8').split(',').map(Number);
  if (fractions.some((f) => !(f > 0 && f <= 1.5)))
    throw new Error('BENCH_OPEN_LOOP_LOADS: fractions such as 0.4,0.6,0.8');
  const os = await import('node:os');
  console.log(
    `${machineDescription()}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} at the start\n` +
      `capacity: ${settings.connections} connections closed loop; ${settings.warmup} s warm-up + ${settings.duration} s per run, ` +
      `pool ${settings.poolSize} per server, log level ${settings.logLevel}`,
  );

  const admin = await connect(settings.serverUrl);
  onCleanup('the bench databases', async () => {
    for (const kind of SERVER_KINDS)
      await admin.query(`DROP DATABASE IF EXISTS ${databaseOf(settings, kind)} WITH (FORCE)`);
    await admin.end();
  });
  const { fixture, learnerIds } = await prepareDatabase(settings, true);
  const tokens = new TokenService(loadConfig(serverEnv(settings, 'api')));
  const sign = (id: string) => tokens.signAccessToken({ kind: 'user', id, roles: ['learner'] }).token;

  const servers = new Map<ServerKind, { url: string; pid: number; learners: LearnerPool; ledger: SubmitLedger }>();
  for (const kind of ['baseline', 'api'] as const) {
    const child = forkServer(settings, kind);
    onCleanup(`the ${kind} server`, () => stopServer(child));
    const { port } = await nextMessage(child, 'listening');
    servers.set(kind, {
      url: `http://127.0.0.1:${port}`,
      pid: child.pid!,
      learners: new LearnerPool(learnerIds, sign),
      ledger: { sent: new Set(), acknowledged: new Set() },
    });
  }
  const accounted = async <T>(kind: ServerKind, work: () => Promise<T>): Promise<[T, CpuShare]> => {
    const stop = await startCpuAccounting(admin, databaseOf(settings, kind), servers.get(kind)!.pid);
    const result = await work();
    return [result, await stop()];
  };

  const capacity = new Map<ServerKind, number>();
  const capacityCpu = new Map<ServerKind, CpuShare>();
  for (const [kind, server] of servers) {
    console.log(`  ${kind}: capacity (closed loop)`);
    await admin.query('CHECKPOINT');
    const completed: CompletedFlow[] = [];
    let stopCpu: () => Promise<CpuShare> = () => Promise.reject(new Error('no timed part'));
    const run = await runSubmitLoad({
      url: server.url,
      connections: settings.connections,
      timing: {
        warmup: settings.warmup,
        duration: settings.duration,
        onWindowStart: async () => {
          stopCpu = await startCpuAccounting(admin, databaseOf(settings, kind), server.pid);
        },
      },
      fixture,
      learners: server.learners,
      ledger: server.ledger,
      completed,
    });
    capacityCpu.set(kind, await stopCpu());
    const failed = Object.values(run.steps).reduce((sum, step) => sum + step.failed, 0);
    if (failed > 0) throw new Error(`${kind}: ${failed} requests failed in the capacity run`);
    capacity.set(kind, run.submits / (run.wallMs / 1000));
    await waitUntilIdle(admin, databaseOf(settings, kind));
  }

  const rows: Row[] = [];
  for (const fraction of fractions) {
    const rate = fraction * capacity.get('api')!;
    for (const [kind, server] of servers) {
      console.log(`  ${kind}: ${rate.toFixed(1)} flows/s (${Math.round(fraction * 100)} % of the API's capacity)`);
      await admin.query('CHECKPOINT');
      const [run, cpu] = await accounted(kind, () =>
        runOpenLoop({
          url: server.url,
          rate,
          warmup: settings.warmup,
          duration: settings.duration,
          fixture,
          learners: server.learners,
          ledger: server.ledger,
        }),
      );
      rows.push({ fraction, kind, run, cpu });
      await waitUntilIdle(admin, databaseOf(settings, kind));
    }
  }

  const problems: string[] = [];
  const invariants: string[] = [];
  for (const [kind, server] of servers) {
    const db = await connect(withDatabase(settings.serverUrl, databaseOf(settings, kind)));
    try {
      const invariant = await checkInvariant(db, server.ledger, fixture);
      invariants.push(
        `${kind}: ${invariant.ok ? 'ok' : 'BROKEN'}, ${invariant.finished} finished attempts, ${invariant.acknowledged} acknowledged` +
          `${invariant.problems.length ? `; ${invariant.problems.join('; ')}` : ''}`,
      );
      if (!invariant.ok) problems.push(`${kind}: the submit invariant is broken`);
    } finally {
      await db.end();
    }
  }
  for (const row of rows) {
    for (const step of OPEN_STEPS) {
      for (const [why, count] of row.run.failures[step])
        problems.push(`${row.kind} at ${row.run.rate.toFixed(1)}/s: ${step}: ${count}× ${why}`);
    }
  }

  console.log('\n### Capacity (closed loop, as `npm run bench`)\n');
  console.log('| server | submits/s | requests/s | cores: server / PostgreSQL / generator / other |');
  console.log('| ------ | --------: | ---------: | ---------------------------------------------: |');
  for (const [kind, perSecond] of capacity) {
    const cpu = capacityCpu.get(kind)!;
    console.log(
      `| ${kind} | ${perSecond.toFixed(1)} | ${(perSecond * 3).toFixed(0)} | ${cpu.server.toFixed(2)} / ${cpu.postgres.toFixed(2)} / ${cpu.client.toFixed(2)} / ${cpu.other.toFixed(2)} |`,
    );
  }
  console.log(`\n### Open loop (learner flows started on a timer; the same rates for both servers)\n`);
  console.log(
    '| load (of the API capacity) | flows/s | server | of its own capacity | per request p50 / p99 ms | start / save / submit p99 ms | flow p99 ms | completed / due | generator lag p99 ms | most flows at once | other cores |',
  );
  console.log(
    '| -------------------------: | ------: | ------ | ------------------: | -----------------------: | ---------------------------: | ----------: | --------------: | -------------------: | -----------------: | ----------: |',
  );
  for (const { fraction, kind, run, cpu } of rows) {
    const { perRequest, perStep } = run;
    console.log(
      `| ${Math.round(fraction * 100)} % | ${run.rate.toFixed(1)} | ${kind} | ${Math.round((run.rate / capacity.get(kind)!) * 100)} % | ` +
        `${ms(perRequest.p50)} / ${ms(perRequest.p99)} | ${ms(perStep.start.p99)} / ${ms(perStep.save.p99)} / ${ms(perStep.submit.p99)} | ` +
        `${ms(run.flow.p99)} | ${run.completed} / ${run.due} | ${ms(run.sendLag.p99)} | ${run.maxInFlight} | ${cpu.other.toFixed(2)} |`,
    );
  }
  const at60 = rows.find((row) => row.kind === 'api' && Math.abs(row.fraction - 0.6) < 1e-9);
  if (at60) {
    const met = at60.run.perRequest.p99 < 100;
    console.log(
      `\nTarget p99 < 100 ms per request at 60 % of capacity (API): ${met ? 'met' : 'NOT met'} (${ms(at60.run.perRequest.p99)} ms)`,
    );
  }
  console.log(`invariant: ${invariants.join('; ')}`);
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  await cleanUp();
  if (problems.length > 0) {
    console.error(`\nFAILED:\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
}

runBench(main);
