import request from 'supertest';
import { createTestApp, type TestApp } from './support/app';
import { importModule, smallAnswerKey, smallModule } from './support/content';
import { bearer, createClient, createUser, type TestUser } from './support/identity';

const RUBRIC = 'Full marks for naming A as right and the sky as blue, one point for each.';
/** smallModule()'s key with its essay (kc-3) keyed: two points and a rubric for the grader. */
const keyWithRubric = () =>
  smallAnswerKey({ attemptsAllowed: 3, when: 'immediately' }) +
  [
    '  - id: kc-3',
    '    knowledgeCheck: 3',
    '    section: 1',
    '    type: essay',
    '    points: 2',
    `    rubric: ${RUBRIC}`,
    '',
  ].join('\n');

interface QueueItem {
  attemptId: string;
  attemptNumber: number;
  learner: { id: string; displayName: string };
  quizId: string;
  questionVersionId: string;
  position: number;
  questionType: string;
  prompt: string;
  answer: string | null;
  rubric: string | null;
  maxScore: number;
  submittedAt: string;
}

describe('the grading queue of a cohort (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let teacher: TestUser;
  let otherTeacher: TestUser;
  let learners: TestUser[];
  let cohortId: string;
  let first: { quizId: string };
  let second: { quizId: string };
  let otherModuleQuiz: string;

  const queue = (as: { token: string }, query: Record<string, string | number> = {}) =>
    request(t.server).get(`/v1/cohorts/${cohortId}/grading-queue`).query(query).set(bearer(as.token));

  /** Takes the quiz as `learner`: kc-1 and kc-2 right, the essay answered with `essay`. */
  async function submit(learner: TestUser, quizId: string, essay: string) {
    const attempt = (
      await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201)
    ).body as { id: string; questions: { questionVersionId: string; question: { type: string } }[] };
    const responses = attempt.questions.map(({ questionVersionId, question }) => ({
      questionVersionId,
      response:
        question.type === 'single_choice'
          ? { type: 'single_choice', choiceId: 'a' }
          : question.type === 'true_false'
            ? { type: 'true_false', value: true }
            : { type: 'essay', text: essay },
    }));
    await request(t.server)
      .put(`/v1/attempts/${attempt.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses })
      .expect(200);
    const done = await request(t.server)
      .post(`/v1/attempts/${attempt.id}/submit`)
      .set(bearer(learner.token))
      .send({})
      .expect(200);
    expect(done.body.state).toBe('pending_grading');
    return attempt.id;
  }

  let attempts: string[];

  beforeAll(async () => {
    t = await createTestApp();
    const one = await importModule(t, smallModule(6), keyWithRubric());
    const two = await importModule(t, smallModule(7), keyWithRubric());
    const three = await importModule(t, smallModule(8), keyWithRubric());
    admin = one.admin;
    first = one;
    second = two;
    otherModuleQuiz = three.quizId;
    teacher = await createUser(t, ['instructor']);
    otherTeacher = await createUser(t, ['instructor']);
    learners = [await createUser(t), await createUser(t), await createUser(t)];
    cohortId = (
      await request(t.server)
        .post('/v1/cohorts')
        .set(bearer(admin.token))
        .send({ name: 'Graded', moduleIds: [one.moduleId, two.moduleId] })
        .expect(201)
    ).body.id;
    const otherCohort = (
      await request(t.server)
        .post('/v1/cohorts')
        .set(bearer(admin.token))
        .send({ name: 'Elsewhere', moduleIds: [one.moduleId] })
        .expect(201)
    ).body.id;
    const add = (cohort: string, userId: string, role: string) =>
      request(t.server)
        .post(`/v1/cohorts/${cohort}/members`)
        .set(bearer(admin.token))
        .send({ userId, role })
        .expect(201);
    await add(cohortId, teacher.id, 'instructor');
    await add(otherCohort, otherTeacher.id, 'instructor');
    for (const learner of learners) await add(cohortId, learner.id, 'learner');

    // In this order: learner 0, 1, 2 on the first module's quiz, then learner 2 on the second's.
    attempts = [];
    for (const [index, learner] of learners.entries()) {
      attempts.push(await submit(learner, first.quizId, `Essay <script>alert(${index})</script> by learner ${index}`));
    }
    attempts.push(await submit(learners[2], second.quizId, 'On the second module'));
  });
  afterAll(() => t.close());

  it('lists the waiting essays oldest submitted first, with the prompt, the answer, the rubric and the maximum', async () => {
    const res = await queue(teacher).expect(200);
    expect(res.body.cohortId).toBe(cohortId);
    expect(res.body.nextCursor).toBeNull();
    const items = res.body.items as QueueItem[];
    expect(items.map((i) => i.attemptId)).toEqual(attempts);
    expect(items.map((i) => i.learner.id)).toEqual([learners[0].id, learners[1].id, learners[2].id, learners[2].id]);
    const times = items.map((i) => Date.parse(i.submittedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(items[0]).toMatchObject({
      attemptNumber: 1,
      quizId: first.quizId,
      questionType: 'essay',
      prompt: 'Describe the basics in your own words.',
      answer: 'Essay <script>alert(0)</script> by learner 0',
      rubric: RUBRIC,
      maxScore: 2,
      learner: { displayName: expect.any(String) },
    });
    expect(items[3]).toMatchObject({ quizId: second.quizId, answer: 'On the second module' });
    // The learner's own view of the attempt holds no rubric.
    const own = await request(t.server).get(`/v1/attempts/${attempts[0]}`).set(bearer(learners[0].token)).expect(200);
    expect(JSON.stringify(own.body)).not.toContain(RUBRIC);
  });

  it('pages by limit and cursor, and a grade between pages skips nothing', async () => {
    const one = await queue(teacher, { limit: 1 }).expect(200);
    expect(one.body.items).toHaveLength(1);
    expect(one.body.nextCursor).toEqual(expect.any(String));
    const all: QueueItem[] = [...one.body.items];
    let cursor: string | null = one.body.nextCursor;
    while (cursor) {
      const page = await queue(teacher, { limit: 1, cursor }).expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(all.map((i) => i.attemptId)).toEqual(attempts);

    await queue(teacher, { cursor: 'not-a-cursor' }).expect(400);
    await queue(teacher, { limit: 0 }).expect(400);
    await queue(teacher, { limit: 101 }).expect(400);
  });

  it('filters by quiz, and refuses a quiz that is not the cohort’s', async () => {
    const onlySecond = await queue(teacher, { quiz: second.quizId }).expect(200);
    expect(onlySecond.body.items.map((i: QueueItem) => i.attemptId)).toEqual([attempts[3]]);
    const onlyFirst = await queue(teacher, { quiz: first.quizId }).expect(200);
    expect(onlyFirst.body.items.map((i: QueueItem) => i.attemptId)).toEqual(attempts.slice(0, 3));
    await queue(teacher, { quiz: otherModuleQuiz }).expect(404);
    await queue(teacher, { quiz: 'not-a-uuid' }).expect(400);
  });

  it('lets the cohort’s staff and cohort-reading clients read it; another cohort’s instructor gets 404, a learner 403', async () => {
    await queue(admin).expect(200);
    const reader = await createClient(t, ['cohorts:read']);
    expect((await queue(reader).expect(200)).body.items).toHaveLength(4);
    const writerOfAttempts = await createClient(t, ['attempts:write']);
    await queue(writerOfAttempts).expect(403);
    await queue(otherTeacher).expect(404);
    await queue(learners[0]).expect(403);
    await request(t.server).get(`/v1/cohorts/${cohortId}/grading-queue`).expect(401);
    await request(t.server)
      .get('/v1/cohorts/00000000-0000-4000-8000-000000000000/grading-queue')
      .set(bearer(teacher.token))
      .expect(404);
  });

  it('takes a graded essay out of the queue; the next page after a grade misses none', async () => {
    const page1 = await queue(teacher, { limit: 2 }).expect(200);
    const [a, b] = page1.body.items as QueueItem[];
    for (const item of [a, b]) {
      const graded = await request(t.server)
        .post(`/v1/attempts/${item.attemptId}/grades`)
        .set(bearer(teacher.token))
        .send({ grades: [{ questionVersionId: item.questionVersionId, score: 1.5, reason: 'Names A, not the sky' }] })
        .expect(200);
      expect(graded.body.state).toBe('graded');
    }
    const page2 = await queue(teacher, { limit: 2, cursor: page1.body.nextCursor }).expect(200);
    expect(page2.body.items.map((i: QueueItem) => i.attemptId)).toEqual(attempts.slice(2));
    const rest = await queue(teacher).expect(200);
    expect(rest.body.items.map((i: QueueItem) => i.attemptId)).toEqual(attempts.slice(2));
    // An override of a graded essay does not bring it back.
    await request(t.server)
      .post(`/v1/attempts/${a.attemptId}/grades`)
      .set(bearer(teacher.token))
      .send({ grades: [{ questionVersionId: a.questionVersionId, score: 2, reason: 'Second reading' }] })
      .expect(200);
    expect((await queue(teacher).expect(200)).body.items).toHaveLength(2);
  });
});
