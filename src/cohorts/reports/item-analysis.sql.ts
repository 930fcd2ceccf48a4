import { round4 } from '../../common/round';
import type { EntityManager } from 'typeorm';
import type { GradingMethod } from '../../content/import/answer-key';
import type { QuestionDefinition } from '../../content/question.types';
import type { ChoiceShare, ItemAnalysis, ItemStatistics } from './item-analysis';

/**
 * Item analysis computed where the data is: one statement aggregates the
 * response matrix of the cohort's counted attempts, so the API never holds it.
 * Same formulas and conventions as `analyseItems` in item-analysis.ts (the
 * pure version the tests check this one against): complete attempts only for
 * totals, groups and alpha; totals rounded to 4 places; ranking by (total,
 * attempt id); g = ⌈27n/100⌉; population variances; blanks count as scored 0.
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
    blank_share: number;
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
       SELECT m.user_id FROM cohort_members m JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
        WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active'),
     counted AS (
       SELECT DISTINCT ON (a.user_id) a.id
         FROM attempts a JOIN learners l ON l.user_id = a.user_id
        WHERE a.quiz_id = $2 AND a.state IN ('graded', 'submitted')
        ORDER BY a.user_id, ${COUNTED_ORDER[method]}),
     resp AS MATERIALIZED (
       SELECT r.attempt_id, v.question_id, r.max_score, coalesce(r.manual_score, r.auto_score) AS score,
              r.response IS NULL AS blank, r.response
         FROM counted c
         JOIN attempt_responses r ON r.attempt_id = c.id
         JOIN question_versions v ON v.id = r.question_version_id
        WHERE r.max_score > 0),
     item_count AS (SELECT count(DISTINCT question_id) AS k FROM resp),
     totals AS (
       SELECT attempt_id, round(sum(score)::numeric, 4) AS total FROM resp GROUP BY attempt_id
       HAVING bool_and(score IS NOT NULL) AND count(DISTINCT question_id) = (SELECT k FROM item_count)),
     ranked AS (
       SELECT attempt_id, row_number() OVER (ORDER BY total, attempt_id) AS pos, count(*) OVER () AS n FROM totals),
     grouped AS (
       SELECT attempt_id,
              CASE WHEN n < 4 THEN NULL
                   WHEN pos <= (27 * n + 99) / 100 THEN 'lower'
                   WHEN pos > n - (27 * n + 99) / 100 THEN 'upper' END AS grp
         FROM ranked),
     items AS (
       SELECT r.question_id, count(*)::int AS rows, count(r.score)::int AS responses,
              avg(r.blank::int)::float8 AS blank_share,
              avg(r.score / r.max_score) FILTER (WHERE r.score IS NOT NULL) AS facility,
              avg(r.score / r.max_score) FILTER (WHERE g.grp = 'upper') AS upper_mean,
              avg(r.score / r.max_score) FILTER (WHERE g.grp = 'lower') AS lower_mean,
              var_pop(r.score) FILTER (WHERE t.attempt_id IS NOT NULL) AS item_variance,
              max(r.max_score) AS max_score
         FROM resp r
         LEFT JOIN totals t ON t.attempt_id = r.attempt_id
         LEFT JOIN grouped g ON g.attempt_id = r.attempt_id
        GROUP BY r.question_id),
     picks AS (
       SELECT r.question_id, c.choice_id, count(*)::int AS chosen
         FROM resp r
         CROSS JOIN LATERAL (
           SELECT DISTINCT x FROM jsonb_array_elements_text(
             CASE r.response ->> 'type'
               WHEN 'multiple_choice' THEN r.response -> 'choiceIds'
               WHEN 'single_choice' THEN jsonb_build_array(r.response -> 'choiceId')
               ELSE '[]'::jsonb END) AS x) AS c(choice_id)
        WHERE r.score IS NOT NULL
        GROUP BY r.question_id, c.choice_id)
     SELECT json_build_object(
       'learners', (SELECT count(DISTINCT attempt_id) FROM resp),
       'quiz', (SELECT json_build_object('n', count(*), 'mean', avg(total), 'sd', stddev_pop(total),
                                         'var_t', var_pop(total), 'all_equal', max(total) = min(total)) FROM totals),
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
  const k = analysis.items.length;
  const varianceSum = analysis.items.reduce((sum, item) => sum + (item.item_variance ?? 0), 0);
  // α = k/(k−1) · (1 − Σσ²ᵢ/σ²_T); undefined for one item, one learner, or equal totals.
  const alpha =
    k < 2 || quiz.n < 2 || quiz.all_equal || !quiz.var_t
      ? null
      : (k / (k - 1)) * (1 - varianceSum / Number(quiz.var_t));
  const items: ItemStatistics[] = analysis.items.map((item) => {
    const known = definitions.get(item.question_id);
    const type = known?.definition.type ?? 'essay';
    const statistics: ItemStatistics = {
      questionId: item.question_id,
      questionKey: known?.key ?? item.question_id,
      questionType: type,
      responses: item.responses,
      blankShare: round4(item.blank_share),
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
      maxScore: round4(analysis.items.reduce((sum, item) => sum + item.max_score, 0)),
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
