import validateStatement from '@learninglocker/xapi-validation';
import type { QuestionDefinition, ResponseValue } from '../../content/question.types';
import { buildStatements, isoDuration, VERBS, type XapiEvent, type XapiQuestion } from './xapi-statements';
import { uuidV5 } from './uuid-v5';

const settings = { activityBaseUrl: 'https://assess.example.edu', accountHomePage: 'https://lms.example.edu' };
const learner = { id: '6f1c2c55-6a4e-4d8e-9a64-3f1f1b1e0a01', externalId: null as string | null };
const courseModule = { id: '1c1b7c0e-9a0e-4e57-8c43-2b0f7a9d3c11', slug: '05-monitoring' };
const quizId = '9d2f0d3a-57c4-4b39-8a21-0f5b7d8c6e22';
const attemptId = 'a3f1c5d7-2e4b-4c6a-9f81-7d3e5b1a9c33';

function event(type: string, extra: Record<string, unknown> = {}, user = learner): XapiEvent {
  return {
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    type,
    occurredAt: new Date('2026-03-01T10:15:00.123Z'),
    data: {
      user,
      cohortIds: [],
      module: courseModule,
      quizId,
      attemptId,
      attemptNumber: 1,
      state: 'graded',
      startedAt: '2026-03-01T10:00:00.000Z',
      submittedAt: '2026-03-01T10:14:30.250Z',
      score: { raw: 7, max: 10, scaled: 0.7, passed: true, pending: 0 },
      ...extra,
    },
  };
}

/** The validator the Learning Locker LRS runs on every statement it receives: no warnings. */
function expectValid(statements: unknown[]) {
  for (const statement of statements) {
    const warnings = validateStatement(statement);
    expect(warnings.map((w) => `${w.path.join('.')}: ${w.message}`)).toEqual([]);
  }
}

const questions: {
  definition: QuestionDefinition;
  response: ResponseValue;
  type: string;
  pattern?: string[];
  answer: string;
}[] = [
  {
    definition: {
      type: 'single_choice',
      prompt: 'Which service records API calls?',
      points: 1,
      choices: [
        { id: 'a', text: 'CloudTrail' },
        { id: 'b', text: 'Config' },
      ],
      correct: 'a',
    },
    response: { type: 'single_choice', choiceId: 'b' },
    type: 'choice',
    pattern: ['a'],
    answer: 'b',
  },
  {
    definition: {
      type: 'multiple_choice',
      prompt: 'Which are log sources?',
      points: 2,
      choices: [
        { id: 'a', text: 'VPC Flow Logs' },
        { id: 'b', text: 'S3 access logs' },
        { id: 'c', text: 'IAM' },
      ],
      correct: ['a', 'b'],
      scoring: 'right_minus_wrong',
    },
    response: { type: 'multiple_choice', choiceIds: ['b', 'a'] },
    type: 'choice',
    pattern: ['a[,]b'],
    answer: 'a[,]b',
  },
  {
    definition: { type: 'true_false', prompt: 'GuardDuty needs agents.', points: 1, correct: false },
    response: { type: 'true_false', value: true },
    type: 'true-false',
    pattern: ['false'],
    answer: 'true',
  },
  {
    definition: {
      type: 'short_text',
      prompt: 'Name the threat detection service.',
      points: 1,
      accepted: ['GuardDuty', 'Amazon GuardDuty'],
    },
    response: { type: 'short_text', text: 'guardduty' },
    type: 'fill-in',
    pattern: ['GuardDuty', 'Amazon GuardDuty'],
    answer: 'guardduty',
  },
  {
    definition: { type: 'numeric', prompt: 'Days of CloudTrail event history?', points: 1, answer: 90, tolerance: 0 },
    response: { type: 'numeric', value: 90 },
    type: 'numeric',
    pattern: ['90'],
    answer: '90',
  },
  {
    definition: { type: 'numeric', prompt: 'A ratio', points: 1, answer: 2.1, tolerance: 0.1 },
    response: { type: 'numeric', value: 2.05 },
    type: 'numeric',
    pattern: ['2[:]2.2'],
    answer: '2.05',
  },
  {
    definition: {
      type: 'ordering',
      prompt: 'Order the incident response phases.',
      points: 1,
      items: [
        { id: 'prepare', text: 'Preparation' },
        { id: 'detect', text: 'Detection' },
        { id: 'contain', text: 'Containment' },
      ],
      correctOrder: ['prepare', 'detect', 'contain'],
    },
    response: { type: 'ordering', order: ['detect', 'prepare', 'contain'] },
    type: 'sequencing',
    pattern: ['prepare[,]detect[,]contain'],
    answer: 'detect[,]prepare[,]contain',
  },
  {
    definition: {
      type: 'matching',
      prompt: 'Match service to purpose.',
      points: 2,
      prompts: [
        { id: 'p1', text: 'CloudTrail' },
        { id: 'p2', text: 'GuardDuty' },
      ],
      options: [
        { id: 'o1', text: 'API history' },
        { id: 'o2', text: 'Threat detection' },
        { id: 'o3', text: 'A distractor' },
      ],
      pairs: { p1: 'o1', p2: 'o2' },
    },
    response: { type: 'matching', pairs: { p2: 'o3', p1: 'o1' } },
    type: 'matching',
    pattern: ['p1[.]o1[,]p2[.]o2'],
    answer: 'p1[.]o1[,]p2[.]o3',
  },
  {
    definition: { type: 'essay', prompt: 'Describe your runbook.', points: 5 },
    response: { type: 'essay', text: 'First, isolate the instance. Then, snapshot it.' },
    type: 'long-fill-in',
    answer: 'First, isolate the instance. Then, snapshot it.',
  },
];

