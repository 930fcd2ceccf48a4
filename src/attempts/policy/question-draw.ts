import type { QuestionPool } from '../../content/import/answer-key';
import { seededShuffle } from './shuffle';

/**
 * Which questions one attempt shows, when the answer key groups its bank into pools: `draw`
 * questions from each pool, picked by a generator seeded with the attempt's id (as the shuffle
 * is), and every question in no pool. The result is recorded with the attempt (its question
 * order), so scoring, review, regrade and reports read what the learner got, never a re-draw.
 *
 * Changing the seed strings or the generator changes the draw of every attempt started
 * afterwards (recorded ones stay as they are); the spec pins known outputs.
 */

export interface DrawableQuestion {
  /** The answer key's id (questions.key): what pools name. */
  key: string;
  /** The version a new attempt would show. */
  versionId: string;
}

export interface QuestionDrawInput {
  attemptId: string;
  /** The quiz's live questions in quiz order. */
  questions: readonly DrawableQuestion[];
  /** Each question in at most one pool (the importer refuses anything else). */
  pools: readonly QuestionPool[];
}

// The NUL separator keeps ("ab", "c") and ("a", "bc") apart; the prefix keeps the draw from
// reusing the stream of the question or choice order.
const drawSeed = (attemptId: string, poolId: string) => `question-draw\u0000${attemptId}\u0000${poolId}`;

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The version ids the attempt shows, in quiz order. Without pools, every question. */
export function drawQuestions({ attemptId, questions, pools }: QuestionDrawInput): string[] {
  if (pools.length === 0) return questions.map((question) => question.versionId);
  const live = new Set(questions.map((question) => question.key));
  const pooled = new Set<string>();
  const drawn = new Set<string>();
  for (const pool of pools) {
    // Keys are sorted first, so the draw depends on the pool's members, not on the order they were listed in.
    const members = pool.questions.filter((key) => live.has(key)).sort(byCodeUnits);
    for (const key of members) pooled.add(key);
    // A question retired since the import leaves fewer to draw from; never more than there are.
    for (const key of seededShuffle(members, drawSeed(attemptId, pool.id)).slice(0, pool.draw)) drawn.add(key);
  }
  return questions
    .filter((question) => !pooled.has(question.key) || drawn.has(question.key))
    .map((question) => question.versionId);
}
