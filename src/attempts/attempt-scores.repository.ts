import type { EntityManager } from 'typeorm';
import type { ScoredQuestion } from './attempt-record';
import { RESPONSE_COLUMNS, responseFromRow, type ResponseRow } from './attempt-rows';
import type { Attempt } from './entities/attempt.entity';
import type { AttemptResponse } from './entities/attempt-response.entity';
import type { AttemptScore } from './scoring';

/**
 * Writes an attempt's per-question scores and its totals in one statement,
 * whatever the number of questions; the state follows from what is still
 * pending. Updates `attempt` to match and returns the attempt's responses as
 * stored now (one per question of the attempt). The caller holds the
 * attempt's row lock.
 */
export async function writeAttemptScores(
  manager: EntityManager,
  attempt: Attempt,
  total: AttemptScore,
  questions: ScoredQuestion[],
): Promise<AttemptResponse[]> {
  Object.assign(attempt, {
    state: total.pending > 0 ? 'pending_grading' : 'graded',
    scoreRaw: total.raw,
    scoreMax: total.max,
    scoreScaled: total.scaled,
    passed: total.passed,
    pendingCount: total.pending,
  });
  const rows = await manager.query<ResponseRow[]>(
    `WITH totals AS (
       UPDATE attempts
          SET state = $3, score_raw = $4, score_max = $5, score_scaled = $6, passed = $7, pending_count = $8,
              submitted_at = $9, updated_at = now()
        WHERE id = $1),
     scores AS (
       INSERT INTO attempt_responses
         (attempt_id, question_version_id, scored_version_id, auto_score, max_score, correctness, feedback)
       SELECT $1, s.question_version_id, s.scored_version_id, s.auto_score, s.max_score, s.correctness, s.feedback
         FROM jsonb_to_recordset($2::jsonb) AS s(question_version_id uuid, scored_version_id uuid,
              auto_score float8, max_score float8, correctness text, feedback jsonb)
       ON CONFLICT (attempt_id, question_version_id) DO UPDATE
         SET scored_version_id = EXCLUDED.scored_version_id, auto_score = EXCLUDED.auto_score,
             max_score = EXCLUDED.max_score, correctness = EXCLUDED.correctness, feedback = EXCLUDED.feedback,
             updated_at = now()
       RETURNING ${RESPONSE_COLUMNS})
     SELECT * FROM scores`,
    [
      attempt.id,
      JSON.stringify(
        questions.map((q) => ({
          question_version_id: q.questionVersionId,
          scored_version_id: q.scoredVersionId,
          auto_score: q.autoScore,
          max_score: q.maxScore,
          correctness: q.correctness,
          feedback: q.feedback,
        })),
      ),
      attempt.state,
      attempt.scoreRaw,
      attempt.scoreMax,
      attempt.scoreScaled,
      attempt.passed,
      attempt.pendingCount,
      attempt.submittedAt,
    ],
  );
  return rows.map(responseFromRow);
}
