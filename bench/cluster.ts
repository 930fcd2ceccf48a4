/**
 * Several API instances, a streaming replica and PgBouncer on this machine
 * (issue 18), measured:
 *
 *   npm run bench:cluster
 *   (= npm run build && tsc -p tsconfig.bench.json && node dist/bench/cluster.js)
 *
 * Env: BENCH_DURATION (s per timed run, default 10), BENCH_WARMUP (s, default 5), BENCH_CONNECTIONS (learners
 * at once, default 50), BENCH_POOL_SIZE (DB_POOL_SIZE per instance, default 10), BENCH_PGBOUNCER_POOL
 * (PgBouncer's default_pool_size: server connections to the primary, default 10), BENCH_REPORT_CONNECTIONS
 * (instructors asking at once, default 2), BENCH_COHORT_SIZE (learners in the reported cohort, default 5000),
 * BENCH_INSTANCES (default 1,2,3), BENCH_LEARNERS (default 100000), BENCH_LOG_LEVEL (default info).
 *
 * 1. A scratch primary (its own port and folder) is seeded as the submit-path bench seeds (Module 5,
 *    learners), plus a cohort; then a replica (`pg_basebackup -R -X stream`) and PgBouncer in
 *    transaction mode in front of the primary start.
 * 2. 1, 2 and 3 API instances (`node dist/src/main.js`, DB_NAMED_STATEMENTS=false, DATABASE_URL through
 *    PgBouncer, REPLICA_DATABASE_URL the replica) behind a per-request round-robin on loopback; learners
 *    start, save and submit, then read their attempt and progress back (0 stale reads required).
 * 3. With 3 instances: submits and cohort reports together, the reports on the replica; then the replica
 *    stopped in the middle of such a run (0 errors required); then instances without REPLICA_DATABASE_URL,
 *    reports on the primary.
 * 4. Every acknowledged submit is a finished attempt scored once (the submit-path bench's invariant).
 * Prints a markdown report; exits 1 on any non-2xx, stale read or broken invariant. Stops every process
 * and removes every scratch folder on exit and on Ctrl-C.
 */
import { TokenService } from '../src/auth/token.service';
import { loadConfig } from '../src/config/config';
import { cleanUp, runBench } from './cluster/cleanup';
import {
  type FlowStep,
  FLOW_STEPS,
  type ReportRun,
  runReports,
  runSubmitFlows,
  type SubmitFlowRun,
} from './cluster/closed-loop';
import { benchPids, type MachineLoad, startMachineLoad } from './cluster/cpu';
import { prepareDatabase, seedCohort } from './cluster/seed';
import {
  CLUSTER_DATABASE,
  type Cluster,
  type Databases,
  startCluster,
  startPrimary,
  startReplicaAndPgBouncer,
} from './cluster/topology';
import { checkInvariant, type SubmitLedger, waitUntilIdle } from './submit-path/database';
import { LearnerPool, type LoadTiming, summarise } from './submit-path/load';
import { machineDescription } from './submit-path/machine';
import { loadSettings, serverEnv } from './submit-path/settings';

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const WRITE_STEPS: readonly FlowStep[] = ['start', 'save', 'submit'];

