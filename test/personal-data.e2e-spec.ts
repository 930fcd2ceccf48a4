import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/app';
import { importModule, smallAnswerKey, smallModule, smallModuleAnswers } from './support/content';
import { bearer, createClient, createUser, passwordGrant, type TestUser } from './support/identity';

describe('learners’ personal data: export and erasure (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let instructor: TestUser;
  let quizId: string;
  let slug: string;
  let stepIds: string[];
  let cohortId: string;

  const db = () => t.app.get(DataSource);

  /** A learner in the cohort who took the quiz (essay graded) and ticked a step with evidence. */
  async function activeLearner(externalId: string) {
    const learner = await createUser(t, ['learner'], { externalId });
    await request(t.server)
      .post(`/v1/cohorts/${cohortId}/members`)
      .set(bearer(admin.token))
      .send({ userId: learner.id, role: 'learner' })
      .expect(201);
    const started = await request(t.server)
      .post(`/v1/quizzes/${quizId}/attempts`)
      .set(bearer(learner.token))
      .send({})
      .expect(201);
    await request(t.server)
      .put(`/v1/attempts/${started.body.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses: smallModuleAnswers(started.body.questions) })
      .expect(200);
    await request(t.server)
      .post(`/v1/attempts/${started.body.id}/submit`)
      .set(bearer(learner.token))
      .send({})
      .expect(200);
    await request(t.server)
      .put(`/v1/users/me/steps/${stepIds[0]}`)
      .set(bearer(learner.token))
      .send({ done: true, evidence: `My notes, by ${externalId}` })
      .expect(200);
    const essay = (started.body.questions as { questionVersionId: string; question: { type: string } }[]).find(
      (q) => q.question.type === 'essay',
    )!;
    await request(t.server)
      .post(`/v1/attempts/${started.body.id}/grades`)
      .set(bearer(instructor.token))
      .send({ grades: [{ questionVersionId: essay.questionVersionId, score: 1, reason: 'complete' }] })
      .expect(200);
    return { ...learner, attemptId: started.body.id as string };
  }

  beforeAll(async () => {
    t = await createTestApp();
    ({ quizId, slug } = await importModule(t, smallModule(), smallAnswerKey({ when: 'immediately' })));
    admin = await createUser(t, ['admin']);
    const detail = await request(t.server).get(`/v1/modules/${slug}`).set(bearer(admin.token)).expect(200);
    stepIds = (detail.body.activities as { steps: { id: string }[] }[]).flatMap((a) => a.steps.map((s) => s.id));
    instructor = await createUser(t, ['instructor']);
    cohortId = (
      await request(t.server)
        .post('/v1/cohorts')
        .set(bearer(admin.token))
        .send({ name: 'Privacy cohort', moduleIds: [detail.body.id] })
        .expect(201)
    ).body.id as string;
    await request(t.server)
      .post(`/v1/cohorts/${cohortId}/members`)
      .set(bearer(admin.token))
      .send({ userId: instructor.id, role: 'instructor' })
      .expect(201);
  });
  afterAll(() => t.close());

  it('exports everything held about a learner, to the learner, admins and user-reading clients only', async () => {
    const learner = await activeLearner('pd-export');
    const own = await request(t.server).get('/v1/users/me/export').set(bearer(learner.token)).expect(200);
    expect(own.body.user).toMatchObject({ id: learner.id, email: learner.email, externalId: 'pd-export' });
    expect(own.body.cohortMemberships).toEqual([
      expect.objectContaining({ cohortId, role: 'learner', status: 'active' }),
    ]);
    // Their own attempts as the review policy lets them see them (the same view as GET /v1/attempts/{id}).
    const view = await request(t.server).get(`/v1/attempts/${learner.attemptId}`).set(bearer(learner.token));
    expect(own.body.attempts).toEqual([view.body]);
    expect(own.body.stepMarks).toEqual([
      expect.objectContaining({ stepId: stepIds[0], evidence: 'My notes, by pd-export' }),
    ]);
    expect(own.body.moduleProgress).toHaveLength(1);
    expect(own.body.sessions).toEqual([]);
    expect(own.body.auditEvents.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['user.created', 'cohort.member_added', 'grade.set']),
    );
    expect(own.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['attempt.started', 'attempt.submitted', 'attempt.graded']),
    );
    expect(JSON.stringify(own.body)).not.toMatch(/password|token_hash|tokenHash/i);
    // Grades of their attempts: what happened, not the scores and reasons the attempt views may withhold.
    const graded = (
      own.body.auditEvents as { action: string; targetType: string; reason: unknown; after: unknown }[]
    ).filter((event) => event.targetType === 'attempt');
    expect(graded.map((event) => event.action)).toContain('grade.set');
    expect(graded.filter((event) => event.reason !== null || event.after !== null)).toEqual([]);

    const full = await request(t.server).get(`/v1/users/${learner.id}/export`).set(bearer(admin.token)).expect(200);
    expect(full.body.attempts).toEqual([
      expect.objectContaining({
        id: learner.attemptId,
        state: 'graded',
        responses: expect.arrayContaining([
          expect.objectContaining({
            response: { type: 'essay', text: 'A is right; the sky is blue.' },
            manualScore: 1,
          }),
        ]),
      }),
    ]);
    expect(full.body.auditEvents).toContainEqual(expect.objectContaining({ action: 'grade.set', reason: 'complete' }));
    const reader = await createClient(t, ['users:read']);
    await request(t.server).get(`/v1/users/${learner.id}/export`).set(bearer(reader.token)).expect(200);
    // A client syncing people does not reach an administrator's record.
    await request(t.server).get(`/v1/users/${admin.id}/export`).set(bearer(reader.token)).expect(404);
    // Not another learner, not their instructor, not a client without a users scope.
    const other = await createUser(t, ['learner']);
    await request(t.server).get(`/v1/users/${learner.id}/export`).set(bearer(other.token)).expect(404);
    await request(t.server).get(`/v1/users/${learner.id}/export`).set(bearer(instructor.token)).expect(404);
    const progressReader = await createClient(t, ['progress:read']);
    await request(t.server).get(`/v1/users/${learner.id}/export`).set(bearer(progressReader.token)).expect(403);
    const audited = await db().query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'user.exported' AND target_id = $1`,
      [learner.id],
    );
    expect(audited).toEqual([{ n: 3 }]);
  });

  it('erases a learner in one go: personal fields and their words gone, scores and cohort counts kept', async () => {
    const learner = await activeLearner('pd-erase');
    const session = await passwordGrant(t, learner.email, learner.password).expect(200);
    const report = () =>
      request(t.server).get(`/v1/cohorts/${cohortId}/quizzes/${quizId}/item-analysis`).set(bearer(instructor.token));
    const before = (await report().expect(200)).body;

    await request(t.server).delete(`/v1/users/${learner.id}?erase=yes`).set(bearer(admin.token)).expect(400);
    await request(t.server).delete(`/v1/users/${learner.id}?erase=true`).set(bearer(instructor.token)).expect(403);
    await request(t.server).delete(`/v1/users/${learner.id}?erase=true`).set(bearer(admin.token)).expect(204);

    const [user] = await db().query(
      'SELECT email, display_name, external_id, password_hash, deleted_at, erased_at FROM users WHERE id = $1',
      [learner.id],
    );
    expect(user).toMatchObject({
      email: `erased+${learner.id}@erased.invalid`,
      display_name: 'Erased learner',
      external_id: null,
      password_hash: null,
      deleted_at: expect.any(Date),
      erased_at: expect.any(Date),
    });
    const [answers] = await db().query(
      `SELECT count(*) FILTER (WHERE r.response->>'text' <> '')::int AS words,
              count(*) FILTER (WHERE r.max_score IS NOT NULL)::int AS scored
         FROM attempt_responses r JOIN attempts a ON a.id = r.attempt_id WHERE a.user_id = $1`,
      [learner.id],
    );
    expect(answers).toEqual({ words: 0, scored: 3 });
    const [attempt] = await db().query('SELECT state, score_raw FROM attempts WHERE id = $1', [learner.attemptId]);
    expect(attempt).toEqual({ state: 'graded', score_raw: 3 });
    expect(await db().query('SELECT evidence FROM step_marks WHERE user_id = $1', [learner.id])).toEqual([
      { evidence: null },
    ]);
    expect(await db().query('SELECT id FROM refresh_tokens WHERE user_id = $1', [learner.id])).toEqual([]);
    const leaks = await db().query(
      `SELECT action FROM audit_events WHERE (before::text || coalesce(after::text, '')) LIKE ANY ($1)`,
      [[`%${learner.email}%`, '%pd-erase%']],
    );
    expect(leaks).toEqual([]);
    // Events about them (their attempts, their joining the cohort) name them by id only.
    const eventLeaks = await db().query(`SELECT type FROM events WHERE data::text LIKE '%pd-erase%'`);
    expect(eventLeaks).toEqual([]);
    const [joined] = await db().query(
      `SELECT data FROM events WHERE type = 'cohort.roster_changed' AND data->'added' @> $1::jsonb`,
      [JSON.stringify([{ id: learner.id }])],
    );
    expect(joined.data.added).toEqual([{ id: learner.id, externalId: null }]);
    const [erased] = await db().query(
      `SELECT actor_id, after FROM audit_events WHERE action = 'user.erased' AND target_id = $1`,
      [learner.id],
    );
    expect(erased.actor_id).toBe(admin.id);
    expect(erased.after).toMatchObject({ sessions: 1, answersEmptied: 1, evidenceRemoved: 1 });

    // Cannot sign in or refresh; gone from the API; the cohort's statistics count the same.
    await passwordGrant(t, learner.email, learner.password).expect(400);
    await request(t.server)
      .post('/v1/auth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: session.body.refresh_token })
      .expect(400);
    await request(t.server).get('/v1/users/me').set(bearer(learner.token)).expect(401);
    await request(t.server).get(`/v1/users/${learner.id}`).set(bearer(admin.token)).expect(404);
    await request(t.server).get(`/v1/users/${learner.id}/export`).set(bearer(admin.token)).expect(404);
    const after = (await report().expect(200)).body;
    expect(after.learners).toBe(before.learners);
    expect(after.items).toEqual(before.items);
    // Erasing again: there is no such person any more.
    await request(t.server).delete(`/v1/users/${learner.id}?erase=true`).set(bearer(admin.token)).expect(404);
  });

  it('leaves nothing half-erased when the erasure fails midway', async () => {
    const learner = await activeLearner('pd-atomic');
    const events = t.app.get(DataSource);
    // The user.deleted event is written last: make that statement fail.
    await events.query(`ALTER TABLE events ADD CONSTRAINT fail_erasure CHECK (data->>'erased' IS NULL) NOT VALID`);
    try {
      await request(t.server).delete(`/v1/users/${learner.id}?erase=true`).set(bearer(admin.token)).expect(500);
    } finally {
      await events.query('ALTER TABLE events DROP CONSTRAINT fail_erasure');
    }
    const [user] = await db().query('SELECT email, external_id, erased_at FROM users WHERE id = $1', [learner.id]);
    expect(user).toEqual({ email: learner.email, external_id: 'pd-atomic', erased_at: null });
    expect(await db().query('SELECT evidence FROM step_marks WHERE user_id = $1', [learner.id])).toEqual([
      { evidence: 'My notes, by pd-atomic' },
    ]);
    await passwordGrant(t, learner.email, learner.password).expect(200);
  });
  it('shows a learner their own entry of the roster sync that created them, and erasure removes it from the audit trail', async () => {
    const cohort = await request(t.server)
      .post('/v1/cohorts')
      .set(bearer(admin.token))
      .send({ name: 'Roster-created cohort' })
      .expect(201);
    const roster = ['pd-roster-a', 'pd-roster-b'].map((externalId) => ({
      externalId,
      email: `${externalId}@example.com`,
      displayName: externalId,
    }));
    await request(t.server)
      .put(`/v1/cohorts/${cohort.body.id}/members`)
      .set(bearer(admin.token))
      .send({ members: roster })
      .expect(200);
    const ids = Object.fromEntries(
      (
        await db().query<{ id: string; external_id: string }[]>(
          'SELECT id, external_id FROM users WHERE external_id = ANY($1)',
          [roster.map((entry) => entry.externalId)],
        )
      ).map((row) => [row.external_id, row.id]),
    );
    const exported = await request(t.server).get(`/v1/users/${ids['pd-roster-a']}/export`).set(bearer(admin.token));
    const created = (exported.body.auditEvents as { action: string; after: unknown }[]).filter(
      (event) => event.action === 'users.created_from_roster',
    );
    expect(created).toEqual([
      expect.objectContaining({ after: { users: [{ id: ids['pd-roster-a'], externalId: 'pd-roster-a' }] } }),
    ]);

    await request(t.server).delete(`/v1/users/${ids['pd-roster-a']}?erase=true`).set(bearer(admin.token)).expect(204);
    const [audit] = await db().query(
      `SELECT after FROM audit_events WHERE action = 'users.created_from_roster' AND target_id = $1`,
      [cohort.body.id],
    );
    expect(audit.after.users).toEqual(
      expect.arrayContaining([
        { id: ids['pd-roster-a'], externalId: null },
        { id: ids['pd-roster-b'], externalId: 'pd-roster-b' },
      ]),
    );
  });
});
