import request from 'supertest';
import { DataSource } from 'typeorm';
import { AttemptSweeper } from '../src/attempts/attempt-sweeper';
import { Clock } from '../src/common/clock';
import { createTestApp, type TestApp } from './support/app';
import { importModule, smallAnswerKey, smallModule, smallModuleAnswers } from './support/content';
import { bearer, createClient, createUser, type TestUser } from './support/identity';

/**
 * Availability windows, cohort schedules, accommodations and extensions (issue 15), with an
 * injected clock. Dates are in 2030, written with offsets other than Z where it matters.
 */
describe('delivery rules (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let instructor: TestUser;
  const clock = () => t.app.get(Clock);
  const at = (iso: string) => jest.spyOn(clock(), 'now').mockReturnValue(new Date(iso));
  const db = () => t.app.get(DataSource);

  const start = (user: TestUser, quizId: string) =>
    request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(user.token)).send({});
  const answerAndSubmit = async (user: TestUser, attempt: { id: string; questions: never[] }) => {
    await request(t.server)
      .put(`/v1/attempts/${attempt.id}/responses`)
      .set(bearer(user.token))
      .send({ responses: smallModuleAnswers(attempt.questions) })
      .expect(200);
    const submitted = await request(t.server)
      .post(`/v1/attempts/${attempt.id}/submit`)
      .set(bearer(user.token))
      .send({})
      .expect(200);
    return submitted.body;
  };
  async function cohortWith(moduleId: string, learners: TestUser[]) {
    const cohort = await request(t.server)
      .post('/v1/cohorts')
      .set(bearer(admin.token))
      .send({ name: `cohort ${Math.random()}`, moduleIds: [moduleId] })
      .expect(201);
    for (const [user, role] of [...learners.map((l) => [l, 'learner'] as const), [instructor, 'instructor'] as const]) {
      await request(t.server)
        .post(`/v1/cohorts/${cohort.body.id}/members`)
        .set(bearer(admin.token))
        .send({ userId: user.id, role })
        .expect((res) => expect([200, 201]).toContain(res.status));
    }
    return cohort.body.id as string;
  }

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, ['admin']);
    instructor = await createUser(t, ['instructor']);
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('refuses a start before opensAt and anything from closesAt, and marks a late attempt with its deduction', async () => {
    const { quizId, slug, moduleId } = await importModule(
      t,
      smallModule(31),
      smallAnswerKey({
        when: 'immediately',
        attemptsAllowed: 3,
        quizLines: [
          '  opensAt: 2030-01-01T10:00:00+01:00',
          '  dueAt: 2030-01-08T17:00:00Z',
          '  closesAt: 2030-01-15T17:00:00Z',
          '  latePolicy: { deductionPerDay: 0.1, maximumDeduction: 0.5 }',
        ],
      }),
    );
    const learner = await createUser(t, ['learner']);

    // 08:59:59 UTC is 09:59:59 at +01:00: a second early.
    at('2030-01-01T08:59:59Z');
    const early = await start(learner, quizId).expect(409);
    expect(early.body).toMatchObject({ type: '/problems/quiz-not-open', opensAt: '2030-01-01T09:00:00.000Z' });
    expect(early.body.detail).toContain('2030-01-01T09:00:00.000Z');

    // On time: not late, no deduction, the due date shown.
    at('2030-01-02T12:00:00Z');
    const onTime = (await start(learner, quizId).expect(201)).body;
    expect(onTime).toMatchObject({ dueAt: '2030-01-08T17:00:00.000Z', late: false });
    // Untimed, so the attempt's deadline is the closing.
    expect(onTime.deadlineAt).toBe('2030-01-15T17:00:00.000Z');
    const first = await answerAndSubmit(learner, onTime);
    expect(first).toMatchObject({ late: false, lateDeduction: 0 });
    expect(first.score.scaled).toBeCloseTo(first.score.raw / first.score.max, 10);

    // 2 days and a bit late: 3 days' deduction (each part of a day counts), 0.3 off.
    at('2030-01-10T18:00:00Z');
    const lateAttempt = (await start(learner, quizId).expect(201)).body;
    const late = await answerAndSubmit(learner, lateAttempt);
    expect(late).toMatchObject({ late: true, lateDeduction: 0.3 });
    expect(late.score.raw).toBe(first.score.raw);
    expect(late.score.scaled).toBeCloseTo(first.score.scaled - 0.3, 10);
    // A learner sees the effect, never the rule behind it.
    expect(late).not.toHaveProperty('rule');
    const asStaff = await request(t.server).get(`/v1/attempts/${late.id}`).set(bearer(admin.token)).expect(200);
    expect(asStaff.body.rule).toEqual({ window: { from: 'quiz' }, accommodated: false, extendedMinutes: 0 });

    // The learner's progress names the dates while the knowledge check is still to do.
    const progress = await request(t.server)
      .get(`/v1/users/me/modules/${slug}/progress`)
      .set(bearer(learner.token))
      .expect(200);
    expect(progress.body.knowledgeCheck).toMatchObject({ dueAt: '2030-01-08T17:00:00.000Z', attemptsLeft: 1 });

    // The cohort report counts the late attempt.
    const cohortId = await cohortWith(moduleId, [learner]);
    const report = await request(t.server)
      .get(`/v1/cohorts/${cohortId}/progress?module=${slug}`)
      .set(bearer(instructor.token))
      .expect(200);
    expect(report.body.items).toEqual([
      expect.objectContaining({ userId: learner.id, lateAttempts: 1, accommodated: false }),
    ]);

    // From the closing on, nothing.
    at('2030-01-15T17:00:00Z');
    const closed = await start(learner, quizId).expect(409);
    expect(closed.body).toMatchObject({ type: '/problems/quiz-closed', closesAt: '2030-01-15T17:00:00.000Z' });
  });

  it('stops a timed attempt at the closing, enforced by the server and the sweeper', async () => {
    const { quizId } = await importModule(
      t,
      smallModule(32),
      smallAnswerKey({ timeLimitMinutes: 30, gracePeriodSeconds: 30, quizLines: ['  closesAt: 2030-02-01T12:00:00Z'] }),
    );
    const learner = await createUser(t, ['learner']);
    at('2030-02-01T11:50:00Z');
    const attempt = (await start(learner, quizId).expect(201)).body;
    expect(attempt.deadlineAt).toBe('2030-02-01T12:00:00.000Z');
    at('2030-02-01T12:00:31Z');
    await request(t.server)
      .put(`/v1/attempts/${attempt.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses: smallModuleAnswers(attempt.questions) })
      .expect(409);
    expect(await t.app.get(AttemptSweeper).closeOverdueAttempts()).toBeGreaterThanOrEqual(1);
    const [row] = await db().query('SELECT state, submitted_at FROM attempts WHERE id = $1', [attempt.id]);
    expect(row.state).not.toBe('in_progress');
    expect(row.submitted_at.toISOString()).toBe('2030-02-01T12:00:00.000Z');
  });

  it('gives a learner with timeMultiplier 1.5 45 minutes on a 30-minute quiz, closed by the sweeper at 45 plus grace', async () => {
    const { quizId, slug } = await importModule(
      t,
      smallModule(33),
      smallAnswerKey({ timeLimitMinutes: 30, gracePeriodSeconds: 30, attemptsAllowed: 1 }),
    );
    const learner = await createUser(t, ['learner']);
    const cohortId = await cohortWith(
      (await db().query('SELECT module_id FROM quizzes WHERE id = $1', [quizId]))[0].module_id,
      [learner],
    );
    const put = (body: object, token = instructor.token) =>
      request(t.server).put(`/v1/users/${learner.id}/quizzes/${quizId}/accommodation`).set(bearer(token)).send(body);
    // The learner cannot give themselves one; an instructor of theirs can.
    await put({ timeMultiplier: 1.5, reason: 'mine' }, learner.token).expect(403);
    await put({ timeMultiplier: 0.5, reason: 'x' }).expect(400);
    await put({ timeMultiplier: 1.5, extraAttempts: 1 }).expect(400);
    const set = await put({ timeMultiplier: 1.5, extraAttempts: 1, reason: 'extended time (learning support plan)' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ timeMultiplier: 1.5, extraAttempts: 1, extraMinutes: 0 });
    const [audit] = await db().query(
      `SELECT reason, after FROM audit_events WHERE action = 'accommodation.set' AND target_id = $1`,
      [learner.id],
    );
    expect(audit).toMatchObject({ reason: 'extended time (learning support plan)', after: { timeMultiplier: 1.5 } });
    // The cohort report says who is accommodated (not how or why).
    const report = await request(t.server)
      .get(`/v1/cohorts/${cohortId}/progress?module=${slug}`)
      .set(bearer(instructor.token))
      .expect(200);
    expect(report.body.items).toEqual([
      expect.objectContaining({ userId: learner.id, accommodated: true, lateAttempts: 0 }),
    ]);

    at('2030-03-01T09:00:00Z');
    const attempt = (await start(learner, quizId).expect(201)).body;
    expect(attempt).toMatchObject({
      deadlineAt: '2030-03-01T09:45:00.000Z',
      closesAt: '2030-03-01T09:45:30.000Z',
      attemptsAllowed: 2,
    });
    expect(JSON.stringify(attempt)).not.toContain('learning support');
    at('2030-03-01T09:45:29Z');
    expect(await t.app.get(AttemptSweeper).closeOverdueAttempts()).toBe(0);
    at('2030-03-01T09:45:31Z');
    expect(await t.app.get(AttemptSweeper).closeOverdueAttempts()).toBe(1);

    // Extra attempts beyond the quiz's limit of 1: a second start is allowed, a third is not.
    await start(learner, quizId).expect(201);
    const second = await db().query(`SELECT id FROM attempts WHERE user_id = $1 AND state = 'in_progress'`, [
      learner.id,
    ]);
    await db().query(`UPDATE attempts SET state = 'abandoned' WHERE id = $1`, [second[0].id]);
    const third = await start(learner, quizId).expect(409);
    expect(third.body.type).toBe('/problems/attempt-limit-reached');

    // The learner's own export lists it (the right of access); erasure deletes it and the reasons in the trail.
    const exported = await request(t.server).get('/v1/users/me/export').set(bearer(learner.token)).expect(200);
    expect(exported.body.accommodations).toEqual([
      expect.objectContaining({ quizId, timeMultiplier: 1.5, reason: 'extended time (learning support plan)' }),
    ]);
    await request(t.server).delete(`/v1/users/${learner.id}?erase=true`).set(bearer(admin.token)).expect(204);
    expect(await db().query('SELECT 1 FROM accommodations WHERE user_id = $1', [learner.id])).toEqual([]);
    const reasons = await db().query(
      `SELECT reason FROM audit_events WHERE action = 'accommodation.set' AND target_id = $1`,
      [learner.id],
    );
    expect(reasons).toEqual([{ reason: null }]);
  });

  it('extends an attempt in progress, audited with its reason, for staff only', async () => {
    const { quizId } = await importModule(t, smallModule(34), smallAnswerKey({ timeLimitMinutes: 20 }));
    const learner = await createUser(t, ['learner']);
    const other = await createUser(t, ['instructor']);
    await cohortWith((await db().query('SELECT module_id FROM quizzes WHERE id = $1', [quizId]))[0].module_id, [
      learner,
    ]);
    at('2030-04-01T09:00:00Z');
    const attempt = (await start(learner, quizId).expect(201)).body;
    const extend = (token: string, body: object = { minutes: 15, reason: 'fire alarm during the attempt' }) =>
      request(t.server).post(`/v1/attempts/${attempt.id}/extend`).set(bearer(token)).send(body);
    await extend(learner.token).expect(403);
    await extend(other.token).expect(404); // not their learner
    await extend(instructor.token, { minutes: 0, reason: 'x' }).expect(400);
    const extended = (await extend(instructor.token).expect(200)).body;
    expect(extended).toMatchObject({
      deadlineAt: '2030-04-01T09:35:00.000Z',
      rule: { extendedMinutes: 15 },
    });
    at('2030-04-01T09:30:00Z');
    await request(t.server)
      .put(`/v1/attempts/${attempt.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses: smallModuleAnswers(attempt.questions) })
      .expect(200);
    const [audit] = await db().query(`SELECT reason, after FROM audit_events WHERE action = 'attempt.extended'`);
    expect(audit).toMatchObject({ reason: 'fire alarm during the attempt', after: { minutes: 15 } });
    // Once finished, no more.
    await request(t.server).post(`/v1/attempts/${attempt.id}/submit`).set(bearer(learner.token)).send({}).expect(200);
    await extend(instructor.token).expect(409);
  });

  it('applies a cohort’s schedule, and the most generous when a learner’s cohorts differ', async () => {
    const { quizId, moduleId, slug } = await importModule(
      t,
      smallModule(35),
      smallAnswerKey({ quizLines: ['  opensAt: 2030-05-01T09:00:00Z', '  closesAt: 2030-05-10T17:00:00Z'] }),
    );
    const early = await createUser(t, ['learner']);
    const both = await createUser(t, ['learner']);
    const strict = await cohortWith(moduleId, [early, both]);
    const lenient = await cohortWith(moduleId, [both]);
    const schedule = (cohortId: string, body: object, token = instructor.token) =>
      request(t.server).put(`/v1/cohorts/${cohortId}/quizzes/${quizId}/schedule`).set(bearer(token)).send(body);
    // Out of order with the quiz's own closing: refused.
    await schedule(strict, { opensAt: '2030-05-11T00:00:00Z' }).expect(400);
    await schedule(strict, { opensAt: 'tomorrow' }).expect(400);
    await schedule(strict, {}, early.token).expect(403);
    const set = await schedule(strict, { opensAt: '2030-04-25T09:00:00Z', closesAt: '2030-05-05T17:00:00Z' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      opensAt: '2030-04-25T09:00:00.000Z',
      dueAt: null,
      quizOpensAt: '2030-05-01T09:00:00.000Z',
    });
    await schedule(lenient, { closesAt: '2030-05-20T17:00:00Z' }).expect(200);

    // Before the quiz opens, the strict cohort's earlier opening lets both in.
    at('2030-04-26T09:00:00Z');
    const before = await request(t.server)
      .get(`/v1/users/me/modules/${slug}/progress`)
      .set(bearer(early.token))
      .expect(200);
    expect(before.body.knowledgeCheck.opensAt).toBe('2030-04-25T09:00:00.000Z');
    expect(before.body.unmet).toContain('The knowledge check closes on 2030-05-05 17:00 UTC');
    const started = (await start(early, quizId).expect(201)).body;
    const asStaff = await request(t.server).get(`/v1/attempts/${started.id}`).set(bearer(admin.token)).expect(200);
    expect(asStaff.body.rule.window).toEqual({ from: 'cohort', cohortId: strict });
    await start(both, quizId).expect(201);
    // After the strict cohort's closing, only the learner also in the lenient one may start.
    await db().query(`UPDATE attempts SET state = 'abandoned' WHERE quiz_id = $1`, [quizId]);
    at('2030-05-07T09:00:00Z');
    await start(early, quizId).expect(409);
    await start(both, quizId).expect(201);
  });

  it('still gives one attempt to 20 parallel starts under an accommodation', async () => {
    const { quizId } = await importModule(t, smallModule(36), smallAnswerKey({ timeLimitMinutes: 10 }));
    const learner = await createUser(t, ['learner']);
    const client = await createClient(t, ['attempts:write']);
    await request(t.server)
      .put(`/v1/users/${learner.id}/quizzes/${quizId}/accommodation`)
      .set(bearer(client.token))
      .send({ extraMinutes: 5, reason: 'LMS sync' })
      .expect(200);
    const results = await Promise.all(Array.from({ length: 20 }, () => start(learner, quizId)));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201].sort());
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const created = results.find((r) => r.status === 201)!.body;
    expect(new Date(created.deadlineAt).getTime() - new Date(created.startedAt).getTime()).toBe(15 * 60_000);
  });
  it('ends an accommodation with a reason: new attempts follow the quiz again, one in progress keeps its time', async () => {
    const { quizId, moduleId } = await importModule(
      t,
      smallModule(37),
      smallAnswerKey({ timeLimitMinutes: 30, attemptsAllowed: 1 }),
    );
    const learner = await createUser(t, ['learner']);
    await cohortWith(moduleId, [learner]);
    const path = `/v1/users/${learner.id}/quizzes/${quizId}/accommodation`;
    const remove = (body: object, token = instructor.token) =>
      request(t.server).delete(path).set(bearer(token)).send(body);
    await remove({ reason: 'nothing to end' }).expect(404);
    await request(t.server)
      .put(path)
      .set(bearer(instructor.token))
      .send({ timeMultiplier: 2, extraAttempts: 1, reason: 'support plan, term 1' })
      .expect(200);
    at('2030-06-01T09:00:00Z');
    const first = (await start(learner, quizId).expect(201)).body;
    expect(first).toMatchObject({ deadlineAt: '2030-06-01T10:00:00.000Z', attemptsAllowed: 2 });

    await remove({ reason: 'mine' }, learner.token).expect(403);
    await remove({}).expect(400);
    await remove({ reason: 'support plan ended' }).expect(204);
    await request(t.server).get(path).set(bearer(instructor.token)).expect(404);
    const [audit] = await db().query(
      `SELECT reason, before, after FROM audit_events WHERE action = 'accommodation.removed' AND target_id = $1`,
      [learner.id],
    );
    expect(audit).toMatchObject({
      reason: 'support plan ended',
      before: { quizId, timeMultiplier: 2, extraAttempts: 1 },
      after: null,
    });
    // The attempt in progress keeps the hour it started with; the quiz's one attempt is now used up.
    const resumed = await request(t.server).get(`/v1/attempts/${first.id}`).set(bearer(learner.token)).expect(200);
    expect(resumed.body).toMatchObject({ deadlineAt: '2030-06-01T10:00:00.000Z' });
    await answerAndSubmit(learner, first);
    expect((await start(learner, quizId).expect(409)).body.type).toBe('/problems/attempt-limit-reached');
    await remove({ reason: 'again' }).expect(404);

    // Erasure scrubs the removal's reason too.
    await request(t.server).delete(`/v1/users/${learner.id}?erase=true`).set(bearer(admin.token)).expect(204);
    const reasons = await db().query(
      `SELECT action, reason FROM audit_events WHERE action LIKE 'accommodation.%' AND target_id = $1 ORDER BY action`,
      [learner.id],
    );
    expect(reasons).toEqual([
      { action: 'accommodation.removed', reason: null },
      { action: 'accommodation.set', reason: null },
    ]);
  });
});
