import request from 'supertest';
import { createTestApp, type TestApp } from './support/app';
import { findAnswerKeyLeaks, type ReviewPolicy } from './support/answer-key-scan';
import { importModule } from './support/content';
import { bearer, createUser, type TestUser } from './support/identity';

/** A module whose knowledge check asks a short-text and a numeric question. */
function feedbackModule(number: number) {
  return [
    `# Module ${number}: Feedback Module`,
    '',
    '## Learning Objectives',
    '- Know where alarms send their notifications',
    '',
    '## 1. Alarms',
    '',
    '### Notifications',
    'Alarms notify through SNS. GuardDuty findings have three severity levels; Inspector has five.',
    '',
    '## Knowledge Check',
    '',
    '1. Which service do alarms notify through?',
    '2. How many severity levels do GuardDuty findings have?',
    '',
  ].join('\n');
}

const SHORT_TEXT_HINT = 'The "Notifications" subsection names it.';
const NUMERIC_HINT = 'Count severity levels, not services.';

function feedbackKey(show: ReviewPolicy['show']) {
  return `format: 1
quiz:
  attemptsAllowed: 3
  review: { show: ${show}, when: immediately }
questions:
  - id: kc-1
    knowledgeCheck: 1
    section: 1
    type: short_text
    hint: '${SHORT_TEXT_HINT}'
    accepted: [SNS, Amazon SNS]
    wrongFeedback: See "Notifications" in section 1.
    anticipated:
      - { answer: EventBridge, feedback: EventBridge routes events; alarms notify through another service. }
  - id: kc-2
    knowledgeCheck: 2
    section: 1
    type: numeric
    hint: '${NUMERIC_HINT}'
    answer: 3
    wrongFeedback: Count the levels section 1 gives for GuardDuty.
    anticipated:
      - { answer: 5, feedback: Five is the number for Inspector. }
`;
}

type AttemptQuestion = { questionVersionId: string; question: { type: string; prompt: string; hint?: string } };

/** Text present anywhere in a body, keys and values alike: whether key content travelled under another name. */
const textOf = (body: unknown) => JSON.stringify(body);

