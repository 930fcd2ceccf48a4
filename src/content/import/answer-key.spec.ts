import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { ParsedModule } from '../module.types';
import { QUESTION_TYPES } from '../question.types';
import {
  type AnswerKey,
  type AnswerKeyProblem,
  checkAnswerKeyAgainstModule,
  DEFAULT_COMPLETION_RULE,
  DEFAULT_QUIZ_SETTINGS,
  parseAnswerKey,
  toQuestionDefinition,
} from './answer-key';

const MODULES_DIR = join(__dirname, '..', '..', '..', 'seeds', 'modules');
const MODULE_5 = '05_Monitoring_Logging_and_Incident_Response';

function errorsOf(problems: AnswerKeyProblem[]): AnswerKeyProblem[] {
  return problems.filter((problem) => problem.severity === 'error');
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineContaining(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`test setup: "${needle}" is not in the text`);
  return index + 1;
}

/** An answer key whose only question is `question` (YAML lines at the indentation of a list entry). */
function keyWithQuestion(question: string): string {
  return `format: 1\nquestions:\n${question.replace(/^\n/, '')}\n`;
}

/** Module 5's outline, read from its headings: enough to cross-check the key's citations. */
function module5Outline(markdown: string): ParsedModule {
  const lines = markdown.split('\n');
  const sections: ParsedModule['sections'] = [];
  const knowledgeCheck: ParsedModule['knowledgeCheck'] = [];
  const checklist: ParsedModule['checklist'] = [];
  let part = '';
  lines.forEach((text, index) => {
    const line = index + 1;
    const section = /^## (\d+)\. (.+)$/.exec(text);
    if (section) sections.push({ number: Number(section[1]), title: section[2], line, markdown: '', subsections: [] });
    if (text.startsWith('## ')) part = section ? 'sections' : text.slice(3);
    const subsection = /^### (.+)$/.exec(text);
    if (subsection && part === 'sections')
      sections.at(-1)?.subsections.push({ title: subsection[1], line, markdown: '' });
    const question = /^(\d+)\. (.+)$/.exec(text);
    if (question && part === 'Knowledge Check') {
      const number = Number(question[1]);
      knowledgeCheck.push({ key: `kc-${number}`, number, text: question[2], line });
    }
    const item = /^- \[ \] (.+)$/.exec(text);
    if (item) {
      const key = item[1].toLowerCase().replace(/[^a-z0-9]+/g, '-');
      checklist.push({ key, position: checklist.length + 1, text: item[1], line });
    }
  });
  return {
    number: 5,
    title: 'Monitoring, Logging, and Incident Response',
    slug: '05-monitoring-logging-and-incident-response',
    objectives: [],
    sections,
    activities: [],
    knowledgeCheck,
    resources: [],
    checklist,
  };
}

