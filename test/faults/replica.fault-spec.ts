import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Client } from 'pg';
import { startApiInstance, type ApiInstance } from './support/api-instance';
import { createLearners, openFaultCourse, type Course, type FaultCourse, type Learner } from './support/course';
import { startScratchReplica, type ScratchPostgres } from './support/scratch-postgres';

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
const LEARNERS = 3;

interface Answer {
  status: number;
  dataAge: string | null;
  body: string;
}

async function call(instance: ApiInstance, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${instance.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer: Answer = { status: response.status, dataAge: response.headers.get('x-data-age'), body: '' };
  answer.body = await response.text();
  return answer;
}

/** Polls until `check` holds, for at most a minute (the conditions here come within seconds). */
async function eventually<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let last: T | undefined;
  for (let tries = 0; tries < 300; tries++) {
    last = await probe();
    if (check(last)) return last;
    await sleep(200);
  }
  throw new Error(`${what}: not within a minute; last: ${JSON.stringify(last)}`);
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : NaN;
}

/**
 * A TCP relay to the replica that, once `sabotage` is on, cuts any connection the moment it carries a
 * statement that reads cohort members (every report does; the lag check does not): a replica that fails in
 * the middle of a report, after the check said it was fine.
 */
async function startRelay(port: number) {
  const sockets = new Set<Socket>();
  const relay = { sabotage: false, cut: 0, server: undefined as unknown as Server, port: 0 };
  relay.server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => {
      if (relay.sabotage && chunk.includes('cohort_members')) {
        relay.cut++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
  relay.port = (relay.server.address() as { port: number }).port;
  return {
    relay,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => relay.server.close(resolve));
    },
  };
}

