import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { analyseItems } from '../src/cohorts/reports/item-analysis';
import { createTestApp, type TestApp } from './support/app';
import { importModule, smallAnswerKey, smallModule } from './support/content';
import { bearer, createUser, type TestUser } from './support/identity';
import { itemAnalysisInput } from './support/item-analysis-input';

/** smallModule()'s key with its essay (kc-3) worth two points. */
const ESSAY_KEY =
  smallAnswerKey({ attemptsAllowed: 3, when: 'immediately' }) +
  ['  - id: kc-3', '    knowledgeCheck: 3', '    section: 1', '    type: essay', '    points: 2', ''].join('\n');

/** A quiz that scores itself (kc-1 single choice, right: a; kc-2 true/false, right: true), latest attempt counts. */
const AUTO_MODULE = [
  '# Module 4: Reporting Basics',
  '',
  '## 1. Basics',
  'A is right; the claim is true.',
  '',
  '## Knowledge Check',
  '1. Which is right?',
  '2. Is the claim true?',
  '',
].join('\n');
const autoKey = (correct: 'a' | 'b') =>
  [
    'format: 1',
    'quiz: { attemptsAllowed: 3, gradingMethod: latest, passMark: 0.5, review: { show: answers, when: immediately } }',
    'questions:',
    `  - { id: kc-1, knowledgeCheck: 1, section: 1, type: single_choice, correct: ${correct},`,
    '      choices: [{ id: a, text: A }, { id: b, text: B }] }',
    '  - { id: kc-2, knowledgeCheck: 2, section: 1, type: true_false, correct: true }',
    '',
  ].join('\n');

interface Item {
  questionKey: string;
  facility: number | null;
  responses: number;
}

/**
 * The item analysis is kept per cohort and quiz and served while its inputs are unchanged: every
 * change that alters the report (a grade, an override, a regrade, the roster, a new attempt) shows
 * in the very next response, and what is served is always what a computation afresh gives.
 */