interface Run {
  name: string;
  instances: number;
  reportsOn: 'replica' | 'primary' | 'none';
  submit: SubmitFlowRun;
  reports?: ReportRun;
  load: MachineLoad;
  /** Seconds into the run when the replica was stopped, and how long it took to serve again after restarting. */
  replicaStoppedAt?: number;
  replicaBackAfterS?: number;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const cores = (load: MachineLoad) => `${load.busy.toFixed(2)} / ${load.other.toFixed(2)}`;

function failures(run: Run): string[] {
  const problems: string[] = [];
  for (const step of FLOW_STEPS) {
    const record = run.submit.steps[step];
    if (record.failed > 0) {
      const statuses = [...record.statuses].filter(([status]) => status < 200 || status >= 300);
      problems.push(
        `${run.name}: ${step}: ${record.failed} failed (${statuses.map(([s, n]) => `${n}× ${s}`).join(', ') || 'unexpected bodies'})`,
      );
    }
  }
  if (run.submit.staleReads > 0) problems.push(`${run.name}: ${run.submit.staleReads} stale own reads`);
  if (run.submit.connectionErrors > 0)
    problems.push(`${run.name}: ${run.submit.connectionErrors} connection errors (learners)`);
  if (run.reports && run.reports.record.failed > 0) {
    problems.push(
      `${run.name}: ${run.reports.record.failed} reports failed (${[...run.reports.record.statuses].map(([s, n]) => `${n}× ${s}`).join(', ')})`,
    );
  }
  if (run.reports && run.reports.connectionErrors > 0)
    problems.push(`${run.name}: ${run.reports.connectionErrors} connection errors (reports)`);
  return problems;
}

function writeLatencies(run: SubmitFlowRun) {
  return summarise(WRITE_STEPS.flatMap((step) => run.steps[step].latencies));
}

function scalingTable(runs: readonly Run[]): string {
  const lines = [
    '| instances | submits/s | start+save+submit p50 / p99 ms | submit p99 ms | own reads p50 / p99 ms | stale own reads | own reads on another instance | non-2xx | cores busy / other |',
    '| --------: | --------: | -----------------------------: | ------------: | ---------------------: | --------------: | ----------------------------: | ------: | -----------------: |',
  ];
  for (const run of runs) {
    const writes = writeLatencies(run.submit);
    const reads = summarise([
      ...run.submit.steps['read attempt'].latencies,
      ...run.submit.steps['read progress'].latencies,
    ]);
    const failed = FLOW_STEPS.reduce((sum, step) => sum + run.submit.steps[step].failed, 0);
    lines.push(
      `| ${run.instances} | ${(run.submit.submits / (run.submit.wallMs / 1000)).toFixed(1)} | ${ms(writes.p50)} / ${ms(writes.p99)} | ` +
        `${ms(summarise(run.submit.steps.submit.latencies).p99)} | ${ms(reads.p50)} / ${ms(reads.p99)} | ` +
        `${run.submit.staleReads} of ${run.submit.ownReads} | ${run.submit.ownReadsElsewhere} | ${failed} | ${cores(run.load)} |`,
    );
  }
  return lines.join('\n');
}

function reportsTable(runs: readonly Run[]): string {
  const lines = [
    '| run (3 instances) | reports/s | report p50 / p99 ms | answered by replica / primary | submits/s | start+save+submit p99 ms | submit p99 ms | non-2xx | cores busy / other |',
    '| ----------------- | --------: | ------------------: | ----------------------------: | --------: | -----------------------: | ------------: | ------: | -----------------: |',
  ];
  for (const run of runs) {
    const report = run.reports ? summarise(run.reports.record.latencies) : undefined;
    const failed =
      FLOW_STEPS.reduce((sum, step) => sum + run.submit.steps[step].failed, 0) + (run.reports?.record.failed ?? 0);
    lines.push(
      `| ${run.name} | ${report ? (report.count / (run.submit.wallMs / 1000)).toFixed(1) : '–'} | ` +
        `${report ? `${ms(report.p50)} / ${ms(report.p99)}` : '–'} | ` +
        `${run.reports ? `${run.reports.fromReplica} / ${run.reports.fromPrimary}` : '–'} | ` +
        `${(run.submit.submits / (run.submit.wallMs / 1000)).toFixed(1)} | ${ms(writeLatencies(run.submit).p99)} | ` +
        `${ms(summarise(run.submit.steps.submit.latencies).p99)} | ${failed} | ${cores(run.load)} |`,
    );
  }
  return lines.join('\n');
}

/** Seconds of the run as runs of the same source: "0–7 replica, 8 both, 9–15 primary". */
function sourceTimeline(timeline: readonly [number, number, number][]): string {
  const label = ([replica, primary, failed]: [number, number, number]) =>
    [replica && 'replica', primary && 'primary', failed && `${failed} failed`].filter(Boolean).join(' + ') || 'none';
  const parts: string[] = [];
  let from = 0;
  for (let second = 1; second <= timeline.length; second++) {
    if (second === timeline.length || label(timeline[second]) !== label(timeline[from])) {
      parts.push(`${from === second - 1 ? from : `${from}–${second - 1}`} s: ${label(timeline[from])}`);
      from = second;
    }
  }
  return parts.join('; ');
}

async function main(): Promise<void> {
  const base = loadSettings();
  const instanceCounts = (process.env.BENCH_INSTANCES ?? '1,2,3').split(',').map(Number);
  if (instanceCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_INSTANCES: e.g. 1,2,3');
  const pgbouncerPool = envInt('BENCH_PGBOUNCER_POOL', 10);
  const reportConnections = envInt('BENCH_REPORT_CONNECTIONS', 2);
  const cohortSize = envInt('BENCH_COHORT_SIZE', 5000);
  const timing: LoadTiming = { warmup: base.warmup, duration: base.duration };
  console.log(
    `${machineDescription()}\nuptime: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} (load average 1/5/15 min) at the start`,
  );

  const primary = await startPrimary();
  const settings = { ...base, serverUrl: primary.url.replace(/\/[^/]*$/, '/postgres'), database: CLUSTER_DATABASE };
  const { fixture, learnerIds } = await prepareDatabase(settings, false);
  const db = await primary.connect();
  const closeDb = async () => db.end().catch(() => undefined);
  try {
    // The database was made afresh by the seeding: PgBouncer ignores these startup parameters (README).
    await db.query(`ALTER DATABASE ${CLUSTER_DATABASE} SET statement_timeout = '30s'`);
    await db.query(`ALTER DATABASE ${CLUSTER_DATABASE} SET idle_in_transaction_session_timeout = '60s'`);
    const { cohortId, adminId } = await seedCohort(db, fixture, learnerIds, cohortSize);
    const databases: Databases = await startReplicaAndPgBouncer(primary, pgbouncerPool);
    console.log(
      `primary :${primary.port}, replica :${databases.replica.port} (streaming), PgBouncer (transaction mode, ` +
        `default_pool_size ${pgbouncerPool}) ${new URL(databases.pgbouncer.url).port}; ${settings.learners} learners, ` +
        `cohort of ${cohortSize}; ${settings.connections} learners at once, pool ${settings.poolSize} per instance, ` +
        `${timing.warmup} s warm-up + ${timing.duration} s per run`,
    );

    const tokens = new TokenService(loadConfig(serverEnv(settings, 'api')));
    const learners = new LearnerPool(
      learnerIds,
      (id) => tokens.signAccessToken({ kind: 'user', id, roles: ['learner'] }).token,
    );
    const adminToken = tokens.signAccessToken({ kind: 'user', id: adminId, roles: ['admin'] }).token;
    const ledger: SubmitLedger = { sent: new Set(), acknowledged: new Set() };
    const reportPath = `/v1/cohorts/${cohortId}/progress?limit=100`;
    const instanceSettings = {
      databaseUrl: databases.pgbouncer.url,
      poolSize: settings.poolSize,
      logLevel: settings.logLevel,
      jwtSecret: settings.jwtSecret,
      webhookSecretKey: settings.webhookSecretKey,
    };

    const measure = async (
      name: string,
      cluster: Cluster,
      reportsOn: Run['reportsOn'],
      during?: (run: Partial<Run>) => Promise<void>,
    ): Promise<Run> => {
      console.log(`  ${name}: ${timing.warmup} s warm-up + ${timing.duration} s`);
      let stopLoad: () => MachineLoad = () => {
        throw new Error('the timed part never started');
      };
      const runTiming: LoadTiming = {
        ...timing,
        onWindowStart: () => {
          const pids = benchPids([primary.port, databases.replica.port], [databases.pgbouncer.pid]);
          stopLoad = startMachineLoad(() => pids);
          return Promise.resolve();
        },
      };
      const extra: Partial<Run> = {};
      const [submit, reports] = await Promise.all([
        runSubmitFlows({
          url: cluster.url,
          connections: settings.connections,
          timing: runTiming,
          fixture,
          learners,
          ledger,
        }),
        reportsOn === 'none'
          ? undefined
          : runReports({
              url: cluster.url,
              connections: reportConnections,
              timing,
              path: reportPath,
              token: adminToken,
            }),
        during?.(extra),
      ]);
      return { name, instances: cluster.instances.length, reportsOn, submit, reports, load: stopLoad(), ...extra };
    };

    const runs: Run[] = [];
    let cluster: Cluster | undefined;
    for (const count of instanceCounts) {
      await cluster?.stop();
      cluster = await startCluster({ ...instanceSettings, count, replicaUrl: databases.replica.url });
      runs.push(await measure(`${count} instance${count > 1 ? 's' : ''}, submits`, cluster, 'none'));
    }
    if (cluster?.instances.length !== 3) {
      await cluster?.stop();
      cluster = await startCluster({ ...instanceSettings, count: 3, replicaUrl: databases.replica.url });
    }
    const withoutReports =
      runs.find((run) => run.instances === 3) ?? (await measure('3 instances, submits', cluster, 'none'));
    const onReplica = await measure('submits + reports on the replica', cluster, 'replica');
    const stopped = await measure('submits + reports, replica stopped midway', cluster, 'replica', async (extra) => {
      const at = timing.warmup + timing.duration / 2;
      await new Promise((wake) => setTimeout(wake, at * 1000));
      databases.replica.stop('fast');
      extra.replicaStoppedAt = at;
    });
    databases.replica.start();
    const restartedAt = performance.now();
    stopped.replicaBackAfterS = await untilFromReplica(cluster.url, reportPath, adminToken);
    console.log(
      `  replica restarted: reports from it again after ${((performance.now() - restartedAt) / 1000).toFixed(1)} s`,
    );
    await cluster.stop();
    cluster = await startCluster({ ...instanceSettings, count: 3 });
    const onPrimary = await measure('submits + reports on the primary (no REPLICA_DATABASE_URL)', cluster, 'primary');
    await cluster.stop();

    await waitUntilIdle(db, CLUSTER_DATABASE);
    const invariant = await checkInvariant(db, ledger, fixture);
    const all = [...runs, onReplica, stopped, onPrimary];

    console.log(
      `\n### Submits with 1, 2 and 3 instances (learners read their own attempt and progress back after each submit)\n`,
    );
    console.log(scalingTable(runs));
    console.log(
      `\n### Reports while learners submit (cohort progress, ${cohortSize} learners, page of 100; ${reportConnections} instructors at once)\n`,
    );
    console.log(reportsTable([{ ...withoutReports, name: 'submits only' }, onReplica, onPrimary, stopped]));
    console.log(
      `\nReplica stopped at ${stopped.replicaStoppedAt} s into the run (warm-up included); reports per second by source: ` +
        `${sourceTimeline(stopped.reports!.timeline)}. After a restart, reports came from the replica again within ` +
        `${stopped.replicaBackAfterS?.toFixed(1)} s. Stale own reads over all runs: ${all.reduce((n, r) => n + r.submit.staleReads, 0)} of ` +
        `${all.reduce((n, r) => n + r.submit.ownReads, 0)}.`,
    );
    console.log(
      `\ninvariant: ${invariant.ok ? 'ok' : 'BROKEN'}: ${invariant.finished} finished attempts, ${invariant.acknowledged} acknowledged submits, ` +
        `${invariant.committedInFlight} of ${invariant.inFlight} in flight committed${invariant.problems.length ? `; ${invariant.problems.join('; ')}` : ''}`,
    );
    console.log(
      `uptime at the end: ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    );

    const problems = [...all.flatMap(failures), ...(invariant.ok ? [] : ['the submit invariant is broken'])];
    if (stopped.reports && stopped.reports.fromPrimary === 0)
      problems.push('no report came from the primary after the replica stopped');
    if (onReplica.reports && onReplica.reports.fromReplica === 0) problems.push('no report came from the replica');
    if (problems.length > 0) {
      console.error(`\nFAILED:\n${problems.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await closeDb();
    await cleanUp();
  }
}

/** Seconds until a report answers with X-Data-Age again; throws after 30 s. */
async function untilFromReplica(url: string, path: string, token: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 30_000) {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`a report answered ${response.status} after the replica restarted`);
    if (response.headers.has('x-data-age')) return (performance.now() - started) / 1000;
    await new Promise((wake) => setTimeout(wake, 200));
  }
  throw new Error('reports did not come from the replica within 30 s of its restart');
}

runBench(main);
