import type { QuestionDefinition, ResponseValue } from '../../src/content/question.types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { TestApp } from './app';
import { bearer, createUser } from './identity';

export const MODULE5_SLUG = '05-monitoring-logging-and-incident-response';
const SEEDS = join(__dirname, '..', '..', 'seeds', 'modules');
export const MODULE5_MARKDOWN = readFileSync(join(SEEDS, '05_Monitoring_Logging_and_Incident_Response.md'), 'utf8');
export const MODULE5_ANSWERS = readFileSync(
  join(SEEDS, '05_Monitoring_Logging_and_Incident_Response.answers.yaml'),
  'utf8',
);
/**
 * Module 5's key without its question pools, so that every attempt shows all 42 questions: for
 * tests that need each question type (an essay, a numeric question) in one attempt.
 */
export const MODULE5_ANSWERS_ALL_QUESTIONS = MODULE5_ANSWERS.replace(/\n {2}pools:\n(?: {4}- .*\n)+/, '\n');
if (MODULE5_ANSWERS_ALL_QUESTIONS === MODULE5_ANSWERS) throw new Error('test setup: no pools in Module 5’s key');

/** Imports a module through the API as an admin; returns its id, slug and quiz id. */
export async function importModule(t: TestApp, markdown: string, answerKey?: string) {
  const admin = await createUser(t, ['admin']);
  const imported = await request(t.server)
    .post('/v1/modules/import')
    .set(bearer(admin.token))
    .send({ markdown, ...(answerKey ? { answerKey } : {}) });
  if (imported.status >= 300) throw new Error(`import failed: ${imported.status} ${JSON.stringify(imported.body)}`);
  const slug = imported.body.module.slug as string;
  const detail = await request(t.server).get(`/v1/modules/${slug}`).set(bearer(admin.token)).expect(200);
  return { moduleId: detail.body.id as string, slug, quizId: detail.body.knowledgeCheck.quizId as string, admin };
}

/** A small module of our own for attempt tests: 1 activity, 3 knowledge-check questions. */
export function smallModule(number = 9) {
  return [
    `# Module ${number}: Test Module`,
    '',
    '## Learning Objectives',
    '- Know the basics',
    '',
    '## 1. Basics',
    '',
    '### Facts',
    'A is right and the sky is blue.',
    '',
    '## Hands-On Activities',
    '',
    '### Activity 1: Do it',
    '1. Step one',
    '2. Step two',
    '',
    '## Knowledge Check',
    '',
    '1. Which letter is right?',
    '2. Is the sky blue?',
    '3. Describe the basics in your own words.',
    '',
    '**Module Completion Checklist:**',
    '- [ ] Completed Activity 1: Do it',
    '',
  ].join('\n');
}

export interface SmallKeyOptions {
  attemptsAllowed?: number;
  timeLimitMinutes?: number;
  gracePeriodSeconds?: number;
  show?: 'score' | 'correctness' | 'answers';
  when?: 'immediately' | 'after_last_attempt';
  correct?: 'a' | 'b';
  minimumWaitMinutes?: number;
  /** More lines of the `quiz:` mapping, indented as they are (e.g. `  dueAt: 2030-01-08T17:00:00Z`). */
  quizLines?: string[];
}

/** An answer key for smallModule(): kc-1 single choice, kc-2 true/false; kc-3 stays an essay. */
export function smallAnswerKey(options: SmallKeyOptions = {}) {
  return [
    'format: 1',
    'quiz:',
    `  attemptsAllowed: ${options.attemptsAllowed ?? 2}`,
    '  gradingMethod: highest',
    '  passMark: 0.6',
    ...(options.timeLimitMinutes ? [`  timeLimitMinutes: ${options.timeLimitMinutes}`] : []),
    `  gracePeriodSeconds: ${options.gracePeriodSeconds ?? 30}`,
    `  minimumWaitMinutes: ${options.minimumWaitMinutes ?? 0}`,
    ...(options.quizLines ?? []),
    '  review:',
    `    show: ${options.show ?? 'answers'}`,
    `    when: ${options.when ?? 'after_last_attempt'}`,
    'questions:',
    '  - id: kc-1',
    '    knowledgeCheck: 1',
    '    section: 1',
    '    type: single_choice',
    '    choices:',
    '      - { id: a, text: A, feedback: A is right. }',
    '      - { id: b, text: B, feedback: B is not. }',
    `    correct: ${options.correct ?? 'a'}`,
    '    explanation: The module says A is right.',
    '  - id: kc-2',
    '    knowledgeCheck: 2',
    '    section: 1',
    '    type: true_false',
    '    correct: true',
    '    explanation: The module says the sky is blue.',
    '',
  ].join('\n');
}

/** Answers to smallModule()'s questions as an attempt presents them: right with 'a', kc-1 wrong with 'b'. */
export function smallModuleAnswers(
  questions: { questionVersionId: string; question: { type: string } }[],
  correct: 'a' | 'b' = 'a',
) {
  return questions.map(({ questionVersionId, question }) => ({
    questionVersionId,
    response:
      question.type === 'single_choice'
        ? { type: 'single_choice', choiceId: correct }
        : question.type === 'true_false'
          ? { type: 'true_false', value: true }
          : { type: 'essay', text: 'A is right; the sky is blue.' },
  }));
}

/** The response that scores full marks (an essay gets some text: a person grades it). */
export function keyResponse(definition: QuestionDefinition): ResponseValue {
  switch (definition.type) {
    case 'single_choice':
      return { type: 'single_choice', choiceId: definition.correct };
    case 'multiple_choice':
      return { type: 'multiple_choice', choiceIds: [...definition.correct] };
    case 'true_false':
      return { type: 'true_false', value: definition.correct };
    case 'short_text':
      return {
        type: 'short_text',
        text: definition.accepted[0] ?? definition.keywordGroups?.map((g) => g[0]).join(' ') ?? '',
      };
    case 'numeric':
      return { type: 'numeric', value: definition.answer };
    case 'ordering':
      return { type: 'ordering', order: [...definition.correctOrder] };
    case 'matching':
      return { type: 'matching', pairs: { ...definition.pairs } };
    case 'essay':
      return { type: 'essay', text: 'An answer for a person to grade.' };
  }
}

/** A module's question definitions with their keys (read as an admin), by question version id. */
export async function questionDefinitions(t: TestApp, slug: string, adminToken: string) {
  const quiz = await request(t.server)
    .get(`/v1/modules/${slug}/quiz?include=answers`)
    .set(bearer(adminToken))
    .expect(200);
  return new Map(
    (quiz.body.questions as { versionId: string; definition: QuestionDefinition }[]).map((q) => [
      q.versionId,
      q.definition,
    ]),
  );
}
