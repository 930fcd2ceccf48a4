import { round4 } from '../../common/round';
import type { EntityManager } from 'typeorm';
import type { GradingMethod } from '../../content/import/answer-key';
import type { QuestionDefinition } from '../../content/question.types';
import { alphaOmittedReason, type ChoiceShare, type ItemAnalysis, type ItemStatistics } from './item-analysis';
import { REPORTED_MEMBERS } from './reported-members';

/**
 * Item analysis computed where the data is: one statement aggregates the
 * response matrix of the cohort's counted attempts, so the API never holds it.
 * Same formulas and conventions as `analyseItems` in item-analysis.ts (the
 * pure version the tests check this one against): complete attempts only for
 * totals, groups and alpha; totals rounded to 4 places; ranking by (total,
 * attempt id); g = ⌈27n/100⌉; population variances; blanks count as scored 0.
 *
 * The statement reads each counted attempt's responses once, from the index
 * attempt_responses_item_analysis_idx alone: never the table, never JSON (the
 * blank flag and the chosen ids are columns the database keeps), into one row
 * per attempt holding its rows as arrays (in index order) and its sums. From
 * those: the attempts that showed each question version, counted per set of
 * versions shown (one set without pools), which gives the questions every
 * attempt shared; each attempt's total over those (its sum over all its rows
 * when every version shown is shared, as without pools); the complete attempts
 * ranked into the 27 % groups; and the arrays unnested once and summed per
 * question version and set of chosen ids (a few hundred cells whatever the
 * cohort's size) into everything the statistics are made from. Reading the index
 * three times (as before) cost about 100 ms a pass at 10,000 learners.
 */

/** The attempt the analysis reads: the one that counts by the quiz's rule (the latest for `average`). */
const COUNTED_ORDER: Record<GradingMethod, string> = {
  highest: 'a.score_scaled DESC NULLS LAST, a.number ASC',
  latest: 'a.number DESC',
  first: 'a.number ASC',
  average: 'a.number DESC',
};

/** What the aggregate statement returns: counts and sums per question and choice, no learner's row. */
export interface ItemAggregate {
  learners: number;
  quiz: { n: number; mean: number | null; sd: number | null; var_t: number | null; all_equal: boolean | null };
  items: {
    question_id: string;
    rows: number;
    responses: number;
    blanks: number;
    facility: number | null;
    upper_mean: number | null;
    lower_mean: number | null;
    item_variance: number | null;
    max_score: number;
  }[];
  choices: { question_id: string; choice_id: string; chosen: number }[];
}