describe('wrong-answer feedback and hints (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  const policies = new Map<string, ReviewPolicy>();
  const quizzes: Record<'correctness' | 'score', string> = { correctness: '', score: '' };
  let correctnessSlug = '';
  let scoreModuleId = '';

  beforeAll(async () => {
    t = await createTestApp();
    for (const [number, show] of [
      [21, 'correctness'],
      [22, 'score'],
    ] as const) {
      const imported = await importModule(t, feedbackModule(number), feedbackKey(show));
      quizzes[show] = imported.quizId;
      if (show === 'correctness') correctnessSlug = imported.slug;
      else scoreModuleId = imported.moduleId;
      const { quizId, admin: importer } = imported;
      policies.set(quizId, { show, when: 'immediately', attemptsAllowed: 3 });
      admin = importer;
    }
  });
  afterAll(() => t.close());

  /** Starts an attempt, checks what the learner sees while answering, saves `answers` (by type) and submits. */
  async function answerWrongly(learner: TestUser, quizId: string, shortText: string, value: number) {
    const started = await request(t.server)
      .post(`/v1/quizzes/${quizId}/attempts`)
      .set(bearer(learner.token))
      .send({})
      .expect(201);
    const questions = started.body.questions as AttemptQuestion[];
    expect(questions.map((q) => [q.question.type, q.question.hint])).toEqual(
      expect.arrayContaining([
        ['short_text', SHORT_TEXT_HINT],
        ['numeric', NUMERIC_HINT],
      ]),
    );
    for (const view of [
      started.body,
      (await request(t.server).get(`/v1/attempts/${started.body.id}`).set(bearer(learner.token)).expect(200)).body,
    ]) {
      expect(findAnswerKeyLeaks(view, (id) => policies.get(id))).toEqual([]);
      expect(view.results).toEqual([]);
      expect(textOf(view)).not.toMatch(
        /EventBridge routes|Five is the number|See "Notifications"|Count the levels|Amazon SNS/,
      );
    }
    const responses = questions.map(({ questionVersionId, question }) => ({
      questionVersionId,
      response: question.type === 'short_text' ? { type: 'short_text', text: shortText } : { type: 'numeric', value },
    }));
    await request(t.server)
      .put(`/v1/attempts/${started.body.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses })
      .expect(200);
    const submitted = await request(t.server)
      .post(`/v1/attempts/${started.body.id}/submit`)
      .set(bearer(learner.token))
      .send({})
      .expect(200);
    return { id: started.body.id as string, submitted: submitted.body, questions };
  }

  /** The feedback of each result, by question type. */
  function feedbackByType(
    body: { results: { questionVersionId: string; feedback?: string[] }[] },
    questions: AttemptQuestion[],
  ) {
    const typeOf = new Map(questions.map((q) => [q.questionVersionId, q.question.type]));
    return Object.fromEntries(body.results.map((result) => [typeOf.get(result.questionVersionId), result.feedback]));
  }

  it('shows a wrong answer its anticipated feedback, matched after normalisation, when the policy shows feedback', async () => {
    const learner = await createUser(t, ['learner']);
    const { id, submitted, questions } = await answerWrongly(learner, quizzes.correctness, '  event-Bridge!', 5);
    expect(submitted.state).toBe('graded');
    expect(submitted.score).toMatchObject({ raw: 0 });
    expect(feedbackByType(submitted, questions)).toEqual({
      short_text: ['EventBridge routes events; alarms notify through another service.'],
      numeric: ['Five is the number for Inspector.'],
    });
    expect(findAnswerKeyLeaks(submitted, (quizId) => policies.get(quizId))).toEqual([]);
    // The right answers wait for `show: answers`; the review's feedback does not name them.
    expect(submitted.results.every((result: object) => !('rightAnswer' in result))).toBe(true);

    const again = await request(t.server).get(`/v1/attempts/${id}`).set(bearer(learner.token)).expect(200);
    expect(again.body.results).toEqual(submitted.results);
  });

  it('falls back on the general wrong-answer feedback, and gives a right answer none', async () => {
    const learner = await createUser(t, ['learner']);
    const { submitted, questions } = await answerWrongly(learner, quizzes.correctness, 'SQS', 4);
    expect(feedbackByType(submitted, questions)).toEqual({
      short_text: ['See "Notifications" in section 1.'],
      numeric: ['Count the levels section 1 gives for GuardDuty.'],
    });
    const right = await answerWrongly(learner, quizzes.correctness, 'amazon sns', 3);
    expect(feedbackByType(right.submitted, right.questions)).toEqual({ short_text: [], numeric: [] });
  });

  it('hides the feedback from a learner when the policy shows only the score, and shows it to staff', async () => {
    const learner = await createUser(t, ['learner']);
    const { id, submitted, questions } = await answerWrongly(learner, quizzes.score, 'EventBridge', 5);
    expect(submitted.score).toMatchObject({ raw: 0 });
    expect(submitted.results).toHaveLength(2);
    for (const result of submitted.results)
      expect(Object.keys(result).sort()).toEqual(['maxScore', 'questionVersionId', 'score']);
    expect(textOf(submitted)).not.toMatch(/EventBridge routes|Five is the number/);
    expect(findAnswerKeyLeaks(submitted, (quizId) => policies.get(quizId))).toEqual([]);

    // The learner's instructor (through a cohort) and an admin see the feedback the answers earned.
    const instructor = await createUser(t, ['instructor']);
    const cohort = await request(t.server)
      .post('/v1/cohorts')
      .set(bearer(admin.token))
      .send({ name: 'Feedback cohort', moduleIds: [scoreModuleId] })
      .expect(201);
    for (const [user, role] of [
      [learner, 'learner'],
      [instructor, 'instructor'],
    ] as const) {
      await request(t.server)
        .post(`/v1/cohorts/${cohort.body.id}/members`)
        .set(bearer(admin.token))
        .send({ userId: user.id, role })
        .expect(201);
    }
    for (const reader of [instructor, admin]) {
      const staff = await request(t.server).get(`/v1/attempts/${id}`).set(bearer(reader.token)).expect(200);
      expect(feedbackByType(staff.body, questions)).toEqual({
        short_text: ['EventBridge routes events; alarms notify through another service.'],
        numeric: ['Five is the number for Inspector.'],
      });
    }
  });

  it('shows the hint on the quiz a learner reads, without the wrong-answer feedback', async () => {
    const learner = await createUser(t, ['learner']);
    const quiz = await request(t.server)
      .get(`/v1/modules/${correctnessSlug}/quiz`)
      .set(bearer(learner.token))
      .expect(200);
    expect(quiz.body.questions.map((q: { hint?: string }) => q.hint)).toEqual([SHORT_TEXT_HINT, NUMERIC_HINT]);
    expect(findAnswerKeyLeaks(quiz.body, (id) => policies.get(id))).toEqual([]);
    expect(textOf(quiz.body)).not.toMatch(/EventBridge|Five is the number|See "Notifications"/);
  });

  it('re-imports an unchanged key as unchanged, and one with new feedback or a new hint as a changed question', async () => {
    const send = (answerKey: string) =>
      request(t.server)
        .post('/v1/modules/import')
        .set(bearer(admin.token))
        .send({ markdown: feedbackModule(23), answerKey })
        .expect((res) => expect(res.status).toBeLessThan(300));
    const key = feedbackKey('correctness');
    await send(key);
    expect((await send(key)).body).toMatchObject({ status: 'unchanged', changes: { changed: [] } });
    const newFeedback = key.replace(
      '      - { answer: 5, feedback: Five is the number for Inspector. }',
      '      - { answer: 5, feedback: Five is the number for Inspector. }\n      - { answer: 300, feedback: Not a percentage. }',
    );
    expect(newFeedback).not.toBe(key);
    expect((await send(newFeedback)).body.changes.changed).toEqual([
      { kind: 'question', key: 'kc-2', fields: ['definition'] },
    ]);
    const newHint = newFeedback.replace(SHORT_TEXT_HINT, 'Read section 1 again.');
    expect((await send(newHint)).body.changes.changed).toEqual([
      { kind: 'question', key: 'kc-1', fields: ['definition'] },
    ]);
  });
});
