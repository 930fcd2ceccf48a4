import type { NumericQuestion, QuestionScore, ResponseValue } from '../../content/question.types';
import { scoreFromFraction, unansweredScore } from './question-score';
import { responseOfType } from './response-shape';

/** Slack for binary floating point, so 0.1 + 0.2 is within a tolerance of 0 around 0.3. */
function floatSlack(answer: number): number {
  return 1e-9 * Math.max(1, Math.abs(answer));
}

/** |value − answer| ≤ tolerance, with the float slack; a non-finite value is never within. */
export function isWithin(value: number, answer: number, tolerance: number): boolean {
  const allowed = Math.max(0, tolerance) + floatSlack(answer);
  return Number.isFinite(value) && Math.abs(value - answer) <= allowed;
}

/**
 * Full marks iff the value is finite and |value − answer| ≤ tolerance (absolute). A wrong value
 * gets the feedback of the first anticipated value it is within, else `wrongFeedback`.
 */
export function scoreNumeric(question: NumericQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('numeric', response);
  if (!answer) return unansweredScore(question);
  if (isWithin(answer.value, question.answer, question.tolerance)) return scoreFromFraction(question, 1, []);
  const anticipated = question.anticipated?.find((entry) => isWithin(answer.value, entry.answer, entry.tolerance));
  const feedback = anticipated?.feedback ?? question.wrongFeedback;
  return scoreFromFraction(question, 0, feedback === undefined ? [] : [feedback]);
}