describe('Module 5 answer key', () => {
  const yaml = readFileSync(join(MODULES_DIR, `${MODULE_5}.answers.yaml`), 'utf8');
  const markdown = readFileSync(join(MODULES_DIR, `${MODULE_5}.md`), 'utf8');
  const { key, problems } = parseAnswerKey(yaml, 'yaml');
  const questions = key?.questions ?? [];
  const bank = questions.filter((question) => question.knowledgeCheck === undefined);
  const graded = questions.filter((question) => question.knowledgeCheck !== undefined);

  it('loads with no problems at all', () => {
    expect(problems).toEqual([]);
    expect(key).toBeDefined();
  });

  it('grades all six knowledge-check questions automatically', () => {
    expect(graded.map((question) => question.knowledgeCheck).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const question of graded) expect(question.type).not.toBe('essay');
  });

  it('adds a bank of at least 24 questions covering sections 1 to 9, at least two each', () => {
    expect(bank.length).toBeGreaterThanOrEqual(24);
    for (let section = 1; section <= 9; section++) {
      expect(bank.filter((question) => question.section === section).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('uses every question type, and both multiple-choice scorings', () => {
    expect(new Set(bank.map((question) => question.type))).toEqual(new Set(QUESTION_TYPES));
    const scorings = new Set(
      bank.flatMap((question) => (question.type === 'multiple_choice' ? [question.scoring] : [])),
    );
    expect(scorings).toEqual(new Set(['right_minus_wrong', 'all_or_nothing']));
  });

  it('gives feedback on every wrong choice of its knowledge-check questions, and every question an explanation', () => {
    for (const question of questions) expect(question.explanation).toBeTruthy();
    for (const question of graded) {
      if (question.type !== 'single_choice' && question.type !== 'multiple_choice') continue;
      for (const choice of question.choices) expect(choice.feedback).toBeTruthy();
    }
  });

  it('cites sections and subsections that exist in the module, and grades its whole knowledge check', () => {
    expect(key && checkAnswerKeyAgainstModule(key, module5Outline(markdown))).toEqual([]);
  });

  it('sets the quiz as its comment explains', () => {
    expect(key?.quiz).toEqual({
      attemptsAllowed: 3,
      gradingMethod: 'highest',
      passMark: 0.7,
      gracePeriodSeconds: 60,
      minimumWaitMinutes: 0,
      shuffleQuestions: true,
      shuffleChoices: true,
      review: { show: 'answers', when: 'immediately' },
    });
    expect(key?.completion).toEqual(DEFAULT_COMPLETION_RULE);
  });

  it('takes the prompt of kc-1 from the module', () => {
    const kc1 = questions.find((question) => question.id === 'kc-1');
    expect(kc1?.prompt).toBeUndefined();
    expect(kc1 && toQuestionDefinition(kc1, module5Outline(markdown)).prompt).toBe('What is CloudTrail used for?');
  });
});

describe('the example in docs/answer-key.md', () => {
  it('is a valid key for Module 5', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'answer-key.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const { key, problems } = parseAnswerKey(example, 'yaml');
    expect(problems).toEqual([]);
    expect(new Set(key?.questions.map((question) => question.type))).toEqual(new Set(QUESTION_TYPES));
    const markdown = readFileSync(join(MODULES_DIR, `${MODULE_5}.md`), 'utf8');
    const againstModule = key ? checkAnswerKeyAgainstModule(key, module5Outline(markdown)) : [];
    expect(againstModule.map((problem) => problem.code)).toEqual(Array(5).fill('kc-ungraded'));
  });
});

describe('parseAnswerKey defaults', () => {
  it('applies the documented quiz and completion defaults', () => {
    const { key, problems } = parseAnswerKey('format: 1\nquestions: []\n', 'yaml');
    expect(problems).toEqual([]);
    expect(key).toEqual({
      format: 1,
      quiz: {
        attemptsAllowed: 3,
        gradingMethod: 'highest',
        passMark: 0.7,
        gracePeriodSeconds: 60,
        minimumWaitMinutes: 0,
        shuffleQuestions: false,
        shuffleChoices: false,
        review: { show: 'score', when: 'immediately' },
      },
      completion: { checklist: 'all', knowledgeCheck: 'passed', requireVerification: [] },
      questions: [],
      pools: [],
    });
    expect(key?.quiz).toEqual(DEFAULT_QUIZ_SETTINGS);
  });

  it('fills in fields a partial quiz or review leaves out', () => {
    const text = 'format: 1\nquiz:\n  passMark: 0.5\n  review: { show: answers }\nquestions: []\n';
    const { key } = parseAnswerKey(text, 'yaml');
    expect(key?.quiz.passMark).toBe(0.5);
    expect(key?.quiz.attemptsAllowed).toBe(3);
    expect(key?.quiz.review).toEqual({ show: 'answers', when: 'immediately' });
  });

  it('reads an availability window in UTC, whatever offset it was written with, and a late policy', () => {
    const text = [
      'format: 1',
      'quiz:',
      '  opensAt: 2030-01-01T10:00:00+01:00',
      '  dueAt: "2030-01-08T17:00:00Z"',
      '  closesAt: 2030-01-15T12:00:00-05:00',
      '  latePolicy: { deductionPerDay: 0.1, maximumDeduction: 0.5 }',
      'questions: []',
      '',
    ].join('\n');
    const { key, problems } = parseAnswerKey(text, 'yaml');
    expect(problems).toEqual([]);
    expect(key?.quiz).toMatchObject({
      opensAt: '2030-01-01T09:00:00.000Z',
      dueAt: '2030-01-08T17:00:00.000Z',
      closesAt: '2030-01-15T17:00:00.000Z',
      latePolicy: { deductionPerDay: 0.1, maximumDeduction: 0.5 },
    });
  });

  it.each([
    ['a time without an offset', '  dueAt: 2030-01-08T17:00:00', 'quiz.dueAt', 'invalid-instant'],
    ['a date alone', '  opensAt: 2030-01-08', 'quiz.opensAt', 'invalid-instant'],
    ['no such day', '  closesAt: 2030-02-30T10:00:00Z', 'quiz.closesAt', 'invalid-instant'],
    [
      'a due date before the opening',
      '  opensAt: 2030-01-08T00:00:00Z\n  dueAt: 2030-01-07T00:00:00Z',
      'quiz.dueAt',
      'window-out-of-order',
    ],
    [
      'a closing before the due date',
      '  dueAt: 2030-01-08T00:00:00Z\n  closesAt: 2030-01-07T00:00:00Z',
      'quiz.closesAt',
      'window-out-of-order',
    ],
    [
      'a deduction over 100 %',
      '  dueAt: 2030-01-08T00:00:00Z\n  latePolicy: { deductionPerDay: 1.5, maximumDeduction: 1 }',
      'quiz.latePolicy.deductionPerDay',
      'out-of-range',
    ],
    [
      'a late policy without its cap',
      '  dueAt: 2030-01-08T00:00:00Z\n  latePolicy: { deductionPerDay: 0.1 }',
      'quiz.latePolicy.maximumDeduction',
      'missing-field',
    ],
  ])('refuses %s', (_what, lines, path, code) => {
    const { key, problems } = parseAnswerKey(`format: 1\nquiz:\n${lines}\nquestions: []\n`, 'yaml');
    expect(key).toBeUndefined();
    expect(errorsOf(problems)).toEqual([expect.objectContaining({ path, code })]);
  });

  it('warns that a late policy without a due date never applies', () => {
    const text = 'format: 1\nquiz:\n  latePolicy: { deductionPerDay: 0.1, maximumDeduction: 0.3 }\nquestions: []\n';
    const { problems } = parseAnswerKey(text, 'yaml');
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'late-policy-unused' })]);
  });

  it('gives questions 1 point and numeric answers zero tolerance by default, and trims text', () => {
    const { key, problems } = parseAnswerKey(
      keyWithQuestion(`
  - id: how-many
    section: 4
    type: numeric
    prompt: "  How many severity levels?  "
    answer: 3`),
      'yaml',
    );
    expect(problems).toEqual([]);
    expect(key?.questions).toEqual([
      {
        id: 'how-many',
        section: 4,
        type: 'numeric',
        prompt: 'How many severity levels?',
        points: 1,
        answer: 3,
        tolerance: 0,
      },
    ]);
  });

  it('reads "unlimited" attempts', () => {
    const { key } = parseAnswerKey('format: 1\nquiz: { attemptsAllowed: unlimited }\nquestions: []\n', 'yaml');
    expect(key?.quiz.attemptsAllowed).toBe('unlimited');
  });
});

