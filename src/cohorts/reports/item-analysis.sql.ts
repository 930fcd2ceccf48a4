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
 * The statement reads each counted attempt's responses three times, from the
 * index attempt_responses_item_analysis_idx alone: never the table, never JSON
 * (the blank flag and the chosen ids are columns the database keeps). Pass 0
 * counts the attempts that showed each question version, which gives the
 * questions every attempt shared (all of them without pools); pass 1 sums each
 * attempt over those; the complete attempts are ranked into the 27 % groups;
 * pass 2 sums, per question version and set of chosen ids (a few hundred cells
 * whatever the cohort's size), everything the statistics are made from.
 */

/** The attempt the analysis reads: the one that counts by the quiz's rule (the latest for `average`). */
const COUNTED_ORDER: Record<GradingMethod, string> = {
  highest: 'a.score_scaled DESC NULLS LAST, a.number ASC',
  latest: 'a.number DESC',
  first: 'a.number ASC',
  average: 'a.number DESC',
};

interface AnalysisRow {
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

export async function analyseItemsInDatabase(
  manager: EntityManager,
  cohortId: string,
  quizId: string,
  method: GradingMethod,
): Promise<ItemAnalysis> {
  const [row] = await manager.query<{ analysis: AnalysisRow }[]>(
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
     version_rows AS MATERIALIZED (
       -- Pass 0: the counted attempts that showed each version.
       SELECT r.question_version_id, count(*) AS shown
         FROM counted c JOIN attempt_responses r ON r.attempt_id = c.id
        WHERE r.max_score > 0
        GROUP BY r.question_version_id),
     answered AS (
       SELECT count(*) AS n FROM counted c
        WHERE EXISTS (SELECT 1 FROM attempt_responses r WHERE r.attempt_id = c.id AND r.max_score > 0)),
     shared_versions AS MATERIALIZED (
       -- The versions of the questions every counted attempt showed: an attempt shows one version of each
       -- of its questions, so a question is shared when its versions' counts add up to the attempts.
       SELECT question_version_id FROM (
         SELECT vr.question_version_id, sum(vr.shown) OVER (PARTITION BY v.question_id) AS shown
           FROM version_rows vr JOIN question_versions v ON v.id = vr.question_version_id) AS by_question
        WHERE shown = (SELECT n FROM answered)),
     attempt_sums AS MATERIALIZED (
       -- Pass 1: each attempt's total over the shared questions (rows: how many of them it has, k or 0).
       SELECT r.attempt_id,
              sum(coalesce(r.manual_score, r.auto_score)) FILTER (WHERE s.question_version_id IS NOT NULL) AS total,
              count(coalesce(r.manual_score, r.auto_score)) FILTER (WHERE s.question_version_id IS NOT NULL)
                AS scored,
              count(s.question_version_id) AS rows
         FROM counted c JOIN attempt_responses r ON r.attempt_id = c.id
         LEFT JOIN shared_versions s ON s.question_version_id = r.question_version_id
        WHERE r.max_score > 0
        GROUP BY r.attempt_id),
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
       -- Pass 2. OFFSET 0 keeps it a loop over the attempts through the index, whatever the estimates.
       SELECT r.question_version_id, r.choice_ids, count(*) AS rows, count(r.score) AS responses,
              count(*) FILTER (WHERE r.blank) AS blanks,
              sum(r.score / r.max_score) AS fraction_sum,
              sum(r.score / r.max_score) FILTER (WHERE g.upper) AS upper_sum,
              sum(r.score / r.max_score) FILTER (WHERE g.lower) AS lower_sum,
              count(r.score) FILTER (WHERE g.upper) AS upper_n,
              count(r.score) FILTER (WHERE g.lower) AS lower_n,
              count(*) FILTER (WHERE g.complete) AS complete_n,
              avg(r.score) FILTER (WHERE g.complete) AS complete_mean,
              var_pop(r.score) FILTER (WHERE g.complete) AS complete_variance,
              max(r.max_score) AS max_score
         FROM attempt_groups g
         CROSS JOIN LATERAL (
           SELECT r.question_version_id, r.choice_ids, r.blank, r.max_score,
                  coalesce(r.manual_score, r.auto_score) AS score
             FROM attempt_responses r WHERE r.attempt_id = g.attempt_id AND r.max_score > 0 OFFSET 0) AS r
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
  const definitions = await manager.query<{ id: string; key: string; definition: QuestionDefinition }[]>(
    `SELECT q.id, q.key, v.definition FROM questions q JOIN question_versions v ON v.id = q.current_version_id
      WHERE q.quiz_id = $1`,
    [quizId],
  );
  return toItemAnalysis(row.analysis, new Map(definitions.map((d) => [d.id, d])));
}

const keyOrder = new Intl.Collator('en', { numeric: true });

function toItemAnalysis(
  analysis: AnalysisRow,
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
  chosen: AnalysisRow['choices'],
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
