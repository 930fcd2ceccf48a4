import type { AttemptScore } from '../grading-types.js';

/** A score as people write it: at most the 4 decimal places the API keeps, no trailing zeros. */
export function points(value: number): string {
  return String(Number(value.toFixed(4)));
}

export function totalInWords(score: AttemptScore | null): string {
  if (!score || score.raw === null || score.max === null) return 'No score yet.';
  const percent = score.scaled === null ? '' : ` (${Math.round(score.scaled * 100)}%)`;
  const outcome =
    score.pending > 0
      ? `${score.pending} ${score.pending === 1 ? 'answer' : 'answers'} still to grade`
      : score.passed
        ? 'passed'
        : 'not passed';
  return `${points(score.raw)} of ${points(score.max)} points${percent}, ${outcome}.`;
}
