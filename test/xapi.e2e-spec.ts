import validateStatement from '@learninglocker/xapi-validation';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { QuestionDefinition } from '../src/content/question.types';
import { WebhookDispatcher } from '../src/events/webhook-dispatcher';
import { XapiDestination } from '../src/events/xapi/xapi-destination';
import { VERBS } from '../src/events/xapi/xapi-statements';
import { createTestApp, type TestApp } from './support/app';
import {
  importModule,
  keyResponse,
  MODULE5_ANSWERS,
  MODULE5_ANSWERS_ALL_QUESTIONS,
  MODULE5_MARKDOWN,
  MODULE5_SLUG,
  questionDefinitions,
} from './support/content';
import { allPages, bearer, createClient, createUser, type TestUser } from './support/identity';
import { startTestLrs, type TestLrs } from './support/test-lrs';

type Json = Record<string, unknown>;
interface Stmt {
  id: string;
  actor: Json;
  verb: { id: string };
  object: { id: string; definition?: Json };
  result?: Json;
  context?: { registration?: string; contextActivities?: { parent?: { id: string }[] } };
  timestamp: string;
}

const INTERACTION_OF: Record<string, string> = {
  single_choice: 'choice',
  multiple_choice: 'choice',
  true_false: 'true-false',
  short_text: 'fill-in',
  numeric: 'numeric',
  ordering: 'sequencing',
  matching: 'matching',
  essay: 'long-fill-in',
};

