import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AttemptSweeper } from '../src/attempts/attempt-sweeper';
import { AttemptsService } from '../src/attempts/attempts.service';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { SYSTEM_CALLER } from '../src/auth/access.types';
import { PrincipalService } from '../src/auth/principal.service';
import { Clock } from '../src/common/clock';
import { ProgressService } from '../src/progress/progress.service';
import { createTestApp, type TestApp } from './support/app';
import { importModule, smallAnswerKey, smallModule, smallModuleAnswers } from './support/content';
import { bearer, createClient, createUser, type TestUser } from './support/identity';

type Question = { questionVersionId: string; question: { type: string; prompt: string } };

/** The right answer to each question of smallModule(), by prompt. */
const rightAnswers = smallModuleAnswers;

/** Words that must never reach a learner before the review policy allows. */
const SECRET_FIELDS = [
  'correct',
  'accepted',
  'keywordGroups',
  'explanation',
  'rubric',
  'pairs',
  'correctOrder',
  'rightAnswer',
  'correctness',
  'feedback',
];
function secretFieldsIn(body: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (SECRET_FIELDS.includes(key)) found.add(key);
        walk(child);
      }
    }
  };
  walk(body);
  return [...found];
}

describe('knowledge-check attempts (e2e)', () => {
  let t: TestApp;
  let quizId: string;
  let slug: string;
  let instructorAdmin: TestUser;

  const start = (user: TestUser, body: object = {}) =>
    request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(user.token)).send(body);
  const save = (user: TestUser, attemptId: string, responses: object[]) =>
    request(t.server).put(`/v1/attempts/${attemptId}/responses`).set(bearer(user.token)).send({ responses });
  const submit = (user: TestUser, attemptId: string) =>
    request(t.server).post(`/v1/attempts/${attemptId}/submit`).set(bearer(user.token)).send({});

  beforeAll(async () => {
    t = await createTestApp();
    ({ quizId, slug } = await importModule(t, smallModule(), smallAnswerKey({ timeLimitMinutes: 10 })));
    instructorAdmin = await createUser(t, ['admin']);
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('takes a learner through start, save, save again, submit, essay grading and a second attempt', async () => {
    const learner = await createUser(t, ['learner']);
    const started = await start(learner).expect(201);
    expect(started.body).toMatchObject({ number: 1, state: 'in_progress', score: null, results: [] });
    expect(started.body.questions).toHaveLength(3);
    expect(secretFieldsIn(started.body)).toEqual([]);
    const resumed = await start(learner).expect(200);
    expect(resumed.body.id).toBe(started.body.id);

    const answers = rightAnswers(started.body.questions);
    const wrongFirst = answers.map((a) =>
      a.response.type === 'single_choice' ? { ...a, response: { type: 'single_choice', choiceId: 'b' } } : a,
    );
    await save(learner, started.body.id, wrongFirst.slice(0, 1)).expect(200);
    const saved = await save(learner, started.body.id, answers).expect(200);
    expect(saved.body.questions.map((q: { response: unknown }) => q.response)).toEqual(answers.map((a) => a.response));
    expect(secretFieldsIn(saved.body)).toEqual([]);

    const submitted = await submit(learner, started.body.id).expect(200);
    expect(submitted.body.state).toBe('pending_grading');
    // Review after the last attempt, and one is left: the score only.
    expect(submitted.body.score).toMatchObject({ raw: 2, max: 3, passed: null, pending: 1 });
    expect(secretFieldsIn(submitted.body)).toEqual([]);
    const read = await request(t.server).get(`/v1/attempts/${started.body.id}`).set(bearer(learner.token)).expect(200);
    expect(secretFieldsIn(read.body)).toEqual([]);
    const listed = await request(t.server).get('/v1/users/me/attempts').set(bearer(learner.token)).expect(200);
    expect(secretFieldsIn(listed.body)).toEqual([]);
    await save(learner, started.body.id, answers).expect(409);

    const essay = submitted.body.questions.find((q: Question) => q.question.type === 'essay');
    const graded = await request(t.server)
      .post(`/v1/attempts/${started.body.id}/grades`)
      .set(bearer(instructorAdmin.token))
      .set('X-Request-Id', 'grade-essay-1')
      .send({ grades: [{ questionVersionId: essay.questionVersionId, score: 0.5, reason: 'Half the basics' }] })
      .expect(200);
    expect(graded.body).toMatchObject({ state: 'graded', score: { raw: 2.5, max: 3, passed: true, pending: 0 } });
    const events = await t.app
      .get(DataSource)
      .getRepository(AuditEvent)
      .find({ where: { targetId: started.body.id } });
    expect(events.find((e) => e.action === 'grade.set')).toMatchObject({
      actorId: instructorAdmin.id,
      reason: 'Half the basics',
      requestId: 'grade-essay-1',
      before: { questionVersionId: essay.questionVersionId, score: null },
      after: { questionVersionId: essay.questionVersionId, score: 0.5 },
    });

    const second = await start(learner).expect(201);
    expect(second.body.number).toBe(2);
    await save(learner, second.body.id, rightAnswers(second.body.questions, 'b')).expect(200);
    const last = await submit(learner, second.body.id).expect(200);
    // The last attempt is used: now the review shows answers and explanations.
    const kc1 = last.body.results.find(
      (r: { rightAnswer?: unknown; explanation?: unknown }) =>
        r.rightAnswer !== undefined && typeof r.explanation === 'string',
    );
    expect(kc1).toBeDefined();
    await start(learner).expect(409);

    const list = await request(t.server)
      .get(`/v1/users/me/attempts?quizId=${quizId}`)
      .set(bearer(learner.token))
      .expect(200);
    expect(list.body.items.map((a: { number: number }) => a.number)).toEqual([1, 2]);
    // Highest counts: attempt 1 (2.5 of 3) beats attempt 2 (1 of 3 + a pending essay).
    expect(list.body.grades).toEqual([
      expect.objectContaining({ quizId, gradingMethod: 'highest', attemptNumber: 1, passed: true }),
    ]);
  });

  it('answers start, save and submit with what a later read shows, in a few statements each', async () => {
    const learner = await createUser(t, ['learner']);
    // Statements sent to the database while one request runs.
    const counted = async (call: () => Promise<request.Response>) => {
      const spy = jest.spyOn(Client.prototype, 'query');
      const response = await call();
      const statements = spy.mock.calls.length;
      spy.mockRestore();
      return { body: response.body as { id: string; questions: Question[] }, statements };
    };
    const read = (id: string) => request(t.server).get(`/v1/attempts/${id}`).set(bearer(learner.token)).expect(200);
    await request(t.server).get('/v1/users/me/attempts').set(bearer(learner.token)).expect(200); // caches the caller

    const started = await counted(() => start(learner).expect(201));
    expect(started.body).toEqual((await read(started.body.id)).body);
    const saved = await counted(() => save(learner, started.body.id, rightAnswers(started.body.questions)).expect(200));
    expect(saved.body).toEqual((await read(started.body.id)).body);
    const submitted = await counted(() => submit(learner, started.body.id).expect(200));
    expect(submitted.body).toEqual((await read(started.body.id)).body);
    expect(submitted.body).toMatchObject({ state: 'pending_grading', attemptsUsed: 1 });

    // Whatever the number of questions: a transaction, the rows it locks, one write per table, the progress row,
    // and for start and submit the event (with its deliveries) in one statement.
    expect([started.statements, saved.statements, submitted.statements]).toEqual([9, 4, 9]);
    const reads: number[] = [];
    for (const path of [
      `/v1/attempts/${started.body.id}`,
      '/v1/users/me/attempts',
      `/v1/users/me/modules/${slug}/progress`,
    ]) {
      reads.push((await counted(() => request(t.server).get(path).set(bearer(learner.token)).expect(200))).statements);
    }
    expect(reads).toEqual([3, 1, 2]);
  });

  it('reads a caller not cached with the quiz on start: no lookup of its own, and gone is still 401', async () => {
    const principals = t.app.get(PrincipalService);
    const counted = async (call: () => Promise<request.Response>) => {
      const spy = jest.spyOn(Client.prototype, 'query');
      const response = await call();
      const texts = spy.mock.calls.map(([query]: unknown[]) =>
        typeof query === 'string' ? query : (query as { text: string }).text,
      );
      spy.mockRestore();
      return { response, texts };
    };
    const learner = await createUser(t, ['learner']);
    principals.invalidate('user', learner.id);
    const first = await counted(() => start(learner).expect(201));
    // The same 9 statements as with a cached caller (above); none of them a lookup of the caller alone.
    expect(first.texts).toHaveLength(9);
    expect(first.texts.filter((text) => /^SELECT id, roles FROM users/.test(text))).toEqual([]);
    // What was read is cached as the guard's lookup would have been: the save looks up no one.
    expect(principals.cachedUser(learner.id)).toEqual({ kind: 'user', id: learner.id, roles: ['learner'] });
    const answers = rightAnswers(first.response.body.questions);
    expect((await counted(() => save(learner, first.response.body.id, answers).expect(200))).texts).toHaveLength(4);

    // An admin starting for themselves, not cached: their roles are those read in the statement (the staff view).
    const admin = await createUser(t, ['admin', 'learner']);
    principals.invalidate('user', admin.id);
    const adminStart = await start(admin).expect(201);
    const adminRead = await request(t.server).get(`/v1/attempts/${adminStart.body.id}`).set(bearer(admin.token));
    expect(adminStart.body).toEqual(adminRead.body);

    // Deleted, and not cached: 401 whether the quiz exists or not, and nothing is written.
    const doomed = await createUser(t, ['learner']);
    await request(t.server).delete(`/v1/users/${doomed.id}`).set(bearer(instructorAdmin.token)).expect(204);
    principals.invalidate('user', doomed.id);
    await start(doomed).expect(401);
    principals.invalidate('user', doomed.id);
    await request(t.server)
      .post('/v1/quizzes/00000000-0000-4000-8000-000000000000/attempts')
      .set(bearer(doomed.token))
      .send({})
      .expect(401);
    principals.invalidate('user', doomed.id);
    await request(t.server).post('/v1/quizzes/not-a-quiz/attempts').set(bearer(doomed.token)).send({}).expect(401);
    const [{ count }] = await t.app
      .get(DataSource)
      .query<{ count: number }[]>('SELECT count(*)::int AS count FROM attempts WHERE user_id = $1', [doomed.id]);
    expect(count).toBe(0);
  });

  it('scores a submit once: 50 parallel submits give one scoring and the same result', async () => {
    const learner = await createUser(t, ['learner']);
    const attempt = (await start(learner).expect(201)).body;
    await save(learner, attempt.id, rightAnswers(attempt.questions)).expect(200);
    const finish = jest.spyOn(t.app.get(AttemptsService), 'finish');
    const results = await Promise.all(Array.from({ length: 50 }, () => submit(learner, attempt.id)));
    // Invariant 2: every caller gets the one result; the row lock queues them, none fails.
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const ok = results;
    expect(new Set(ok.map((r) => JSON.stringify(r.body.score))).size).toBe(1);
    expect(new Set(ok.map((r) => r.body.submittedAt)).size).toBe(1);
    expect(finish).toHaveBeenCalledTimes(1);
  });

  it('gives one attempt for 20 parallel starts', async () => {
    const learner = await createUser(t, ['learner']);
    const results = await Promise.all(Array.from({ length: 20 }, () => start(learner)));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201].sort());
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const rows = await t.app.get(DataSource).query('SELECT number FROM attempts WHERE user_id = $1', [learner.id]);
    expect(rows).toEqual([{ number: 1 }]);
  });

  it('enforces the deadline on the server, with the grace period, by an injected clock', async () => {
    const learner = await createUser(t, ['learner']);
    const clock = t.app.get(Clock);
    const t0 = new Date('2030-01-01T10:00:00Z');
    const at = (ms: number) => jest.spyOn(clock, 'now').mockReturnValue(new Date(t0.getTime() + ms));
    at(0);
    const first = (await start(learner).expect(201)).body;
    expect(first.deadlineAt).toBe('2030-01-01T10:10:00.000Z');
    expect(first.closesAt).toBe('2030-01-01T10:10:30.000Z');
    // One second before the end of the grace period: accepted.
    at(10 * 60_000 + 29_000);
    await save(learner, first.id, rightAnswers(first.questions)).expect(200);
    await submit(learner, first.id).expect(200);

    at(11 * 60_000);
    const second = (await start(learner).expect(201)).body;
    await save(learner, second.id, rightAnswers(second.questions).slice(0, 2)).expect(200);
    // One second after the grace period: refused.
    at(11 * 60_000 + 10 * 60_000 + 31_000);
    const late = await save(learner, second.id, rightAnswers(second.questions)).expect(409);
    expect(late.body.type).toBe('/problems/attempt-closed');
    await submit(learner, second.id).expect(409);

    // The sweeper closes it with the answers saved before the deadline, finished at the deadline;
    // the essay was left blank, so nothing waits for a person.
    expect(await t.app.get(AttemptSweeper).closeOverdueAttempts()).toBeGreaterThanOrEqual(1);
    const closed = await request(t.server)
      .get(`/v1/attempts/${second.id}`)
      .set(bearer(instructorAdmin.token))
      .expect(200);
    expect(closed.body).toMatchObject({ state: 'graded', submittedAt: second.deadlineAt });
    expect(closed.body.score).toMatchObject({ raw: 2, max: 3 });
    expect(await t.app.get(AttemptSweeper).closeOverdueAttempts()).toBe(0);
    const events = await t.app
      .get(DataSource)
      .query(`SELECT actor_type, after FROM audit_events WHERE action = 'attempt.closed_overdue' AND target_id = $1`, [
        second.id,
      ]);
    expect(events).toEqual([
      { actor_type: 'system', after: { state: 'graded', submittedAt: second.deadlineAt, scoreRaw: 2 } },
    ]);
  });

  it('replays a submit with the same Idempotency-Key and refuses the key with another request', async () => {
    const learner = await createUser(t, ['learner']);
    const attempt = (await start(learner).expect(201)).body;
    const first = await request(t.server)
      .post(`/v1/attempts/${attempt.id}/submit`)
      .set(bearer(learner.token))
      .set('Idempotency-Key', 'submit-once')
      .send({})
      .expect(200);
    const replay = await request(t.server)
      .post(`/v1/attempts/${attempt.id}/submit`)
      .set(bearer(learner.token))
      .set('Idempotency-Key', 'submit-once')
      .send({})
      .expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const other = await request(t.server)
      .post(`/v1/quizzes/${quizId}/attempts`)
      .set(bearer(learner.token))
      .set('Idempotency-Key', 'submit-once')
      .send({})
      .expect(422);
    expect(other.body.type).toBe('/problems/idempotency-key-reused');
  });

  it('replays a start by its key even after the attempt was submitted, instead of starting another', async () => {
    const learner = await createUser(t, ['learner']);
    const keyed = () => start(learner).set('Idempotency-Key', 'start-once');
    const first = await keyed().expect(201);
    await submit(learner, first.body.id).expect(200);
    const replay = await keyed().expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const rows = await t.app.get(DataSource).query('SELECT number FROM attempts WHERE user_id = $1', [learner.id]);
    expect(rows).toEqual([{ number: 1 }]);
  });

  it('makes duplicates sent together wait for the first and replay its answer: one scoring', async () => {
    const learner = await createUser(t, ['learner']);
    const attempt = (await start(learner).expect(201)).body;
    await save(learner, attempt.id, rightAnswers(attempt.questions)).expect(200);
    const finish = jest.spyOn(t.app.get(AttemptsService), 'finish');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => submit(learner, attempt.id).set('Idempotency-Key', 'together')),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    for (const result of results) expect(result.body).toEqual(results[0].body);
    expect(finish).toHaveBeenCalledTimes(1);
  });

  it('keeps no key for a request whose transaction failed, so its retry runs (the key commits with the change)', async () => {
    const learner = await createUser(t, ['learner']);
    const attempt = (await start(learner).expect(201)).body;
    // The database goes away after the scores were written, before the commit.
    jest
      .spyOn(t.app.get(ProgressService), 'refresh')
      .mockRejectedValueOnce(Object.assign(new Error('Connection terminated unexpectedly'), {}));
    const failed = await submit(learner, attempt.id).set('Idempotency-Key', 'outage');
    expect(failed.status).toBe(503);
    const db = t.app.get(DataSource);
    expect(await db.query(`SELECT key FROM idempotency_keys WHERE key = 'outage'`)).toEqual([]);
    expect(await db.query('SELECT state FROM attempts WHERE id = $1', [attempt.id])).toEqual([
      { state: 'in_progress' },
    ]);

    const retried = await submit(learner, attempt.id).set('Idempotency-Key', 'outage').expect(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    const [stored] = await db.query(
      `SELECT state, response_status, response_body->>'state' AS attempt_state FROM idempotency_keys WHERE key = 'outage'`,
    );
    expect(stored).toEqual({ state: 'completed', response_status: 200, attempt_state: retried.body.state });
  });

  it('keeps attempts to their owner, their instructors, and clients with the right scope', async () => {
    const [a, b] = await Promise.all([createUser(t, ['learner']), createUser(t, ['learner'])]);
    const attempt = (await start(a).expect(201)).body;
    await request(t.server).get(`/v1/attempts/${attempt.id}`).set(bearer(b.token)).expect(404);
    await save(b, attempt.id, rightAnswers(attempt.questions)).expect(404);
    await submit(b, attempt.id).expect(404);
    await request(t.server).get(`/v1/users/${a.id}/attempts`).set(bearer(b.token)).expect(404);
    await start(b, { userId: a.id }).expect(404);

    const reader = await createClient(t, ['progress:read']);
    await request(t.server).get(`/v1/attempts/${attempt.id}`).set(bearer(reader.token)).expect(200);
    await request(t.server).post(`/v1/attempts/${attempt.id}/submit`).set(bearer(reader.token)).send({}).expect(403);
    const writer = await createClient(t, ['attempts:write']);
    const forB = await request(t.server)
      .post(`/v1/quizzes/${quizId}/attempts`)
      .set(bearer(writer.token))
      .send({ userId: b.id })
      .expect(201);
    expect(forB.body.userId).toBe(b.id);
    await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(writer.token)).send({}).expect(400);
    // An instructor who does not teach A reaches none of A's attempt.
    const stranger = await createUser(t, ['instructor']);
    await request(t.server).get(`/v1/attempts/${attempt.id}`).set(bearer(stranger.token)).expect(404);
    await start(stranger, { userId: a.id }).expect(404);
    await request(t.server)
      .post(`/v1/attempts/${attempt.id}/grades`)
      .set(bearer(stranger.token))
      .send({ grades: [{ questionVersionId: attempt.questions[0].questionVersionId, score: 1, reason: 'no' }] })
      .expect(404);
    await request(t.server)
      .post(`/v1/attempts/${attempt.id}/grades`)
      .set(bearer(a.token))
      .send({ grades: [{ questionVersionId: attempt.questions[0].questionVersionId, score: 1, reason: 'mine' }] })
      .expect(403);
  });
});