describe('reports on a streaming replica (pg_basebackup, hot standby)', () => {
  let fault: FaultCourse;
  let replica: ScratchPostgres;
  let standby: Client;
  let course: Course;
  let admin: Learner;
  let learners: Learner[];
  let cohortId: string;
  /** REPLICA_MAX_LAG_S=30: keeps reading the paused replica. */
  let patient: ApiInstance;
  /** REPLICA_MAX_LAG_S=1: passes over it once replay has been paused for more than a second. */
  let strict: ApiInstance;
  const instances: ApiInstance[] = [];

  const stepsDoneInReport = async (instance: ApiInstance, learner: Learner) => {
    const answer = await call(instance, admin.token, 'GET', `/v1/cohorts/${cohortId}/progress?limit=100`);
    expect(answer.status).toBe(200);
    const rows = (JSON.parse(answer.body) as { items: { userId: string; stepsDone: number }[] }).items;
    return { dataAge: answer.dataAge, stepsDone: rows.find((row) => row.userId === learner.id)?.stepsDone };
  };
  const stepsDoneInCsv = async (instance: ApiInstance, learner: Learner) => {
    const answer = await call(instance, admin.token, 'GET', `/v1/cohorts/${cohortId}/progress.csv`);
    expect(answer.status).toBe(200);
    const [header, ...rows] = answer.body.trim().split('\n');
    const columns = header.split(',');
    const row = rows.map((line) => line.split(',')).find((cells) => cells[columns.indexOf('user_id')] === learner.id);
    return { dataAge: answer.dataAge, stepsDone: row ? Number(row[columns.indexOf('steps_done')]) : undefined };
  };
  /** A learner ticks a step and reads their own progress straight after: true when that read shows the tick. */
  const markAndReadBack = async (instance: ApiInstance, learner: Learner, stepId: string) => {
    const marked = await call(instance, learner.token, 'PUT', `/v1/users/me/steps/${stepId}`, { done: true });
    expect(marked.status).toBe(200);
    const own = await call(instance, learner.token, 'GET', `/v1/users/me/modules/${course.moduleId}/progress`);
    expect(own.status).toBe(200);
    expect(own.dataAge).toBeNull();
    const progress = JSON.parse(own.body) as { activities: { steps: { id: string; done: boolean }[] }[] };
    return progress.activities.flatMap((activity) => activity.steps).some((step) => step.id === stepId && step.done);
  };
  const scrape = async (instance: ApiInstance) => (await fetch(`${instance.url}/metrics`)).text();

  beforeAll(async () => {
    fault = await openFaultCourse();
    course = fault.course;
    [admin] = await createLearners(fault.db, fault.env, 1, 'admin');
    learners = await createLearners(fault.db, fault.env, LEARNERS);
    replica = await startScratchReplica(fault.pg);
    standby = await replica.connect();
    // The tests stop the replica: its client's errors are expected, not crashes.
    standby.on('error', () => undefined);
    const settings = { ...fault.env, REPLICA_DATABASE_URL: replica.url, DB_POOL_SIZE: '4' };
    patient = await startApiInstance('patient', settings);
    strict = await startApiInstance('strict', { ...settings, REPLICA_MAX_LAG_S: '1' });
    instances.push(patient, strict);
    await Promise.all(instances.map((instance) => instance.waitReady()));

    const created = await call(patient, admin.token, 'POST', '/v1/cohorts', {
      name: 'Replica cohort',
      moduleIds: [course.moduleId],
    });
    expect(created.status).toBe(201);
    cohortId = (JSON.parse(created.body) as { id: string }).id;
    for (const learner of learners) {
      const added = await call(patient, admin.token, 'POST', `/v1/cohorts/${cohortId}/members`, {
        userId: learner.id,
        role: 'learner',
      });
      expect(added.status).toBe(201);
    }
    // The replica has replayed the cohort: its report lists every learner, with nothing done yet.
    await eventually(
      'the replica to show the cohort',
      () => stepsDoneInReport(patient, learners[LEARNERS - 1]),
      (seen) => seen.dataAge !== null && seen.stepsDone === 0,
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.destroy()));
    await standby?.end().catch(() => undefined);
    replica?.destroy();
    await fault?.close();
  });

  it('answers reports from the replica, saying how old they may be, while learners read their own writes from the primary', async () => {
    await standby.query('SELECT pg_wal_replay_pause()');
    const stale: string[] = [];
    for (const learner of learners) {
      if (!(await markAndReadBack(patient, learner, course.stepIds[0]))) stale.push(learner.id);
    }
    expect(stale).toEqual([]);
    const { rows: onPrimary } = await fault.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM step_marks WHERE step_id = $1 AND done',
      [course.stepIds[0]],
    );
    expect(onPrimary).toEqual([{ n: LEARNERS }]);

    // Replay is paused: what the replica answers lacks the ticks the primary holds.
    const report = await stepsDoneInReport(patient, learners[0]);
    expect(report.stepsDone).toBe(0);
    expect(report.dataAge).toMatch(/^\d+$/);
    const csv = await stepsDoneInCsv(patient, learners[0]);
    expect(csv.stepsDone).toBe(0);
    expect(csv.dataAge).toMatch(/^\d+$/);
    for (const path of [
      `/v1/cohorts/${cohortId}/responses.csv`,
      `/v1/cohorts/${cohortId}/quizzes/${course.quizId}/item-analysis`,
    ]) {
      const answer = await call(patient, admin.token, 'GET', path);
      expect({ path, status: answer.status, fromReplica: answer.dataAge !== null }).toEqual({
        path,
        status: 200,
        fromReplica: true,
      });
    }
    // Routes that are not reports never say so.
    const cohort = await call(patient, admin.token, 'GET', `/v1/cohorts/${cohortId}`);
    expect({ status: cohort.status, dataAge: cohort.dataAge }).toEqual({ status: 200, dataAge: null });
  });

  it('passes over a replica lagging more than REPLICA_MAX_LAG_S: the report comes from the primary, counted', async () => {
    // Still paused from the test before: the replica falls further behind with every second.
    const fresh = await eventually(
      'the strict instance to read the primary',
      () => stepsDoneInReport(strict, learners[0]),
      (seen) => seen.dataAge === null,
    );
    expect(fresh.stepsDone).toBe(1);
    const csv = await stepsDoneInCsv(strict, learners[0]);
    expect(csv).toEqual({ dataAge: null, stepsDone: 1 });
    const metrics = await scrape(strict);
    expect(metric(metrics, 'assessment_replica_fallbacks_total{reason="lag"}')).toBeGreaterThanOrEqual(2);
    expect(metric(metrics, 'assessment_replica_lag_seconds')).toBeGreaterThan(1);
    // The patient instance, allowed 30 s, still reads the replica: the limit is what decided.
    const patientReport = await stepsDoneInReport(patient, learners[0]);
    expect(patientReport.stepsDone).toBe(0);
    expect(patientReport.dataAge).not.toBeNull();

    await standby.query('SELECT pg_wal_replay_resume()');
    const caughtUp = await eventually(
      'the replica to catch up',
      () => stepsDoneInReport(strict, learners[0]),
      (seen) => seen.dataAge !== null && seen.stepsDone === 1,
    );
    expect(caughtUp.dataAge).toMatch(/^\d+$/);
  });

  it('runs a report again on the primary when the replica fails in the middle of it', async () => {
    const { relay, close } = await startRelay(replica.port);
    try {
      const relayed = await startApiInstance('relayed', {
        ...fault.env,
        REPLICA_DATABASE_URL: `postgres://postgres@127.0.0.1:${relay.port}/faults`,
      });
      instances.push(relayed);
      await relayed.waitReady();
      await eventually(
        'the relayed instance to read the replica',
        () => stepsDoneInReport(relayed, learners[0]),
        (seen) => seen.dataAge !== null,
      );
      relay.sabotage = true;
      const answers: { path: string; status: number; dataAge: string | null }[] = [];
      for (const path of [
        `/v1/cohorts/${cohortId}/progress`,
        `/v1/cohorts/${cohortId}/progress.csv`,
        `/v1/cohorts/${cohortId}/responses.csv`,
        `/v1/cohorts/${cohortId}/quizzes/${course.quizId}/item-analysis`,
      ]) {
        const answer = await call(relayed, admin.token, 'GET', path).catch((error: unknown) => {
          throw new Error(`${path}: ${String(error)}\n${relayed.output()}`);
        });
        answers.push({ path, status: answer.status, dataAge: answer.dataAge });
      }
      // Each was cut on the replica and answered in full from the primary.
      expect(answers.filter((answer) => answer.status !== 200 || answer.dataAge !== null)).toEqual([]);
      expect(relay.cut).toBeGreaterThanOrEqual(answers.length);
      const metrics = await scrape(relayed);
      expect(metric(metrics, 'assessment_replica_fallbacks_total{reason="error"}')).toBeGreaterThanOrEqual(
        answers.length,
      );
    } finally {
      await close();
    }
  });

  it('keeps answering every report from the primary, without an error, while the replica is stopped', async () => {
    await standby.end();
    replica.stop('fast');
    const stale: string[] = [];
    for (const learner of learners) {
      if (!(await markAndReadBack(patient, learner, course.stepIds[1]))) stale.push(learner.id);
    }
    expect(stale).toEqual([]);

    const answers: { path: string; status: number; dataAge: string | null }[] = [];
    for (let round = 0; round < 5; round++) {
      for (const path of [
        `/v1/cohorts/${cohortId}/progress`,
        `/v1/cohorts/${cohortId}/progress.csv`,
        `/v1/cohorts/${cohortId}/responses.csv`,
        `/v1/cohorts/${cohortId}/quizzes/${course.quizId}/item-analysis`,
      ]) {
        const answer = await call(patient, admin.token, 'GET', path);
        answers.push({ path, status: answer.status, dataAge: answer.dataAge });
      }
    }
    expect(answers.filter((answer) => answer.status !== 200 || answer.dataAge !== null)).toEqual([]);
    expect(await stepsDoneInReport(patient, learners[0])).toEqual({ dataAge: null, stepsDone: 2 });
    const ready = await fetch(`${patient.url}/health/ready`);
    expect(ready.status).toBe(200);
    const metrics = await scrape(patient);
    const fallbacks =
      metric(metrics, 'assessment_replica_fallbacks_total{reason="unreachable"}') +
      metric(metrics, 'assessment_replica_fallbacks_total{reason="error"}');
    expect(fallbacks).toBeGreaterThanOrEqual(answers.length);
    expect(metric(metrics, 'assessment_replica_up')).toBe(0);
    // Logged, but not once per report: at most one warning per reason in the window.
    const warnings = patient
      .output()
      .split('\n')
      .filter((line) => line.includes('instead of the replica'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(3);
    console.log(
      JSON.stringify({ scenario: 'replica stopped', reports: answers.length, fallbacks, warnings: warnings.length }),
    );

    // Back on its feet, the replica serves reports again.
    replica.start();
    const back = await eventually(
      'reports to return to the replica',
      () => stepsDoneInReport(patient, learners[0]),
      (seen) => seen.dataAge !== null,
    );
    expect(back.stepsDone).toBe(2);
  });
});