describe('parseAnswerKey question shapes', () => {
  it('produces each type as question.types.ts defines it, placement fields alongside', () => {
    const { key, problems } = parseAnswerKey(
      `format: 1
questions:
  - id: tf
    knowledgeCheck: 2
    section: 1
    subsection: Enabling CloudTrail
    type: true_false
    correct: true
    feedback: { true: Yes., false: No. }
  - id: st
    section: 1
    type: short_text
    prompt: Format?
    points: 2
    accepted: [JSON]
    keywordGroups: [[json]]
  - id: ord
    section: 8
    type: ordering
    prompt: Order them.
    items: [{ id: a, text: A }, { id: b, text: B }]
    correctOrder: [b, a]
  - id: match
    section: 8
    type: matching
    prompt: Match them.
    prompts: [{ id: p, text: P }, { id: q, text: Q }]
    options: [{ id: x, text: X }, { id: y, text: Y }, { id: z, text: Z }]
    pairs: { p: y, q: x }
  - id: es
    section: 9
    type: essay
    prompt: Discuss.
    rubric: Look for containment.
    maxWords: 200
`,
      'yaml',
    );
    expect(problems).toEqual([]);
    expect(key?.questions).toEqual([
      {
        id: 'tf',
        knowledgeCheck: 2,
        section: 1,
        subsection: 'Enabling CloudTrail',
        type: 'true_false',
        points: 1,
        correct: true,
        feedback: { true: 'Yes.', false: 'No.' },
      },
      {
        id: 'st',
        section: 1,
        type: 'short_text',
        prompt: 'Format?',
        points: 2,
        accepted: ['JSON'],
        keywordGroups: [['json']],
      },
      {
        id: 'ord',
        section: 8,
        type: 'ordering',
        prompt: 'Order them.',
        points: 1,
        items: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
        ],
        correctOrder: ['b', 'a'],
      },
      {
        id: 'match',
        section: 8,
        type: 'matching',
        prompt: 'Match them.',
        points: 1,
        prompts: [
          { id: 'p', text: 'P' },
          { id: 'q', text: 'Q' },
        ],
        options: [
          { id: 'x', text: 'X' },
          { id: 'y', text: 'Y' },
          { id: 'z', text: 'Z' },
        ],
        pairs: { p: 'y', q: 'x' },
      },
      {
        id: 'es',
        section: 9,
        type: 'essay',
        prompt: 'Discuss.',
        points: 1,
        rubric: 'Look for containment.',
        maxWords: 200,
      },
    ]);
  });
});

const CHOICES = `
    choices:
      - { id: a, text: Alpha }
      - { id: b, text: Beta }
      - { id: c, text: Gamma }`;

