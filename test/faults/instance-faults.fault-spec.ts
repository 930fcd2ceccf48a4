import type { Client } from 'pg';
import { startApiInstance, type ApiInstance } from './support/api-instance';
import { createLearners, openFaultCourse, type Course, type FaultCourse, type Learner } from './support/course';
import { checkLedger, halfScoredAttempts, Ledger, startLearnerLoad } from './support/learner-load';

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** SIGTERM, SIGKILL and two sweepers, each on instances of its own, over one scratch server. */
describe('API instances stopped, killed, and sweeping side by side', () => {
  let fault: FaultCourse;
  let env: Record<string, string>;
  let course: Course;
  let db: Client;
  const instances: ApiInstance[] = [];

  const startPair = async (names: [string, string], extra: Record<string, string> = {}) => {
    const pair: ApiInstance[] = [];
    for (const name of names) {
      const instance = await startApiInstance(name, {
        ...env,
        DB_POOL_SIZE: '5',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        ...extra,
      });
      instances.push(instance);
      pair.push(instance);
    }
    await Promise.all(pair.map((instance) => instance.waitReady()));
    return pair;
  };
  const learners = (count: number): Promise<Learner[]> => createLearners(db, env, count);

  beforeAll(async () => {
    fault = await openFaultCourse();
    ({ env, db, course } = fault);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.destroy()));
    await fault?.close();
  });

  it('SIGTERM under load: requests in flight finish, nothing acknowledged is lost, exit within SHUTDOWN_TIMEOUT_MS', async () => {
    const [a, b] = await startPair(['term-a', 'term-b']);
    const ledger = new Ledger();
    const load = startLearnerLoad({ targets: () => [a, b], course, learners: await learners(20), ledger });
    await sleep(3_000);
    const signalledAt = Date.now();
    a.process.kill('SIGTERM');
    const exit = await a.exited;
    await sleep(2_000);
    await load.stop();
    const check = await checkLedger(db, ledger);

    const inFlight = ledger.observations.filter(
      (seen) => seen.target === a.name && seen.at < signalledAt && seen.end > signalledAt,
    );
    console.log(
      JSON.stringify({
        scenario: 'SIGTERM under load',
        exit: { code: exit.code, afterMs: exit.at - signalledAt },
        inFlightAtSignal: inFlight.length,
        inFlightStatuses: countStatuses(inFlight),
        acknowledged: check.acknowledged,
        lost: check.lost.length,
        statusesOfStoppedInstanceAfterSignal: countStatuses(
          ledger.observations.filter((seen) => seen.target === a.name && seen.at >= signalledAt),
        ),
      }),
    );
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    // Each request the instance was working on when told to stop got its answer.
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.filter((seen) => seen.status === null || (seen.status >= 300 && seen.status !== 503))).toEqual([]);
    expect(ledger.failures.slice(0, 5)).toEqual([]);
    expect(check.lost).toEqual([]);
  });

  it('SIGKILL in the middle of submits: no attempt half-scored, nothing acknowledged lost', async () => {
    const [c, d] = await startPair(['kill-c', 'kill-d']);
    const ledger = new Ledger();
    let armed = false;
    let killedAt = 0;
    const load = startLearnerLoad({
      targets: () => [c, d],
      course,
      learners: await learners(20),
      ledger,
      // A few milliseconds after a submit left for instance c: while it scores, or about to.
      onSend: (target, route) => {
        if (!armed || target !== c || route !== 'submit') return;
        armed = false;
        setTimeout(() => {
          killedAt = Date.now();
          c.process.kill('SIGKILL');
        }, 5);
      },
    });
    await sleep(3_000);
    armed = true;
    await c.exited;
    const before = ledger.observations.filter(
      (seen) => seen.target === c.name && seen.route === 'submit' && seen.status === 200,
    ).length;
    await sleep(3_000);
    await load.stop();

    const check = await checkLedger(db, ledger);
    const halfScored = await halfScoredAttempts(db);
    const cut = ledger.observations.filter(
      (seen) => seen.target === c.name && seen.at < killedAt && seen.end >= killedAt,
    );
    console.log(
      JSON.stringify({
        scenario: 'SIGKILL under load',
        submitsAnsweredByKilledInstance: before,
        requestsCutByKill: cut.length,
        cutByRoute: countBy(cut.map((seen) => seen.route)),
        acknowledged: check.acknowledged,
        lost: check.lost.length,
        halfScored: halfScored.length,
      }),
    );
    expect(cut.filter((seen) => seen.route === 'submit').length).toBeGreaterThan(0);
    expect(halfScored).toEqual([]);
    expect(ledger.failures.slice(0, 5)).toEqual([]);
    expect(check.lost).toEqual([]);
  });

  it('two instances sweeping at once close each overdue attempt once: one audit event, one score', async () => {
    await startPair(['sweep-e', 'sweep-f'], { ATTEMPT_SWEEP_INTERVAL_MS: '100' });
    const people = await learners(60);
    const started: string[] = [];
    for (const person of people) {
      const response = await fetch(`${instances.at(-1)!.url}/v1/quizzes/${course.quizId}/attempts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${person.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(201);
      started.push(((await response.json()) as { id: string }).id);
    }
    await db.query(
      `UPDATE attempts SET deadline_at = now() - interval '2 minutes', closes_at = now() - interval '1 minute'
        WHERE id = ANY($1::uuid[])`,
      [started],
    );
    const deadline = Date.now() + 15_000;
    let open = started.length;
    while (open > 0 && Date.now() < deadline) {
      await sleep(100);
      const { rows } = await db.query<{ open: number }>(
        `SELECT count(*)::int AS open FROM attempts WHERE id = ANY($1::uuid[]) AND state = 'in_progress'`,
        [started],
      );
      open = rows[0].open;
    }
    const { rows: events } = await db.query<{ target_id: string; n: number }>(
      `SELECT target_id, count(*)::int AS n FROM audit_events
        WHERE action = 'attempt.closed_overdue' AND target_id = ANY($1::text[]) GROUP BY target_id`,
      [started],
    );
    console.log(
      JSON.stringify({ scenario: 'two sweepers', overdue: started.length, open, closedEvents: events.length }),
    );
    expect(open).toBe(0);
    expect(events).toHaveLength(started.length);
    expect(events.filter((event) => event.n !== 1)).toEqual([]);
    expect(await halfScoredAttempts(db)).toEqual([]);
  });
});

function countStatuses(observations: { status: number | null; error?: string }[]): Record<string, number> {
  return countBy(
    observations.map((seen) => (seen.status === null ? `no answer (${seen.error})` : String(seen.status))),
  );
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
