import request from 'supertest';
import { importModule } from '../../support/content';
import { bearer, createUser, type TestUser } from '../../support/identity';
import type { BrowserServer } from './server';

export interface Course {
  moduleId: string;
  slug: string;
  quizId: string;
  admin: TestUser;
  cohortId: string;
}

/** Imports a module and opens a cohort on it holding `learners`; as an admin would, through the API. */
export async function courseWith(
  server: BrowserServer,
  markdown: string,
  answerKey: string,
  learners: TestUser[],
): Promise<Course> {
  const imported = await importModule(server, markdown, answerKey);
  const cohort = await request(server.server)
    .post('/v1/cohorts')
    .set(bearer(imported.admin.token))
    .send({ name: `Cohort of ${imported.slug}`, moduleIds: [imported.moduleId] })
    .expect(201);
  const cohortId = cohort.body.id as string;
  for (const learner of learners) {
    await request(server.server)
      .post(`/v1/cohorts/${cohortId}/members`)
      .set(bearer(imported.admin.token))
      .send({ userId: learner.id, role: 'learner' })
      .expect(201);
  }
  return { ...imported, cohortId };
}

export const createLearner = (server: BrowserServer) => createUser(server, ['learner']);

/** An answer key with a time limit added to its quiz, so that the quiz page shows a countdown. */
export function withTimeLimit(answerKey: string, minutes: number): string {
  const timed = answerKey.replace(/^quiz:\n/m, `quiz:\n  timeLimitMinutes: ${minutes}\n`);
  if (timed === answerKey) throw new Error('test setup: no quiz mapping in the answer key');
  return timed;
}

/** An attempt as GET /v1/attempts/{id} returns it (the fields the tests read). */
export interface AttemptView {
  id: string;
  state: string;
  deadlineAt: string | null;
  attemptsUsed: number;
  attemptsAllowed: number | 'unlimited';
  questions: {
    questionVersionId: string;
    position: number;
    question: { type: string; prompt: string };
    response: unknown;
  }[];
}

export async function readAttempt(server: BrowserServer, id: string, token: string): Promise<AttemptView> {
  return (await request(server.server).get(`/v1/attempts/${id}`).set(bearer(token)).expect(200)).body as AttemptView;
}
