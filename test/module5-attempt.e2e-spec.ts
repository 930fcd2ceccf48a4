import request from 'supertest';
import type { QuestionDefinition } from '../src/content/question.types';
import { createTestApp, type TestApp } from './support/app';
import { importModule, keyResponse, MODULE5_ANSWERS, MODULE5_MARKDOWN, MODULE5_SLUG } from './support/content';
import { bearer, createUser, type TestUser } from './support/identity';

/**
 * Module 5's knowledge check as a learner takes it: 24 of its 42 questions per attempt (the 6
 * knowledge-check questions and 2 drawn from each of the 9 sections), 3 attempts, highest counts.
 */
describe('Module 5 knowledge check, a learner’s full path (e2e)', () => {
  let t: TestApp;
  let quizId: string;
  let learner: TestUser;
  let definitions: Map<string, QuestionDefinition>;

  beforeAll(async () => {
    t = await createTestApp();
    const imported = await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
    quizId = imported.quizId;
    const quiz = await request(t.server)
      .get(`/v1/modules/${MODULE5_SLUG}/quiz?include=answers`)
      .set(bearer(imported.admin.token))
      .expect(200);
    definitions = new Map(
      quiz.body.questions.map((q: { versionId: string; definition: QuestionDefinition }) => [
        q.versionId,
        q.definition,
      ]),
    );
    learner = await createUser(t, ['learner']);
  });
  afterAll(() => t.close());

  const attemptsUrl = () => `/v1/quizzes/${quizId}/attempts`;

  it('scores a perfect first attempt, keeps the highest, and refuses a fourth attempt', async () => {
    const first = (await request(t.server).post(attemptsUrl()).set(bearer(learner.token)).send({}).expect(201)).body;
    expect(first.questions).toHaveLength(24);
    // Shuffled for this attempt, the same on every read of it.
    const again = (await request(t.server).get(`/v1/attempts/${first.id}`).set(bearer(learner.token)).expect(200)).body;
    expect(again.questions.map((q: { questionVersionId: string }) => q.questionVersionId)).toEqual(
      first.questions.map((q: { questionVersionId: string }) => q.questionVersionId),
    );

    const answers = first.questions.map((q: { questionVersionId: string }) => ({
      questionVersionId: q.questionVersionId,
      response: keyResponse(definitions.get(q.questionVersionId)!),
    }));
    await request(t.server)
      .put(`/v1/attempts/${first.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses: answers.slice(0, 20) })
      .expect(200);
    await request(t.server)
      .put(`/v1/attempts/${first.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses: answers.slice(20) })
      .expect(200);
    const scored = (
      await request(t.server).post(`/v1/attempts/${first.id}/submit`).set(bearer(learner.token)).send({}).expect(200)
    ).body;
    // The bank's essays this attempt drew wait for a person; everything else scores full marks.
    const shown = first.questions.map((q: { questionVersionId: string }) => definitions.get(q.questionVersionId)!);
    const essays = shown.filter((d: QuestionDefinition) => d.type === 'essay');
    const autoMax = shown
      .filter((d: QuestionDefinition) => d.type !== 'essay')
      .reduce((sum: number, d: QuestionDefinition) => sum + d.points, 0);
    const max = shown.reduce((sum: number, d: QuestionDefinition) => sum + d.points, 0);
    expect(scored.state).toBe(essays.length > 0 ? 'pending_grading' : 'graded');
    expect(scored.score).toMatchObject({ raw: autoMax, max, pending: essays.length });
    // Review policy `answers`, `immediately`: right answers and explanations come with the result.
    const withAnswers = scored.results.filter((r: { rightAnswer?: unknown }) => r.rightAnswer !== undefined);
    expect(withAnswers.length).toBe(24 - essays.length);
    expect(
      scored.results.every((r: { correctness?: string }) => r.correctness === 'correct' || r.correctness === 'pending'),
    ).toBe(true);

    const second = (await request(t.server).post(attemptsUrl()).set(bearer(learner.token)).send({}).expect(201)).body;
    expect(second.number).toBe(2);
    const blank = (
      await request(t.server).post(`/v1/attempts/${second.id}/submit`).set(bearer(learner.token)).send({}).expect(200)
    ).body;
    expect(blank.score).toMatchObject({ raw: 0, passed: false });

    const third = (await request(t.server).post(attemptsUrl()).set(bearer(learner.token)).send({}).expect(201)).body;
    await request(t.server).post(`/v1/attempts/${third.id}/submit`).set(bearer(learner.token)).send({}).expect(200);
    const refused = await request(t.server).post(attemptsUrl()).set(bearer(learner.token)).send({}).expect(409);
    expect(refused.body.type).toBe('/problems/attempt-limit-reached');

    const list = await request(t.server)
      .get(`/v1/users/me/attempts?quizId=${quizId}`)
      .set(bearer(learner.token))
      .expect(200);
    expect(list.body.items.map((a: { number: number }) => a.number)).toEqual([1, 2, 3]);
    // An attempt 1 that drew an essay waits for it to be graded, so it does not count yet: attempts 2 and 3
    // do (0, the earlier wins). One that drew none counted from its submit.
    const waits = essays.length > 0;
    expect(list.body.grades).toEqual([
      expect.objectContaining({
        gradingMethod: 'highest',
        attemptNumber: waits ? 2 : 1,
        scaled: waits ? 0 : 1,
        passed: !waits,
        attemptsUsed: 3,
      }),
    ]);

    if (waits) await gradeEssays(first.id, scored.questions);
    const after = await request(t.server)
      .get(`/v1/users/me/attempts?quizId=${quizId}`)
      .set(bearer(learner.token))
      .expect(200);
    expect(after.body.grades).toEqual([expect.objectContaining({ attemptNumber: 1, scaled: 1, passed: true })]);
  });

  async function gradeEssays(
    attemptId: string,
    questions: { questionVersionId: string; question: { type: string } }[],
  ) {
    const instructor = await createUser(t, ['admin']);
    const grades = questions
      .filter((q: { question: { type: string } }) => q.question.type === 'essay')
      .map((q: { questionVersionId: string }) => ({
        questionVersionId: q.questionVersionId,
        score: definitions.get(q.questionVersionId)!.points,
        reason: 'Covers every point of the rubric',
      }));
    const graded = await request(t.server)
      .post(`/v1/attempts/${attemptId}/grades`)
      .set(bearer(instructor.token))
      .send({ grades })
      .expect(200);
    expect(graded.body).toMatchObject({ state: 'graded', score: { scaled: 1, passed: true, pending: 0 } });
  }
});
