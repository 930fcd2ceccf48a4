import fc from 'fast-check';
import type {
  Choice,
  LabelledItem,
  MultipleChoiceQuestion,
  NumericQuestion,
  QuestionDefinition,
  ResponseValue,
  ShortTextQuestion,
} from '../../content/question.types';
import { scoreMultipleChoice } from './choice.scorer';
import { scoreAttempt } from './score-attempt';
import { scoreQuestion } from './score-question';
import { normaliseAnswerText, scoreShortText } from './short-text.scorer';
import type { QuestionScore, ScoringItem } from './scoring.types';

// ---- arbitraries: valid questions of every type --------------------------------------------

const idArb = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/);
const uniqueIds = (minLength: number, maxLength = 8) => fc.uniqueArray(idArb, { minLength, maxLength });
const textArb = fc.string({ maxLength: 40 });
/** Any Unicode, but something must survive normalisation or it cannot be a keyword or an answer. */
const wordyTextArb = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter((text) => normaliseAnswerText(text) !== '');
/** Whole points, points in ten-thousandths (what a key can express) and arbitrary positive doubles. */
const pointsArb = fc.oneof(
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 1, max: 1_000_000 }).map((n) => n / 10_000),
  fc.double({ min: 0.01, max: 1000, noNaN: true, noDefaultInfinity: true }),
);

const choicesArb = (ids: string[]): fc.Arbitrary<Choice[]> =>
  fc.tuple(
    ...ids.map((id) =>
      fc.record({ id: fc.constant(id), text: textArb, feedback: textArb }, { requiredKeys: ['id', 'text'] }),
    ),
  );

const labelledArb = (ids: string[]): fc.Arbitrary<LabelledItem[]> =>
  fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), text: textArb })));

const base = { prompt: textArb, points: pointsArb };

const singleChoiceArb = uniqueIds(1).chain((ids) =>
  fc.record({
    type: fc.constant('single_choice' as const),
    ...base,
    choices: choicesArb(ids),
    correct: fc.constantFrom(...ids),
  }),
);

const multipleChoiceArb: fc.Arbitrary<MultipleChoiceQuestion> = uniqueIds(1).chain((ids) =>
  fc.record({
    type: fc.constant('multiple_choice' as const),
    ...base,
    choices: choicesArb(ids),
    correct: fc.shuffledSubarray(ids, { minLength: 1 }),
    scoring: fc.constantFrom('right_minus_wrong' as const, 'all_or_nothing' as const),
  }),
);

const trueFalseArb = fc.record(
  {
    type: fc.constant('true_false' as const),
    ...base,
    correct: fc.boolean(),
    feedback: fc.record({ true: textArb, false: textArb }, { requiredKeys: [] }),
  },
  { requiredKeys: ['type', 'prompt', 'points', 'correct'] },
);

const keywordGroupsArb = fc.array(fc.array(wordyTextArb, { minLength: 1, maxLength: 3 }), {
  minLength: 1,
  maxLength: 4,
});

const shortTextArb: fc.Arbitrary<ShortTextQuestion> = fc.record(
  {
    type: fc.constant('short_text' as const),
    ...base,
    accepted: fc.array(wordyTextArb, { minLength: 1, maxLength: 3 }),
    keywordGroups: keywordGroupsArb,
    wrongFeedback: textArb,
    anticipated: fc.array(fc.record({ answer: wordyTextArb, feedback: textArb }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['type', 'prompt', 'points', 'accepted'] },
);

const valueArb = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const toleranceArb = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true }));
const numericArb: fc.Arbitrary<NumericQuestion> = fc.record(
  {
    type: fc.constant('numeric' as const),
    ...base,
    answer: valueArb,
    tolerance: toleranceArb,
    wrongFeedback: textArb,
    anticipated: fc.array(fc.record({ answer: valueArb, tolerance: toleranceArb, feedback: textArb }), {
      minLength: 1,
      maxLength: 3,
    }),
  },
  { requiredKeys: ['type', 'prompt', 'points', 'answer', 'tolerance'] },
);

const orderingArb = uniqueIds(1).chain((ids) =>
  fc.record({
    type: fc.constant('ordering' as const),
    ...base,
    items: labelledArb(ids),
    correctOrder: fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }),
  }),
);

