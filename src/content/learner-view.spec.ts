import fc from 'fast-check';
import { toLearnerQuestion } from './learner-view';
import { QUESTION_TYPES, type QuestionDefinition, type QuestionType } from './question.types';

/** Fields that give an answer away or belong to the review; none may reach a learner. */
const SECRET_FIELDS = [
  'correct',
  'accepted',
  'keywordGroups',
  'answer',
  'tolerance',
  'correctOrder',
  'pairs',
  'explanation',
  'feedback',
  'rubric',
  'scoring',
  'wrongFeedback',
  'anticipated',
];

/** One definition per type with every optional field filled, secrets marked so a leak shows. */
const FULL: Record<QuestionType, QuestionDefinition> = {
  single_choice: {
    type: 'single_choice',
    prompt: 'Pick one',
    points: 2,
    explanation: 'SECRET explanation',
    choices: [
      { id: 'a', text: 'Alpha', feedback: 'SECRET feedback a' },
      { id: 'b', text: 'Beta', feedback: 'SECRET feedback b' },
    ],
    correct: 'a',
  },
  multiple_choice: {
    type: 'multiple_choice',
    prompt: 'Pick some',
    points: 1,
    explanation: 'SECRET explanation',
    choices: [
      { id: 'a', text: 'Alpha', feedback: 'SECRET feedback a' },
      { id: 'b', text: 'Beta' },
      { id: 'c', text: 'Gamma', feedback: 'SECRET feedback c' },
    ],
    correct: ['a', 'c'],
    scoring: 'right_minus_wrong',
  },
  true_false: {
    type: 'true_false',
    prompt: 'True?',
    points: 1,
    explanation: 'SECRET explanation',
    correct: false,
    feedback: { true: 'SECRET true', false: 'SECRET false' },
  },
  short_text: {
    type: 'short_text',
    prompt: 'Name it',
    points: 1,
    explanation: 'SECRET explanation',
    accepted: ['SECRET accepted'],
    keywordGroups: [['SECRET keyword']],
    wrongFeedback: 'SECRET wrong',
    anticipated: [{ answer: 'SECRET anticipated', feedback: 'SECRET anticipated feedback' }],
  },
  numeric: {
    type: 'numeric',
    prompt: 'How many?',
    points: 1,
    explanation: 'SECRET explanation',
    answer: 424242,
    tolerance: 0.5,
    unit: 'levels',
    wrongFeedback: 'SECRET wrong',
    anticipated: [{ answer: 434343, tolerance: 1, feedback: 'SECRET anticipated feedback' }],
  },
  ordering: {
    type: 'ordering',
    prompt: 'Put in order',
    points: 3,
    explanation: 'SECRET explanation',
    items: [
      { id: 'first', text: 'First' },
      { id: 'second', text: 'Second' },
      { id: 'third', text: 'Third' },
    ],
    correctOrder: ['first', 'second', 'third'],
  },
  matching: {
    type: 'matching',
    prompt: 'Match',
    points: 2,
    explanation: 'SECRET explanation',
    prompts: [
      { id: 'p1', text: 'Prompt one' },
      { id: 'p2', text: 'Prompt two' },
    ],
    options: [
      { id: 'o1', text: 'Option one' },
      { id: 'o2', text: 'Option two' },
      { id: 'o3', text: 'Distractor' },
    ],
    pairs: { p1: 'o1', p2: 'o2' },
  },
  essay: {
    type: 'essay',
    prompt: 'Discuss',
    points: 5,
    explanation: 'SECRET explanation',
    rubric: 'SECRET rubric',
    maxWords: 300,
  },
};

function keysDeep(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, member]) => [key, ...keysDeep(member)]);
}

const ids = (items: { id: string }[] | undefined) => (items ?? []).map((item) => item.id);

describe('toLearnerQuestion', () => {
  it('has a full fixture for every question type', () => {
    expect(Object.keys(FULL).sort()).toEqual([...QUESTION_TYPES].sort());
  });

  it.each(QUESTION_TYPES)('lets no secret of a %s question through', (type) => {
    const view = toLearnerQuestion(FULL[type]);
    expect(keysDeep(view).filter((key) => SECRET_FIELDS.includes(key))).toEqual([]);
    expect(JSON.stringify(view)).not.toMatch(/SECRET|424242|434343/);
  });

  it.each(QUESTION_TYPES)('keeps the type, prompt and points of a %s question', (type) => {
    expect(toLearnerQuestion(FULL[type])).toMatchObject({
      type,
      prompt: FULL[type].prompt,
      points: FULL[type].points,
    });
  });

  it('keeps what a learner needs to answer each type', () => {
    expect(toLearnerQuestion(FULL.single_choice).choices).toEqual([
      { id: 'a', text: 'Alpha' },
      { id: 'b', text: 'Beta' },
    ]);
    expect(ids(toLearnerQuestion(FULL.multiple_choice).choices)).toEqual(['a', 'b', 'c']);
    expect(toLearnerQuestion(FULL.numeric).unit).toBe('levels');
    expect(toLearnerQuestion(FULL.essay).maxWords).toBe(300);
    expect(ids(toLearnerQuestion(FULL.ordering).items).sort()).toEqual(['first', 'second', 'third']);
    const matching = toLearnerQuestion(FULL.matching);
    expect(ids(matching.prompts)).toEqual(['p1', 'p2']);
    expect(ids(matching.options).sort()).toEqual(['o1', 'o2', 'o3']);
    expect(toLearnerQuestion(FULL.true_false)).toEqual({ type: 'true_false', prompt: 'True?', points: 1 });
  });

  it.each(QUESTION_TYPES)('shows the hint of a %s question, and only when it has one', (type) => {
    const hinted = { ...FULL[type], hint: 'Section 2 has it.' };
    expect(toLearnerQuestion(hinted).hint).toBe('Section 2 has it.');
    expect(toLearnerQuestion(FULL[type])).not.toHaveProperty('hint');
  });

  it('never shows ordering items in their right order, and always shows them all', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 2, maxLength: 8 }), (itemIds) => {
        const items = itemIds.map((id) => ({ id, text: `Item ${id}` }));
        const view = toLearnerQuestion({ type: 'ordering', prompt: 'Order', points: 1, items, correctOrder: itemIds });
        expect(ids(view.items)).not.toEqual(itemIds);
        expect(ids(view.items).sort()).toEqual([...itemIds].sort());
      }),
    );
  });

  it('never lines matching options up with their prompts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 3 }), (count, distractors) => {
        const prompts = Array.from({ length: count }, (_, i) => ({ id: `p${i}`, text: `P${i}` }));
        const options = Array.from({ length: count + distractors }, (_, i) => ({ id: `o${i}`, text: `O${i}` }));
        const pairs = Object.fromEntries(prompts.map((prompt, i) => [prompt.id, `o${i}`]));
        const view = toLearnerQuestion({ type: 'matching', prompt: 'Match', points: 1, prompts, options, pairs });
        expect(ids(view.options).slice(0, count)).not.toEqual(prompts.map((p) => pairs[p.id]));
        expect(ids(view.options).sort()).toEqual(ids(options).sort());
      }),
    );
  });

  it('gives the same order every time, so a page reload does not reshuffle', () => {
    expect(toLearnerQuestion(FULL.ordering)).toEqual(toLearnerQuestion(FULL.ordering));
  });
});
