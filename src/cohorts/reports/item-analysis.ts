/**
 * Classical test theory item analysis of one quiz, from each learner's counted attempt.
 *
 * Notation: n learners (counted attempts), x_ai the score of attempt a on item i, m_ai that
 * item's maximum score in the version attempt a answered. An attempt has a row for each question
 * it showed; with question pools, attempts show different questions.
 *
 * - Shown s_i = the attempts with a row for item i. The shared items S are those every counted
 *   attempt showed (s_i = number of attempts); k = |S|. Without pools S is every item, unless an
 *   attempt started before a question was added.
 * - Total score T_a = Σ_{i∈S} x_ai: learners are compared on the questions they all answered.
 *   Only complete attempts, with a score on every shared item, have a total: an attempt with a
 *   pending score there (an essay not yet graded, score null) is left out of the quiz statistics
 *   (mean, standard deviation, alpha) and of the upper and lower groups. Counting a pending score
 *   as 0 would rank the learner too low; alpha needs the full n × k matrix. Its scored answers
 *   still count in each item's facility and choice shares, and the attempt still counts in
 *   `learners`. The quiz's maxScore is Σ_{i∈S} of the item's maximum.
 * - Mean T̄ = Σ_a T_a / n. Standard deviation σ_T = √(Σ_a (T_a − T̄)² / n): the population
 *   standard deviation (divide by n), and every variance below divides by n too.
 * - Cronbach's alpha α = k / (k − 1) × (1 − Σ_i σ²_i / σ²_T), σ²_i the variance of the item's
 *   scores x_ai, σ²_T the variance of the totals. Null when k < 2, n < 2 or σ²_T = 0. (With
 *   sample variances, divide by n − 1, the factors cancel in the ratio: α is the same.) When null,
 *   `alphaOmittedReason` says why.
 * - Facility p_i = mean over the item's scored responses of x_ai / m_ai, in [0, 1]; blank
 *   answers count as scored 0, pending ones are left out.
 * - Discrimination D_i (Kelley's 27% groups): rank complete attempts by T, ties by attemptId
 *   (so of equal totals the greater id ranks higher); g = ⌈27 n / 100⌉; the upper group is
 *   the top g, the lower group the bottom g; D_i = mean(x_ai / m_ai | upper) − mean(x_ai / m_ai
 *   | lower), in [−1, 1], each mean over the group's attempts with a score on item i (all of them
 *   for a shared item). T includes a shared item i itself (not corrected for overlap). Null when
 *   n < 4, or when either group has no score on the item. Rounding up keeps both groups
 *   non-empty, and g ≤ n / 2 for n ≥ 2, so they never overlap.
 * - Blank share b_i = blank rows / rows for the item (pending rows included).
 * - Choice share s_ic = scored responses choosing choice c / scored responses to the item,
 *   blank responses included in the denominator (so the shares of a single-choice item sum to
 *   1 − the blank share among them); a multiple-choice item's shares can sum above 1.
 *
 * Every number is rounded to 4 decimal places in the output.
 */
import { round4 } from '../../common/round';
import type { QuestionType } from '../../content/question.types';

/** One row per (learner's counted attempt, question); the caller has picked the attempt that counts. */
export interface ItemResponseRow {
  attemptId: string;
  /** Stable across versions (questions.id). */
  questionId: string;
  questionKey: string;
  questionType: QuestionType;
  /** Positive. */
  maxScore: number;
  /** In [0, maxScore]; null while a person has yet to grade it. */
  score: number | null;
  /** The learner left it unanswered (it scored 0). */
  blank: boolean;
  /** For single and multiple choice: the ids the learner chose; [] otherwise or when blank. */
  choiceIds: string[];
}

/** Every choice of a question, so the report lists those nobody picked. */
export interface ItemChoiceInfo {
  questionId: string;
  choices: { id: string; text: string }[];
}

export interface ChoiceShare {
  id: string;
  text: string;
  /** s_ic; 0 when the item has no scored response (`responses` says so). */
  share: number;
}