const matchingArb = fc.tuple(uniqueIds(1), uniqueIds(1)).chain(([promptIds, optionIds]) =>
  fc.record({
    type: fc.constant('matching' as const),
    ...base,
    prompts: labelledArb(promptIds),
    options: labelledArb(optionIds),
    pairs: fc
      .tuple(...promptIds.map(() => fc.constantFrom(...optionIds)))
      .map((chosen) => Object.fromEntries(promptIds.map((promptId, i) => [promptId, chosen[i]]))),
  }),
);

const essayArb = fc.record(
  { type: fc.constant('essay' as const), ...base, rubric: textArb, maxWords: fc.nat() },
  { requiredKeys: ['type', 'prompt', 'points'] },
);

const questionArb: fc.Arbitrary<QuestionDefinition> = fc.oneof(
  singleChoiceArb,
  multipleChoiceArb,
  trueFalseArb,
  shortTextArb,
  numericArb,
  orderingArb,
  matchingArb,
  essayArb,
);

// ---- responses -------------------------------------------------------------------------------

/** The response that the key says is right (for an essay: any non-blank text). */
function keyResponse(question: QuestionDefinition): ResponseValue {
  switch (question.type) {
    case 'single_choice':
      return { type: 'single_choice', choiceId: question.correct };
    case 'multiple_choice':
      return { type: 'multiple_choice', choiceIds: [...question.correct] };
    case 'true_false':
      return { type: 'true_false', value: question.correct };
    case 'short_text':
      return { type: 'short_text', text: question.accepted[0] };
    case 'numeric':
      return { type: 'numeric', value: question.answer };
    case 'ordering':
      return { type: 'ordering', order: [...question.correctOrder] };
    case 'matching':
      return { type: 'matching', pairs: { ...question.pairs } };
    case 'essay':
      return { type: 'essay', text: 'An answer for a person to read.' };
  }
}

/** Ids of the question plus some it does not know, so responses mix right, wrong and unknown parts. */
function idsOf(question: QuestionDefinition): string[] {
  const own =
    question.type === 'single_choice' || question.type === 'multiple_choice'
      ? question.choices.map((choice) => choice.id)
      : question.type === 'ordering'
        ? question.items.map((item) => item.id)
        : question.type === 'matching'
          ? [...question.prompts, ...question.options].map((item) => item.id)
          : [];
  return [...own, 'unknown', 'constructor'];
}

/** Any response at all: of the question's type with arbitrary content, of another type, or blank. */
function responseArb(question: QuestionDefinition): fc.Arbitrary<ResponseValue | undefined> {
  const id = fc.constantFrom(...idsOf(question));
  const anyResponse: fc.Arbitrary<ResponseValue> = fc.oneof(
    fc.record({ type: fc.constant('single_choice' as const), choiceId: id }),
    fc.record({ type: fc.constant('multiple_choice' as const), choiceIds: fc.array(id, { maxLength: 10 }) }),
    fc.record({ type: fc.constant('true_false' as const), value: fc.boolean() }),
    fc.record({ type: fc.constant('short_text' as const), text: fc.string({ unit: 'grapheme', maxLength: 40 }) }),
    fc.record({ type: fc.constant('numeric' as const), value: fc.double() }),
    fc.record({ type: fc.constant('ordering' as const), order: fc.array(id, { maxLength: 10 }) }),
    fc.record({ type: fc.constant('matching' as const), pairs: fc.dictionary(id, id, { maxKeys: 10 }) }),
    fc.record({ type: fc.constant('essay' as const), text: fc.string({ maxLength: 40 }) }),
  );
  return fc.oneof(fc.constant(keyResponse(question)), anyResponse, fc.constant(undefined));
}

const questionWithResponseArb = questionArb.chain((question) => fc.tuple(fc.constant(question), responseArb(question)));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

// ---- properties ------------------------------------------------------------------------------

function expectWellFormed(result: QuestionScore, question: QuestionDefinition): void {
  expect(result.maxScore).toBe(question.points);
  if (result.score === null) {
    expect(question.type).toBe('essay');
    expect(result.correctness).toBe('pending');
    return;
  }
  expect(result.score).toBeGreaterThanOrEqual(0);
  expect(result.score).toBeLessThanOrEqual(question.points);
  const expected = result.score === question.points ? 'correct' : result.score === 0 ? 'incorrect' : 'partial';
  expect(result.correctness).toBe(expected);
}

