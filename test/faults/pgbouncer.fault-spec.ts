import type { Client } from 'pg';
import { migrations } from '../../migrations/index';
import { startApiInstance, type ApiInstance } from './support/api-instance';
import { createLearners, loadCourse, seedCourse, sharedEnv, type Course, type Learner } from './support/course';
import { checkLedger, halfScoredAttempts, Ledger, startLearnerLoad } from './support/learner-load';
import { startPgBouncer, type ScratchPgBouncer } from './support/pgbouncer';
import { startScratchPostgres, type ScratchPostgres } from './support/scratch-postgres';

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
const LEARNERS = 20;
/** Server connections PgBouncer may open, against 2 instances × DB_POOL_SIZE 5 client connections. */
const SERVER_POOL = 4;

describe('two instances behind PgBouncer 1.18 in transaction pooling mode', () => {
  let pg: ScratchPostgres;
  let db: Client;
  let course: Course;
  let bouncer: ScratchPgBouncer;
  let learners: Learner[];
  let admin: Learner;
  let cohortId: string;
  const instances: ApiInstance[] = [];

  beforeAll(async () => {
    pg = await startScratchPostgres();
    db = await pg.connect();
    // PgBouncer drops these startup parameters: the database carries them instead (README, "Running at scale").
    await db.query(`ALTER DATABASE faults SET statement_timeout = '30s'`);
    await db.query(`ALTER DATABASE faults SET idle_in_transaction_session_timeout = '60s'`);
    bouncer = await startPgBouncer(pg, 'faults', SERVER_POOL);
    const shared = sharedEnv(pg.url);
    const env = {
      ...shared,
      DATABASE_URL: bouncer.url,
      // PgBouncer 1.18 cannot carry named prepared statements across transactions (1.21 can).
      DB_NAMED_STATEMENTS: 'false',
      DB_POOL_SIZE: '5',
      ATTEMPT_SWEEP_INTERVAL_MS: '500',
      HOUSEKEEPING_INTERVAL_MS: '1000',
    };
    // Started together on an empty database: both migrate through PgBouncer, one after the other, under the
    // transaction's advisory lock.
    instances.push(...(await Promise.all(['a', 'b'].map((name) => startApiInstance(name, env)))));
    await Promise.all(instances.map((instance) => instance.waitReady()));
    seedCourse(shared);
    course = await loadCourse(db);
    learners = await createLearners(db, shared, LEARNERS);
    [admin] = await createLearners(db, shared, 1, 'admin');

    const headers = { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' };
    const created = await fetch(`${instances[0].url}/v1/cohorts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Behind PgBouncer', moduleIds: [course.moduleId] }),
    });
    expect(created.status).toBe(201);
    cohortId = ((await created.json()) as { id: string }).id;
    for (const learner of learners) {
      const added = await fetch(`${instances[1].url}/v1/cohorts/${cohortId}/members`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ userId: learner.id, role: 'learner' }),
      });
      expect(added.status).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.destroy()));
    bouncer?.destroy();
    await db?.end();
    pg?.destroy();
  });

  it('migrated once, through PgBouncer, with two instances starting at the same time', async () => {
    const { rows } = await db.query<{ name: string; times: number }>(
      'SELECT name, count(*)::int AS times FROM schema_migrations GROUP BY name ORDER BY name',
    );
    expect(rows).toHaveLength(migrations.length);
    expect(rows.filter((row) => row.times !== 1)).toEqual([]);
  });

  it('runs learners, the sweeper, housekeeping and streamed reports with no failure, nothing lost, on 4 server connections', async () => {
    const ledger = new Ledger();
    const load = startLearnerLoad({ targets: () => instances, course, learners, ledger });
    const reports: { path: string; status: number }[] = [];
    let reporting = true;
    const paths = [
      `/v1/cohorts/${cohortId}/progress`,
      `/v1/cohorts/${cohortId}/progress.csv`,
      `/v1/cohorts/${cohortId}/responses.csv`,
      `/v1/cohorts/${cohortId}/quizzes/${course.quizId}/item-analysis`,
    ];
    const reporter = (async () => {
      for (let i = 0; reporting; i++) {
        const path = paths[i % paths.length];
        const response = await fetch(`${instances[i % 2].url}${path}`, {
          headers: { authorization: `Bearer ${admin.token}` },
        });
        await response.arrayBuffer();
        reports.push({ path, status: response.status });
      }
    })();
    const serverConnections: number[] = [];
    for (let i = 0; i < 16; i++) {
      await sleep(500);
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = 'faults' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      serverConnections.push(rows[0].n);
    }
    reporting = false;
    await Promise.all([load.stop(), reporter]);

    const check = await checkLedger(db, ledger);
    const halfScored = await halfScoredAttempts(db);
    console.log(
      JSON.stringify({
        scenario: 'behind PgBouncer (transaction mode)',
        learners: LEARNERS,
        instances: instances.length,
        flows: load.flows(),
        requests: ledger.observations.length,
        acknowledged: check.acknowledged,
        statuses: ledger.statusCounts(),
        reports: reports.length,
        mostServerConnections: Math.max(...serverConnections),
      }),
    );

    expect({ failures: ledger.failures.length, first: ledger.failures.slice(0, 5) }).toEqual({
      failures: 0,
      first: [],
    });
    expect(check.lost).toEqual([]);
    expect(halfScored).toEqual([]);
    expect(reports.filter((report) => report.status !== 200)).toEqual([]);
    expect(new Set(reports.map((report) => report.path)).size).toBe(paths.length);
    expect(check.acknowledged.submits).toBeGreaterThan(LEARNERS);
    // Ten client connections, never more than PgBouncer's four on the server.
    expect(Math.max(...serverConnections)).toBeLessThanOrEqual(SERVER_POOL);
  });
});