/** One bad key per rule: the YAML, the problem expected, and a text on the line it must cite. */
const BAD_KEYS: { rule: string; yaml: string; path: string; code: string; lineOf: string }[] = [
  {
    rule: 'format is required',
    yaml: 'questions: []\n',
    path: 'format',
    code: 'missing-field',
    lineOf: 'questions: []',
  },
  {
    rule: 'only format 1 is read',
    yaml: 'format: 2\nquestions: []\n',
    path: 'format',
    code: 'unsupported-format',
    lineOf: 'format: 2',
  },
  {
    rule: 'unknown top-level fields are errors',
    yaml: 'format: 1\nquizz: {}\nquestions: []\n',
    path: 'quizz',
    code: 'unknown-field',
    lineOf: 'quizz',
  },
  {
    rule: 'unknown quiz fields are errors',
    yaml: 'format: 1\nquiz:\n  passmark: 0.7\nquestions: []\n',
    path: 'quiz.passmark',
    code: 'unknown-field',
    lineOf: 'passmark',
  },
  {
    rule: 'the pass mark is a fraction',
    yaml: 'format: 1\nquiz:\n  passMark: 70\nquestions: []\n',
    path: 'quiz.passMark',
    code: 'out-of-range',
    lineOf: 'passMark',
  },
  {
    rule: 'attempts are a positive whole number',
    yaml: 'format: 1\nquiz:\n  attemptsAllowed: 0\nquestions: []\n',
    path: 'quiz.attemptsAllowed',
    code: 'out-of-range',
    lineOf: 'attemptsAllowed',
  },
  {
    rule: 'attempts are a number or "unlimited"',
    yaml: 'format: 1\nquiz:\n  attemptsAllowed: lots\nquestions: []\n',
    path: 'quiz.attemptsAllowed',
    code: 'wrong-type',
    lineOf: 'attemptsAllowed',
  },
  {
    rule: 'the grading method is one of four',
    yaml: 'format: 1\nquiz:\n  gradingMethod: best\nquestions: []\n',
    path: 'quiz.gradingMethod',
    code: 'invalid-value',
    lineOf: 'gradingMethod',
  },
  {
    rule: 'the review shows score, correctness or answers',
    yaml: 'format: 1\nquiz:\n  review:\n    show: everything\nquestions: []\n',
    path: 'quiz.review.show',
    code: 'invalid-value',
    lineOf: 'show: everything',
  },
  {
    rule: 'the completion rule takes known values',
    yaml: 'format: 1\ncompletion:\n  knowledgeCheck: attempted\nquestions: []\n',
    path: 'completion.knowledgeCheck',
    code: 'invalid-value',
    lineOf: 'attempted',
  },
  {
    rule: 'questions is required',
    yaml: 'format: 1\n',
    path: 'questions',
    code: 'missing-field',
    lineOf: 'format: 1',
  },
  {
    rule: 'unknown question fields are errors, with a suggestion',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: essay
    prompt: Discuss.
    explaination: Typo.`),
    path: 'questions[0].explaination',
    code: 'unknown-field',
    lineOf: 'explaination',
  },
  {
    rule: "another type's fields are errors",
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: true_false
    prompt: True?
    correct: true${CHOICES}`),
    path: 'questions[0].choices',
    code: 'unknown-field',
    lineOf: 'choices:',
  },
  {
    rule: 'the type is required',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    prompt: What?`),
    path: 'questions[0].type',
    code: 'missing-field',
    lineOf: '- id: q',
  },
  {
    rule: 'the type is one of eight',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: free_text
    prompt: What?`),
    path: 'questions[0].type',
    code: 'invalid-value',
    lineOf: 'free_text',
  },
  {
    rule: 'question ids are slug-like',
    yaml: keyWithQuestion(`
  - id: Question 1
    section: 1
    type: essay
    prompt: Discuss.`),
    path: 'questions[0].id',
    code: 'invalid-id',
    lineOf: 'Question 1',
  },
  {
    rule: 'question ids are unique',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: essay
    prompt: Discuss.
  - id: q # again
    section: 2
    type: essay
    prompt: Discuss again.`),
    path: 'questions[1].id',
    code: 'duplicate-id',
    lineOf: '# again',
  },
  {
    rule: 'the section is required',
    yaml: keyWithQuestion(`
  - id: q
    type: essay
    prompt: Discuss.`),
    path: 'questions[0].section',
    code: 'missing-field',
    lineOf: '- id: q',
  },
  {
    rule: 'the section is a positive whole number',
    yaml: keyWithQuestion(`
  - id: q
    section: 1.5
    type: essay
    prompt: Discuss.`),
    path: 'questions[0].section',
    code: 'wrong-type',
    lineOf: 'section: 1.5',
  },
  {
    rule: 'a prompt is required outside the knowledge check',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: essay`),
    path: 'questions[0].prompt',
    code: 'missing-field',
    lineOf: '- id: q',
  },
  {
    rule: 'a prompt is not empty',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: essay
    prompt: "   "`),
    path: 'questions[0].prompt',
    code: 'empty-text',
    lineOf: 'prompt:',
  },
  {
    rule: 'points are positive',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: essay
    prompt: Discuss.
    points: 0`),
    path: 'questions[0].points',
    code: 'out-of-range',
    lineOf: 'points: 0',
  },
  {
    rule: 'choice ids are unique',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: single_choice
    prompt: Which?
    choices:
      - { id: a, text: Alpha }
      - { id: a, text: Again }
    correct: a`),
    path: 'questions[0].choices[1].id',
    code: 'duplicate-id',
    lineOf: 'Again',
  },
  {
    rule: 'single_choice correct names an existing choice',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: single_choice
    prompt: Which?${CHOICES}
    correct: d`),
    path: 'questions[0].correct',
    code: 'unknown-reference',
    lineOf: 'correct: d',
  },
  {
    rule: 'single_choice has one right choice',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: single_choice
    prompt: Which?${CHOICES}
    correct: [a, b]`),
    path: 'questions[0].correct',
    code: 'wrong-type',
    lineOf: 'correct: [a, b]',
  },
  {
    rule: 'multiple_choice correct names existing choices',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: multiple_choice
    scoring: all_or_nothing
    prompt: Which?${CHOICES}
    correct:
      - a
      - z`),
    path: 'questions[0].correct[1]',
    code: 'unknown-reference',
    lineOf: '- z',
  },
  {
    rule: 'multiple_choice has at least one right choice',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: multiple_choice
    scoring: all_or_nothing
    prompt: Which?${CHOICES}
    correct: []`),
    path: 'questions[0].correct',
    code: 'no-correct-choice',
    lineOf: 'correct: []',
  },
  {
    rule: 'multiple_choice needs a scoring',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: multiple_choice
    prompt: Which?${CHOICES}
    correct: [a]`),
    path: 'questions[0].scoring',
    code: 'missing-field',
    lineOf: '- id: q',
  },
  {
    rule: 'multiple_choice scoring is one of two',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: multiple_choice
    scoring: partial
    prompt: Which?${CHOICES}
    correct: [a]`),
    path: 'questions[0].scoring',
    code: 'invalid-value',
    lineOf: 'scoring: partial',
  },
  {
    rule: 'true_false correct is a boolean',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: true_false
    prompt: True?
    correct: "yes"`),
    path: 'questions[0].correct',
    code: 'wrong-type',
    lineOf: 'correct: "yes"',
  },
  {
    rule: 'short_text needs accepted answers or keyword groups',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: short_text
    prompt: What?
    accepted: []`),
    path: 'questions[0].accepted',
    code: 'short-text-no-answers',
    lineOf: 'accepted: []',
  },
  {
    rule: 'numeric tolerance is not negative',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: numeric
    prompt: How many?
    answer: 3
    tolerance: -1`),
    path: 'questions[0].tolerance',
    code: 'out-of-range',
    lineOf: 'tolerance: -1',
  },
  {
    rule: 'numeric needs an answer',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: numeric
    prompt: How many?`),
    path: 'questions[0].answer',
    code: 'missing-field',
    lineOf: '- id: q',
  },
  {
    rule: 'ordering names only its items',
    yaml: keyWithQuestion(`
  - id: q
    section: 8
    type: ordering
    prompt: Order.
    items: [{ id: a, text: A }, { id: b, text: B }]
    correctOrder:
      - a
      - b
      - c`),
    path: 'questions[0].correctOrder[2]',
    code: 'unknown-reference',
    lineOf: '- c',
  },
  {
    rule: 'ordering names each item once',
    yaml: keyWithQuestion(`
  - id: q
    section: 8
    type: ordering
    prompt: Order.
    items: [{ id: a, text: A }, { id: b, text: B }]
    correctOrder:
      - a
      - b
      - a # twice`),
    path: 'questions[0].correctOrder[2]',
    code: 'duplicate-reference',
    lineOf: '# twice',
  },
  {
    rule: 'ordering names every item',
    yaml: keyWithQuestion(`
  - id: q
    section: 8
    type: ordering
    prompt: Order.
    items: [{ id: a, text: A }, { id: b, text: B }, { id: c, text: C }]
    correctOrder: [a, c]`),
    path: 'questions[0].correctOrder',
    code: 'missing-reference',
    lineOf: 'correctOrder',
  },
  {
    rule: 'matching pairs every prompt',
    yaml: keyWithQuestion(`
  - id: q
    section: 8
    type: matching
    prompt: Match.
    prompts: [{ id: p, text: P }, { id: r, text: R }]
    options: [{ id: x, text: X }, { id: y, text: Y }]
    pairs:
      p: x`),
    path: 'questions[0].pairs',
    code: 'missing-reference',
    lineOf: 'pairs:',
  },
  {
    rule: 'matching pairs only its prompts',
    yaml: keyWithQuestion(`
  - id: q
    section: 8
    type: matching
    prompt: Match.
    prompts: [{ id: p, text: P }, { id: r, text: R }]
    options: [{ id: x, text: X }, { id: y, text: Y }]
    pairs:
      p: x
      r: y
      s: y`),
    path: 'questions[0].pairs.s',
    code: 'unknown-reference',
    lineOf: 's: y',
  },
  {
    rule: 'matching pairs name existing options',
    yaml: keyWithQuestion(`
  - id: q
    section: 8
    type: matching
    prompt: Match.
    prompts: [{ id: p, text: P }, { id: r, text: R }]
    options: [{ id: x, text: X }, { id: y, text: Y }]
    pairs:
      p: x
      r: w`),
    path: 'questions[0].pairs.r',
    code: 'unknown-reference',
    lineOf: 'r: w',
  },
  {
    rule: 'choices are at most 20',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: single_choice
    prompt: Which?
    choices:
${Array.from({ length: 21 }, (_, i) => `      - { id: c${i}, text: Choice ${i} }`).join('\n')}
    correct: c0`),
    path: 'questions[0].choices',
    code: 'too-many',
    lineOf: 'choices:',
  },
  {
    rule: 'text is at most 5000 characters',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: essay
    prompt: Discuss.
    rubric: ${'x'.repeat(5001)}`),
    path: 'questions[0].rubric',
    code: 'too-long',
    lineOf: 'rubric:',
  },
  {
    rule: 'essay maxWords is a positive whole number',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: essay
    prompt: Discuss.
    maxWords: 0`),
    path: 'questions[0].maxWords',
    code: 'out-of-range',
    lineOf: 'maxWords',
  },
  {
    rule: 'choices are mappings with known fields',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: single_choice
    prompt: Which?
    choices:
      - { id: a, text: Alpha, correct: true }
      - { id: b, text: Beta }
    correct: a`),
    path: 'questions[0].choices[0].correct',
    code: 'unknown-field',
    lineOf: 'Alpha',
  },
];