describe('scoring properties', () => {
  it('keeps every score within [0, points], with correctness that matches it', () => {
    fc.assert(
      fc.property(questionWithResponseArb, ([question, response]) => {
        expectWellFormed(scoreQuestion(question, response), question);
      }),
    );
  });

  it('gives the key full marks (an answered essay is pending)', () => {
    fc.assert(
      fc.property(questionArb, (question) => {
        const result = scoreQuestion(question, keyResponse(question));
        if (question.type === 'essay') {
          expect(result).toMatchObject({ score: null, correctness: 'pending' });
        } else {
          expect(result).toMatchObject({ score: question.points, correctness: 'correct' });
        }
      }),
    );
  });

  it('gives a blank answer 0, whatever the type', () => {
    fc.assert(
      fc.property(questionArb, (question) => {
        expect(scoreQuestion(question, undefined)).toEqual({
          score: 0,
          maxScore: question.points,
          correctness: 'incorrect',
          feedback: [],
        });
      }),
    );
  });

  it('is deterministic and never mutates its inputs', () => {
    fc.assert(
      fc.property(questionWithResponseArb, ([question, response]) => {
        const before = structuredClone([question, response]);
        deepFreeze(question);
        deepFreeze(response);
        const first = scoreQuestion(question, response);
        expect(scoreQuestion(question, response)).toEqual(first);
        expect([question, response]).toEqual(before);
      }),
    );
  });

  it('ignores the order and repetition of a multiple-choice selection', () => {
    const withSelections = multipleChoiceArb.chain((question) => {
      const ids = [...question.choices.map((choice) => choice.id), 'unknown'];
      return fc.tuple(
        fc.constant(question),
        fc
          .shuffledSubarray(ids)
          .chain((selection) =>
            fc.tuple(
              fc.constant(selection),
              fc.shuffledSubarray(selection, { minLength: selection.length }),
              fc.array(fc.constantFrom('unused', ...selection), { maxLength: 5 }),
            ),
          ),
      );
    });
    fc.assert(
      fc.property(withSelections, ([question, [selection, shuffled, repeats]]) => {
        const reference = scoreMultipleChoice(question, { type: 'multiple_choice', choiceIds: selection });
        const reordered = scoreMultipleChoice(question, { type: 'multiple_choice', choiceIds: shuffled });
        const repeated = selection.length === 0 ? [] : [...shuffled, ...repeats.filter((id) => id !== 'unused')];
        const withRepeats = scoreMultipleChoice(question, { type: 'multiple_choice', choiceIds: repeated });
        expect(reordered).toEqual(reference);
        expect(withRepeats).toEqual(reference);
      }),
    );
  });

  it('never lowers a multiple-choice score for adding a right choice, nor raises it for adding a wrong one', () => {
    const withSelection = multipleChoiceArb.chain((question) =>
      fc.tuple(fc.constant(question), fc.subarray(question.choices.map((choice) => choice.id))),
    );
    fc.assert(
      fc.property(withSelection, ([question, selection]) => {
        const scoreOf = (ids: string[]) => scoreMultipleChoice(question, { type: 'multiple_choice', choiceIds: ids });
        const score = scoreOf(selection).score ?? Number.NaN;
        const wrongIds = question.choices.map((choice) => choice.id).filter((id) => !question.correct.includes(id));
        for (const id of question.correct) expect(scoreOf([...selection, id]).score).toBeGreaterThanOrEqual(score);
        for (const id of [...wrongIds, 'unknown']) expect(scoreOf([...selection, id]).score).toBeLessThanOrEqual(score);
      }),
    );
  });

  it('gives full marks to a short answer naming one keyword from every group', () => {
    const withPicks = fc
      .tuple(pointsArb, keywordGroupsArb)
      .chain(([points, keywordGroups]) =>
        fc.tuple(
          fc.constant<ShortTextQuestion>({ type: 'short_text', prompt: 'p', points, accepted: [], keywordGroups }),
          fc.tuple(...keywordGroups.map((group) => fc.constantFrom(...group))),
        ),
      );
    fc.assert(
      fc.property(withPicks, ([question, picks]) => {
        expect(scoreShortText(question, { type: 'short_text', text: picks.join(' ') }).score).toBe(question.points);
      }),
    );
  });
});