describe('wait between attempts (e2e)', () => {
  it('refuses a new attempt before the wait is over, with Retry-After', async () => {
    const t = await createTestApp();
    try {
      const { quizId } = await importModule(
        t,
        smallModule(7),
        smallAnswerKey({ attemptsAllowed: 3, minimumWaitMinutes: 10 }),
      );
      const learner = await createUser(t, ['learner']);
      const clock = jest.spyOn(t.app.get(Clock), 'now');
      const t0 = Date.parse('2030-02-01T08:00:00Z');
      clock.mockReturnValue(new Date(t0));
      const first = (
        await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201)
      ).body;
      await request(t.server).post(`/v1/attempts/${first.id}/submit`).set(bearer(learner.token)).send({}).expect(200);
      clock.mockReturnValue(new Date(t0 + 4 * 60_000));
      const early = await request(t.server)
        .post(`/v1/quizzes/${quizId}/attempts`)
        .set(bearer(learner.token))
        .send({})
        .expect(409);
      expect(early.body.type).toBe('/problems/attempt-too-soon');
      expect(early.headers['retry-after']).toBe('360');
      clock.mockReturnValue(new Date(t0 + 10 * 60_000));
      await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201);
    } finally {
      jest.restoreAllMocks();
      await t.close();
    }
  });
});