/** A bad key of a BAD_… table: no key, and the error at its path, with its code and line. */
function expectRejected({ yaml, path, code, lineOf }: (typeof BAD_KEYS)[number]) {
  const { key, problems } = parseAnswerKey(yaml, 'yaml');
  expect(key).toBeUndefined();
  expect(errorsOf(problems)).toContainEqual(
    expect.objectContaining({ severity: 'error', path, code, line: lineContaining(yaml, lineOf) }),
  );
}

describe('parseAnswerKey validation', () => {
  it.each(BAD_KEYS)('rejects a key where $rule', expectRejected);

  it('suggests the field meant by a near-miss name', () => {
    const { problems } = parseAnswerKey('format: 1\nquestions: []\ncompletoin: {}\n', 'yaml');
    expect(problems[0].message).toContain('Did you mean "completion"?');
  });

  it('reports every problem in one pass, not just the first', () => {
    const yaml = keyWithQuestion(`
  - id: Bad Id
    section: 0
    type: numeric
    prompt: ""
    answer: three
    tolerance: -2
    unit: kg
    colour: blue`);
    const { problems } = parseAnswerKey(yaml, 'yaml');
    expect(problems.map(({ path, code }) => `${path} ${code}`).sort()).toEqual([
      'questions[0].answer wrong-type',
      'questions[0].colour unknown-field',
      'questions[0].id invalid-id',
      'questions[0].prompt empty-text',
      'questions[0].section out-of-range',
      'questions[0].tolerance out-of-range',
    ]);
  });

  it('limits a key to 200 questions', () => {
    const questions = Array.from({ length: 201 }, (_, i) => ({
      id: `q-${i}`,
      section: 1,
      type: 'essay',
      prompt: 'Discuss.',
    }));
    const { problems } = parseAnswerKey(JSON.stringify({ format: 1, questions }), 'json');
    expect(problems).toContainEqual(expect.objectContaining({ path: 'questions', code: 'too-many' }));
  });

  it('reports YAML syntax errors with their line', () => {
    const { key, problems } = parseAnswerKey('format: 1\nquestions:\n  - id: q\n    section: [1, 2\n', 'yaml');
    expect(key).toBeUndefined();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ severity: 'error', code: 'yaml-syntax', path: '' });
    expect(problems[0].line).toBeGreaterThanOrEqual(4);
  });

  it('reports duplicate YAML keys', () => {
    const { problems } = parseAnswerKey('format: 1\nformat: 1\nquestions: []\n', 'yaml');
    expect(problems).toContainEqual(expect.objectContaining({ code: 'yaml-syntax', line: 2 }));
  });

  it('reports an empty file or a file that is not a mapping', () => {
    expect(parseAnswerKey('', 'yaml').problems).toEqual([expect.objectContaining({ code: 'empty-file', path: '' })]);
    expect(parseAnswerKey('- 1\n- 2\n', 'yaml').problems).toEqual([
      expect.objectContaining({ code: 'wrong-type', path: '', line: 1 }),
    ]);
  });

  it('warns, but still returns the key, when every choice is right', () => {
    const yaml = keyWithQuestion(`
  - id: q
    section: 1
    type: multiple_choice
    scoring: right_minus_wrong
    prompt: Which?
    choices: [{ id: a, text: A }, { id: b, text: B }]
    correct: [a, b]`);
    const { key, problems } = parseAnswerKey(yaml, 'yaml');
    expect(key).toBeDefined();
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'all-choices-correct',
        path: 'questions[0].correct',
        line: lineContaining(yaml, 'correct: [a, b]'),
      }),
    ]);
  });

  it('warns when the review would never be shown', () => {
    const yaml =
      'format: 1\nquiz:\n  attemptsAllowed: unlimited\n  review: { show: answers, when: after_last_attempt }\nquestions: []\n';
    const { key, problems } = parseAnswerKey(yaml, 'yaml');
    expect(key).toBeDefined();
    expect(problems).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'review-never-shown', path: 'quiz.review.when' }),
    ]);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const format of ['yaml', 'json'] as const) {
          const { key, problems } = parseAnswerKey(text, format);
          expect(key !== undefined || errorsOf(problems).length > 0).toBe(true);
        }
      }),
    );
  });

  it('never throws, whatever JSON value it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { key, problems } = parseAnswerKey(JSON.stringify(value), 'json');
        expect(key !== undefined || errorsOf(problems).length > 0).toBe(true);
      }),
    );
  });
});

