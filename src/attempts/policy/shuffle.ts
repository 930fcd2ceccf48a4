import { createHash } from 'node:crypto';

/**
 * Stable shuffles for an attempt: the same attempt always sees its questions and choices in the
 * same order, on any instance and after any restart, without storing the order.
 *
 * Changing the generator, the seeding or the seed strings below reorders every attempt in
 * progress; the spec pins known outputs so that such a change cannot slip in unnoticed.
 */

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator): 128 bits of state, fast, and good
 * enough to order a quiz. Not for secrets; the order is shown to the learner anyway.
 */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/** SHA-256 spreads any seed string, however alike two of them are, over the whole generator state. */
function generatorFor(seed: string): () => number {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  return sfc32(digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12));
}

const UINT32_RANGE = 2 ** 32;

/** An integer in [0, bound); rejection keeps every value equally likely, where plain modulo favours small ones. */
function indexBelow(next: () => number, bound: number): number {
  const limit = UINT32_RANGE - (UINT32_RANGE % bound);
  let value = next();
  while (value >= limit) value = next();
  return value % bound;
}

/** A permutation of `items` fixed by `seed` (Fisher–Yates); the input is left as it is. */
export function seededShuffle<T>(items: readonly T[], seed: string): T[] {
  const shuffled = [...items];
  // Nothing to reorder: skip the hash (questions without choices ask for their empty choice list).
  if (shuffled.length < 2) return shuffled;
  const next = generatorFor(seed);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = indexBelow(next, i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled;
}

export interface PresentationOrderInput {
  attemptId: string;
  /** In the quiz's own order; kept as given when questions are not shuffled. */
  questionIds: string[];
  /** Question id → its choice ids in authored order; kept as given when choices are not shuffled. */
  choiceIdsByQuestion: Record<string, string[]>;
  shuffleQuestions: boolean;
  shuffleChoices: boolean;
}

export interface PresentationOrder {
  questionOrder: string[];
  /** One entry per entry of `choiceIdsByQuestion`. */
  choiceOrder: Record<string, string[]>;
}

// The NUL separators keep ("ab", "c") and ("a", "bc") apart, and the prefixes keep the question
// order from reusing the stream of any question's choice order.
const questionOrderSeed = (attemptId: string) => `question-order\u0000${attemptId}`;
const choiceOrderSeed = (attemptId: string, questionId: string) => `choice-order\u0000${attemptId}\u0000${questionId}`;

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Ids are sorted before shuffling, so a caller that loads them in another order still gets the same result. */
function shuffledIds(ids: readonly string[], seed: string): string[] {
  return seededShuffle([...ids].sort(byCodeUnits), seed);
}

/** The order in which one attempt presents its questions and each question's choices. */
export function presentationOrder(input: PresentationOrderInput): PresentationOrder {
  const { attemptId, questionIds, choiceIdsByQuestion, shuffleQuestions, shuffleChoices } = input;
  const questionOrder = shuffleQuestions ? shuffledIds(questionIds, questionOrderSeed(attemptId)) : [...questionIds];
  const choiceOrder = Object.fromEntries(
    Object.entries(choiceIdsByQuestion).map(([questionId, choiceIds]) => [
      questionId,
      shuffleChoices ? shuffledIds(choiceIds, choiceOrderSeed(attemptId, questionId)) : [...choiceIds],
    ]),
  );
  return { questionOrder, choiceOrder };
}
