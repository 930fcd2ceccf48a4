import type { MatchingQuestion, OrderingQuestion, QuestionScore, ResponseValue } from '../../content/question.types';
import { scoreFromFraction, unansweredScore } from './question-score';
import { ownValue, responseOfType } from './response-shape';

/** A question with nothing to place earns nothing, rather than NaN. */
function proportion(right: number, total: number): number {
  return total === 0 ? 0 : right / total;
}

/** Proportional: fraction = items at their right position / items. */
export function scoreOrdering(question: OrderingQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('ordering', response);
  if (!answer) return unansweredScore(question);
  const right = question.correctOrder.filter((itemId, position) => answer.order[position] === itemId).length;
  return scoreFromFraction(question, proportion(right, question.correctOrder.length), []);
}

/** Proportional: fraction = prompts paired with their right option / prompts; unknown prompt ids are ignored. */
export function scoreMatching(question: MatchingQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('matching', response);
  if (!answer) return unansweredScore(question);
  const right = question.prompts.filter((prompt) => {
    const expected = ownValue(question.pairs, prompt.id);
    return typeof expected === 'string' && ownValue(answer.pairs, prompt.id) === expected;
  }).length;
  return scoreFromFraction(question, proportion(right, question.prompts.length), []);
}