describe('wrong-answer feedback properties', () => {
  const wrongFeedbackArb = fc
    .oneof(shortTextArb, numericArb)
    .chain((question) => fc.tuple(fc.constant(question), responseArb(question)));

  /** An answer of the question's own type with something in it (a short text that normalises to nothing is blank). */
  const answered = (question: ShortTextQuestion | NumericQuestion, response: ResponseValue | undefined) =>
    response?.type === question.type && (response.type !== 'short_text' || normaliseAnswerText(response.text) !== '');

  it('gives one feedback, from the key, exactly to an answer short of full marks when the key has some', () => {
    fc.assert(
      fc.property(wrongFeedbackArb, ([question, response]) => {
        const result = scoreQuestion(question, response);
        const known = [question.wrongFeedback, ...(question.anticipated ?? []).map((entry) => entry.feedback)];
        const due = answered(question, response) && result.correctness !== 'correct';
        if (!due) expect(result.feedback).toEqual([]);
        else if (question.wrongFeedback !== undefined) expect(result.feedback).toHaveLength(1);
        expect(result.feedback.length).toBeLessThanOrEqual(1);
        for (const feedback of result.feedback) expect(known).toContain(feedback);
      }),
    );
  });

  it('gives an anticipated answer, when wrong, the feedback of the first entry it matches', () => {
    const withPick = shortTextArb
      .filter((question) => (question.anticipated ?? []).length > 0)
      .chain((question) => fc.tuple(fc.constant(question), fc.constantFrom(...(question.anticipated ?? []))));
    fc.assert(
      fc.property(withPick, ([question, picked]) => {
        const result = scoreShortText(question, { type: 'short_text', text: picked.answer });
        if (result.correctness === 'correct') return;
        const first = (question.anticipated ?? []).find(
          (entry) => normaliseAnswerText(entry.answer) === normaliseAnswerText(picked.answer),
        );
        expect(result.feedback).toEqual([first?.feedback]);
      }),
    );
  });
});

describe('scoreAttempt properties', () => {
  const itemArb: fc.Arbitrary<ScoringItem> = questionWithResponseArb.chain(([question, response]) =>
    fc.record(
      {
        question: fc.constant(question),
        response: fc.constant(response),
        override: fc.oneof(fc.constant(null), fc.double({ min: -10, max: 2000, noNaN: true })),
      },
      { requiredKeys: ['question'] },
    ),
  );

  it('totals the question scores, scales into [0, 1] and decides a pass only once nothing is pending', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), (items, mark) => {
        deepFreeze(items);
        const result = scoreAttempt(items, mark);
        const sum = result.questions.reduce((total, question) => total + (question.score ?? 0), 0);
        const points = items.reduce((total, item) => total + item.question.points, 0);
        expect(result.questions).toHaveLength(items.length);
        // Totals are rounded once to 4 decimal places, like the question scores.
        expect(Math.abs(result.raw - sum)).toBeLessThanOrEqual(5e-5 + 1e-9);
        expect(Math.abs(result.max - points)).toBeLessThanOrEqual(5e-5 + 1e-9);
        expect(result.scaled).toBeGreaterThanOrEqual(0);
        expect(result.scaled).toBeLessThanOrEqual(1);
        result.questions.forEach((question, i) => expectWellFormed(question, items[i].question));
        const pending = result.questions.filter((question) => question.score === null).length;
        expect(result.pending).toBe(pending);
        if (pending > 0) expect(result.passed).toBeNull();
        else expect(result.passed).toBe(result.scaled >= mark - 1e-9);
        expect(scoreAttempt(items, mark)).toEqual(result);
      }),
    );
  });

  it('applies an override in place of the automatic score', () => {
    fc.assert(
      fc.property(itemArb, fc.double({ min: 0, max: 1, noNaN: true }), (item, share) => {
        const override = item.question.points * share;
        const [question] = scoreAttempt([{ ...item, override }], 0.5).questions;
        expect(question.score).toBeCloseTo(override, 4);
        expect(question.correctness).not.toBe('pending');
      }),
    );
  });
});