export interface ItemStatistics {
  questionId: string;
  questionKey: string;
  questionType: QuestionType;
  /** s_i: counted attempts that showed the question (its rows, pending ones included). */
  shown: number;
  /** Shown by every counted attempt: part of the totals and of alpha. */
  shared: boolean;
  /** Rows with a score, blank answers included. */
  responses: number;
  /** b_i. */
  blankShare: number | null;
  /** p_i; null without a scored response. */
  facility: number | null;
  /** D_i; null with fewer than 4 complete attempts. */
  discrimination: number | null;
  /** Single and multiple choice only: the listed choices in their order, then any other chosen id. */
  choices?: ChoiceShare[];
}

export interface QuizStatistics {
  /** T̄; null without a complete attempt. */
  mean: number | null;
  /** σ_T (population); null without a complete attempt. */
  standardDeviation: number | null;
  cronbachAlpha: number | null;
  /** Why alpha is null; null when it is not. */
  alphaOmittedReason: string | null;
  /** k: questions every counted attempt showed. */
  sharedQuestions: number;
  /** Σ_{i∈S} of the item's maximum score (the largest seen, should versions differ). */
  maxScore: number;
}

export interface ItemAnalysis {
  /** Distinct attempts in the rows, complete or not. */
  learners: number;
  quiz: QuizStatistics;
  /** Ordered by questionKey (q2 before q10), then questionId. */
  items: ItemStatistics[];
}

/** Kelley (1939): 27% groups balance group size against how far apart the groups are. */
const KELLEY_GROUP_PERCENT = 27;
/** Below 4 learners the groups hold one or two learners each and D says nothing. */
const MIN_ATTEMPTS_FOR_DISCRIMINATION = 4;
const CHOICE_TYPES: ReadonlySet<QuestionType> = new Set<QuestionType>(['single_choice', 'multiple_choice']);

interface Item {
  questionId: string;
  questionKey: string;
  questionType: QuestionType;
  maxScore: number;
  /** By attemptId, so every sum runs in the same order whatever the order of the input. */
  rows: ItemResponseRow[];
}

type ScoredRow = ItemResponseRow & { score: number };

function isScored(row: ItemResponseRow | undefined): row is ScoredRow {
  return row !== undefined && row.score !== null;
}

/** An attempt with a score on every shared item; `scores` follow the order of the shared items. */
interface CompleteAttempt {
  attemptId: string;
  scores: number[];
  total: number;
}

interface KelleyGroups {
  upper: CompleteAttempt[];
  lower: CompleteAttempt[];
}

/** The item statistics of a quiz and its reliability, from one row per (counted attempt, question). */
export function analyseItems(rows: readonly ItemResponseRow[], choices: readonly ItemChoiceInfo[]): ItemAnalysis {
  const items = groupIntoItems(rows);
  const learners = new Set(rows.map((row) => row.attemptId)).size;
  const shared = items.filter((item) => item.rows.length === learners);
  const complete = completeAttempts(shared);
  const groups = kelleyGroups(complete);
  const choicesByQuestion = new Map(choices.map((info) => [info.questionId, info.choices]));
  return {
    learners,
    quiz: quizStatistics(shared, complete),
    items: items.map((item) =>
      itemStatistics(item, shared.includes(item), groups, choicesByQuestion.get(item.questionId)),
    ),
  };
}

/** Group size g = ⌈27 n / 100⌉, in integers: 0.27 × 100 is 27.000000000000004 in floating point. */
export function kelleyGroupSize(attempts: number): number {
  return Math.ceil((KELLEY_GROUP_PERCENT * attempts) / 100);
}

function groupIntoItems(rows: readonly ItemResponseRow[]): Item[] {
  const rowsByQuestion = new Map<string, Map<string, ItemResponseRow>>();
  for (const row of rows) {
    assertScoreInRange(row);
    const byAttempt = rowsByQuestion.get(row.questionId) ?? new Map<string, ItemResponseRow>();
    // Two rows would count the learner twice: the query that picks the counted attempt is wrong.
    if (byAttempt.has(row.attemptId)) {
      throw new Error(`Item analysis: two rows for attempt ${row.attemptId} and question ${row.questionId}`);
    }
    rowsByQuestion.set(row.questionId, byAttempt.set(row.attemptId, row));
  }
  return [...rowsByQuestion.values()].map((byAttempt) => toItem([...byAttempt.values()])).sort(byKeyThenId);
}

