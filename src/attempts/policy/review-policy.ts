import type { QuizSettings, ReviewShow } from '../../content/import/answer-key';
import type { QuestionDefinition } from '../../content/question.types';
import type { AttemptState } from '../entities/attempt.entity';

/**
 * What a learner may see of a finished attempt (invariant 4: never keys, correctness or
 * explanations before the review policy allows). Instructors and admins are not this
 * module's concern. Every doubtful input reveals less, never more.
 */

export interface ReviewVisibility {
  score: boolean;
  correctness: boolean;
  /** The right answers. */
  answers: boolean;
  explanations: boolean;
  /** Per-choice and per-response feedback. */
  feedback: boolean;
}

export interface ReviewContext {
  review: QuizSettings['review'];
  attemptState: AttemptState;
  /** Attempts the learner has started on this quiz, this one included. */
  attemptsUsed: number;
  attemptsAllowed: QuizSettings['attemptsAllowed'];
  /** Whether the learner has another attempt in progress on this quiz. */
  hasAttemptInProgress: boolean;
}

const NOTHING: ReviewVisibility = {
  score: false,
  correctness: false,
  answers: false,
  explanations: false,
  feedback: false,
};
const SCORE_ONLY: ReviewVisibility = { ...NOTHING, score: true };
const BY_SHOW: Record<ReviewShow, ReviewVisibility> = {
  score: SCORE_ONLY,
  correctness: { ...SCORE_ONLY, correctness: true, feedback: true },
  answers: { score: true, correctness: true, answers: true, explanations: true, feedback: true },
};

/** A record, so a new attempt state fails to compile until it is placed here. Abandoned answers can no longer change. */
const IS_FINISHED: Record<AttemptState, boolean> = {
  in_progress: false,
  submitted: true,
  pending_grading: true,
  graded: true,
  abandoned: true,
};

/** States are stored strings: one this code does not know counts as unfinished and shows nothing. */
function isFinished(state: AttemptState): boolean {
  return Object.hasOwn(IS_FINISHED, state) && IS_FINISHED[state];
}

/** NaN or a missing count compares false here, so a bad count keeps the attempt open and the review closed. */
function attemptsExhausted({ attemptsUsed, attemptsAllowed }: ReviewContext): boolean {
  return attemptsAllowed !== 'unlimited' && attemptsUsed >= attemptsAllowed;
}

/** A learner who can still answer (again) must not see the key; with unlimited attempts that is always. */
function mayStillAnswer(context: ReviewContext): boolean {
  return context.hasAttemptInProgress || !attemptsExhausted(context);
}

/** Settings are stored JSON: a `show` value this code does not know reveals the least. */
function visibilityForShow(show: ReviewShow): ReviewVisibility {
  return Object.hasOwn(BY_SHOW, show) ? BY_SHOW[show] : SCORE_ONLY;
}

/**
 * Nothing while the attempt is in progress. Once it is finished the score is always visible:
 * it reveals no key, and without it a learner cannot tell whether to try again. Anything more
 * waits, under `after_last_attempt`, until the learner can answer no more; then `show` decides:
 * `score` → the score; `correctness` → score, correctness and feedback; `answers` → everything.
 */
export function reviewVisibility(context: ReviewContext): ReviewVisibility {
  if (!isFinished(context.attemptState)) return { ...NOTHING };
  // Any `when` other than `immediately` waits, so an unknown value fails closed.
  if (context.review.when !== 'immediately' && mayStillAnswer(context)) return { ...SCORE_ONLY };
  return { ...visibilityForShow(context.review.show) };
}

/** One question of a finished attempt, as scored (possibly overridden by an instructor). */
export interface QuestionResult {
  questionVersionId: string;
  /** Null while a person has yet to grade it. */
  score: number | null;
  maxScore: number;
  correctness: string;
  feedback: string[];
}

/** The key in a shape a learner's screen can show; essays have none. */
export type RightAnswer =
  | { choiceIds: string[] }
  | { value: boolean }
  /** The first accepted answer of a short-text question. */
  | { text: string }
  | { answer: number; tolerance: number; unit?: string }
  | { correctOrder: string[] }
  /** Prompt id → option id. */
  | { pairs: Record<string, string> };

/** What a learner receives of one question's result: only the fields the review policy allows. */
export interface LearnerQuestionResult {
  questionVersionId: string;
  maxScore: number;
  score?: number | null;
  correctness?: string;
  feedback?: string[];
  rightAnswer?: RightAnswer;
  explanation?: string;
}

/** Copies, so that a caller changing the response cannot change a cached definition. */
export function rightAnswerOf(definition: QuestionDefinition): RightAnswer | undefined {
  switch (definition.type) {
    case 'single_choice':
      return { choiceIds: [definition.correct] };
    case 'multiple_choice':
      return { choiceIds: [...definition.correct] };
    case 'true_false':
      return { value: definition.correct };
    case 'short_text':
      // Keyword groups are a marking aid, not an answer to show; a key with none accepted shows nothing.
      return definition.accepted.length > 0 ? { text: definition.accepted[0] } : undefined;
    case 'numeric': {
      const { answer, tolerance, unit } = definition;
      return unit === undefined ? { answer, tolerance } : { answer, tolerance, unit };
    }
    case 'ordering':
      return { correctOrder: [...definition.correctOrder] };
    case 'matching':
      return { pairs: { ...definition.pairs } };
    case 'essay':
      return undefined;
  }
}

/**
 * Builds the learner's view field by field from a whitelist, never by copying the result and
 * deleting, so a field added to the result later stays hidden until it is listed here.
 */
export function redactQuestionResult(
  result: QuestionResult,
  definition: QuestionDefinition,
  visibility: ReviewVisibility,
): LearnerQuestionResult {
  const learner: LearnerQuestionResult = { questionVersionId: result.questionVersionId, maxScore: result.maxScore };
  if (visibility.score) learner.score = result.score;
  if (visibility.correctness) learner.correctness = result.correctness;
  if (visibility.feedback) learner.feedback = [...result.feedback];
  const rightAnswer = visibility.answers ? rightAnswerOf(definition) : undefined;
  if (rightAnswer !== undefined) learner.rightAnswer = rightAnswer;
  if (visibility.explanations && definition.explanation !== undefined) learner.explanation = definition.explanation;
  return learner;
}
