import type { QuestionDefinition } from '../../content/question.types';
import type { Correctness, QuestionScore } from './scoring.types';

/** Scores are kept to 4 decimal places so that 1/3 of 3 points is 1, not 0.9999999999999999. */
export function roundScore(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Correctness follows the score actually awarded, so a reader never sees `partial` with full marks. */
export function correctnessOf(score: number, maxScore: number): Correctness {
  if (score >= maxScore) return 'correct';
  if (score <= 0) return 'incorrect';
  return 'partial';
}

/** A score of `points × fraction`, rounded and kept within [0, points]. */
export function scoreFromFraction(question: QuestionDefinition, fraction: number, feedback: string[]): QuestionScore {
  const maxScore = question.points;
  // Full and zero marks are exact, so points with more than 4 decimals still give full marks for the key.
  const score = fraction >= 1 ? maxScore : fraction <= 0 ? 0 : clamp(roundScore(maxScore * fraction), 0, maxScore);
  return { score, maxScore, correctness: correctnessOf(score, maxScore), feedback };
}

/** A blank or wrongly shaped answer earns nothing, whatever the question type. */
export function unansweredScore(question: QuestionDefinition): QuestionScore {
  return { score: 0, maxScore: question.points, correctness: 'incorrect', feedback: [] };
}
