import request from 'supertest';
import { Clock } from '../../../src/common/clock';
import { bearer, createUser, type TestUser } from '../../support/identity';
import type { BrowserServer } from './server';

/**
 * A module for the instructor's pages: one activity of two steps and a
 * knowledge check of three self-scoring questions, one attempt each, so that
 * a wrong answer leaves a learner "failed". kc-3's key (false) is what the
 * weaker learners pick, so it discriminates negatively.
 */
export const TEACH_MODULE = [
  '# Module 7: Cohort Reports',
  '',
  '## Learning Objectives',
  '- Read a cohort report',
  '',
  '## 1. Reports',
  'A is right; the sky is blue; the moon is not cheese.',
  '',
  '## Hands-On Activities',
  '### Activity 1: Read a report',
  '1. Open the dashboard',
  '2. Find a learner',
  '',
  '## Knowledge Check',
  '1. Which letter is right?',
  '2. Is the sky blue?',
  '3. Is the moon made of cheese?',
  '',
  '**Module Completion Checklist:**',
  '- [ ] Completed Activity 1: Read a report',
  '',
].join('\n');

export const TEACH_KEY = [
  'format: 1',
  'quiz: { attemptsAllowed: 1, passMark: 0.5, review: { show: answers, when: immediately } }',
  'questions:',
  '  - { id: kc-1, knowledgeCheck: 1, section: 1, type: single_choice, correct: a,',
  '      choices: [{ id: a, text: Letter A }, { id: b, text: Letter B }, { id: c, text: Letter C }] }',
  '  - { id: kc-2, knowledgeCheck: 2, section: 1, type: true_false, correct: true }',
  '  - { id: kc-3, knowledgeCheck: 3, section: 1, type: true_false, correct: false }',
  '',
].join('\n');

export interface Answers {
  kc1: 'a' | 'b' | 'c';
  kc2: boolean;
  kc3: boolean;
}

/** Starts, answers and submits the learner's attempt through the API; returns the attempt's id. */
export async function takeQuiz(server: BrowserServer, user: TestUser, quizId: string, answers: Answers) {
  const attempt = (
    await request(server.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(user.token)).send({}).expect(201)
  ).body as { id: string; questions: { questionVersionId: string; question: { type: string; prompt: string } }[] };
  const responses = attempt.questions.map(({ questionVersionId, question }) => ({
    questionVersionId,
    response:
      question.type === 'single_choice'
        ? { type: 'single_choice', choiceId: answers.kc1 }
        : { type: 'true_false', value: /sky/.test(question.prompt) ? answers.kc2 : answers.kc3 },
  }));
  await request(server.server)
    .put(`/v1/attempts/${attempt.id}/responses`)
    .set(bearer(user.token))
    .send({ responses })
    .expect(200);
  await request(server.server).post(`/v1/attempts/${attempt.id}/submit`).set(bearer(user.token)).send({}).expect(200);
  return attempt.id;
}

export const rename = (server: BrowserServer, user: TestUser, displayName: string) =>
  request(server.server).patch('/v1/users/me').set(bearer(user.token)).send({ displayName }).expect(200);

export async function tick(server: BrowserServer, user: TestUser, stepId: string, daysAgo = 0) {
  const clock = daysAgo
    ? jest.spyOn(server.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() - daysAgo * 86_400_000))
    : null;
  try {
    await request(server.server)
      .put(`/v1/users/me/steps/${stepId}`)
      .set(bearer(user.token))
      .send({ done: true })
      .expect(200);
  } finally {
    clock?.mockRestore();
  }
}

export async function stepIds(server: BrowserServer, slug: string, token: string): Promise<string[]> {
  const detail = (await request(server.server).get(`/v1/modules/${slug}`).set(bearer(token)).expect(200)).body as {
    activities: { steps: { id: string }[] }[];
  };
  return detail.activities.flatMap((a) => a.steps.map((s) => s.id));
}

/** An instructor who teaches the cohort (instructors see only the cohorts they are members of). */
export async function instructorOf(server: BrowserServer, cohortId: string, adminToken: string): Promise<TestUser> {
  const instructor = await createUser(server, ['instructor']);
  await request(server.server)
    .post(`/v1/cohorts/${cohortId}/members`)
    .set(bearer(adminToken))
    .send({ userId: instructor.id, role: 'instructor' })
    .expect(201);
  return instructor;
}