describe('parseAnswerKey JSON input', () => {
  const json = `{
  "format": 1,
  "quiz": { "attemptsAllowed": 2, "review": { "show": "correctness", "when": "after_last_attempt" } },
  "questions": [
    {
      "id": "kc-1",
      "knowledgeCheck": 1,
      "section": 1,
      "type": "true_false",
      "correct": true,
      "feedback": { "true": "Yes.", "false": "No." }
    }
  ]
}`;

  it('reads the same schema as YAML', () => {
    const { key, problems } = parseAnswerKey(json, 'json');
    expect(problems).toEqual([]);
    expect(key?.quiz.attemptsAllowed).toBe(2);
    expect(key?.quiz.review).toEqual({ show: 'correctness', when: 'after_last_attempt' });
    expect(key?.questions).toEqual([
      {
        id: 'kc-1',
        knowledgeCheck: 1,
        section: 1,
        type: 'true_false',
        points: 1,
        correct: true,
        feedback: { true: 'Yes.', false: 'No.' },
      },
    ]);
  });

  it('reports problems in JSON with their lines', () => {
    const bad = json.replace('"correct": true', '"correct": "true"');
    const { problems } = parseAnswerKey(bad, 'json');
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'wrong-type',
        path: 'questions[0].correct',
        line: lineContaining(bad, '"correct"'),
      }),
    ]);
  });

  it('reports JSON syntax errors with their line', () => {
    const { key, problems } = parseAnswerKey('{\n  "format": 1,\n  "questions": [],\n}', 'json');
    expect(key).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', code: 'json-syntax', line: 4 })]);
  });
});

describe('checkAnswerKeyAgainstModule', () => {
  const module: ParsedModule = {
    number: 7,
    title: 'Small Module',
    slug: '07-small-module',
    objectives: [],
    sections: [
      {
        number: 1,
        title: 'Logging',
        line: 5,
        markdown: '',
        subsections: [
          { title: 'Trails', line: 7, markdown: '' },
          { title: 'Insights', line: 12, markdown: '' },
        ],
      },
      { number: 2, title: 'Response', line: 20, markdown: 'Contain, then recover.', subsections: [] },
    ],
    activities: [],
    knowledgeCheck: [
      { key: 'kc-1', number: 1, text: 'What does a trail record?', line: 30 },
      { key: 'kc-2', number: 2, text: 'How do you contain an incident?', line: 31 },
      { key: 'kc-3', number: 3, text: 'Why review afterwards?', line: 32 },
    ],
    resources: [],
    checklist: [
      { key: 'read-all-module-content', position: 1, text: 'Read all module content', line: 40 },
      {
        key: 'completed-activity-1-create-a-trail',
        position: 2,
        text: 'Completed Activity 1: Create a trail',
        line: 41,
        activityNumber: 1,
      },
    ],
  };

  function keyFrom(yaml: string): AnswerKey {
    const { key, problems } = parseAnswerKey(yaml, 'yaml');
    expect(problems).toEqual([]);
    if (!key) throw new Error('test setup: the key should parse');
    return key;
  }

  const essay = (id: string, extra: string) => `  - id: ${id}\n    type: essay\n    prompt: Discuss.\n${extra}`;

  it('accepts a key that matches its module', () => {
    const yaml = `format: 1
completion:
  requireVerification: [completed-activity-1-create-a-trail]
questions:
  - { id: kc-1, knowledgeCheck: 1, section: 1, subsection: Trails, type: true_false, correct: true }
  - { id: kc-2, knowledgeCheck: 2, section: 2, type: essay }
  - { id: kc-3, knowledgeCheck: 3, section: 2, type: essay, prompt: Why? }
`;
    expect(checkAnswerKeyAgainstModule(keyFrom(yaml), module)).toEqual([]);
  });

  it('reports each broken reference to the module at its path and line', () => {
    const yaml = `format: 1
completion:
  requireVerification:
    - read-all-module-content
    - completed-activity-9-missing
questions:
${essay('a', '    knowledgeCheck: 1\n    section: 1\n')}${essay('b', '    knowledgeCheck: 1\n    section: 1\n')}${essay('c', '    knowledgeCheck: 4\n    section: 1\n')}${essay('d', '    section: 3\n')}${essay('e', '    section: 1\n    subsection: Trail\n')}`;
    const problems = checkAnswerKeyAgainstModule(keyFrom(yaml), module);
    const at = (needle: string, occurrence = 0) =>
      yaml.split('\n').flatMap((line, index) => (line.includes(needle) ? [index + 1] : []))[occurrence];
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'duplicate-knowledge-check',
        path: 'questions[1].knowledgeCheck',
        line: at('knowledgeCheck: 1', 1),
      }),
      expect.objectContaining({
        severity: 'error',
        code: 'unknown-knowledge-check',
        path: 'questions[2].knowledgeCheck',
        line: at('knowledgeCheck: 4'),
      }),
      expect.objectContaining({ severity: 'warning', code: 'kc-ungraded', path: 'questions', line: at('questions:') }),
      expect.objectContaining({ severity: 'warning', code: 'kc-ungraded', path: 'questions', line: at('questions:') }),
      expect.objectContaining({
        severity: 'error',
        code: 'unknown-section',
        path: 'questions[3].section',
        line: at('section: 3'),
      }),
      expect.objectContaining({
        severity: 'error',
        code: 'unknown-subsection',
        path: 'questions[4].subsection',
        line: at('subsection: Trail'),
      }),
      expect.objectContaining({
        severity: 'error',
        code: 'unknown-checklist-item',
        path: 'completion.requireVerification[1]',
        line: at('completed-activity-9-missing'),
      }),
    ]);
    const ungraded = problems.filter((problem) => problem.code === 'kc-ungraded').map((problem) => problem.message);
    expect(ungraded[0]).toContain('How do you contain an incident?');
    expect(ungraded[1]).toContain('Why review afterwards?');
  });

  it('warns that a knowledge check without questions can never be passed', () => {
    const empty = { ...module, knowledgeCheck: [] };
    expect(checkAnswerKeyAgainstModule(keyFrom('format: 1\nquestions: []\n'), empty)).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'empty-knowledge-check',
        path: 'completion.knowledgeCheck',
      }),
    ]);
  });

  it('works on keys built in code, without lines', () => {
    const key: AnswerKey = {
      format: 1,
      quiz: { ...DEFAULT_QUIZ_SETTINGS },
      completion: { ...DEFAULT_COMPLETION_RULE },
      questions: [{ id: 'q', section: 9, type: 'essay', prompt: 'Discuss.', points: 1 }],
      pools: [],
    };
    const problems = checkAnswerKeyAgainstModule(key, module);
    expect(problems.filter((problem) => problem.code === 'unknown-section')).toEqual([
      { severity: 'error', code: 'unknown-section', path: 'questions[0].section', message: expect.any(String) },
    ]);
  });
});