describe('xAPI statements to an LRS (e2e)', () => {
  let t: TestApp;
  let lrs: TestLrs;
  let admin: TestUser;
  let learner: TestUser;
  let moduleId: string;
  let quizId: string;
  let definitions: Map<string, QuestionDefinition>;
  let attemptId: string;

  const db = () => t.app.get(DataSource);
  /** Delivers until nothing is pending, letting each backoff pass at once. */
  async function deliverAll() {
    for (let round = 0; round < 20; round++) {
      await t.app.get(WebhookDispatcher).deliverDue();
      const [{ pending }] = await db().query<{ pending: number }[]>(
        `SELECT count(*)::int AS pending FROM webhook_deliveries WHERE state = 'pending'`,
      );
      if (pending === 0) return;
      await db().query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE state = 'pending'`);
    }
    throw new Error('deliveries still pending after 20 rounds');
  }

  beforeAll(async () => {
    lrs = await startTestLrs();
    t = await createTestApp({
      XAPI_LRS_URL: lrs.url,
      XAPI_LRS_USERNAME: 'lrs-user',
      XAPI_LRS_PASSWORD: 'lrs-password-never-logged',
      XAPI_ACTIVITY_BASE_URL: 'https://assess.example.edu',
      XAPI_ACCOUNT_HOME_PAGE: 'https://lms.example.edu',
    });
    // Every question, so the attempt holds every interaction type.
    const imported = await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS_ALL_QUESTIONS);
    ({ moduleId, quizId, admin } = imported);
    definitions = await questionDefinitions(t, MODULE5_SLUG, admin.token);
    learner = await createUser(t, ['learner'], { externalId: 'lms-ada' });
  });
  afterAll(async () => {
    await t.close();
    await lrs.close();
  });

  /** Start, answer every question (every type) right, submit, grade the essays, do every step and item. */
  async function fullModule(who: TestUser) {
    const attempt = (
      await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(who.token)).send({}).expect(201)
    ).body as { id: string; questions: { questionVersionId: string }[] };
    await request(t.server)
      .put(`/v1/attempts/${attempt.id}/responses`)
      .set(bearer(who.token))
      .send({
        responses: attempt.questions.map((q) => ({
          questionVersionId: q.questionVersionId,
          response: keyResponse(definitions.get(q.questionVersionId)!),
        })),
      })
      .expect(200);
    await request(t.server).post(`/v1/attempts/${attempt.id}/submit`).set(bearer(who.token)).send({}).expect(200);
    const detail = (await request(t.server).get(`/v1/modules/${MODULE5_SLUG}`).set(bearer(admin.token)).expect(200))
      .body as {
      activities: { steps: { id: string }[] }[];
      checklistItems: { id: string; activity: { id: string } | null }[];
    };
    for (const step of detail.activities.flatMap((a) => a.steps)) {
      await request(t.server)
        .put(`/v1/users/me/steps/${step.id}`)
        .set(bearer(who.token))
        .send({ done: true })
        .expect(200);
    }
    for (const item of detail.checklistItems.filter((i) => !i.activity)) {
      await request(t.server)
        .put(`/v1/users/me/checklist/${item.id}`)
        .set(bearer(who.token))
        .send({ done: true })
        .expect(200);
    }
    const essays = attempt.questions.filter((q) => definitions.get(q.questionVersionId)!.type === 'essay');
    await request(t.server)
      .post(`/v1/attempts/${attempt.id}/grades`)
      .set(bearer(admin.token))
      .send({
        grades: essays.map((q) => ({
          questionVersionId: q.questionVersionId,
          score: definitions.get(q.questionVersionId)!.points,
          reason: 'complete',
        })),
      })
      .expect(200);
    return attempt;
  }

  it('sends valid statements for a whole Module 5 attempt, retried without duplicates', async () => {
    // The endpoint row exists, outside the webhooks API, with its credentials sealed.
    const [row] = await db().query(`SELECT url, secret_ciphertext FROM webhook_endpoints WHERE kind = 'xapi'`);
    expect(row.url).toBe(lrs.url);
    expect(row.secret_ciphertext).not.toContain('lrs-password');
    expect((await request(t.server).get('/v1/webhooks').set(bearer(admin.token)).expect(200)).body.items).toEqual([]);

    const attempt = await fullModule(learner);
    attemptId = attempt.id;
    expect(lrs.requests).toEqual([]); // nothing is sent inside a request
    lrs.failAfterStoring(1);
    await deliverAll();

    // The first batch was stored and answered 500; its retry sent the same statements, byte for byte.
    expect(lrs.requests[0].status).toBe(500);
    expect(lrs.requests[1].statements).toEqual(lrs.requests[0].statements);
    expect(lrs.requests.slice(1).every((r) => r.status === 200)).toBe(true);
    const sentIds = lrs.requests.slice(1).flatMap((r) => r.statements.map((s) => s.id));
    expect(new Set(sentIds).size).toBe(sentIds.length);
    expect(lrs.stored.size).toBe(sentIds.length);
    for (const r of lrs.requests) {
      expect(r.headers['x-experience-api-version']).toBe('1.0.3');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers.authorization).toBe(
        `Basic ${Buffer.from('lrs-user:lrs-password-never-logged').toString('base64')}`,
      );
    }

    const statements = [...lrs.stored.values()] as unknown as Stmt[];
    for (const statement of statements) {
      expect(validateStatement(statement).map((w) => `${w.path.join('.')}: ${w.message}`)).toEqual([]);
      expect(statement.actor).toEqual({
        objectType: 'Agent',
        account: { homePage: 'https://lms.example.edu', name: 'lms-ada' },
      });
    }
    const verbs = statements.map((s) => s.verb.id);
    expect(verbs.filter((v) => v === VERBS.attempted)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.answered)).toHaveLength(attempt.questions.length);
    expect(verbs.filter((v) => v === VERBS.scored)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.passed)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.failed)).toHaveLength(0);
    expect(verbs.filter((v) => v === VERBS.completed)).toHaveLength(1);
    expect(verbs[0]).toBe(VERBS.attempted);

    const quizIri = `https://assess.example.edu/xapi/quizzes/${quizId}`;
    const moduleIri = `https://assess.example.edu/xapi/modules/${moduleId}`;
    const questionIds = new Map(
      (
        await db().query<{ id: string; question_id: string }[]>(
          'SELECT id, question_id FROM question_versions WHERE id = ANY ($1::uuid[])',
          [[...definitions.keys()]],
        )
      ).map((r) => [r.question_id, r.id]),
    );
    const types = new Set<string>();
    for (const answered of statements.filter((s) => s.verb.id === VERBS.answered)) {
      const questionId = answered.object.id.split('/').at(-1)!;
      const definition = definitions.get(questionIds.get(questionId)!)!;
      const interaction = answered.object.definition!;
      types.add(interaction.interactionType as string);
      expect(interaction.interactionType).toBe(INTERACTION_OF[definition.type]);
      const keyed =
        definition.type !== 'essay' && !(definition.type === 'short_text' && definition.accepted.length === 0);
      expect(Array.isArray(interaction.correctResponsesPattern)).toBe(keyed);
      if (definition.type !== 'short_text' && keyed) {
        // Every answer was the key's: the response is the pattern (short text: the first accepted answer).
        expect(interaction.correctResponsesPattern).toContain(answered.result!.response);
      }
      expect(answered.context?.registration).toBe(attemptId);
      expect(answered.context?.contextActivities?.parent?.[0].id).toBe(quizIri);
    }
    expect([...types].sort()).toEqual(
      ['choice', 'true-false', 'fill-in', 'numeric', 'sequencing', 'matching', 'long-fill-in'].sort(),
    );
    const passed = statements.find((s) => s.verb.id === VERBS.passed)!;
    expect(passed.object.id).toBe(quizIri);
    expect(passed.result).toMatchObject({ success: true, completion: true, score: { scaled: 1, min: 0 } });
    expect(passed.result!.duration).toMatch(/^PT(\d+H)?(\d+M)?\d+(\.\d+)?S$/);
    expect(statements.find((s) => s.verb.id === VERBS.completed)!.object.id).toBe(moduleIri);

    // The delivery log records the first refusal and the success after it.
    const log = await db().query<{ state: string; attempts: number }[]>(
      `SELECT d.state, d.attempts FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE w.kind = 'xapi' ORDER BY d.event_seq`,
    );
    expect(log.every((d) => d.state === 'delivered')).toBe(true);
    expect(log[0].attempts).toBe(2);
  });

  it('serves the same statements to an LRS that pulls, page by page', async () => {
    const pulled = await allPages<Stmt>(t, `/v1/users/${learner.id}/xapi-statements`, admin.token, 7);
    expect(pulled).toEqual([...lrs.stored.values()]);
    const client = await createClient(t, ['progress:read']);
    const first = await request(t.server)
      .get(`/v1/users/${learner.id}/xapi-statements`)
      .query({ limit: 100 })
      .set(bearer(client.token))
      .expect(200);
    expect(first.body.items).toEqual(pulled.slice(0, 100 > pulled.length ? pulled.length : 100));
    await request(t.server)
      .get(`/v1/users/${learner.id}/xapi-statements`)
      .query({ cursor: 'not-ours' })
      .set(bearer(admin.token))
      .expect(400);
  });

  it('lets the learner, their instructors, admins and reading clients see them; others get 404', async () => {
    const path = `/v1/users/${learner.id}/xapi-statements`;
    // The learner's own read: no answer keys (invariant 4), otherwise the same statements.
    const own = await allPages<Stmt>(t, '/v1/users/me/xapi-statements', learner.token, 50);
    expect(own.map((s) => s.id)).toEqual([...lrs.stored.keys()]);
    expect(own.some((s) => s.object.definition && 'correctResponsesPattern' in s.object.definition)).toBe(false);

    const other = await createUser(t, ['learner']);
    await request(t.server).get(path).set(bearer(other.token)).expect(404);
    expect(
      (await request(t.server).get('/v1/users/me/xapi-statements').set(bearer(other.token)).expect(200)).body,
    ).toEqual({
      items: [],
      nextCursor: null,
    });
    const stranger = await createUser(t, ['instructor']);
    await request(t.server).get(path).set(bearer(stranger.token)).expect(404);
    const teacher = await createUser(t, ['instructor']);
    const cohort = await request(t.server)
      .post('/v1/cohorts')
      .set(bearer(admin.token))
      .send({ name: 'xAPI cohort' })
      .expect(201);
    for (const member of [
      { userId: learner.id, role: 'learner' },
      { userId: teacher.id, role: 'instructor' },
    ]) {
      await request(t.server)
        .post(`/v1/cohorts/${cohort.body.id}/members`)
        .set(bearer(admin.token))
        .send(member)
        .expect((res) => expect(res.status).toBeLessThan(300));
    }
    await request(t.server).get(path).set(bearer(teacher.token)).expect(200);
    const unscoped = await createClient(t, ['users:read']);
    await request(t.server).get(path).set(bearer(unscoped.token)).expect(403);
    await request(t.server).get(path).expect(401);
    await request(t.server).get('/v1/users/not-a-uuid/xapi-statements').set(bearer(admin.token)).expect(404);
  });
});

