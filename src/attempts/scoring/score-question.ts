import type { QuestionDefinition, QuestionScore, ResponseValue } from '../../content/question.types';
import { scoreEssay } from './essay.scorer';
import { scoreMatching, scoreOrdering } from './arrangement.scorer';
import { scoreMultipleChoice, scoreSingleChoice, scoreTrueFalse } from './choice.scorer';
import { scoreNumeric } from './numeric.scorer';
import { scoreShortText } from './short-text.scorer';

/** Scores one response with the scorer for its question's type; never throws on a bad response. */
export function scoreQuestion(question: QuestionDefinition, response: ResponseValue | undefined): QuestionScore {
  switch (question.type) {
    case 'single_choice':
      return scoreSingleChoice(question, response);
    case 'multiple_choice':
      return scoreMultipleChoice(question, response);
    case 'true_false':
      return scoreTrueFalse(question, response);
    case 'short_text':
      return scoreShortText(question, response);
    case 'numeric':
      return scoreNumeric(question, response);
    case 'ordering':
      return scoreOrdering(question, response);
    case 'matching':
      return scoreMatching(question, response);
    case 'essay':
      return scoreEssay(question, response);
    default: {
      // A new question type fails to compile here until it has a scorer.
      const unhandled: never = question;
      throw new Error(`No scorer for question type ${(unhandled as QuestionDefinition).type}`);
    }
  }
}
