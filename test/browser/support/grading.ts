import request from 'supertest';
import type { QuestionDefinition, ResponseValue } from '../../../src/content/question.types';
import { keyResponse, questionDefinitions } from '../../support/content';
import { bearer, type TestUser } from '../../support/identity';
import type { Course } from './fixtures';
import type { BrowserServer } from './server';

/** Makes `instructor` teach the course's cohort, as an admin would. */
export async function teachCohort(server: BrowserServer, course: Course, instructor: TestUser) {
  await request(server.server)
    .post(`/v1/cohorts/${course.cohortId}/members`)
    .set(bearer(course.admin.token))
    .send({ userId: instructor.id, role: 'instructor' })
    .expect(201);
}

/**
 * Takes the course's quiz as `learner` through the API: every question answered right by the key,
 * except the essays: `essays(definition)` gives each essay's text (null leaves it blank, so it
 * scores 0 and waits for nobody). Returns the submitted attempt's id and its questions.
 */
export async function submitAttempt(
  server: BrowserServer,
  course: Course,
  learner: TestUser,
  essays: (definition: QuestionDefinition) => string | null,
) {
  const definitions = await questionDefinitions(server, course.slug, course.admin.token);
  const attempt = (
    await request(server.server)
      .post(`/v1/quizzes/${course.quizId}/attempts`)
      .set(bearer(learner.token))
      .send({})
      .expect(201)
  ).body as { id: string; questions: { questionVersionId: string }[] };
  const responses = attempt.questions.map(({ questionVersionId }) => {
    const definition = definitions.get(questionVersionId)!;
    let response: ResponseValue | null = keyResponse(definition);
    if (definition.type === 'essay') {
      const text = essays(definition);
      response = text === null ? null : { type: 'essay', text };
    }
    return { questionVersionId, response };
  });
  await request(server.server)
    .put(`/v1/attempts/${attempt.id}/responses`)
    .set(bearer(learner.token))
    .send({ responses })
    .expect(200);
  const submitted = await request(server.server)
    .post(`/v1/attempts/${attempt.id}/submit`)
    .set(bearer(learner.token))
    .send({})
    .expect(200);
  return { attemptId: attempt.id, state: submitted.body.state as string, definitions };
}

export interface StaffAttemptView {
  id: string;
  state: string;
  userId: string;
  score: { raw: number; max: number; scaled: number; passed: boolean | null; pending: number } | null;
  questions: { questionVersionId: string; position: number; question: { type: string; points: number } }[];
  results: { questionVersionId: string; score?: number | null; correctness?: string }[];
}

export async function staffAttempt(server: BrowserServer, attemptId: string, token: string) {
  return (await request(server.server).get(`/v1/attempts/${attemptId}`).set(bearer(token)).expect(200))
    .body as StaffAttemptView;
}

/** The cohort's score histogram (GET /v1/cohorts/{id}/progress, summary.histogram: 10 bins). */
export async function cohortHistogram(server: BrowserServer, course: Course): Promise<number[]> {
  const res = await request(server.server)
    .get(`/v1/cohorts/${course.cohortId}/progress`)
    .set(bearer(course.admin.token))
    .expect(200);
  return res.body.summary.histogram as number[];
}

/** The cohort's grading queue through the API. */
export async function gradingQueue(server: BrowserServer, course: Course, token: string) {
  const res = await request(server.server)
    .get(`/v1/cohorts/${course.cohortId}/grading-queue`)
    .set(bearer(token))
    .expect(200);
  return res.body.items as { attemptId: string; questionVersionId: string; answer: string | null }[];
}

/** The histogram bin a scaled score falls in: [0, 0.1), …, [0.9, 1]. */
export const binOf = (scaled: number) => Math.min(9, Math.floor(scaled * 10));