/** The one statement over the cohort's counted attempts (the costly part; what the cache keeps). */
export async function aggregateItems(
  manager: EntityManager,
  cohortId: string,
  quizId: string,
  method: GradingMethod,
): Promise<ItemAggregate> {
  const [row] = await manager.query<{ analysis: ItemAggregate }[]>(
    `WITH learners AS (
       SELECT m.user_id FROM ${REPORTED_MEMBERS}
        WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active'),
     counted AS (
       -- In id order, so that pass 1 gets each attempt's rows together, as the index returns them.
       SELECT id FROM (
         SELECT DISTINCT ON (a.user_id) a.id
           FROM attempts a JOIN learners l ON l.user_id = a.user_id
          WHERE a.quiz_id = $2 AND a.state IN ('graded', 'submitted')
          ORDER BY a.user_id, ${COUNTED_ORDER[method]}) AS by_learner
        ORDER BY id),
     attempt_rows AS MATERIALIZED (
       -- The one pass over the index: each counted attempt's scored rows, as arrays in the order the index
       -- returns them (every array in the same order), with its sums over all of them.
       SELECT r.attempt_id,
              array_agg(r.question_version_id) AS versions,
              array_agg(coalesce(r.manual_score, r.auto_score)) AS scores,
              array_agg(r.max_score) AS max_scores,
              array_agg(r.blank) AS blanks,
              array_agg(r.choice_ids) AS choice_ids,
              sum(coalesce(r.manual_score, r.auto_score)) AS total_all,
              count(coalesce(r.manual_score, r.auto_score)) AS scored_all,
              count(*) AS rows_all
         FROM counted c JOIN attempt_responses r ON r.attempt_id = c.id
        WHERE r.max_score > 0
        GROUP BY r.attempt_id),
     version_rows AS MATERIALIZED (
       -- The counted attempts that showed each version (an attempt has one row per version), counted per
       -- set of versions shown: one set without pools, so this unnests one array instead of every row.
       SELECT v.question_version_id, sum(s.attempts) AS shown
         FROM (SELECT versions, count(*) AS attempts FROM attempt_rows GROUP BY versions) AS s
        CROSS JOIN LATERAL unnest(s.versions) AS v(question_version_id)
        GROUP BY v.question_version_id),
     answered AS (
       SELECT count(*) AS n FROM attempt_rows),
     shared_versions AS MATERIALIZED (
       -- The versions of the questions every counted attempt showed: an attempt shows one version of each
       -- of its questions, so a question is shared when its versions' counts add up to the attempts.
       SELECT question_version_id FROM (
         SELECT vr.question_version_id, sum(vr.shown) OVER (PARTITION BY v.question_id) AS shown
           FROM version_rows vr JOIN question_versions v ON v.id = vr.question_version_id) AS by_question
        WHERE shown = (SELECT n FROM answered)),
     shared AS (
       -- every_version: each version shown is shared, so each attempt's sums over all its rows are its sums
       -- over the shared ones (always so without pools).
       SELECT array_agg(question_version_id) AS ids,
              count(*) = (SELECT count(*) FROM version_rows) AS every_version
         FROM shared_versions),
     attempt_sums AS MATERIALIZED (
       -- Each attempt's total over the shared questions (rows: how many of them it has, k or 0).
       SELECT a.attempt_id,
              CASE WHEN s.every_version THEN a.total_all
                   ELSE (SELECT sum(x.score) FROM unnest(a.versions, a.scores) AS x(version_id, score)
                          WHERE x.version_id = ANY (s.ids)) END AS total,
              CASE WHEN s.every_version THEN a.scored_all
                   ELSE (SELECT count(x.score) FROM unnest(a.versions, a.scores) AS x(version_id, score)
                          WHERE x.version_id = ANY (s.ids)) END AS scored,
              CASE WHEN s.every_version THEN a.rows_all
                   ELSE (SELECT count(*) FROM unnest(a.versions) AS x(version_id)
                          WHERE x.version_id = ANY (s.ids)) END AS rows
         FROM attempt_rows a CROSS JOIN shared s),
     totals AS (
       -- Complete: a score on every shared question (none shared: no totals).
       SELECT attempt_id, round(total::numeric, 4) AS total FROM attempt_sums
        WHERE rows > 0 AND scored = rows),
     ranked AS (
       SELECT attempt_id, row_number() OVER (ORDER BY total, attempt_id) AS pos, count(*) OVER () AS n FROM totals),
     attempt_groups AS MATERIALIZED (
       SELECT s.attempt_id, r.attempt_id IS NOT NULL AS complete,
              coalesce(r.n >= 4 AND r.pos > r.n - (27 * r.n + 99) / 100, false) AS upper,
              coalesce(r.n >= 4 AND r.pos <= (27 * r.n + 99) / 100, false) AS lower
         FROM attempt_sums s LEFT JOIN ranked r ON r.attempt_id = s.attempt_id),
     cells AS (
       -- Per question version and set of chosen ids (a few hundred cells whatever the cohort's size), from
       -- the attempts' arrays rather than the index again.
       SELECT r.question_version_id, r.choice_ids, count(*) AS rows, count(r.score) AS responses,
              count(*) FILTER (WHERE r.blank) AS blanks,
              sum(r.score / r.max_score) AS fraction_sum,
              sum(r.score / r.max_score) FILTER (WHERE r.upper) AS upper_sum,
              sum(r.score / r.max_score) FILTER (WHERE r.lower) AS lower_sum,
              count(r.score) FILTER (WHERE r.upper) AS upper_n,
              count(r.score) FILTER (WHERE r.lower) AS lower_n,
              count(*) FILTER (WHERE r.complete) AS complete_n,
              avg(r.score) FILTER (WHERE r.complete) AS complete_mean,
              var_pop(r.score) FILTER (WHERE r.complete) AS complete_variance,
              max(r.max_score) AS max_score
         FROM (
           -- unnest in the select list runs the arrays in step without a tuplestore per attempt.
           SELECT g.upper, g.lower, g.complete,
                  unnest(a.versions) AS question_version_id, unnest(a.choice_ids) AS choice_ids,
                  unnest(a.blanks) AS blank, unnest(a.max_scores) AS max_score, unnest(a.scores) AS score
             FROM attempt_rows a JOIN attempt_groups g ON g.attempt_id = a.attempt_id) AS r
        GROUP BY r.question_version_id, r.choice_ids),
     question_cells AS (
       SELECT v.question_id, c.*,
              sum(c.complete_n * c.complete_mean) OVER question / nullif(sum(c.complete_n) OVER question, 0)
                AS question_mean
         FROM cells c JOIN question_versions v ON v.id = c.question_version_id
       WINDOW question AS (PARTITION BY v.question_id)),
     quiz AS (
       SELECT count(*) AS n FROM totals),
     items AS (
       SELECT c.question_id, sum(c.rows)::int AS rows, sum(c.responses)::int AS responses,
              sum(c.blanks)::int AS blanks, sum(c.fraction_sum) / nullif(sum(c.responses), 0) AS facility,
              -- Over the group's scores on the question: the whole group (g) for a shared question.
              CASE WHEN q.n >= 4 THEN sum(c.upper_sum) / nullif(sum(c.upper_n), 0) END AS upper_mean,
              CASE WHEN q.n >= 4 THEN sum(c.lower_sum) / nullif(sum(c.lower_n), 0) END AS lower_mean,
              -- The variance of the question's scores from its cells' (Chan et al.): the mean of their
              -- variances plus the variance of their means, each weighted by its count.
              CASE WHEN q.n > 0 THEN sum(c.complete_n * (c.complete_variance + (c.complete_mean - c.question_mean) ^ 2))
                                     / sum(c.complete_n) END AS item_variance,
              max(c.max_score) AS max_score
         FROM question_cells c CROSS JOIN quiz q
        GROUP BY c.question_id, q.n),
     picks AS (
       SELECT c.question_id, x.choice_id, sum(c.responses)::int AS chosen
         FROM question_cells c CROSS JOIN LATERAL jsonb_array_elements_text(c.choice_ids::jsonb) AS x(choice_id)
        WHERE c.responses > 0
        GROUP BY c.question_id, x.choice_id),
     total_mean AS MATERIALIZED (
       -- T̄ and σ²_T as the oracle computes them: in floating point, over the totals in attempt id order,
       -- σ² in two passes. (In numeric, a mean ending in 5 at the fifth place could round the other way.)
       SELECT avg(total::float8 ORDER BY attempt_id) AS mean FROM totals),
     spread AS (
       SELECT m.mean, avg((t.total::float8 - m.mean) * (t.total::float8 - m.mean) ORDER BY t.attempt_id) AS variance,
              max(t.total) = min(t.total) AS all_equal
         FROM totals t CROSS JOIN total_mean m
        GROUP BY m.mean)
     SELECT json_build_object(
       'learners', (SELECT count(*) FROM attempt_sums),
       'quiz', (SELECT json_build_object('n', q.n, 'mean', s.mean, 'sd', sqrt(s.variance), 'var_t', s.variance,
                                         'all_equal', s.all_equal)
                  FROM quiz q LEFT JOIN spread s ON q.n > 0),
       'items', coalesce((SELECT json_agg(i) FROM items i), '[]'),
       'choices', coalesce((SELECT json_agg(p) FROM picks p), '[]')) AS analysis`,
    [cohortId, quizId],
  );
  return row.analysis;
}

