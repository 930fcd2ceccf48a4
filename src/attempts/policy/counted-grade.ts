import type { GradingMethod } from '../../content/import/answer-key';
import type { AttemptState } from '../entities/attempt.entity';
import { roundScore } from '../scoring';

/** One of a learner's attempts at a quiz, as far as its grade goes. */
export interface AttemptGradeInput {
  /** 1, 2, 3… per learner and quiz; unique (invariant 1). */
  number: number;
  state: AttemptState;
  /** raw / max in [0, 1]; null until scored. */
  scaled: number | null;
  raw: number | null;
  max: number | null;
  finishedAt: Date | null;
}

export interface CountedGrade {
  /** In [0, 1], to 4 decimal places; null when no attempt has a final score. */
  scaled: number | null;
  /** The attempt whose score counts; null for `average` and when none counts. */
  attemptNumber: number | null;
  /** scaled ≥ pass mark; null when no attempt has a final score. */
  passed: boolean | null;
  /** Attempts with a final score, the ones the grade is taken from. */
  countedAttempts: number;
}

/** So that 0.7 passes a pass mark of 0.7 even when an average comes out as 0.6999999999999999. */
const PASS_MARK_EPSILON = 1e-9;

interface FinalScore {
  number: number;
  scaled: number;
}

/** Pending, in-progress and abandoned attempts have no final score; a non-finite one would poison an average. */
function finalScoreOf({ state, number, scaled }: AttemptGradeInput): FinalScore[] {
  const final = state === 'graded' || state === 'submitted';
  return final && scaled !== null && Number.isFinite(scaled) ? [{ number, scaled }] : [];
}

/** Numbers are unique; the scaled tie-break only keeps the result independent of the input's order if they are not. */
const byNumberThenScaled = (a: FinalScore, b: FinalScore) => a.number - b.number || a.scaled - b.scaled;

type SingleAttemptMethod = Exclude<GradingMethod, 'average'>;

/** Each picks from final scores sorted by attempt number; none is called with an empty list. */
const PICK_COUNTING_ATTEMPT: Record<SingleAttemptMethod, (sorted: FinalScore[]) => FinalScore> = {
  first: (sorted) => sorted[0],
  latest: (sorted) => sorted[sorted.length - 1],
  // Strictly greater, so the earlier of two equal scores counts.
  highest: (sorted) => sorted.reduce((best, candidate) => (candidate.scaled > best.scaled ? candidate : best)),
};

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function gradeOf(
  scaled: number,
  attemptNumber: number | null,
  passMark: number,
  countedAttempts: number,
): CountedGrade {
  const rounded = roundScore(scaled);
  // Decided on the rounded score, so a learner shown 0.7 against a pass mark of 0.7 has passed.
  return { scaled: rounded, attemptNumber, passed: rounded + PASS_MARK_EPSILON >= passMark, countedAttempts };
}

/** The quiz grade a learner's attempts earn under the quiz's grading method. */
export function countedGrade(
  attempts: readonly AttemptGradeInput[],
  method: GradingMethod,
  passMark: number,
): CountedGrade {
  const scores = attempts.flatMap(finalScoreOf).sort(byNumberThenScaled);
  if (scores.length === 0) return { scaled: null, attemptNumber: null, passed: null, countedAttempts: 0 };
  if (method === 'average') return gradeOf(mean(scores.map((score) => score.scaled)), null, passMark, scores.length);
  const counting = PICK_COUNTING_ATTEMPT[method](scores);
  return gradeOf(counting.scaled, counting.number, passMark, scores.length);
}