describe('without XAPI_LRS_URL (e2e)', () => {
  it('queues nothing for xAPI and keeps no LRS endpoint', async () => {
    const t = await createTestApp();
    try {
      const db = t.app.get(DataSource);
      await db.query(
        `INSERT INTO webhook_endpoints (kind, url, event_types, secret_ciphertext, created_by)
         VALUES ('xapi', 'http://127.0.0.1:9/lrs', '{attempt.started}', 'v1.x.y.z', 'system:xapi')`,
      );
      // What a start without the variable does: the old LRS row goes.
      await t.app.get(XapiDestination).sync();
      const { quizId } = await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
      const learner = await createUser(t, ['learner']);
      await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201);
      expect(await db.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE kind = 'xapi'`)).toEqual([
        { n: 0 },
      ]);
      expect(await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries`)).toEqual([{ n: 0 }]);
      // The statements can still be pulled.
      const pulled = await request(t.server).get('/v1/users/me/xapi-statements').set(bearer(learner.token)).expect(200);
      expect(pulled.body.items.map((s: Stmt) => s.verb.id)).toEqual([VERBS.attempted]);
      expect(pulled.body.items[0].actor).toEqual({ objectType: 'Agent', mbox: `mailto:${learner.email}` });
    } finally {
      await t.close();
    }
  });
});
