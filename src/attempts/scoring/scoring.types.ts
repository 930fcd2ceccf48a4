import type { QuestionDefinition, QuestionScore, QuestionType, ResponseValue } from '../../content/question.types';

export type { Correctness, QuestionScore } from '../../content/question.types';

/** The response shape that belongs to one question type. */
export type ResponseOf<T extends QuestionType> = Extract<ResponseValue, { type: T }>;

/** One question of an attempt, with the learner's answer and any instructor override. */
export interface ScoringItem {
  question: QuestionDefinition;
  /** Undefined when the learner left the question blank. */
  response?: ResponseValue;
  /** A manual score set by an instructor; replaces the automatic score. */
  override?: number | null;
}

export interface AttemptScore {
  /** Sum of the question scores known so far (pending questions add nothing). */
  raw: number;
  /** Sum of the questions' points. */
  max: number;
  /** raw / max in [0, 1]; 0 when max is 0. */
  scaled: number;
  /** scaled ≥ pass mark; null while any question is pending. */
  passed: boolean | null;
  /** Questions awaiting a person. */
  pending: number;
  questions: QuestionScore[];
}
