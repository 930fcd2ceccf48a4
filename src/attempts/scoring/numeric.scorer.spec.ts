import type { NumericQuestion, ResponseValue } from '../../content/question.types';
import { scoreNumeric } from './numeric.scorer';

const value = (v: number): ResponseValue => ({ type: 'numeric', value: v });

describe('scoreNumeric', () => {
  const question: NumericQuestion = {
    type: 'numeric',
    prompt: 'How many days does CloudTrail event history keep?',
    points: 1,
    answer: 90,
    tolerance: 0.5,
    unit: 'days',
  };

  it.each([90, 89.5, 90.5, 90.2])('gives full marks for %d, within the tolerance', (v) => {
    expect(scoreNumeric(question, value(v))).toEqual({
      score: 1,
      maxScore: 1,
      correctness: 'correct',
      feedback: [],
    });
  });

  it.each([89.49, 90.51, 0, -90, 1e300])('gives nothing for %d, outside the tolerance', (v) => {
    expect(scoreNumeric(question, value(v))).toMatchObject({ score: 0, correctness: 'incorrect' });
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'treats the non-finite value %d as wrong',
    (v) => {
      expect(scoreNumeric({ ...question, tolerance: Number.MAX_VALUE }, value(v)).score).toBe(0);
    },
  );

  it('forgives floating-point error on an exact answer', () => {
    const exact: NumericQuestion = { ...question, answer: 0.3, tolerance: 0 };
    expect(scoreNumeric(exact, value(0.1 + 0.2)).score).toBe(1);
    expect(scoreNumeric(exact, value(0.3001)).score).toBe(0);
  });

  it('scales the floating-point slack with the answer (1e-9 relative)', () => {
    const large: NumericQuestion = { ...question, answer: 1e12, tolerance: 0 };
    expect(scoreNumeric(large, value(1e12 + 100)).score).toBe(1); // 1e-9 × 1e12 = 1000
    expect(scoreNumeric(large, value(1e12 + 10_000)).score).toBe(0);
  });

  it('treats a negative tolerance as zero', () => {
    expect(scoreNumeric({ ...question, tolerance: -1 }, value(90)).score).toBe(1);
    expect(scoreNumeric({ ...question, tolerance: -1 }, value(90.1)).score).toBe(0);
  });

  it('scores a blank, wrong-type or non-number response as 0 incorrect', () => {
    const text = { type: 'numeric', value: '90' } as unknown as ResponseValue;
    const responses: (ResponseValue | undefined)[] = [undefined, { type: 'short_text', text: '90' }, text];
    for (const response of responses) {
      expect(scoreNumeric(question, response)).toMatchObject({ score: 0, correctness: 'incorrect' });
    }
  });
});

describe('scoreNumeric, wrong-answer feedback', () => {
  const question: NumericQuestion = {
    type: 'numeric',
    prompt: 'How many severity levels does the module give for GuardDuty findings?',
    points: 1,
    answer: 3,
    tolerance: 0,
    wrongFeedback: 'See "GuardDuty Findings" in section 4.',
    anticipated: [
      { answer: 5, tolerance: 0, feedback: 'Five is what Inspector uses (section 6).' },
      { answer: 100, tolerance: 10, feedback: 'Not a percentage: count the levels.' },
    ],
  };

  it.each<[number, string]>([
    [5, 'Five is what Inspector uses (section 6).'],
    [90, 'Not a percentage: count the levels.'],
    [110, 'Not a percentage: count the levels.'],
    [4, 'See "GuardDuty Findings" in section 4.'],
    [110.5, 'See "GuardDuty Findings" in section 4.'],
  ])('gives %d the feedback %j', (v, feedback) => {
    expect(scoreNumeric(question, value(v))).toEqual({
      score: 0,
      maxScore: 1,
      correctness: 'incorrect',
      feedback: [feedback],
    });
  });

  it('matches an anticipated value with the same floating-point slack as the answer', () => {
    const decimal: NumericQuestion = { ...question, anticipated: [{ answer: 0.3, tolerance: 0, feedback: 'Units!' }] };
    expect(scoreNumeric(decimal, value(0.1 + 0.2)).feedback).toEqual(['Units!']);
  });

  it('lets the first anticipated entry a value is within give the feedback', () => {
    const overlapping: NumericQuestion = {
      ...question,
      anticipated: [
        { answer: 10, tolerance: 5, feedback: 'first' },
        { answer: 12, tolerance: 5, feedback: 'second' },
      ],
    };
    expect(scoreNumeric(overlapping, value(14)).feedback).toEqual(['first']);
    expect(scoreNumeric(overlapping, value(16)).feedback).toEqual(['second']);
  });

  it('gives a right answer, a blank and a wrong-type response no feedback', () => {
    expect(scoreNumeric(question, value(3))).toEqual({ score: 1, maxScore: 1, correctness: 'correct', feedback: [] });
    expect(scoreNumeric(question, undefined).feedback).toEqual([]);
    expect(scoreNumeric(question, { type: 'short_text', text: '5' }).feedback).toEqual([]);
  });

  it('gives a wrong answer nothing when the key has no feedback for it', () => {
    const { wrongFeedback: _general, anticipated: _anticipated, ...bare } = question;
    expect(scoreNumeric(bare, value(5)).feedback).toEqual([]);
  });
});