describe('toQuestionDefinition', () => {
  it('drops the placement and takes a missing prompt from the module', () => {
    const definition = toQuestionDefinition(
      { id: 'kc-2', knowledgeCheck: 2, section: 2, type: 'true_false', points: 1, correct: false },
      { knowledgeCheck: [{ key: 'kc-2', number: 2, text: 'Is containment optional?', line: 9 }] },
    );
    expect(definition).toEqual({ type: 'true_false', prompt: 'Is containment optional?', points: 1, correct: false });
  });

  it("keeps the key's own prompt when it has one", () => {
    const definition = toQuestionDefinition(
      { id: 'q', section: 1, type: 'essay', prompt: 'Discuss.', points: 2, rubric: 'Depth.' },
      { knowledgeCheck: [] },
    );
    expect(definition).toEqual({ type: 'essay', prompt: 'Discuss.', points: 2, rubric: 'Depth.' });
  });
});

/** A short_text question on SNS, with `extra` YAML lines added at its indentation. */
const snsQuestion = (extra: string) =>
  keyWithQuestion(`
  - id: q
    section: 2
    type: short_text
    prompt: Which service do CloudWatch Alarms notify through?
    accepted: [SNS, Amazon SNS]
    keywordGroups: [[sns, simple notification service]]
${extra}`);

/** A numeric question whose answer is 3, tolerance 0.5, with `extra` YAML lines. */
const levelsQuestion = (extra: string) =>
  keyWithQuestion(`
  - id: q
    section: 4
    type: numeric
    prompt: How many severity levels?
    answer: 3
    tolerance: 0.5
${extra}`);