describe('regrade after a key correction (e2e)', () => {
  it('changes exactly the affected attempts, and a dry run changes nothing', async () => {
    const t = await createTestApp();
    try {
      // The key is wrong: it says B.
      const { quizId, admin } = await importModule(
        t,
        smallModule(8),
        smallAnswerKey({ correct: 'b', attemptsAllowed: 3 }),
      );
      const [saidA, saidB, blank] = await Promise.all([
        createUser(t, ['learner']),
        createUser(t, ['learner']),
        createUser(t, ['learner']),
      ]);
      const finished: Record<string, string> = {};
      for (const [learner, letter] of [
        [saidA, 'a'],
        [saidB, 'b'],
        [blank, null],
      ] as const) {
        const attempt = (
          await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201)
        ).body;
        const choice = attempt.questions.find((q: Question) => q.question.type === 'single_choice');
        if (letter) {
          await request(t.server)
            .put(`/v1/attempts/${attempt.id}/responses`)
            .set(bearer(learner.token))
            .send({
              responses: [
                { questionVersionId: choice.questionVersionId, response: { type: 'single_choice', choiceId: letter } },
              ],
            })
            .expect(200);
        }
        await request(t.server)
          .post(`/v1/attempts/${attempt.id}/submit`)
          .set(bearer(learner.token))
          .send({})
          .expect(200);
        finished[learner.id] = attempt.id;
      }
      // Corrected: A is right.
      await request(t.server)
        .post('/v1/modules/import')
        .set(bearer(admin.token))
        .send({ markdown: smallModule(8), answerKey: smallAnswerKey({ correct: 'a', attemptsAllowed: 3 }) })
        .expect((res) => expect(res.status).toBeLessThan(300));

      const scores = () => t.app.get(DataSource).query('SELECT id, score_raw FROM attempts ORDER BY id');
      const before = await scores();
      const beforeProgress = await t.app
        .get(DataSource)
        .query('SELECT user_id, counted_score FROM module_progress ORDER BY user_id');
      const dry = await request(t.server)
        .post(`/v1/quizzes/${quizId}/regrade`)
        .set(bearer(admin.token))
        .send({ dryRun: true })
        .expect(200);
      expect(dry.body).toMatchObject({ dryRun: true, examined: 3 });
      expect(dry.body.changes.map((c: { attemptId: string }) => c.attemptId).sort()).toEqual(
        [finished[saidA.id], finished[saidB.id]].sort(),
      );
      const forA = dry.body.changes.find((c: { attemptId: string }) => c.attemptId === finished[saidA.id]);
      expect(forA).toMatchObject({ from: { raw: 0 }, to: { raw: 1 } });
      expect(await scores()).toEqual(before);

      const real = await request(t.server)
        .post(`/v1/quizzes/${quizId}/regrade`)
        .set(bearer(admin.token))
        .send({})
        .expect(200);
      expect(real.body.changes).toEqual(dry.body.changes.map((c: object) => ({ ...c })));
      const after = await scores();
      const changed = after.filter(
        (row: { id: string; score_raw: number }, i: number) => row.score_raw !== before[i].score_raw,
      );
      expect(changed.map((row: { id: string }) => row.id).sort()).toEqual(
        [finished[saidA.id], finished[saidB.id]].sort(),
      );
      const regraded = await t.app
        .get(DataSource)
        .getRepository(AuditEvent)
        .count({ where: { action: 'grade.regraded' } });
      expect(regraded).toBe(2);
      // The changed learners' progress rows were brought up to date: a fresh refresh writes the same.
      const progressRows = () =>
        t.app
          .get(DataSource)
          .query('SELECT user_id, status, attempts_used, counted_score, passed FROM module_progress ORDER BY user_id');
      const regradedRows = await progressRows();
      const moduleId = (await t.app.get(DataSource).query('SELECT module_id FROM quizzes WHERE id = $1', [quizId]))[0]
        .module_id as string;
      await t.app.get(DataSource).transaction(async (manager) => {
        for (const learner of [saidA, saidB, blank]) {
          await t.app.get(ProgressService).refresh(manager, SYSTEM_CALLER, learner.id, moduleId);
        }
      });
      expect(await progressRows()).toEqual(regradedRows);
      expect(regradedRows.map((row: { counted_score: number | null }) => row.counted_score)).not.toEqual(
        beforeProgress.map((row: { counted_score: number | null }) => row.counted_score),
      );
      const again = await request(t.server)
        .post(`/v1/quizzes/${quizId}/regrade`)
        .set(bearer(admin.token))
        .send({})
        .expect(200);
      expect(again.body.changes).toEqual([]);

      // Grading the essay afterwards builds on the corrected key, not the one the attempt started with.
      const attemptA = (
        await request(t.server).get(`/v1/attempts/${finished[saidA.id]}`).set(bearer(admin.token)).expect(200)
      ).body;
      const essay = attemptA.questions.find((q: Question) => q.question.type === 'essay');
      const graded = await request(t.server)
        .post(`/v1/attempts/${finished[saidA.id]}/grades`)
        .set(bearer(admin.token))
        .send({ grades: [{ questionVersionId: essay.questionVersionId, score: 1, reason: 'Good' }] })
        .expect(200);
      expect(graded.body.score).toMatchObject({ raw: 2, max: 3 });
      const choiceResult = graded.body.results.find(
        (r: { rightAnswer?: { choiceIds?: string[] } }) => r.rightAnswer?.choiceIds,
      );
      expect(choiceResult.rightAnswer).toEqual({ choiceIds: ['a'] });
    } finally {
      await t.close();
    }
  });
});
