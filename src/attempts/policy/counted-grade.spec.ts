import fc from 'fast-check';
import type { GradingMethod } from '../../content/import/answer-key';
import { ATTEMPT_STATES, type AttemptState } from '../entities/attempt.entity';
import { type AttemptGradeInput, countedGrade } from './counted-grade';

function attempt(number: number, state: AttemptState, scaled: number | null): AttemptGradeInput {
  const finished = state === 'in_progress' ? null : new Date(Date.UTC(2025, 0, number));
  return { number, state, scaled, raw: scaled === null ? null : scaled * 10, max: 10, finishedAt: finished };
}

const METHODS: GradingMethod[] = ['highest', 'latest', 'first', 'average'];

describe('countedGrade', () => {
  const attempts = [
    attempt(1, 'graded', 0.5),
    attempt(2, 'submitted', 0.9),
    attempt(3, 'graded', 0.7),
    attempt(4, 'pending_grading', 1),
    attempt(5, 'abandoned', 1),
    attempt(6, 'in_progress', null),
  ];

  it.each<[GradingMethod, number, number | null, boolean]>([
    ['highest', 0.9, 2, true],
    ['latest', 0.7, 3, true],
    ['first', 0.5, 1, false],
    ['average', 0.7, null, true], // (0.5 + 0.9 + 0.7) / 3, which floating point makes 0.6999999999999998
  ])('counts %s as %d from attempt %p (passed: %p)', (method, scaled, attemptNumber, passed) => {
    expect(countedGrade(attempts, method, 0.7)).toEqual({ scaled, attemptNumber, passed, countedAttempts: 3 });
  });

  it.each(METHODS)('gives %s nothing to count when no attempt has a final score', (method) => {
    const unfinished = [
      attempt(1, 'in_progress', null),
      attempt(2, 'pending_grading', 0.8),
      attempt(3, 'abandoned', 0.9),
      attempt(4, 'graded', null),
      attempt(5, 'submitted', null),
      attempt(6, 'graded', Number.NaN),
    ];
    const none = { scaled: null, attemptNumber: null, passed: null, countedAttempts: 0 };
    expect(countedGrade(unfinished, method, 0.7)).toEqual(none);
    expect(countedGrade([], method, 0.7)).toEqual(none);
  });

  it('counts the earlier of two equal highest scores', () => {
    const tied = [attempt(3, 'graded', 0.8), attempt(1, 'graded', 0.6), attempt(2, 'graded', 0.8)];
    expect(countedGrade(tied, 'highest', 0.7)).toMatchObject({ scaled: 0.8, attemptNumber: 2 });
  });

  it('picks first and latest by attempt number, not by the order given or the finish time', () => {
    const outOfOrder = [attempt(3, 'graded', 0.3), attempt(1, 'graded', 0.1), attempt(2, 'graded', 0.2)];
    outOfOrder[0].finishedAt = new Date(Date.UTC(2020, 0, 1));
    expect(countedGrade(outOfOrder, 'first', 0)).toMatchObject({ scaled: 0.1, attemptNumber: 1 });
    expect(countedGrade(outOfOrder, 'latest', 0)).toMatchObject({ scaled: 0.3, attemptNumber: 3 });
  });

  it('rounds to 4 decimal places and decides the pass on the rounded score', () => {
    const thirds = [attempt(1, 'graded', 1 / 3), attempt(2, 'graded', 2 / 3)];
    expect(countedGrade(thirds, 'highest', 0.5).scaled).toBe(0.6667);
    expect(countedGrade([attempt(1, 'graded', 0.69996)], 'latest', 0.7)).toMatchObject({ scaled: 0.7, passed: true });
    expect(countedGrade([attempt(1, 'graded', 0.69994)], 'latest', 0.7)).toMatchObject({
      scaled: 0.6999,
      passed: false,
    });
  });

  it('passes at exactly the pass mark and fails just below it', () => {
    expect(countedGrade([attempt(1, 'graded', 0.7)], 'first', 0.7).passed).toBe(true);
    expect(countedGrade([attempt(1, 'graded', 0.6999)], 'first', 0.7).passed).toBe(false);
    expect(countedGrade([attempt(1, 'graded', 0)], 'first', 0).passed).toBe(true);
  });
});

