import fc from 'fast-check';
import type { ReviewShow, ReviewWhen } from '../../content/import/answer-key';
import type { QuestionDefinition } from '../../content/question.types';
import { ATTEMPT_STATES } from '../entities/attempt.entity';
import {
  type QuestionResult,
  type ReviewContext,
  type ReviewVisibility,
  redactQuestionResult,
  reviewVisibility,
} from './review-policy';

const NOTHING: ReviewVisibility = {
  score: false,
  correctness: false,
  answers: false,
  explanations: false,
  feedback: false,
};
const SCORE_ONLY: ReviewVisibility = { ...NOTHING, score: true };
const CORRECTNESS: ReviewVisibility = { ...SCORE_ONLY, correctness: true, feedback: true };
const EVERYTHING: ReviewVisibility = {
  score: true,
  correctness: true,
  answers: true,
  explanations: true,
  feedback: true,
};

type ContextOverrides = Partial<Omit<ReviewContext, 'review'>> & { show?: ReviewShow; when?: ReviewWhen };

function context(overrides: ContextOverrides): ReviewContext {
  const { show = 'answers', when = 'immediately', ...rest } = overrides;
  return {
    review: { show, when },
    attemptState: 'graded',
    attemptsUsed: 1,
    attemptsAllowed: 3,
    hasAttemptInProgress: false,
    ...rest,
  };
}

describe('reviewVisibility', () => {
  it.each(['score', 'correctness', 'answers'] as const)(
    'shows nothing of an attempt in progress (show: %s)',
    (show) => {
      for (const when of ['immediately', 'after_last_attempt'] as const) {
        expect(reviewVisibility(context({ show, when, attemptState: 'in_progress', attemptsUsed: 3 }))).toEqual(
          NOTHING,
        );
      }
    },
  );

  it.each<[ReviewShow, ReviewVisibility]>([
    ['score', SCORE_ONLY],
    ['correctness', CORRECTNESS],
    ['answers', EVERYTHING],
  ])('shows, immediately, what show: %s allows', (show, expected) => {
    for (const attemptState of ['submitted', 'pending_grading', 'graded', 'abandoned'] as const) {
      expect(reviewVisibility(context({ show, attemptState }))).toEqual(expected);
    }
  });

  describe('after_last_attempt', () => {
    const after = (overrides: ContextOverrides) =>
      reviewVisibility(context({ when: 'after_last_attempt', ...overrides }));

    it('shows only the score while attempts are left', () => {
      expect(after({ attemptsUsed: 1, attemptsAllowed: 3 })).toEqual(SCORE_ONLY);
      expect(after({ attemptsUsed: 2, attemptsAllowed: 3 })).toEqual(SCORE_ONLY);
    });

    it('shows what show allows once the last attempt is used', () => {
      expect(after({ attemptsUsed: 3, attemptsAllowed: 3 })).toEqual(EVERYTHING);
      expect(after({ attemptsUsed: 4, attemptsAllowed: 3 })).toEqual(EVERYTHING);
      expect(after({ show: 'correctness', attemptsUsed: 1, attemptsAllowed: 1 })).toEqual(CORRECTNESS);
    });

    it('shows only the score while another attempt is in progress, even past the limit', () => {
      expect(after({ attemptsUsed: 3, attemptsAllowed: 3, hasAttemptInProgress: true })).toEqual(SCORE_ONLY);
    });

    it('never shows more than the score with unlimited attempts, since there is no last one', () => {
      expect(after({ attemptsUsed: 1000, attemptsAllowed: 'unlimited' })).toEqual(SCORE_ONLY);
    });

    it('keeps the review closed when a count is not a number', () => {
      expect(after({ attemptsUsed: Number.NaN, attemptsAllowed: 3 })).toEqual(SCORE_ONLY);
      expect(after({ attemptsUsed: 3, attemptsAllowed: Number.NaN })).toEqual(SCORE_ONLY);
    });
  });

  it('reveals the least for settings or states it does not know (stored JSON)', () => {
    const unknown = <T>(value: string) => value as unknown as T;
    expect(reviewVisibility(context({ attemptState: unknown('expired') }))).toEqual(NOTHING);
    expect(reviewVisibility(context({ show: unknown('everything') }))).toEqual(SCORE_ONLY);
    expect(reviewVisibility(context({ show: unknown('constructor') }))).toEqual(SCORE_ONLY);
    expect(reviewVisibility(context({ when: unknown('later'), attemptsUsed: 1 }))).toEqual(SCORE_ONLY);
  });

  it('returns a fresh object each time, so a caller changing it cannot open another review', () => {
    const first = reviewVisibility(context({ show: 'score' }));
    first.answers = true;
    expect(reviewVisibility(context({ show: 'score' }))).toEqual(SCORE_ONLY);
  });
});

