import request from 'supertest';
import { createTestApp, TestApp } from './support/app';
import { importModule, MODULE5_ANSWERS_ALL_QUESTIONS, MODULE5_MARKDOWN } from './support/content';
import { bearer, createUser, TestUser } from './support/identity';

/**
 * Hand-made bad input that once reached PostgreSQL or a recursive walk and
 * answered 500. Each must be a 400 problem naming the field at fault.
 */
function expectBadRequest(res: request.Response, field: string | RegExp) {
  expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status: 400 });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const fields = (res.body.errors as { field: string }[] | undefined)?.map((error) => error.field) ?? [];
  expect(fields).toContainEqual(typeof field === 'string' ? field : expect.stringMatching(field));
}

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
/** Deep nesting written as text: JSON.stringify itself recurses. */
const nestedText = (depth: number, key = 'a') => `${`{"${key}":`.repeat(depth)}1${'}'.repeat(depth)}`;
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('bad input answers 400, never 500 (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let learner: TestUser;
  let attemptId: string;
  let essayVersionId: string;
  let stepId: string;
  let cohortId: string;

  beforeAll(async () => {
    t = await createTestApp();
    // Every question, so the attempt holds an essay to grade.
    const imported = await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS_ALL_QUESTIONS);
    admin = imported.admin;
    learner = await createUser(t);
    const detail = await request(t.server).get(`/v1/modules/${imported.slug}`).set(bearer(admin.token)).expect(200);
    stepId = detail.body.activities[0].steps[0].id;
    const started = await request(t.server)
      .post(`/v1/quizzes/${imported.quizId}/attempts`)
      .set(bearer(learner.token))
      .expect(201);
    attemptId = started.body.id;
    essayVersionId = started.body.questions.find(
      (q: { question: { type: string } }) => q.question.type === 'essay',
    )?.questionVersionId;
    await request(t.server).post(`/v1/attempts/${attemptId}/submit`).set(bearer(learner.token)).expect(200);
    cohortId = (
      await request(t.server)
        .post('/v1/cohorts')
        .set(bearer(admin.token))
        .send({ name: 'Cohort', moduleIds: [imported.moduleId] })
        .expect(201)
    ).body.id;
  });
  afterAll(() => t.close());

  describe('a NUL character in text that would reach PostgreSQL', () => {
    it('in a display name', async () => {
      const res = await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(learner.token))
        .send({ displayName: 'Ada\u0000Lovelace' });
      expectBadRequest(res, 'displayName');
    });

    it('in step evidence', async () => {
      const res = await request(t.server)
        .put(`/v1/users/me/steps/${stepId}`)
        .set(bearer(learner.token))
        .send({ done: true, evidence: 'see \u0000 here' });
      expectBadRequest(res, 'evidence');
    });

    it('in a cohort name', async () => {
      const res = await request(t.server).post('/v1/cohorts').set(bearer(admin.token)).send({ name: 'A\u0000' });
      expectBadRequest(res, 'name');
    });

    it('in a grade reason', async () => {
      expect(essayVersionId).toEqual(expect.any(String));
      const res = await request(t.server)
        .post(`/v1/attempts/${attemptId}/grades`)
        .set(bearer(admin.token))
        .send({ grades: [{ questionVersionId: essayVersionId, score: 1, reason: 'ok\u0000' }] });
      expectBadRequest(res, 'grades.0.reason');
    });

    it('in the username of the token endpoint, as JSON and as a form', async () => {
      const json = await request(t.server)
        .post('/v1/auth/token')
        .send({ grant_type: 'password', username: `${admin.email}\u0000`, password: 'x' });
      expectBadRequest(json, 'username');
      const form = await request(t.server)
        .post('/v1/auth/token')
        .type('form')
        .send(`grant_type=password&username=a%00b%40x.example&password=x`);
      expectBadRequest(form, 'username');
    });

    it('in the email query of the users list, and in a path', async () => {
      expectBadRequest(await request(t.server).get('/v1/users?email=a%00@x.example').set(bearer(admin.token)), 'email');
      expectBadRequest(await request(t.server).get('/v1/modules/05%00').set(bearer(admin.token)), 'ref');
    });

    it('in an object key', async () => {
      const res = await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(learner.token))
        .set('content-type', 'application/json')
        .send('{"displayName":"Ada","x\\u0000":1}');
      expectBadRequest(res, /^x/);
    });
  });

  describe('a lone UTF-16 surrogate (valid JSON, not Unicode), which validator.js could not measure', () => {
    const lone = (text: string) => JSON.stringify(text).replace('\\u0000', '\\ud800');

    it('in an email, creating, updating or rostering a user', async () => {
      const send = (method: 'post' | 'patch', path: string, json: string) =>
        request(t.server)[method](path).set(bearer(admin.token)).set('content-type', 'application/json').send(json);
      const email = lone('ada\u0000@example.com');
      expectBadRequest(
        await send('post', '/v1/users', `{"email":${email},"displayName":"Ada","roles":["learner"]}`),
        'email',
      );
      expectBadRequest(await send('patch', `/v1/users/${learner.id}`, `{"email":${email}}`), 'email');
      const roster = `{"members":[{"externalId":"lone-1","email":${email},"displayName":"Ada"}]}`;
      const rostered = await request(t.server)
        .put(`/v1/cohorts/${cohortId}/members`)
        .set(bearer(admin.token))
        .set('content-type', 'application/json')
        .send(roster);
      expectBadRequest(rostered, 'members.0.email');
    });

    it('in a module import is measured, not thrown on', async () => {
      const res = await request(t.server)
        .post('/v1/modules/import')
        .set(bearer(admin.token))
        .set('content-type', 'application/json')
        .send(`{"markdown":${lone('# Module 31: Lone \u0000 surrogate')},"dryRun":true}`);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/(problem\+)?json/);
    });
  });

  describe('null where the document allows none', () => {
    it.each(['email', 'displayName', 'roles', 'externalId', 'password'])(
      'PATCH /v1/users/{id} with %s: null',
      async (field) => {
        const res = await request(t.server)
          .patch(`/v1/users/${learner.id}`)
          .set(bearer(admin.token))
          .send({ [field]: null });
        expectBadRequest(res, field);
      },
    );

    it.each(['name', 'moduleIds', 'archived'])('PATCH /v1/cohorts/{id} with %s: null', async (field) => {
      const res = await request(t.server)
        .patch(`/v1/cohorts/${cohortId}`)
        .set(bearer(admin.token))
        .send({ [field]: null });
      expectBadRequest(res, field);
    });

    it('in a module import, a mark, a self-update and the token endpoint', async () => {
      expectBadRequest(
        await request(t.server)
          .post('/v1/modules/import')
          .set(bearer(admin.token))
          .send({ markdown: MODULE5_MARKDOWN, answerKey: null, dryRun: true }),
        'answerKey',
      );
      expectBadRequest(
        await request(t.server)
          .put(`/v1/users/me/steps/${stepId}`)
          .set(bearer(learner.token))
          .send({ done: true, evidence: null }),
        'evidence',
      );
      expectBadRequest(
        await request(t.server).patch('/v1/users/me').set(bearer(learner.token)).send({ displayName: null }),
        'displayName',
      );
      expectBadRequest(
        await request(t.server).post('/v1/auth/token').send({ grant_type: 'password', username: null, password: 'x' }),
        'username',
      );
    });

    it('but a cohort’s dates may be cleared with null, as the document says', async () => {
      await request(t.server)
        .patch(`/v1/cohorts/${cohortId}`)
        .set(bearer(admin.token))
        .send({ startsAt: null, endsAt: null })
        .expect(200);
    });
  });

  describe('cohort dates in ISO 8601 forms JavaScript cannot read', () => {
    it.each(['2024-W01-1', '20240101T000000Z', '2024-001T00:00:00Z'])(
      '%s is refused, naming the field',
      async (date) => {
        expectBadRequest(
          await request(t.server).post('/v1/cohorts').set(bearer(admin.token)).send({ name: 'Dated', startsAt: date }),
          'startsAt',
        );
        expectBadRequest(
          await request(t.server).patch(`/v1/cohorts/${cohortId}`).set(bearer(admin.token)).send({ endsAt: date }),
          'endsAt',
        );
      },
    );
  });

  describe('numbers JavaScript prints in exponent notation', () => {
    it.each([5e-324, 1e-7, 2.5e-10])('a grade of %p points is refused, naming the score', async (score) => {
      const res = await request(t.server)
        .post(`/v1/attempts/${attemptId}/grades`)
        .set(bearer(admin.token))
        .set('content-type', 'application/json')
        .send(`{"grades":[{"questionVersionId":"${essayVersionId}","score":${score},"reason":"tiny"}]}`);
      expectBadRequest(res, 'grades.0.score');
      expect(res.body.errors[0].messages.join(' ')).toMatch(/at most 4 decimal places/);
    });
  });

  describe('deeply nested JSON is refused before validation', () => {
    it.each([3_000, 10_000])('%i levels in PATCH /v1/users/me', async (depth) => {
      const res = await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(learner.token))
        .set('content-type', 'application/json')
        .send(`{"displayName":${nestedText(depth)}}`);
      expectBadRequest(res, /^displayName(\.a)+$/);
      expect(res.body.errors[0].messages[0]).toMatch(/nested deeper than 32/);
    });

    it('in an attempt’s responses', async () => {
      const res = await request(t.server)
        .put(`/v1/attempts/${attemptId}/responses`)
        .set(bearer(learner.token))
        .set('content-type', 'application/json')
        .send(`{"responses":[{"questionVersionId":"${essayVersionId}","response":${nestedText(5_000)}}]}`);
      expectBadRequest(res, /^responses\.0\.response/);
    });

    it('in a module import', async () => {
      const res = await request(t.server)
        .post('/v1/modules/import')
        .set(bearer(admin.token))
        .set('content-type', 'application/json')
        .send(`{"markdown":"# Module 1: X","answerKey":${nestedText(8_000)}}`);
      expectBadRequest(res, /^answerKey/);
    });

    it('at the token endpoint', async () => {
      const res = await request(t.server)
        .post('/v1/auth/token')
        .set('content-type', 'application/json')
        .send(nestedText(10_000, 'grant_type'));
      expectBadRequest(res, /^grant_type/);
    });

    it('but 32 levels are let through to validation', async () => {
      const res = await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(learner.token))
        .send({ displayName: nested(31) });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('displayName');
      expect(res.body.errors[0].messages.join(' ')).not.toMatch(/nested deeper/);
    });
  });

  describe('list cursors that decode to values out of range', () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const badKeyset = [
      cursorOf(['-271821-04-20T00:00:00.000Z', id]),
      cursorOf(['+275760-09-13T00:00:00.000Z', id]),
      cursorOf([8.64e15, id]),
    ];
    const badOffsets = [cursorOf({ offset: 2 ** 63 - 1 }), cursorOf({ offset: 1e300 }), cursorOf({ offset: 2 ** 31 })];

    it.each(['/v1/users', '/v1/clients'])('%s', async (path) => {
      for (const cursor of badKeyset) {
        expectBadRequest(await request(t.server).get(`${path}?cursor=${cursor}`).set(bearer(admin.token)), 'cursor');
      }
    });

    it('/v1/modules', async () => {
      for (const cursor of [cursorOf([2 ** 63 - 1, id]), cursorOf([-1, id]), cursorOf([1e300, id])]) {
        expectBadRequest(
          await request(t.server).get(`/v1/modules?cursor=${cursor}`).set(bearer(admin.token)),
          'cursor',
        );
      }
    });

    it.each(['/v1/cohorts', '/members', '/progress'])('%s', async (suffix) => {
      const path = suffix.startsWith('/v1') ? suffix : `/v1/cohorts/${cohortId}${suffix}`;
      for (const cursor of badOffsets) {
        expectBadRequest(await request(t.server).get(`${path}?cursor=${cursor}`).set(bearer(admin.token)), 'cursor');
      }
    });
  });
});