describe('countedGrade properties', () => {
  /** Attempts numbered 1..n without gaps (invariant 1), in any state, handed over in any order. */
  const attemptsArb = fc
    .array(
      fc.record({
        state: fc.constantFrom(...ATTEMPT_STATES),
        scaled: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
      }),
      { maxLength: 10 },
    )
    .map((drafts) => drafts.map(({ state, scaled }, index) => attempt(index + 1, state, scaled)))
    .chain((attempts) => fc.shuffledSubarray(attempts, { minLength: attempts.length }));
  const methodArb = fc.constantFrom(...METHODS);
  const passMarkArb = fc.double({ min: 0, max: 1, noNaN: true });

  const finalScores = (attempts: AttemptGradeInput[]) =>
    attempts.filter((a) => (a.state === 'graded' || a.state === 'submitted') && a.scaled !== null);
  /** Rounding to 4 decimal places may move a value by up to half the last place. */
  const ROUNDING = 5e-5 + 1e-12;

  it('lies within the range of the counted scores, and counts exactly the attempts with a final score', () => {
    fc.assert(
      fc.property(attemptsArb, methodArb, passMarkArb, (attempts, method, passMark) => {
        const grade = countedGrade(attempts, method, passMark);
        const counted = finalScores(attempts);
        expect(grade.countedAttempts).toBe(counted.length);
        if (counted.length === 0) {
          expect(grade).toEqual({ scaled: null, attemptNumber: null, passed: null, countedAttempts: 0 });
          return;
        }
        const values = counted.map((a) => a.scaled as number);
        expect(grade.scaled).toBeGreaterThanOrEqual(Math.min(...values) - ROUNDING);
        expect(grade.scaled).toBeLessThanOrEqual(Math.max(...values) + ROUNDING);
        expect(grade.passed).toBe((grade.scaled as number) + 1e-9 >= passMark);
      }),
    );
  });

  it('names a counted attempt whose score it is (except for the average)', () => {
    fc.assert(
      fc.property(attemptsArb, methodArb, (attempts, method) => {
        const grade = countedGrade(attempts, method, 0.5);
        if (method === 'average' || grade.countedAttempts === 0) {
          expect(grade.attemptNumber).toBeNull();
          return;
        }
        const counting = finalScores(attempts).find((a) => a.number === grade.attemptNumber);
        expect(counting).toBeDefined();
        expect(Math.abs((counting?.scaled as number) - (grade.scaled as number))).toBeLessThanOrEqual(ROUNDING);
      }),
    );
  });

  it('orders the methods: highest ≥ every counted score, average ≥ the lowest', () => {
    fc.assert(
      fc.property(attemptsArb, (attempts) => {
        const grades = Object.fromEntries(METHODS.map((method) => [method, countedGrade(attempts, method, 0.5)]));
        const highest = grades.highest.scaled;
        if (highest === null) return;
        for (const value of finalScores(attempts).map((a) => a.scaled as number)) {
          expect(highest).toBeGreaterThanOrEqual(value - ROUNDING);
        }
        for (const method of ['latest', 'first', 'average'] as const) {
          expect(highest).toBeGreaterThanOrEqual(grades[method].scaled as number);
        }
        const lowest = Math.min(...finalScores(attempts).map((a) => a.scaled as number));
        expect(grades.average.scaled).toBeGreaterThanOrEqual(lowest - ROUNDING);
      }),
    );
  });

  it('does not depend on the order of the attempts, nor on those without a final score', () => {
    const withReordering = attemptsArb.chain((attempts) =>
      fc.tuple(fc.constant(attempts), fc.shuffledSubarray(attempts, { minLength: attempts.length })),
    );
    fc.assert(
      fc.property(withReordering, methodArb, passMarkArb, ([attempts, reordered], method, passMark) => {
        const grade = countedGrade(attempts, method, passMark);
        expect(countedGrade(reordered, method, passMark)).toEqual(grade);
        expect(countedGrade(finalScores(attempts), method, passMark)).toEqual(grade);
      }),
    );
  });
});
