import type { EssayQuestion, QuestionDefinition, ResponseValue, TrueFalseQuestion } from '../../content/question.types';
import { scoreAttempt } from './score-attempt';
import type { ScoringItem } from './scoring.types';

const trueFalse = (points: number): TrueFalseQuestion => ({ type: 'true_false', prompt: 'p', points, correct: true });
const right: ResponseValue = { type: 'true_false', value: true };
const wrong: ResponseValue = { type: 'true_false', value: false };
const essay: EssayQuestion = { type: 'essay', prompt: 'Explain.', points: 5 };
const written: ResponseValue = { type: 'essay', text: 'My answer.' };

const thirdOfThree: QuestionDefinition = {
  type: 'multiple_choice',
  prompt: 'p',
  points: 1,
  choices: [
    { id: 'a', text: 'A' },
    { id: 'b', text: 'B' },
    { id: 'c', text: 'C' },
  ],
  correct: ['a', 'b', 'c'],
  scoring: 'right_minus_wrong',
};

describe('scoreAttempt', () => {
  it('totals the scores and passes at the pass mark', () => {
    const items: ScoringItem[] = [
      { question: trueFalse(3), response: right },
      { question: trueFalse(4), response: right },
      { question: trueFalse(3), response: wrong },
    ];
    const result = scoreAttempt(items, 0.7);
    expect(result).toMatchObject({ raw: 7, max: 10, scaled: 0.7, passed: true, pending: 0 });
    expect(result.questions.map((q) => q.score)).toEqual([3, 4, 0]);
  });

  it('passes 0.7 against a pass mark of 0.7 despite float error', () => {
    // 0.567 / 0.81 is 0.6999999999999998 in binary floating point.
    const items: ScoringItem[] = [
      { question: trueFalse(0.567), response: right },
      { question: trueFalse(0.243), response: wrong },
    ];
    expect(scoreAttempt(items, 0.7).scaled).toBeLessThan(0.7);
    expect(scoreAttempt(items, 0.7).passed).toBe(true);
    expect(scoreAttempt(items, 0.70001).passed).toBe(false);
  });

  it('fails below the pass mark', () => {
    const result = scoreAttempt([{ question: trueFalse(1), response: wrong }, { question: trueFalse(1) }], 0.5);
    expect(result).toMatchObject({ raw: 0, max: 2, scaled: 0, passed: false });
  });

  it('rounds the total so that partial scores add up cleanly', () => {
    const third: ResponseValue = { type: 'multiple_choice', choiceIds: ['a'] };
    const items: ScoringItem[] = [1, 2, 3].map(() => ({ question: thirdOfThree, response: third }));
    expect(scoreAttempt(items, 0.5)).toMatchObject({ raw: 0.9999, max: 3, scaled: 0.3333, passed: false });
  });

  it('holds back the pass decision while an essay waits for a person', () => {
    const result = scoreAttempt(
      [
        { question: trueFalse(5), response: right },
        { question: essay, response: written },
      ],
      0.5,
    );
    expect(result).toMatchObject({ raw: 5, max: 10, scaled: 0.5, passed: null, pending: 1 });
    expect(result.questions[1]).toMatchObject({ score: null, correctness: 'pending' });
  });

  it('counts a blank essay as 0, not pending', () => {
    const result = scoreAttempt([{ question: essay }], 0.5);
    expect(result).toMatchObject({ raw: 0, max: 5, passed: false, pending: 0 });
  });

  it('replaces the automatic score with an override and settles a pending essay', () => {
    const result = scoreAttempt(
      [
        { question: trueFalse(5), response: right },
        { question: essay, response: written, override: 3.5 },
      ],
      0.8,
    );
    expect(result).toMatchObject({ raw: 8.5, max: 10, scaled: 0.85, passed: true, pending: 0 });
    expect(result.questions[1]).toEqual({ score: 3.5, maxScore: 5, correctness: 'partial', feedback: [] });
  });

  it('lets an override lower an automatic score and keeps the response’s feedback', () => {
    const withFeedback: TrueFalseQuestion = { ...trueFalse(2), feedback: { true: 'Yes.' } };
    const result = scoreAttempt([{ question: withFeedback, response: right, override: 0 }], 0.5);
    expect(result.questions[0]).toEqual({ score: 0, maxScore: 2, correctness: 'incorrect', feedback: ['Yes.'] });
  });

  it.each<[number, number, string]>([
    [7, 5, 'correct'],
    [5, 5, 'correct'],
    [-1, 0, 'incorrect'],
    [Number.POSITIVE_INFINITY, 5, 'correct'],
    [Number.NaN, 0, 'incorrect'],
    [2.123456, 2.1235, 'partial'],
  ])('clamps an override of %d to %d', (override, score, correctness) => {
    const result = scoreAttempt([{ question: essay, response: written, override }], 0.5);
    expect(result.questions[0]).toMatchObject({ score, correctness });
    expect(result.raw).toBe(score);
  });

  it('ignores a null override', () => {
    const result = scoreAttempt([{ question: essay, response: written, override: null }], 0.5);
    expect(result).toMatchObject({ pending: 1, passed: null });
  });

  it('scales an empty attempt to 0', () => {
    expect(scoreAttempt([], 0.5)).toEqual({ raw: 0, max: 0, scaled: 0, passed: false, pending: 0, questions: [] });
    expect(scoreAttempt([], 0).passed).toBe(true);
  });
});

describe('scoreAttempt with a late deduction', () => {
  const item = (correct: boolean) => ({ question: trueFalse(1), response: correct ? right : wrong });

  it('takes the deduction off the scaled score, keeps the raw points, and decides the pass on what is left', () => {
    const items = [item(true), item(true), item(true), item(true), item(false)];
    expect(scoreAttempt(items, 0.7)).toMatchObject({ raw: 4, max: 5, passed: true });
    const late = scoreAttempt(items, 0.7, 0.2);
    expect(late).toMatchObject({ raw: 4, max: 5, passed: false });
    expect(late.scaled).toBeCloseTo(0.6, 10);
  });

  it('never goes below zero', () => {
    expect(scoreAttempt([item(false), item(true)], 0.5, 0.9).scaled).toBe(0);
  });
});
