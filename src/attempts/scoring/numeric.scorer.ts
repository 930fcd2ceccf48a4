import type { NumericQuestion, QuestionScore, ResponseValue } from '../../content/question.types';
import { scoreFromFraction, unansweredScore } from './question-score';
import { responseOfType } from './response-shape';

/** Slack for binary floating point, so 0.1 + 0.2 is within a tolerance of 0 around 0.3. */
function floatSlack(answer: number): number {
  return 1e-9 * Math.max(1, Math.abs(answer));
}

/** Full marks iff the value is finite and |value − answer| ≤ tolerance (absolute). */
export function scoreNumeric(question: NumericQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('numeric', response);
  if (!answer) return unansweredScore(question);
  const allowed = Math.max(0, question.tolerance) + floatSlack(question.answer);
  const within = Number.isFinite(answer.value) && Math.abs(answer.value - question.answer) <= allowed;
  return scoreFromFraction(question, within ? 1 : 0, []);
}