/** A non-positive maximum would divide by zero; a score outside [0, max] would break p and D's ranges. */
function assertScoreInRange({ attemptId, questionId, maxScore, score }: ItemResponseRow): void {
  const maxValid = Number.isFinite(maxScore) && maxScore > 0;
  const scoreValid = score === null || (Number.isFinite(score) && score >= 0 && score <= maxScore);
  if (!maxValid || !scoreValid) {
    throw new Error(`Item analysis: score ${score} of ${maxScore} out of range (${attemptId}, ${questionId})`);
  }
}

/** Key and type from the first attempt by id, so that versions differing in them give one answer. */
function toItem(rows: ItemResponseRow[]): Item {
  const sorted = rows.sort((a, b) => compareCodeUnits(a.attemptId, b.attemptId));
  const { questionId, questionKey, questionType } = sorted[0];
  const maxScore = sorted.reduce((max, row) => Math.max(max, row.maxScore), 0);
  return { questionId, questionKey, questionType, maxScore, rows: sorted };
}

const keyCollator = new Intl.Collator('en', { numeric: true });

function byKeyThenId(a: Item, b: Item): number {
  return keyCollator.compare(a.questionKey, b.questionKey) || compareCodeUnits(a.questionId, b.questionId);
}

/** Not localeCompare: the order of ids must not depend on the server's locale. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Attempts with a score on every shared item (see the top of the file for why the others are left out). */
function completeAttempts(items: Item[]): CompleteAttempt[] {
  if (items.length === 0) return [];
  const rowsByAttempt = items.map((item) => new Map(item.rows.map((row) => [row.attemptId, row])));
  const attemptIds = [...new Set(items.flatMap((item) => item.rows.map((row) => row.attemptId)))].sort(
    compareCodeUnits,
  );
  return attemptIds.flatMap((attemptId) => {
    const rows = rowsByAttempt.map((byAttempt) => byAttempt.get(attemptId));
    if (!rows.every(isScored)) return [];
    const scores = rows.map((row) => row.score);
    // T = Σ_i x_ai, rounded like the scores so that equal totals compare equal despite float noise.
    return [{ attemptId, scores, total: round4(sum(scores)) }];
  });
}

function quizStatistics(shared: Item[], complete: CompleteAttempt[]): QuizStatistics {
  const maxScore = round4(sum(shared.map((item) => item.maxScore)));
  const k = shared.length;
  const totals = complete.map((attempt) => attempt.total);
  const omitted = alphaOmittedReason(
    k,
    totals.length,
    totals.every((total) => total === totals[0]),
  );
  if (totals.length === 0) {
    return {
      mean: null,
      standardDeviation: null,
      cronbachAlpha: null,
      alphaOmittedReason: omitted,
      sharedQuestions: k,
      maxScore,
    };
  }
  return {
    mean: round4(mean(totals)), // T̄ = Σ T / n
    standardDeviation: round4(Math.sqrt(populationVariance(totals))), // σ_T = √(Σ (T − T̄)² / n)
    cronbachAlpha: omitted === null ? cronbachAlpha(k, complete) : null,
    alphaOmittedReason: omitted,
    sharedQuestions: k,
    maxScore,
  };
}

/** Why α is undefined here, in the order a reader would fix it; null when it is defined. */
export function alphaOmittedReason(
  sharedQuestions: number,
  completeAttempts: number,
  totalsAllEqual: boolean,
): string | null {
  if (sharedQuestions < 2) {
    return sharedQuestions === 0
      ? 'no question was shown in every counted attempt'
      : 'only one question was shown in every counted attempt; alpha needs two';
  }
  if (completeAttempts < 2) return 'fewer than two attempts have a score on every question they all shared';
  // σ²_T = 0 exactly when every (rounded) total is equal; testing that avoids dividing by float noise.
  if (totalsAllEqual) return 'every total on the shared questions is equal, so their variance is 0';
  return null;
}

