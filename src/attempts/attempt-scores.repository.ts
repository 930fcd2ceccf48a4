import type { EntityManager } from 'typeorm';
import type { ScoredQuestion } from './attempt-record';
import type { Attempt } from './entities/attempt.entity';
import type { AttemptScore } from './scoring';

/**
 * Writes an attempt's per-question scores in one statement, whatever the
 * number of questions, and its totals; the state follows from what is still
 * pending. The caller holds the attempt's row lock.
 */
export async function writeAttemptScores(
  manager: EntityManager,
  attempt: Attempt,
  total: AttemptScore,
  questions: ScoredQuestion[],
): Promise<void> {
  await manager.query(
    `INSERT INTO attempt_responses
       (attempt_id, question_version_id, scored_version_id, auto_score, max_score, correctness, feedback)
     SELECT $1, s.question_version_id, s.scored_version_id, s.auto_score, s.max_score, s.correctness, s.feedback
       FROM jsonb_to_recordset($2::jsonb) AS s(question_version_id uuid, scored_version_id uuid,
            auto_score float8, max_score float8, correctness text, feedback jsonb)
     ON CONFLICT (attempt_id, question_version_id) DO UPDATE
       SET scored_version_id = EXCLUDED.scored_version_id, auto_score = EXCLUDED.auto_score,
           max_score = EXCLUDED.max_score, correctness = EXCLUDED.correctness, feedback = EXCLUDED.feedback,
           updated_at = now()`,
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
    ],
  );
  Object.assign(attempt, {
    state: total.pending > 0 ? 'pending_grading' : 'graded',
    scoreRaw: total.raw,
    scoreMax: total.max,
    scoreScaled: total.scaled,
    passed: total.passed,
    pendingCount: total.pending,
  });
  await manager.save(attempt);
}
