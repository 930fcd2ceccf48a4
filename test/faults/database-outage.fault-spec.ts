import type { Client } from 'pg';
import { startApiInstance, type ApiInstance } from './support/api-instance';
import { createLearners, openFaultCourse, type Course, type FaultCourse, type Learner } from './support/course';
import { checkLedger, halfScoredAttempts, Ledger, startLearnerLoad } from './support/learner-load';
import type { ScratchPostgres } from './support/scratch-postgres';

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

const OUTAGES = 3;
const DOWN_MS = 3_000;
const LEARNERS = 20;

describe('PostgreSQL stopped (immediate) three times under load on two instances', () => {
  let fault: FaultCourse;
  let pg: ScratchPostgres;
  let env: Record<string, string>;
  let course: Course;
  let learners: Learner[];
  const instances: ApiInstance[] = [];

  beforeAll(async () => {
    fault = await openFaultCourse();
    ({ pg, env, course } = fault);
    learners = await createLearners(fault.db, env, LEARNERS);
    // The server is about to be stopped under it: checks connect afresh afterwards.
    await fault.db.end();
    for (const name of ['a', 'b']) {
      instances.push(await startApiInstance(name, { ...env, DB_POOL_SIZE: '5', ATTEMPT_SWEEP_INTERVAL_MS: '1000' }));
    }
    await Promise.all(instances.map((instance) => instance.waitReady()));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.destroy()));
    await fault?.close();
  });

  it('loses no acknowledged write, answers 503 with Retry-After (never 500), and is ready again within 15 s', async () => {
    const ledger = new Ledger();
    const load = startLearnerLoad({ targets: () => instances, course, learners, ledger });
    const outages: { from: number; to: number; readyMs: number[] }[] = [];
    await sleep(3_000);
    for (let i = 0; i < OUTAGES; i++) {
      const from = Date.now();
      pg.stop('immediate');
      await sleep(DOWN_MS);
      pg.start();
      const readyMs = await Promise.all(instances.map((instance) => instance.waitReady(30_000)));
      outages.push({ from, to: Date.now(), readyMs });
      await sleep(3_000);
    }
    await load.stop();

    const db: Client = await pg.connect();
    const check = await checkLedger(db, ledger).finally(() => undefined);
    const halfScored = await halfScoredAttempts(db);
    await db.end();

    const duringOutages = ledger.observations.filter((seen) =>
      outages.some((o) => seen.at >= o.from && seen.at <= o.to),
    );
    const fiveHundreds = ledger.observations.filter(
      (seen) => seen.status !== null && seen.status >= 500 && seen.status !== 503,
    );
    const bad503s = ledger.observations.filter(
      (seen) => seen.status === 503 && (!seen.retryAfter || !seen.contentType?.startsWith('application/problem+json')),
    );
    const unanswered = ledger.observations.filter((seen) => seen.status === null);
    console.log(
      JSON.stringify({
        scenario: 'database outage',
        learners: LEARNERS,
        instances: instances.length,
        flows: load.flows(),
        requests: ledger.observations.length,
        acknowledged: check.acknowledged,
        acknowledgedWrites: ledger.acknowledgedWrites(),
        lost: check.lost.length,
        statusesDuringOutages: countStatuses(duringOutages),
        statusesOverall: ledger.statusCounts(),
        readyAfterDatabaseMs: outages.map((o) => o.readyMs),
      }),
    );

    expect({ failures: ledger.failures.length, first: ledger.failures.slice(0, 5) }).toEqual({
      failures: 0,
      first: [],
    });
    expect(check.lost).toEqual([]);
    expect(halfScored).toEqual([]);
    expect(fiveHundreds).toEqual([]);
    expect(bad503s).toEqual([]);
    // The instances stay up: every request got an HTTP answer.
    expect(unanswered).toEqual([]);
    // The outages were real: requests were refused with 503 while the database was down.
    expect(duringOutages.some((seen) => seen.status === 503)).toBe(true);
    expect(check.acknowledged.submits).toBeGreaterThan(LEARNERS);
    for (const outage of outages) for (const ms of outage.readyMs) expect(ms).toBeLessThan(15_000);
  });
});

function countStatuses(observations: { status: number | null; error?: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const seen of observations) {
    const key = seen.status === null ? `no answer (${seen.error})` : String(seen.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
