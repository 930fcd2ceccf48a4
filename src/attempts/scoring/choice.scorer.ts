import type {
  Choice,
  MultipleChoiceQuestion,
  QuestionScore,
  ResponseValue,
  SingleChoiceQuestion,
  TrueFalseQuestion,
} from '../../content/question.types';
import { scoreFromFraction, unansweredScore } from './question-score';
import { responseOfType } from './response-shape';

/** Feedback of the selected choices, in the question's order so the response's order cannot change it. */
function feedbackOfSelected(choices: Choice[], selected: ReadonlySet<unknown>): string[] {
  return choices.flatMap((choice) => (selected.has(choice.id) && choice.feedback ? [choice.feedback] : []));
}

/** All or nothing: full marks only for the one right choice. */
export function scoreSingleChoice(question: SingleChoiceQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('single_choice', response);
  if (!answer) return unansweredScore(question);
  const fraction = answer.choiceId === question.correct ? 1 : 0;
  return scoreFromFraction(question, fraction, feedbackOfSelected(question.choices, new Set([answer.choiceId])));
}

/**
 * `right_minus_wrong`: max(0, (R − W) / |C|); `all_or_nothing`: 1 iff the selection equals C.
 * A selection is a set (duplicates count once, order never matters); an unknown id counts as a wrong pick.
 */
export function scoreMultipleChoice(
  question: MultipleChoiceQuestion,
  response: ResponseValue | undefined,
): QuestionScore {
  const answer = responseOfType('multiple_choice', response);
  if (!answer) return unansweredScore(question);
  const selected = new Set<unknown>(answer.choiceIds);
  const rightChoices = new Set<unknown>(question.correct);
  const right = [...selected].filter((id) => rightChoices.has(id)).length;
  const wrong = selected.size - right;
  const fraction =
    question.scoring === 'all_or_nothing'
      ? allOrNothing(right, wrong, rightChoices.size)
      : rightMinusWrong(right, wrong, rightChoices.size);
  return scoreFromFraction(question, fraction, feedbackOfSelected(question.choices, selected));
}

/** The selection equals the key set: every right choice picked and nothing else. */
function allOrNothing(right: number, wrong: number, rightTotal: number): number {
  return wrong === 0 && right === rightTotal ? 1 : 0;
}

function rightMinusWrong(right: number, wrong: number, rightTotal: number): number {
  // A key with no right choices leaves nothing to earn; dividing would give NaN.
  if (rightTotal === 0) return 0;
  return Math.max(0, (right - wrong) / rightTotal);
}

/** Exact: full marks for the right value; the feedback is that of the value chosen. */
export function scoreTrueFalse(question: TrueFalseQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('true_false', response);
  if (!answer) return unansweredScore(question);
  const feedback = answer.value ? question.feedback?.true : question.feedback?.false;
  return scoreFromFraction(question, answer.value === question.correct ? 1 : 0, feedback ? [feedback] : []);
}
