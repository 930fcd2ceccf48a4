import type { EntityManager } from 'typeorm';
import type { GradingMethod } from '../../content/import/answer-key';
import type { ItemAggregate } from './item-analysis.sql';
import { REPORTED_MEMBERS } from './reported-members';

/**
 * The stamp of an item analysis' inputs, cheap to compute on every request (one pass over the
 * roster and the quiz's finished attempts, about 25 ms at 10,000 learners against about 280 ms
 * for the aggregate): the grading method; the learners the reports count (count and sum of a hash
 * of their ids); and the cohort's learners' finished attempts of the quiz (count and sum of a hash
 * of each id with its row version, xmin). Any change to those attempts gives them a new row
 * version, and so does any change to their responses (the triggers of migration
 * ItemAnalysisCache). Question texts and keys are not in it: the report reads them afresh.
 */
const STAMP_CTE = `
  learners AS MATERIALIZED (
    SELECT m.user_id FROM ${REPORTED_MEMBERS}
     WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active'),
  stamp AS (
    SELECT md5(concat_ws('|', $3::text,
             (SELECT count(*) || '.' || coalesce(sum(hashtextextended(l.user_id::text, 0)), 0) FROM learners l),
             (SELECT count(*) || '.' || coalesce(sum(hashtextextended(a.id::text, a.xmin::text::bigint)), 0)
                FROM attempts a JOIN learners l ON l.user_id = a.user_id
               WHERE a.quiz_id = $2 AND a.state IN ('graded', 'submitted')))) AS value)`;

/** The stamp of the inputs now, and the stored aggregate when it was computed from the same. */
export async function cachedItemAggregate(
  manager: EntityManager,
  cohortId: string,
  quizId: string,
  method: GradingMethod,
): Promise<{ stamp: string; cached: ItemAggregate | null }> {
  const [row] = await manager.query<{ stamp: string; analysis: ItemAggregate | null }[]>(
    `WITH ${STAMP_CTE}
     SELECT s.value AS stamp, c.analysis FROM stamp s
       LEFT JOIN item_analysis_cache c ON c.cohort_id = $1 AND c.quiz_id = $2 AND c.stamp = s.value`,
    [cohortId, quizId, method],
  );
  return { stamp: row.stamp, cached: row.analysis };
}

/** The stamp alone (inside the transaction that computes the aggregate, so both see one snapshot). */
export async function itemAnalysisStamp(
  manager: EntityManager,
  cohortId: string,
  quizId: string,
  method: GradingMethod,
): Promise<string> {
  const [row] = await manager.query<{ stamp: string }[]>(`WITH ${STAMP_CTE} SELECT value AS stamp FROM stamp`, [
    cohortId,
    quizId,
    method,
  ]);
  return row.stamp;
}

/** Keeps the aggregate with the stamp of the snapshot it was computed in (the last writer's stays). */
export async function storeItemAggregate(
  manager: EntityManager,
  cohortId: string,
  quizId: string,
  stamp: string,
  aggregate: ItemAggregate,
): Promise<void> {
  await manager.query(
    `INSERT INTO item_analysis_cache (cohort_id, quiz_id, stamp, analysis, computed_at)
     VALUES ($1, $2, $3, $4::jsonb, now())
     ON CONFLICT (cohort_id, quiz_id) DO UPDATE
       SET stamp = EXCLUDED.stamp, analysis = EXCLUDED.analysis, computed_at = EXCLUDED.computed_at`,
    [cohortId, quizId, stamp, JSON.stringify(aggregate)],
  );
}
