import type { QuestionDefinition, QuestionScore, ResponseValue } from '../content/question.types';
import { scoreAttempt, scoreQuestion } from './scoring';
import type { AttemptScore } from './scoring/scoring.types';

/** What is stored of one question of an attempt. */
export interface StoredResponse {
  questionVersionId: string;
  response: ResponseValue | null;
  manualScore: number | null;
}

export interface ScoredQuestion extends QuestionScore {
  questionVersionId: string;
  /** The version whose definition scored it (see AttemptResponse.scoredVersionId). */
  scoredVersionId: string;
  /** The scorer's own result, before any manual score. */
  autoScore: number | null;
}

/**
 * Scores an attempt from its pinned question versions and stored responses,
 * in memory: one pass, no queries. A manual score (an essay grade or an
 * override) replaces the automatic one.
 */
export function scoreStoredAttempt(
  questionOrder: readonly string[],
  definitions: ReadonlyMap<string, QuestionDefinition>,
  responses: ReadonlyMap<string, StoredResponse>,
  passMark: number,
  /** Pinned version id → the version whose definition is used, when not the pinned one. */
  scoredVersions: ReadonlyMap<string, string> = new Map(),
  /** Off the scaled score for lateness (Attempt.lateDeduction). */
  lateDeduction = 0,
): { total: AttemptScore; questions: ScoredQuestion[] } {
  const items = questionOrder.map((versionId) => {
    const question = definitions.get(versionId);
    if (!question) throw new Error(`question version ${versionId} of the attempt is missing`);
    const stored = responses.get(versionId);
    return { question, response: stored?.response ?? undefined, override: stored?.manualScore ?? null };
  });
  const total = scoreAttempt(items, passMark, lateDeduction);
  const questions = total.questions.map((score, index) => ({
    ...score,
    questionVersionId: questionOrder[index],
    scoredVersionId: scoredVersions.get(questionOrder[index]) ?? questionOrder[index],
    // With no manual score the total's question score is the scorer's own.
    autoScore:
      items[index].override === null ? score.score : scoreQuestion(items[index].question, items[index].response).score,
  }));
  return { total, questions };
}

/** Rejects answers that cannot belong to the question: wrong type, or too large. */
export function responseProblems(definition: QuestionDefinition, response: ResponseValue | null): string[] {
  if (response === null) return [];
  const problems: string[] = [];
  if (response.type !== definition.type) problems.push(`response.type must be ${definition.type}`);
  if (JSON.stringify(response).length > 20_000) problems.push('response must be at most 20,000 characters of JSON');
  return problems;
}