describe('the kept item analysis (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let teacher: TestUser;
  let otherTeacher: TestUser;
  let learners: TestUser[];
  let cohortId: string;
  let otherCohortId: string;
  let essay: Awaited<ReturnType<typeof importModule>>;
  let auto: Awaited<ReturnType<typeof importModule>>;

  const analysis = async (quizId: string, cohort = cohortId, as = teacher) => {
    const res = await request(t.server)
      .get(`/v1/cohorts/${cohort}/quizzes/${quizId}/item-analysis`)
      .set(bearer(as.token))
      .expect(200);
    // What is served agrees with the pure implementation over the responses as stored now.
    const method = quizId === auto.quizId ? 'latest' : 'highest';
    const { rows, choices } = await itemAnalysisInput(t.app.get(DataSource).manager, cohort, quizId, method);
    const { cohortId: _cohort, quizId: _quiz, ...served } = res.body;
    expect(served).toEqual(JSON.parse(JSON.stringify(analyseItems(rows, choices))));
    return res.body as { learners: number; items: Item[]; quiz: { mean: number | null } };
  };
  const item = (report: { items: Item[] }, key: string) => report.items.find((i) => i.questionKey === key)!;

  /** Takes a quiz as `learner`: kc-1 answered `letter`, kc-2 true, the essay (if any) some text. */
  async function submit(learner: TestUser, quizId: string, letter: 'a' | 'b') {
    const attempt = (
      await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201)
    ).body as { id: string; questions: { questionVersionId: string; question: { type: string } }[] };
    const responses = attempt.questions.map(({ questionVersionId, question }) => ({
      questionVersionId,
      response:
        question.type === 'single_choice'
          ? { type: 'single_choice', choiceId: letter }
          : question.type === 'true_false'
            ? { type: 'true_false', value: true }
            : { type: 'essay', text: 'A is right.' },
    }));
    await request(t.server)
      .put(`/v1/attempts/${attempt.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses })
      .expect(200);
    await request(t.server).post(`/v1/attempts/${attempt.id}/submit`).set(bearer(learner.token)).send({}).expect(200);
    return { id: attempt.id, versionOf: (type: string) => attempt.questions.find((q) => q.question.type === type)! };
  }
  const grade = (attemptId: string, questionVersionId: string, score: number) =>
    request(t.server)
      .post(`/v1/attempts/${attemptId}/grades`)
      .set(bearer(teacher.token))
      .send({ grades: [{ questionVersionId, score, reason: 'Read and marked' }] })
      .expect(200);
  const addMember = (cohort: string, userId: string, role = 'learner') =>
    request(t.server).post(`/v1/cohorts/${cohort}/members`).set(bearer(admin.token)).send({ userId, role }).expect(201);

  beforeAll(async () => {
    t = await createTestApp();
    essay = await importModule(t, smallModule(6), ESSAY_KEY);
    auto = await importModule(t, AUTO_MODULE, autoKey('a'));
    admin = essay.admin;
    teacher = await createUser(t, ['instructor']);
    otherTeacher = await createUser(t, ['instructor']);
    learners = await Promise.all([0, 1, 2, 3, 4].map(() => createUser(t)));
    const cohort = async (name: string) =>
      (
        await request(t.server)
          .post('/v1/cohorts')
          .set(bearer(admin.token))
          .send({ name, moduleIds: [essay.moduleId, auto.moduleId] })
          .expect(201)
      ).body.id as string;
    cohortId = await cohort('Kept');
    otherCohortId = await cohort('Elsewhere');
    await addMember(cohortId, teacher.id, 'instructor');
    await addMember(otherCohortId, otherTeacher.id, 'instructor');
    for (const learner of learners.slice(0, 4)) await addMember(cohortId, learner.id);
    await addMember(otherCohortId, learners[4].id);
  });
  afterAll(() => t.close());

  it('shows each grade of an essay and each override in the next response', async () => {
    const attempts = [];
    for (const learner of learners.slice(0, 4)) attempts.push(await submit(learner, essay.quizId, 'a'));
    // Waiting for a person: no attempt counts yet, however often it is asked.
    expect((await analysis(essay.quizId)).learners).toBe(0);
    expect((await analysis(essay.quizId)).learners).toBe(0);

    const essayVersion = attempts[0].versionOf('essay').questionVersionId;
    await grade(attempts[0].id, essayVersion, 2);
    expect(item(await analysis(essay.quizId), 'kc-3')).toMatchObject({ responses: 1, facility: 1 });
    for (const [index, score] of [0, 1, 2].entries()) await grade(attempts[index + 1].id, essayVersion, score);
    const graded = await analysis(essay.quizId);
    expect(graded.learners).toBe(4);
    expect(item(graded, 'kc-3').facility).toBe(0.625);

    // An override of a question that scored itself.
    await grade(attempts[1].id, attempts[1].versionOf('single_choice').questionVersionId, 0);
    expect(item(await analysis(essay.quizId), 'kc-1').facility).toBe(0.75);
  });

  it('shows a new submitted attempt and a regrade in the next response', async () => {
    await submit(learners[0], auto.quizId, 'a');
    await submit(learners[1], auto.quizId, 'b');
    expect(item(await analysis(auto.quizId), 'kc-1').facility).toBe(0.5);
    // The latest attempt counts: learner 1 again, right this time.
    await submit(learners[1], auto.quizId, 'a');
    expect(item(await analysis(auto.quizId), 'kc-1').facility).toBe(1);
    expect((await analysis(auto.quizId)).learners).toBe(2);

    // The key said A; B was right: re-imported, then every finished attempt scored again.
    await request(t.server)
      .post('/v1/modules/import')
      .set(bearer(admin.token))
      .send({ markdown: AUTO_MODULE, answerKey: autoKey('b') })
      .expect((res) => expect(res.status).toBeLessThan(300));
    await request(t.server).post(`/v1/quizzes/${auto.quizId}/regrade`).set(bearer(admin.token)).send({}).expect(200);
    expect(item(await analysis(auto.quizId), 'kc-1').facility).toBe(0);
  });

  it('shows a learner leaving and joining the cohort in the next response', async () => {
    await submit(learners[2], auto.quizId, 'b');
    expect((await analysis(auto.quizId)).learners).toBe(3);
    await request(t.server)
      .delete(`/v1/cohorts/${cohortId}/members/${learners[2].id}`)
      .set(bearer(admin.token))
      .expect(204);
    expect((await analysis(auto.quizId)).learners).toBe(2);
    await addMember(cohortId, learners[2].id);
    expect((await analysis(auto.quizId)).learners).toBe(3);
  });

  it('keeps each cohort’s analysis to itself, and to those who may read the cohort', async () => {
    await submit(learners[4], auto.quizId, 'b');
    const here = await analysis(auto.quizId);
    const there = await analysis(auto.quizId, otherCohortId, otherTeacher);
    expect(there.learners).toBe(1);
    expect(item(there, 'kc-1').facility).toBe(1);
    expect(await analysis(auto.quizId)).toEqual(here);
    for (const [cohort, outsider] of [
      [cohortId, otherTeacher],
      [otherCohortId, teacher],
    ] as const) {
      await request(t.server)
        .get(`/v1/cohorts/${cohort}/quizzes/${auto.quizId}/item-analysis`)
        .set(bearer(outsider.token))
        .expect(404);
    }
  });

  it('computes once for instructors who open the same analysis at the same moment', async () => {
    const db = t.app.get(DataSource);
    // Who the caller is, looked up now (it is kept for seconds), so that the requests go in step.
    await analysis(auto.quizId);
    await db.query('DELETE FROM item_analysis_cache');
    // The first computation cannot keep its result until this lock goes: it is still under way when
    // the other requests have read the stamp.
    const blocker = db.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query('LOCK TABLE item_analysis_cache IN EXCLUSIVE MODE');
    const spy = jest.spyOn(Client.prototype, 'query');
    const isStamp = (sql: unknown) => typeof sql === 'string' && sql.includes('c.stamp = s.value');
    const served = Promise.all(
      [0, 1, 2, 3].map(() =>
        request(t.server)
          .get(`/v1/cohorts/${cohortId}/quizzes/${auto.quizId}/item-analysis`)
          .set(bearer(teacher.token))
          .expect(200)
          .then((res) => res.body as unknown),
      ),
    );
    for (;;) {
      const stamps = spy.mock.calls.filter(([sql]) => isStamp(sql)).length;
      const [activity] = await db.query(
        `SELECT count(*) FILTER (WHERE query LIKE 'INSERT INTO item_analysis_cache%' AND wait_event_type = 'Lock')::int AS storing,
                count(*) FILTER (WHERE query LIKE '%c.stamp = ' || 's.value%' AND state = 'active')::int AS reading
           FROM pg_stat_activity WHERE datname = current_database()`,
      );
      if (stamps === 4 && activity.storing >= 1 && activity.reading === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    await blocker.commitTransaction();
    await blocker.release();
    const bodies = await served;
    const aggregates = spy.mock.calls.filter(([sql]) => typeof sql === 'string' && sql.includes('attempt_rows AS'));
    spy.mockRestore();
    expect(aggregates).toHaveLength(1);
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
  });
});