/** α = k / (k − 1) × (1 − Σ σ²_i / σ²_T), all variances dividing by n. */
function cronbachAlpha(k: number, complete: CompleteAttempt[]): number {
  const totals = complete.map((attempt) => attempt.total);
  const itemVariances = Array.from({ length: k }, (_, i) => populationVariance(complete.map((a) => a.scores[i])));
  return round4((k / (k - 1)) * (1 - sum(itemVariances) / populationVariance(totals)));
}

/** Top and bottom g = ⌈27 n / 100⌉ complete attempts by T, ties by attemptId; null when n < 4. */
function kelleyGroups(complete: CompleteAttempt[]): KelleyGroups | null {
  if (complete.length < MIN_ATTEMPTS_FOR_DISCRIMINATION) return null;
  const ranked = [...complete].sort((a, b) => a.total - b.total || compareCodeUnits(a.attemptId, b.attemptId));
  const size = kelleyGroupSize(ranked.length);
  return { lower: ranked.slice(0, size), upper: ranked.slice(ranked.length - size) };
}

function itemStatistics(
  item: Item,
  shared: boolean,
  groups: KelleyGroups | null,
  listedChoices: ItemChoiceInfo['choices'] | undefined,
): ItemStatistics {
  const scored = item.rows.filter(isScored);
  const blanks = item.rows.filter((row) => row.blank).length;
  return {
    questionId: item.questionId,
    questionKey: item.questionKey,
    questionType: item.questionType,
    shown: item.rows.length,
    shared,
    responses: scored.length,
    blankShare: shareOf(blanks, item.rows.length), // b_i = blank rows / rows
    facility: facility(scored),
    discrimination: groups && discrimination(groups, item),
    ...(CHOICE_TYPES.has(item.questionType) && { choices: choiceShares(scored, listedChoices ?? []) }),
  };
}

/** p_i = mean(x / m) over the scored responses. */
function facility(scored: ScoredRow[]): number | null {
  if (scored.length === 0) return null;
  return round4(mean(scored.map((row) => row.score / row.maxScore)));
}

/** D_i = mean(x_i / m_i | upper) − mean(x_i / m_i | lower), over the group's scores on the item. */
function discrimination({ upper, lower }: KelleyGroups, item: Item): number | null {
  const byAttempt = new Map(item.rows.map((row) => [row.attemptId, row]));
  const fractions = (group: CompleteAttempt[]) =>
    group.flatMap((attempt) => {
      const row = byAttempt.get(attempt.attemptId);
      return isScored(row) ? [row.score / row.maxScore] : [];
    });
  const [top, bottom] = [fractions(upper), fractions(lower)];
  if (top.length === 0 || bottom.length === 0) return null;
  return round4(mean(top) - mean(bottom));
}

/** s_ic = scored responses choosing c / scored responses (blank ones included). */
function choiceShares(scored: ScoredRow[], listed: ItemChoiceInfo['choices']): ChoiceShare[] {
  const chosenBy = new Map<string, number>();
  for (const row of scored) {
    // A learner counts once per choice even if an id is repeated in their answer.
    for (const id of new Set(row.choiceIds)) chosenBy.set(id, (chosenBy.get(id) ?? 0) + 1);
  }
  const listedIds = new Set(listed.map((choice) => choice.id));
  // An id missing from the list (a choice dropped by a later version) is still reported, with no text.
  const unlisted = [...chosenBy.keys()]
    .filter((id) => !listedIds.has(id))
    .sort(compareCodeUnits)
    .map((id) => ({ id, text: '' }));
  return [...listed, ...unlisted].map(({ id, text }) => ({
    id,
    text,
    share: shareOf(chosenBy.get(id) ?? 0, scored.length) ?? 0,
  }));
}

function shareOf(count: number, total: number): number | null {
  return total === 0 ? null : round4(count / total);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function mean(values: number[]): number {
  return sum(values) / values.length;
}

/** Σ (v − v̄)² / n, two passes for accuracy. */
function populationVariance(values: number[]): number {
  const average = mean(values);
  return mean(values.map((value) => (value - average) ** 2));
}