// ---- properties --------------------------------------------------------------------------------

const showArb = fc.constantFrom<ReviewShow>('score', 'correctness', 'answers');
const whenArb = fc.constantFrom<ReviewWhen>('immediately', 'after_last_attempt');
const contextArb: fc.Arbitrary<ReviewContext> = fc.record({
  review: fc.record({ show: showArb, when: whenArb }),
  attemptState: fc.constantFrom(...ATTEMPT_STATES),
  attemptsUsed: fc.nat({ max: 12 }),
  attemptsAllowed: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constant('unlimited' as const)),
  hasAttemptInProgress: fc.boolean(),
});

const LEVELS = [NOTHING, SCORE_ONLY, CORRECTNESS, EVERYTHING];
const levelOf = (visibility: ReviewVisibility) =>
  LEVELS.findIndex((level) =>
    Object.keys(level).every(
      (key) => level[key as keyof ReviewVisibility] === visibility[key as keyof ReviewVisibility],
    ),
  );
const SHOW_RANK: Record<ReviewShow, number> = { score: 0, correctness: 1, answers: 2 };

describe('reviewVisibility properties', () => {
  it('is always one of four nested levels: nothing ⊂ score ⊂ +correctness, feedback ⊂ everything', () => {
    fc.assert(
      fc.property(contextArb, (given) => {
        expect(levelOf(reviewVisibility(given))).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('shows nothing in progress, and at least the score once finished', () => {
    fc.assert(
      fc.property(contextArb, (given) => {
        const level = levelOf(reviewVisibility(given));
        expect(level === 0).toBe(given.attemptState === 'in_progress');
      }),
    );
  });

  it('never shows less for a more generous show, for immediately or for one more attempt used', () => {
    fc.assert(
      fc.property(contextArb, showArb, (given, otherShow) => {
        const level = levelOf(reviewVisibility(given));
        const generous = SHOW_RANK[otherShow] >= SHOW_RANK[given.review.show];
        const withShow = levelOf(reviewVisibility({ ...given, review: { ...given.review, show: otherShow } }));
        if (generous) expect(withShow).toBeGreaterThanOrEqual(level);
        const immediately = { ...given, review: { ...given.review, when: 'immediately' as const } };
        expect(levelOf(reviewVisibility(immediately))).toBeGreaterThanOrEqual(level);
        expect(levelOf(reviewVisibility({ ...given, attemptsUsed: given.attemptsUsed + 1 }))).toBeGreaterThanOrEqual(
          level,
        );
      }),
    );
  });

  it('shows more than the score under after_last_attempt only when no attempt is left or in progress', () => {
    fc.assert(
      fc.property(contextArb, (given) => {
        const visibility = reviewVisibility({ ...given, review: { ...given.review, when: 'after_last_attempt' } });
        const noneLeft = given.attemptsAllowed !== 'unlimited' && given.attemptsUsed >= given.attemptsAllowed;
        if (visibility.correctness || visibility.answers) expect(noneLeft && !given.hasAttemptInProgress).toBe(true);
      }),
    );
  });
});

// ---- redaction -----------------------------------------------------------------------------------

const choiceQuestion: QuestionDefinition = {
  type: 'multiple_choice',
  prompt: 'Which are detective controls?',
  points: 3,
  choices: [
    { id: 'a', text: 'GuardDuty', feedback: 'Finds threats in logs.' },
    { id: 'b', text: 'Config rules' },
    { id: 'c', text: 'KMS', feedback: 'Protects data; detects nothing.' },
  ],
  correct: ['a', 'b'],
  scoring: 'right_minus_wrong',
  explanation: 'Detective controls find what has happened.',
};

const scored: QuestionResult = {
  questionVersionId: '1d3c6a8e-5b2f-4e71-9a0c-7f4e2d1b3a5c',
  score: 1,
  maxScore: 3,
  correctness: 'partial',
  feedback: ['Finds threats in logs.', 'Protects data; detects nothing.'],
};

describe('redactQuestionResult', () => {
  it('gives only the question and its points when nothing is visible', () => {
    expect(redactQuestionResult(scored, choiceQuestion, NOTHING)).toEqual({
      questionVersionId: scored.questionVersionId,
      maxScore: 3,
    });
  });

  it('adds the score alone for score only', () => {
    expect(redactQuestionResult(scored, choiceQuestion, SCORE_ONLY)).toStrictEqual({
      questionVersionId: scored.questionVersionId,
      maxScore: 3,
      score: 1,
    });
  });

  it('keeps a pending score as null, for the caller to show as pending', () => {
    const pending = { ...scored, score: null, correctness: 'pending', feedback: [] };
    expect(redactQuestionResult(pending, choiceQuestion, CORRECTNESS)).toStrictEqual({
      questionVersionId: scored.questionVersionId,
      maxScore: 3,
      score: null,
      correctness: 'pending',
      feedback: [],
    });
  });

  it('adds correctness and feedback, but not the key, for correctness', () => {
    expect(redactQuestionResult(scored, choiceQuestion, CORRECTNESS)).toStrictEqual({
      questionVersionId: scored.questionVersionId,
      maxScore: 3,
      score: 1,
      correctness: 'partial',
      feedback: scored.feedback,
    });
  });

  it('adds the right answer and the explanation for answers', () => {
    expect(redactQuestionResult(scored, choiceQuestion, EVERYTHING)).toStrictEqual({
      questionVersionId: scored.questionVersionId,
      maxScore: 3,
      score: 1,
      correctness: 'partial',
      feedback: scored.feedback,
      rightAnswer: { choiceIds: ['a', 'b'] },
      explanation: 'Detective controls find what has happened.',
    });
  });

  const base = { prompt: 'p', points: 1 };
  it.each<[string, QuestionDefinition, unknown]>([
    ['single choice', { ...base, type: 'single_choice', choices: [], correct: 'b' }, { choiceIds: ['b'] }],
    ['true/false', { ...base, type: 'true_false', correct: false }, { value: false }],
    [
      'short text (first accepted answer only)',
      { ...base, type: 'short_text', accepted: ['CloudTrail', 'AWS CloudTrail'], keywordGroups: [['trail']] },
      { text: 'CloudTrail' },
    ],
    [
      'short text with keyword groups only',
      { ...base, type: 'short_text', accepted: [], keywordGroups: [['x']] },
      undefined,
    ],
    [
      'numeric',
      { ...base, type: 'numeric', answer: 90, tolerance: 0, unit: 'days' },
      { answer: 90, tolerance: 0, unit: 'days' },
    ],
    [
      'numeric without a unit',
      { ...base, type: 'numeric', answer: 2.5, tolerance: 0.1 },
      { answer: 2.5, tolerance: 0.1 },
    ],
    ['ordering', { ...base, type: 'ordering', items: [], correctOrder: ['x', 'y'] }, { correctOrder: ['x', 'y'] }],
    ['matching', { ...base, type: 'matching', prompts: [], options: [], pairs: { p: 'o' } }, { pairs: { p: 'o' } }],
    ['essay (none)', { ...base, type: 'essay', rubric: 'Look for containment.' }, undefined],
  ])('shows the right answer of a %s question', (_label, definition, rightAnswer) => {
    expect(redactQuestionResult(scored, definition, EVERYTHING).rightAnswer).toStrictEqual(rightAnswer);
  });

  it('never shows an essay rubric, whatever the visibility', () => {
    const essay: QuestionDefinition = { ...base, type: 'essay', rubric: 'SECRET RUBRIC' };
    expect(JSON.stringify(redactQuestionResult(scored, essay, EVERYTHING))).not.toContain('SECRET RUBRIC');
  });

  it('returns copies, so changing the result cannot change the stored key or feedback', () => {
    const redacted = redactQuestionResult(scored, choiceQuestion, EVERYTHING);
    (redacted.rightAnswer as { choiceIds: string[] }).choiceIds.push('c');
    redacted.feedback?.push('extra');
    expect(choiceQuestion.type === 'multiple_choice' && choiceQuestion.correct).toEqual(['a', 'b']);
    expect(scored.feedback).toHaveLength(2);
  });
});

// ---- redaction properties --------------------------------------------------------------------------

const idArb = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/);
const textArb = fc.string({ maxLength: 30 });
const itemsArb = fc
  .uniqueArray(idArb, { minLength: 1, maxLength: 6 })
  .map((ids) => ids.map((id) => ({ id, text: id })));
const common = {
  prompt: textArb,
  points: fc.integer({ min: 1, max: 10 }),
  explanation: fc.option(textArb, { nil: undefined }),
};
const questionArb: fc.Arbitrary<QuestionDefinition> = fc.oneof(
  fc.record({ ...common, type: fc.constant('single_choice' as const), choices: itemsArb, correct: idArb }),
  fc.record({
    ...common,
    type: fc.constant('multiple_choice' as const),
    choices: itemsArb,
    correct: fc.array(idArb, { minLength: 1, maxLength: 4 }),
    scoring: fc.constantFrom('right_minus_wrong' as const, 'all_or_nothing' as const),
  }),
  fc.record({ ...common, type: fc.constant('true_false' as const), correct: fc.boolean() }),
  fc.record({
    ...common,
    type: fc.constant('short_text' as const),
    accepted: fc.array(textArb, { maxLength: 3 }),
    keywordGroups: fc.array(fc.array(textArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    ...common,
    type: fc.constant('numeric' as const),
    answer: fc.double({ noNaN: true, noDefaultInfinity: true }),
    tolerance: fc.double({ min: 0, max: 10, noNaN: true }),
    unit: fc.option(textArb, { nil: undefined }),
  }),
  fc.record({ ...common, type: fc.constant('ordering' as const), items: itemsArb, correctOrder: fc.array(idArb) }),
  fc.record({
    ...common,
    type: fc.constant('matching' as const),
    prompts: itemsArb,
    options: itemsArb,
    pairs: fc.dictionary(idArb, idArb),
  }),
  fc.record({ ...common, type: fc.constant('essay' as const), rubric: textArb }),
);
const resultArb: fc.Arbitrary<QuestionResult> = fc.record({
  questionVersionId: fc.uuid(),
  score: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: null }),
  maxScore: fc.integer({ min: 1, max: 10 }),
  correctness: fc.constantFrom('correct', 'partial', 'incorrect', 'pending'),
  feedback: fc.array(textArb, { maxLength: 3 }),
});
const visibilityArb: fc.Arbitrary<ReviewVisibility> = fc.record({
  score: fc.boolean(),
  correctness: fc.boolean(),
  answers: fc.boolean(),
  explanations: fc.boolean(),
  feedback: fc.boolean(),
});

/** The keys a learner may receive, worked out from the rules rather than from the code. */
function allowedKeys(visibility: ReviewVisibility, definition: QuestionDefinition): string[] {
  const hasKeyToShow =
    definition.type !== 'essay' && !(definition.type === 'short_text' && definition.accepted.length === 0);
  return [
    'questionVersionId',
    'maxScore',
    ...(visibility.score ? ['score'] : []),
    ...(visibility.correctness ? ['correctness'] : []),
    ...(visibility.feedback ? ['feedback'] : []),
    ...(visibility.answers && hasKeyToShow ? ['rightAnswer'] : []),
    ...(visibility.explanations && definition.explanation !== undefined ? ['explanation'] : []),
  ].sort();
}

describe('redactQuestionResult properties', () => {
  it('gives exactly the question version and its points when nothing is visible, whatever the question', () => {
    fc.assert(
      fc.property(resultArb, questionArb, (result, definition) => {
        const redacted = redactQuestionResult(result, definition, NOTHING);
        // Through JSON, as the learner receives it: no key may hide as undefined or on the prototype.
        expect(JSON.parse(JSON.stringify(redacted))).toStrictEqual({
          questionVersionId: result.questionVersionId,
          maxScore: result.maxScore,
        });
      }),
    );
  });

  it('gives exactly the keys the visibility allows, for any question and any visibility', () => {
    fc.assert(
      fc.property(resultArb, questionArb, visibilityArb, (result, definition, visibility) => {
        const redacted = redactQuestionResult(result, definition, visibility);
        expect(Object.keys(redacted).sort()).toEqual(allowedKeys(visibility, definition));
        if (visibility.score) expect(redacted.score).toBe(result.score);
        if (visibility.correctness) expect(redacted.correctness).toBe(result.correctness);
        if (visibility.feedback) expect(redacted.feedback).toEqual(result.feedback);
        if (visibility.explanations) expect(redacted.explanation).toBe(definition.explanation);
      }),
    );
  });

  it('lets nothing of a question through for an attempt in progress, whatever the settings (invariant 4)', () => {
    const inProgressArb = contextArb.map((given) => ({ ...given, attemptState: 'in_progress' as const }));
    fc.assert(
      fc.property(resultArb, questionArb, inProgressArb, (result, definition, given) => {
        const redacted = redactQuestionResult(result, definition, reviewVisibility(given));
        expect(Object.keys(redacted).sort()).toEqual(['maxScore', 'questionVersionId']);
      }),
    );
  });
});