const BAD_FEEDBACK_KEYS: typeof BAD_KEYS = [
  {
    rule: 'a hint is text',
    yaml: snsQuestion('    hint: [look, here]'),
    path: 'questions[0].hint',
    code: 'wrong-type',
    lineOf: 'hint:',
  },
  {
    rule: 'a hint is not blank',
    yaml: snsQuestion('    hint: "   "'),
    path: 'questions[0].hint',
    code: 'empty-text',
    lineOf: 'hint:',
  },
  {
    rule: 'a hint has at most 1000 characters',
    yaml: snsQuestion(`    hint: ${'h'.repeat(1001)}`),
    path: 'questions[0].hint',
    code: 'too-long',
    lineOf: 'hint:',
  },
  {
    rule: 'wrongFeedback has at most 5000 characters',
    yaml: levelsQuestion(`    wrongFeedback: ${'w'.repeat(5001)}`),
    path: 'questions[0].wrongFeedback',
    code: 'too-long',
    lineOf: 'wrongFeedback:',
  },
  {
    rule: 'wrongFeedback belongs to short_text and numeric only',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: essay
    prompt: Discuss.
    wrongFeedback: Not that.`),
    path: 'questions[0].wrongFeedback',
    code: 'unknown-field',
    lineOf: 'wrongFeedback:',
  },
  {
    rule: 'anticipated belongs to short_text and numeric only',
    yaml: keyWithQuestion(`
  - id: q
    section: 1
    type: true_false
    prompt: True?
    correct: true
    anticipated: []`),
    path: 'questions[0].anticipated',
    code: 'unknown-field',
    lineOf: 'anticipated:',
  },
  {
    rule: 'anticipated is a list',
    yaml: snsQuestion('    anticipated: { answer: SQS, feedback: No. }'),
    path: 'questions[0].anticipated',
    code: 'wrong-type',
    lineOf: 'anticipated:',
  },
  {
    rule: 'anticipated, when given, has an entry',
    yaml: snsQuestion('    anticipated: []'),
    path: 'questions[0].anticipated',
    code: 'too-few',
    lineOf: 'anticipated:',
  },
  {
    rule: 'anticipated has at most 20 entries',
    yaml: levelsQuestion(
      `    anticipated:\n${Array.from({ length: 21 }, (_, i) => `      - { answer: ${10 + i}, feedback: No. }`).join('\n')}`,
    ),
    path: 'questions[0].anticipated',
    code: 'too-many',
    lineOf: 'anticipated:',
  },
  {
    rule: 'an anticipated answer has feedback',
    yaml: snsQuestion('    anticipated:\n      - answer: SQS'),
    path: 'questions[0].anticipated[0].feedback',
    code: 'missing-field',
    lineOf: '- answer: SQS',
  },
  {
    rule: 'an anticipated answer has only answer and feedback (and tolerance when numeric)',
    yaml: snsQuestion('    anticipated:\n      - { answer: SQS, feedback: No., tolerance: 1 }'),
    path: 'questions[0].anticipated[0].tolerance',
    code: 'unknown-field',
    lineOf: 'answer: SQS',
  },
  {
    rule: 'an anticipated short-text answer has at most 200 characters',
    yaml: snsQuestion(`    anticipated:\n      - { answer: ${'s'.repeat(201)}, feedback: No. }`),
    path: 'questions[0].anticipated[0].answer',
    code: 'too-long',
    lineOf: 'sss',
  },
  {
    rule: 'anticipated feedback is not blank',
    yaml: snsQuestion('    anticipated:\n      - { answer: SQS, feedback: "" }'),
    path: 'questions[0].anticipated[0].feedback',
    code: 'empty-text',
    lineOf: 'answer: SQS',
  },
  {
    rule: 'an anticipated short-text answer is more than punctuation',
    yaml: snsQuestion('    anticipated:\n      - { answer: "?!", feedback: No. }'),
    path: 'questions[0].anticipated[0].answer',
    code: 'invalid-value',
    lineOf: 'answer: "?!"',
  },
  {
    rule: 'an anticipated short-text answer is not an accepted one, after normalisation',
    yaml: snsQuestion('    anticipated:\n      - { answer: "amazon  SNS.", feedback: No. }'),
    path: 'questions[0].anticipated[0].answer',
    code: 'anticipated-is-right',
    lineOf: 'amazon  SNS.',
  },
  {
    rule: 'an anticipated short-text answer does not score full marks by its keywords',
    yaml: snsQuestion('    anticipated:\n      - { answer: the simple notification service, feedback: No. }'),
    path: 'questions[0].anticipated[0].answer',
    code: 'anticipated-is-right',
    lineOf: 'the simple notification service',
  },
  {
    rule: 'two anticipated short-text answers do not normalise alike',
    yaml: snsQuestion(
      '    anticipated:\n      - { answer: Amazon SQS, feedback: No. }\n      - { answer: "amazon sqs!", feedback: Still no. }',
    ),
    path: 'questions[0].anticipated[1].answer',
    code: 'duplicate-anticipated',
    lineOf: 'amazon sqs!',
  },
  {
    rule: 'an anticipated value is a number',
    yaml: levelsQuestion('    anticipated:\n      - { answer: five, feedback: No. }'),
    path: 'questions[0].anticipated[0].answer',
    code: 'wrong-type',
    lineOf: 'answer: five',
  },
  {
    rule: 'an anticipated tolerance is not negative',
    yaml: levelsQuestion('    anticipated:\n      - { answer: 5, tolerance: -1, feedback: No. }'),
    path: 'questions[0].anticipated[0].tolerance',
    code: 'out-of-range',
    lineOf: 'answer: 5',
  },
  {
    rule: 'an anticipated value is not within the right answer’s tolerance',
    yaml: levelsQuestion('    anticipated:\n      - { answer: 3.5, feedback: No. }'),
    path: 'questions[0].anticipated[0].answer',
    code: 'anticipated-is-right',
    lineOf: 'answer: 3.5',
  },
  {
    rule: 'an anticipated value range is not inside an earlier one',
    yaml: levelsQuestion(
      '    anticipated:\n      - { answer: 100, tolerance: 10, feedback: A percentage. }\n      - { answer: 95, tolerance: 2, feedback: No. }',
    ),
    path: 'questions[0].anticipated[1].answer',
    code: 'duplicate-anticipated',
    lineOf: 'answer: 95',
  },
];

describe('parseAnswerKey wrong-answer feedback and hints', () => {
  it.each(BAD_FEEDBACK_KEYS)('rejects a key where $rule', expectRejected);

  it('reads hints on any type, and wrong-answer feedback on short_text and numeric', () => {
    const { key, problems } = parseAnswerKey(
      `format: 1
questions:
  - id: st
    section: 2
    type: short_text
    prompt: Which service do CloudWatch Alarms notify through?
    hint: "  Section 2, CloudWatch Alarms.  "
    accepted: [SNS]
    wrongFeedback: Look again at what the alarms are configured with.
    anticipated:
      - answer: SQS
        feedback: "  SQS is a queue.  "
  - id: num
    section: 4
    type: numeric
    prompt: How many severity levels?
    answer: 3
    wrongFeedback: Count the levels section 4 lists.
    anticipated:
      - { answer: 5, feedback: That is Inspector. }
      - { answer: 30, tolerance: 5, feedback: Not a percentage. }
  - id: tf
    section: 7
    type: true_false
    prompt: Flow logs record API calls.
    hint: Think of what flows.
    correct: false
`,
      'yaml',
    );
    expect(problems).toEqual([]);
    expect(key?.questions).toEqual([
      {
        id: 'st',
        section: 2,
        type: 'short_text',
        prompt: 'Which service do CloudWatch Alarms notify through?',
        points: 1,
        hint: 'Section 2, CloudWatch Alarms.',
        accepted: ['SNS'],
        wrongFeedback: 'Look again at what the alarms are configured with.',
        anticipated: [{ answer: 'SQS', feedback: 'SQS is a queue.' }],
      },
      {
        id: 'num',
        section: 4,
        type: 'numeric',
        prompt: 'How many severity levels?',
        points: 1,
        answer: 3,
        tolerance: 0,
        wrongFeedback: 'Count the levels section 4 lists.',
        anticipated: [
          { answer: 5, tolerance: 0, feedback: 'That is Inspector.' },
          { answer: 30, tolerance: 5, feedback: 'Not a percentage.' },
        ],
      },
      {
        id: 'tf',
        section: 7,
        type: 'true_false',
        prompt: 'Flow logs record API calls.',
        points: 1,
        hint: 'Think of what flows.',
        correct: false,
      },
    ]);
  });

  it('accepts anticipated values that only overlap the right answer or each other', () => {
    const { key, problems } = parseAnswerKey(
      levelsQuestion(
        '    anticipated:\n      - { answer: 4, tolerance: 1, feedback: Close. }\n      - { answer: 5, tolerance: 1, feedback: Inspector. }',
      ),
      'yaml',
    );
    expect(problems).toEqual([]);
    expect(key?.questions[0]).toMatchObject({ anticipated: [{ answer: 4 }, { answer: 5 }] });
  });

  it('leaves a question without the new fields exactly as before, so its content hash does not move', () => {
    const { key } = parseAnswerKey(snsQuestion(''), 'yaml');
    expect(Object.keys(key?.questions[0] ?? {}).sort()).toEqual(
      ['accepted', 'id', 'keywordGroups', 'points', 'prompt', 'section', 'type'].sort(),
    );
  });
});
