import type { EssayQuestion, QuestionScore, ResponseValue } from '../../content/question.types';
import { unansweredScore } from './question-score';
import { responseOfType } from './response-shape';

/** Pending until a person grades it; a blank essay (nothing but whitespace) has nothing to grade and scores 0. */
export function scoreEssay(question: EssayQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('essay', response);
  if (!answer || answer.text.trim() === '') return unansweredScore(question);
  return { score: null, maxScore: question.points, correctness: 'pending', feedback: [] };
}