describe('xAPI statements', () => {
  it('attempted on start: the quiz, in the module, registered to the attempt, at the event’s time', () => {
    const [statement, ...rest] = buildStatements(event('attempt.started'), { email: 'ada@example.com' }, settings);
    expect(rest).toEqual([]);
    expectValid([statement]);
    expect(statement).toEqual({
      id: uuidV5(`attempted:${attemptId}`, '0f8fad5b-d9cb-469f-a165-70867728950e'),
      actor: { objectType: 'Agent', mbox: 'mailto:ada@example.com' },
      verb: { id: VERBS.attempted, display: { 'en-US': 'attempted' } },
      object: {
        objectType: 'Activity',
        id: `https://assess.example.edu/xapi/quizzes/${quizId}`,
        definition: { type: 'http://adlnet.gov/expapi/activities/assessment' },
      },
      context: {
        registration: attemptId,
        contextActivities: {
          parent: [
            {
              objectType: 'Activity',
              id: `https://assess.example.edu/xapi/modules/${courseModule.id}`,
              definition: { type: 'http://adlnet.gov/expapi/activities/module' },
            },
          ],
        },
      },
      timestamp: '2026-03-01T10:15:00.123Z',
    });
  });

  it('names the learner by the LMS’s account when the event carries an external id', () => {
    const [statement] = buildStatements(
      event('attempt.started', {}, { ...learner, externalId: 'lms-42' }),
      { email: 'ada@example.com' },
      settings,
    );
    expect(statement.actor).toEqual({
      objectType: 'Agent',
      account: { homePage: 'https://lms.example.edu', name: 'lms-42' },
    });
    expectValid([statement]);
  });

  it.each(questions.map((q) => [q.definition.type, q] as const))(
    'answered for a %s question: its interaction type, pattern and the response in xAPI form',
    (_type, question) => {
      const items: XapiQuestion[] = [
        {
          questionId: 'c7e1f2a3-4b5c-4d6e-8f70-1a2b3c4d5e6f',
          definition: question.definition,
          response: question.response,
        },
      ];
      const statements = buildStatements(
        event('attempt.submitted'),
        { email: 'ada@example.com', questions: items },
        settings,
      );
      expect(statements).toHaveLength(1);
      expectValid(statements);
      const [statement] = statements;
      expect(statement.verb.id).toBe(VERBS.answered);
      const object = statement.object as { id: string; definition: Record<string, unknown> };
      expect(object.id).toBe('https://assess.example.edu/xapi/questions/c7e1f2a3-4b5c-4d6e-8f70-1a2b3c4d5e6f');
      expect(object.definition.interactionType).toBe(question.type);
      expect(object.definition.type).toBe('http://adlnet.gov/expapi/activities/cmi.interaction');
      expect(object.definition.correctResponsesPattern).toEqual(question.pattern);
      expect(statement.result).toEqual({ response: question.answer });
      expect(statement.context?.contextActivities?.parent?.[0].id).toContain('/xapi/quizzes/');
      expect(statement.context?.registration).toBe(attemptId);
    },
  );

  it('gives each question its own id, the same on every build, and skips blank answers', () => {
    const items: XapiQuestion[] = questions.map((q, n) => ({
      questionId: `c7e1f2a3-4b5c-4d6e-8f70-1a2b3c4d5e${String(n).padStart(2, '0')}`,
      definition: q.definition,
      response: n === 0 ? null : q.response,
    }));
    const build = () =>
      buildStatements(event('attempt.submitted'), { email: 'ada@example.com', questions: items }, settings);
    const statements = build();
    expect(statements).toHaveLength(questions.length - 1);
    expect(new Set(statements.map((s) => s.id)).size).toBe(statements.length);
    expect(JSON.stringify(build())).toBe(JSON.stringify(statements));
  });

  it('omits the pattern of a short-text question graded by keywords only', () => {
    const definition: QuestionDefinition = {
      type: 'short_text',
      prompt: 'Why?',
      points: 1,
      accepted: [],
      keywordGroups: [['least', 'privilege']],
    };
    const [statement] = buildStatements(
      event('attempt.submitted'),
      {
        email: 'a@example.com',
        questions: [
          {
            questionId: 'c7e1f2a3-4b5c-4d6e-8f70-1a2b3c4d5e6f',
            definition,
            response: { type: 'short_text', text: 'least privilege' },
          },
        ],
      },
      settings,
    );
    expect((statement.object as { definition: object }).definition).not.toHaveProperty('correctResponsesPattern');
    expectValid([statement]);
  });

  it('scored and passed on grading, with score, success, completion and duration', () => {
    const statements = buildStatements(event('attempt.graded'), { email: 'ada@example.com' }, settings);
    expectValid(statements);
    expect(statements.map((s) => s.verb.id)).toEqual([VERBS.scored, VERBS.passed]);
    expect(statements[1].result).toEqual({
      score: { scaled: 0.7, raw: 7, min: 0, max: 10 },
      success: true,
      completion: true,
      duration: 'PT14M30.25S',
    });
    expect(statements[0].result).not.toHaveProperty('success');
  });

  it('failed when the score is under the pass mark; scored alone while passing is undecided', () => {
    const failed = buildStatements(
      event('attempt.grade_changed', { score: { raw: 3, max: 10, scaled: 0.3, passed: false, pending: 0 } }),
      { email: 'ada@example.com' },
      settings,
    );
    expectValid(failed);
    expect(failed.map((s) => s.verb.id)).toEqual([VERBS.scored, VERBS.failed]);
    expect(failed[1].result?.success).toBe(false);
    const undecided = buildStatements(
      event('attempt.graded', { score: { raw: 3, max: 10, scaled: 0.3, passed: null, pending: 0 } }),
      { email: 'ada@example.com' },
      settings,
    );
    expect(undecided.map((s) => s.verb.id)).toEqual([VERBS.scored]);
  });

  it('completed for a module', () => {
    const statements = buildStatements(
      {
        ...event('progress.completed'),
        data: { user: learner, cohortIds: [], module: courseModule, status: 'completed' },
      },
      { email: 'ada@example.com' },
      settings,
    );
    expectValid(statements);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      verb: { id: VERBS.completed },
      object: { id: `https://assess.example.edu/xapi/modules/${courseModule.id}` },
      result: { completion: true },
    });
  });

  it('makes nothing of events without a verb', () => {
    for (const type of ['progress.uncompleted', 'module.imported', 'user.deleted', 'cohort.roster_changed']) {
      expect(buildStatements(event(type), { email: 'ada@example.com' }, settings)).toEqual([]);
    }
  });

  it('writes durations in ISO 8601 to the hundredth of a second', () => {
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(1_234)).toBe('PT1.23S');
    expect(isoDuration(3_600_000 + 60_000 * 2 + 5_000)).toBe('PT1H2M5S');
  });
});
