/**
 * Question definitions (what an answer key says about a question) and the
 * responses learners give. Shared by the answer-key loader, the import and
 * the scorers, so the three agree on one shape per question type.
 */
export const QUESTION_TYPES = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'short_text',
  'numeric',
  'ordering',
  'matching',
  'essay',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface Choice {
  /** Short stable id within the question, e.g. `a`. */
  id: string;
  text: string;
  /** Shown when this choice is selected (review policy permitting). */
  feedback?: string;
}

export interface LabelledItem {
  id: string;
  text: string;
}

interface QuestionBase {
  prompt: string;
  /** Maximum score; positive. Defaults to 1 in the answer key. */
  points: number;
  /** Why the right answer is right; shown only when the review policy allows. */
  explanation?: string;
  /** Shown to the learner with the question from the start of an attempt; never part of the key. */
  hint?: string;
}

/**
 * Feedback for answers short of full marks (short text, numeric): the first anticipated
 * wrong answer the response matches gives its own feedback, else `wrongFeedback` applies.
 */
interface WrongAnswerFeedback<A> {
  wrongFeedback?: string;
  anticipated?: A[];
}

/** An anticipated wrong short-text answer, matched after the scorer's normalisation. */
export interface AnticipatedText {
  answer: string;
  feedback: string;
}

/** An anticipated wrong value: matched when |value − answer| ≤ tolerance (absolute, default 0). */
export interface AnticipatedValue {
  answer: number;
  tolerance: number;
  feedback: string;
}

export interface SingleChoiceQuestion extends QuestionBase {
  type: 'single_choice';
  choices: Choice[];
  /** Id of the one right choice. */
  correct: string;
}

/**
 * Multiple response. `right_minus_wrong`: fraction = max(0, (R − W) / |C|)
 * where R and W count right and wrong choices selected and C is the set of
 * right choices. `all_or_nothing`: 1 when the selection equals C, else 0.
 */
export interface MultipleChoiceQuestion extends QuestionBase {
  type: 'multiple_choice';
  choices: Choice[];
  correct: string[];
  scoring: 'right_minus_wrong' | 'all_or_nothing';
}

export interface TrueFalseQuestion extends QuestionBase {
  type: 'true_false';
  correct: boolean;
  feedback?: { true?: string; false?: string };
}

/**
 * Full marks when the normalised answer equals a normalised accepted answer
 * (Unicode NFKC, case-folded, punctuation dropped, whitespace collapsed).
 * Otherwise, with keyword groups: fraction = groups matched / groups, where a
 * group matches when any of its keywords appears as a whole word or phrase.
 */
export interface ShortTextQuestion extends QuestionBase, WrongAnswerFeedback<AnticipatedText> {
  type: 'short_text';
  accepted: string[];
  keywordGroups?: string[][];
}

/** Full marks when |value − answer| ≤ tolerance (absolute). */
export interface NumericQuestion extends QuestionBase, WrongAnswerFeedback<AnticipatedValue> {
  type: 'numeric';
  answer: number;
  tolerance: number;
  unit?: string;
}

/** Proportional: fraction = items in their right position / items. */
export interface OrderingQuestion extends QuestionBase {
  type: 'ordering';
  items: LabelledItem[];
  /** Item ids, first to last. */
  correctOrder: string[];
}

/** Proportional: fraction = prompts matched to their right option / prompts. */
export interface MatchingQuestion extends QuestionBase {
  type: 'matching';
  prompts: LabelledItem[];
  /** May hold distractors that match no prompt. */
  options: LabelledItem[];
  /** prompt id → option id. */
  pairs: Record<string, string>;
}

/** Graded by a person; the scorer leaves it pending. */
export interface EssayQuestion extends QuestionBase {
  type: 'essay';
  /** Guidance for the grader; never shown to learners before review. */
  rubric?: string;
  maxWords?: number;
}

export type QuestionDefinition =
  | SingleChoiceQuestion
  | MultipleChoiceQuestion
  | TrueFalseQuestion
  | ShortTextQuestion
  | NumericQuestion
  | OrderingQuestion
  | MatchingQuestion
  | EssayQuestion;

/** A learner's answer to one question, shaped by the question's type. */
export type ResponseValue =
  | { type: 'single_choice'; choiceId: string }
  | { type: 'multiple_choice'; choiceIds: string[] }
  | { type: 'true_false'; value: boolean }
  | { type: 'short_text'; text: string }
  | { type: 'numeric'; value: number }
  | { type: 'ordering'; order: string[] }
  | { type: 'matching'; pairs: Record<string, string> }
  | { type: 'essay'; text: string };

export type Correctness = 'correct' | 'partial' | 'incorrect' | 'pending';

export interface QuestionScore {
  /** In [0, maxScore]; null while a person has yet to grade it. */
  score: number | null;
  maxScore: number;
  correctness: Correctness;
  /** Feedback that applies to this response (per-choice feedback and the like). */
  feedback: string[];
}
