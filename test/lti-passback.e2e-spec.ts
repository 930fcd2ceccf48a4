import request from 'supertest';
import { DataSource } from 'typeorm';
import type { QuestionDefinition } from '../src/content/question.types';
import { WebhookDispatcher } from '../src/events/webhook-dispatcher';
import { createTestApp, type TestApp } from './support/app';
import {
  importModule,
  keyResponse,
  MODULE5_ANSWERS,
  MODULE5_MARKDOWN,
  MODULE5_SLUG,
  smallAnswerKey,
  smallModule,
  smallModuleAnswers,
} from './support/content';
import { bearer, createUser, type TestUser } from './support/identity';
import { LIS_ROLES, type TestLaunch, type TestPlatform } from './support/lti-platform';
import { launchAs, registerTestPlatform, sessionCookieOf } from './support/lti-tool';

interface Question {
  questionVersionId: string;
  question: { type: string };
}

/**
 * Scores back to the platform's gradebook by AGS (issue 17), through the events outbox: a launched
 * learner's start, submit, essay grading, override and a platform that is down for a while.
 */
describe('LTI score passback (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let platform: TestPlatform;
  let origin: string;
  let module5: { quizId: string; slug: string };
  let small: { quizId: string; slug: string };
  let definitions: Map<string, QuestionDefinition>;
  const db = () => t.app.get(DataSource);
  const deliver = () => t.app.get(WebhookDispatcher).deliverDue();

  /** A learner's launch into a course link opening `slug`, with AGS; their session for the API. */
  async function launchLearner(sub: string, linkId: string, slug: string) {
    const launch: TestLaunch = {
      user: { sub, name: `Learner ${sub}` },
      roles: [LIS_ROLES.learner],
      context: { id: 'course-ags', title: 'Cloud Security (graded)' },
      resourceLink: { id: linkId, title: `Quiz of ${slug}` },
      custom: { module: slug },
      targetLinkUri: `${origin}/lti/launch`,
      ags: true,
    };
    const { response } = await launchAs(t, platform, launch);
    expect(response.status).toBe(303);
    const cookie = sessionCookieOf(response)!.split(';')[0];
    const session = await request(t.server).get('/v1/auth/session').set('cookie', cookie).expect(200);
    return { cookie, csrf: session.body.csrfToken as string, sub };
  }
  type Learner = Awaited<ReturnType<typeof launchLearner>>;

  const as = (learner: Learner, test: request.Test) =>
    test.set('cookie', learner.cookie).set('x-csrf-token', learner.csrf);

  async function start(learner: Learner, quizId: string) {
    const started = await as(learner, request(t.server).post(`/v1/quizzes/${quizId}/attempts`))
      .send({})
      .expect(201);
    return started.body as { id: string; questions: Question[] };
  }

  async function submit(learner: Learner, attemptId: string, responses: unknown[]) {
    await as(learner, request(t.server).put(`/v1/attempts/${attemptId}/responses`))
      .send({ responses })
      .expect(200);
    const done = await as(learner, request(t.server).post(`/v1/attempts/${attemptId}/submit`))
      .send({})
      .expect(200);
    return done.body as { state: string; questions: Question[] };
  }

  const scoresOf = (sub: string) => platform.scores.filter((score) => score.body.userId === sub);
  const lastScoreOf = (sub: string) => scoresOf(sub).at(-1)!;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, ['admin']);
    ({ origin, platform } = await registerTestPlatform(t, admin));
    module5 = await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
    small = await importModule(t, smallModule(9), smallAnswerKey({ attemptsAllowed: 3 }));
    const quiz = await request(t.server)
      .get(`/v1/modules/${MODULE5_SLUG}/quiz?include=answers`)
      .set(bearer(admin.token))
      .expect(200);
    definitions = new Map(
      quiz.body.questions.map((q: { versionId: string; definition: QuestionDefinition }) => [
        q.versionId,
        q.definition,
      ]),
    );
  });
  afterAll(async () => {
    await platform?.close();
    await t?.close();
  });

  it('sends Module 5’s start and its graded submit to the line item made for the link, timestamps increasing', async () => {
    const learner = await launchLearner('ags-learner-1', 'link-m5', MODULE5_SLUG);
    const attempt = await start(learner, module5.quizId);
    await deliver();

    const lineItem = platform.lineItems.find((item) => item.resourceLinkId === 'link-m5')!;
    expect(lineItem).toMatchObject({ resourceId: `module:${MODULE5_SLUG}`, scoreMaximum: 100 });
    expect(scoresOf(learner.sub)).toHaveLength(1);
    const started = lastScoreOf(learner.sub);
    expect(started).toMatchObject({
      lineItemId: lineItem.id,
      contentType: 'application/vnd.ims.lis.v1.score+json',
      accepted: true,
      body: { userId: learner.sub, activityProgress: 'Started', gradingProgress: 'NotReady' },
    });
    expect(started.body).not.toHaveProperty('scoreGiven');

    const responses = attempt.questions.map((q) => ({
      questionVersionId: q.questionVersionId,
      response: keyResponse(definitions.get(q.questionVersionId)!),
    }));
    const submitted = await submit(learner, attempt.id, responses);
    await deliver();
    if (submitted.state === 'pending_grading') {
      // The bank drew essays: the gradebook hears it waits for a person, then the grade.
      expect(lastScoreOf(learner.sub).body).toMatchObject({
        activityProgress: 'Submitted',
        gradingProgress: 'PendingManual',
      });
      const grades = submitted.questions
        .filter((q) => q.question.type === 'essay')
        .map((q) => ({
          questionVersionId: q.questionVersionId,
          score: definitions.get(q.questionVersionId)!.points,
          reason: 'Full marks',
        }));
      await request(t.server)
        .post(`/v1/attempts/${attempt.id}/grades`)
        .set(bearer(admin.token))
        .send({ grades })
        .expect(200);
      await deliver();
    }
    expect(lastScoreOf(learner.sub).body).toMatchObject({
      userId: learner.sub,
      scoreGiven: 100,
      scoreMaximum: 100,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
    });
    expect(platform.resultOf(lineItem.id, learner.sub)).toMatchObject({ scoreGiven: 100 });

    const stamps = scoresOf(learner.sub).map((score) => Date.parse(score.body.timestamp as string));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(scoresOf(learner.sub).every((score) => score.accepted)).toBe(true);
    const [passback] = await db().query(
      `SELECT p.state, p.last_status FROM lti_passbacks p JOIN lti_resource_links l ON l.id = p.resource_link_id
        WHERE l.resource_link_id = 'link-m5'`,
    );
    expect(passback).toEqual({ state: 'synced', last_status: 204 });
  });

  it('an essay: PendingManual, then FullyGraded once graded; an override sends the newer grade', async () => {
    const learner = await launchLearner('ags-learner-2', 'link-small', small.slug);
    const attempt = await start(learner, small.quizId);
    const submitted = await submit(learner, attempt.id, smallModuleAnswers(attempt.questions));
    expect(submitted.state).toBe('pending_grading');
    await deliver();
    expect(lastScoreOf(learner.sub).body).toMatchObject({
      activityProgress: 'Submitted',
      gradingProgress: 'PendingManual',
    });
    expect(lastScoreOf(learner.sub).body).not.toHaveProperty('scoreGiven');

    const essay = attempt.questions.find((q) => q.question.type === 'essay')!;
    await request(t.server)
      .post(`/v1/attempts/${attempt.id}/grades`)
      .set(bearer(admin.token))
      .send({ grades: [{ questionVersionId: essay.questionVersionId, score: 1, reason: 'Covers the point' }] })
      .expect(200);
    await deliver();
    const graded = lastScoreOf(learner.sub);
    expect(graded.body).toMatchObject({
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      scoreMaximum: 100,
    });
    const gradedScore = graded.body.scoreGiven as number;
    expect(gradedScore).toBeGreaterThan(0);

    // An instructor's override of another question: the grade falls, sent with a later timestamp.
    const choice = attempt.questions.find((q) => q.question.type === 'single_choice')!;
    await request(t.server)
      .post(`/v1/attempts/${attempt.id}/grades`)
      .set(bearer(admin.token))
      .send({ grades: [{ questionVersionId: choice.questionVersionId, score: 0, reason: 'Answer copied' }] })
      .expect(200);
    await deliver();
    const overridden = lastScoreOf(learner.sub);
    expect(overridden.body.scoreGiven).toBeLessThan(gradedScore);
    expect(Date.parse(overridden.body.timestamp as string)).toBeGreaterThan(
      Date.parse(graded.body.timestamp as string),
    );
    expect(overridden.accepted).toBe(true);
  });

  it('a regrade after a key correction sends the new grade with a newer timestamp', async () => {
    // The key is wrong at first: it says B, and the learner answers A.
    const wrongKey = await importModule(t, smallModule(8), smallAnswerKey({ correct: 'b', attemptsAllowed: 3 }));
    const learner = await launchLearner('ags-learner-5', 'link-small-8', wrongKey.slug);
    const attempt = await start(learner, wrongKey.quizId);
    await submit(learner, attempt.id, smallModuleAnswers(attempt.questions, 'a'));
    const essay = attempt.questions.find((q) => q.question.type === 'essay')!;
    await request(t.server)
      .post(`/v1/attempts/${attempt.id}/grades`)
      .set(bearer(admin.token))
      .send({ grades: [{ questionVersionId: essay.questionVersionId, score: 1, reason: 'Covers the point' }] })
      .expect(200);
    await deliver();
    const before = lastScoreOf(learner.sub);
    expect(before.body).toMatchObject({ gradingProgress: 'FullyGraded' });

    await request(t.server)
      .post('/v1/modules/import')
      .set(bearer(admin.token))
      .send({ markdown: smallModule(8), answerKey: smallAnswerKey({ correct: 'a', attemptsAllowed: 3 }) })
      .expect((res) => expect(res.status).toBeLessThan(300));
    await request(t.server)
      .post(`/v1/quizzes/${wrongKey.quizId}/regrade`)
      .set(bearer(admin.token))
      .send({})
      .expect(200);
    await deliver();
    const after = lastScoreOf(learner.sub);
    expect(after.body.scoreGiven).toBeGreaterThan(before.body.scoreGiven as number);
    expect(Date.parse(after.body.timestamp as string)).toBeGreaterThan(Date.parse(before.body.timestamp as string));
    expect(after.accepted).toBe(true);
  });

  it('a platform down for a while gets the score when it is back, and the passback says pending meanwhile', async () => {
    const learner = await launchLearner('ags-learner-3', 'link-m5', MODULE5_SLUG);
    platform.down(true);
    await start(learner, module5.quizId);
    await deliver();
    expect(scoresOf(learner.sub)).toHaveLength(0);
    const passback = async () =>
      (
        await db().query(
          `SELECT p.state, p.last_status FROM lti_passbacks p JOIN lti_identities i ON i.user_id = p.user_id
            WHERE i.sub = $1`,
          [learner.sub],
        )
      )[0];
    expect(await passback()).toEqual({ state: 'pending', last_status: 503 });
    const [delivery] = await db().query(
      `SELECT d.state, d.attempts FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE w.kind = 'lti_ags' AND d.ordering_key = (SELECT 'user:' || user_id FROM lti_identities WHERE sub = $1)`,
      [learner.sub],
    );
    expect(delivery).toEqual({ state: 'pending', attempts: 1 });

    platform.down(false);
    // The retry is due (the schedule waits 5 s first; the test does not).
    await db().query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE state = 'pending'`);
    await deliver();
    expect(lastScoreOf(learner.sub)).toMatchObject({ accepted: true, body: { activityProgress: 'Started' } });
    expect(await passback()).toEqual({ state: 'synced', last_status: 204 });
  });

  it('shows instructors each learner’s passback, the platform’s answer when it failed, and sends it again', async () => {
    const learner = await launchLearner('ags-learner-4', 'link-m5', MODULE5_SLUG);
    platform.answerNext({ status: 400, body: '{"error":"invalid score"}' }, { path: /\/scores$/ });
    await start(learner, module5.quizId);
    await deliver();
    const [cohort] = await db().query(`SELECT cohort_id FROM lti_contexts WHERE context_id = 'course-ags'`);
    const teacher = await createUser(t, ['instructor']);
    await request(t.server)
      .post(`/v1/cohorts/${cohort.cohort_id}/members`)
      .set(bearer(admin.token))
      .send({ userId: teacher.id, role: 'instructor' })
      .expect(201);
    const listed = await request(t.server)
      .get(`/v1/cohorts/${cohort.cohort_id}/lti-passbacks`)
      .set(bearer(teacher.token))
      .expect(200);
    // Failed first.
    expect(listed.body.items[0]).toMatchObject({
      platformUserId: learner.sub,
      moduleSlug: MODULE5_SLUG,
      state: 'failed',
      lastStatus: 400,
      lastResponse: expect.stringContaining('invalid score'),
    });
    const userId = listed.body.items[0].userId as string;

    const retried = await request(t.server)
      .post(`/v1/cohorts/${cohort.cohort_id}/lti-passbacks/retry`)
      .set(bearer(teacher.token))
      .send({ userId })
      .expect(202);
    expect(retried.body).toEqual({ queued: 1 });
    await deliver();
    expect(lastScoreOf(learner.sub)).toMatchObject({ accepted: true, body: { activityProgress: 'Started' } });
    const after = await request(t.server)
      .get(`/v1/cohorts/${cohort.cohort_id}/lti-passbacks`)
      .set(bearer(teacher.token))
      .expect(200);
    expect(after.body.items.find((item: { userId: string }) => item.userId === userId)).toMatchObject({
      state: 'synced',
    });

    // Only those who teach the cohort.
    const stranger = await createUser(t, ['instructor']);
    await request(t.server)
      .get(`/v1/cohorts/${cohort.cohort_id}/lti-passbacks`)
      .set(bearer(stranger.token))
      .expect(404);
    const pupil = await createUser(t, ['learner']);
    await request(t.server).get(`/v1/cohorts/${cohort.cohort_id}/lti-passbacks`).set(bearer(pupil.token)).expect(403);
  });

  it('queues nothing for learners who did not come in by a launch', async () => {
    const direct = await createUser(t, ['learner']);
    await request(t.server).post(`/v1/quizzes/${small.quizId}/attempts`).set(bearer(direct.token)).send({}).expect(201);
    const [{ count }] = await db().query(
      `SELECT count(*)::int AS count FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE w.kind = 'lti_ags' AND d.ordering_key = $1`,
      [`user:${direct.id}`],
    );
    expect(count).toBe(0);
  });
});