/** The report from the aggregate and the questions' current definitions (keys, types, choice texts). */
export async function itemAnalysisOf(
  manager: EntityManager,
  quizId: string,
  aggregate: ItemAggregate,
): Promise<ItemAnalysis> {
  const definitions = await manager.query<{ id: string; key: string; definition: QuestionDefinition }[]>(
    `SELECT q.id, q.key, v.definition FROM questions q JOIN question_versions v ON v.id = q.current_version_id
      WHERE q.quiz_id = $1`,
    [quizId],
  );
  return toItemAnalysis(aggregate, new Map(definitions.map((d) => [d.id, d])));
}

const keyOrder = new Intl.Collator('en', { numeric: true });

function toItemAnalysis(
  analysis: ItemAggregate,
  definitions: Map<string, { key: string; definition: QuestionDefinition }>,
): ItemAnalysis {
  const { quiz } = analysis;
  // Shown by every counted attempt (item rows are the attempts that showed it).
  const shared = analysis.items.filter((item) => item.rows === analysis.learners);
  const k = shared.length;
  const varianceSum = shared.reduce((sum, item) => sum + (item.item_variance ?? 0), 0);
  // α = k/(k−1) · (1 − Σσ²ᵢ/σ²_T) over the shared questions; undefined for one item, one learner, or equal totals.
  const omitted = alphaOmittedReason(k, quiz.n, !!quiz.all_equal || !quiz.var_t);
  const alpha = omitted === null ? (k / (k - 1)) * (1 - varianceSum / Number(quiz.var_t)) : null;
  const items: ItemStatistics[] = analysis.items.map((item) => {
    const known = definitions.get(item.question_id);
    const type = known?.definition.type ?? 'essay';
    const statistics: ItemStatistics = {
      questionId: item.question_id,
      questionKey: known?.key ?? item.question_id,
      questionType: type,
      shown: item.rows,
      shared: item.rows === analysis.learners,
      responses: item.responses,
      blankShare: round4(item.blanks / item.rows), // b_i = blank rows / rows
      facility: item.facility === null ? null : round4(Number(item.facility)),
      // D = mean(score/max | upper 27%) − mean(score/max | lower 27%); null below 4 complete attempts.
      discrimination:
        item.upper_mean === null || item.lower_mean === null
          ? null
          : round4(Number(item.upper_mean) - Number(item.lower_mean)),
    };
    if (type === 'single_choice' || type === 'multiple_choice') {
      statistics.choices = choiceShares(item.question_id, item.responses, known?.definition, analysis.choices);
    }
    return statistics;
  });
  items.sort((a, b) => keyOrder.compare(a.questionKey, b.questionKey) || (a.questionId < b.questionId ? -1 : 1));
  return {
    learners: analysis.learners,
    quiz: {
      mean: quiz.n > 0 && quiz.mean !== null ? round4(Number(quiz.mean)) : null,
      standardDeviation: quiz.n > 0 && quiz.sd !== null ? round4(Number(quiz.sd)) : null,
      cronbachAlpha: alpha === null ? null : round4(alpha),
      alphaOmittedReason: omitted,
      sharedQuestions: k,
      maxScore: round4(shared.reduce((sum, item) => sum + item.max_score, 0)),
    },
    items,
  };
}

/** The listed choices in their order, then any other id learners chose; share = chosen / responses. */
function choiceShares(
  questionId: string,
  responses: number,
  definition: QuestionDefinition | undefined,
  chosen: ItemAggregate['choices'],
): ChoiceShare[] {
  const counts = new Map(chosen.filter((c) => c.question_id === questionId).map((c) => [c.choice_id, c.chosen]));
  const listed =
    definition && (definition.type === 'single_choice' || definition.type === 'multiple_choice')
      ? definition.choices
      : [];
  const share = (id: string) => (responses > 0 ? round4((counts.get(id) ?? 0) / responses) : 0);
  const known = new Set(listed.map((choice) => choice.id));
  const others = [...counts.keys()].filter((id) => !known.has(id)).sort();
  return [
    ...listed.map((choice) => ({ id: choice.id, text: choice.text, share: share(choice.id) })),
    ...others.map((id) => ({ id, text: '', share: share(id) })),
  ];
}
