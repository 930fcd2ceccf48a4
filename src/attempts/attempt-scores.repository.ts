import type { EntityManager } from 'typeorm';
import type { ScoredQuestion } from './attempt-record';
import { RESPONSE_COLUMNS, responseFromRow, type ResponseRow } from './attempt-rows';
import type { Attempt } from './entities/attempt.entity';
import type { AttemptResponse } from './entities/attempt-response.entity';
import type { AttemptScore } from './scoring';

/** A score row replaces the previous scoring of the same answer; the answer itself stays. */
const SCORES_REPLACE = `ON CONFLICT (attempt_id, question_version_id) DO UPDATE
         SET scored_version_id = EXCLUDED.scored_version_id, auto_score = EXCLUDED.auto_score,
             max_score = EXCLUDED.max_score, correctness = EXCLUDED.correctness, feedback = EXCLUDED.feedback,
             updated_at = now()`;

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
  applyAttemptTotals(attempt, total);
  const rows = await manager.query<ResponseRow[]>(
    `WITH totals AS (
       UPDATE attempts
          SET state = $3, score_raw = $4, score_max = $5, score_scaled = $6, passed = $7, pending_count = $8,
              submitted_at = $9, late = $10, late_deduction = $11, updated_at = now()
        WHERE id = $1),
     scores AS (
       INSERT INTO attempt_responses
         (attempt_id, question_version_id, scored_version_id, auto_score, max_score, correctness, feedback)
       SELECT $1, s.question_version_id, s.scored_version_id, s.auto_score, s.max_score, s.correctness, s.feedback
         FROM jsonb_to_recordset($2::jsonb) AS s(question_version_id uuid, scored_version_id uuid,
              auto_score float8, max_score float8, correctness text, feedback jsonb)
       ${SCORES_REPLACE}
       RETURNING ${RESPONSE_COLUMNS})
     SELECT * FROM scores`,
    [
      attempt.id,
      JSON.stringify(questions.map(toScoreRow)),
      attempt.state,
      attempt.scoreRaw,
      attempt.scoreMax,
      attempt.scoreScaled,
      attempt.passed,
      attempt.pendingCount,
      attempt.submittedAt,
      attempt.late,
      attempt.lateDeduction,
    ],
  );
  return rows.map(responseFromRow);
}

/** The attempt's state and totals as the scores give them. */
export function applyAttemptTotals(attempt: Attempt, total: AttemptScore): void {
  Object.assign(attempt, {
    state: total.pending > 0 ? 'pending_grading' : 'graded',
    scoreRaw: total.raw,
    scoreMax: total.max,
    scoreScaled: total.scaled,
    passed: total.passed,
    pendingCount: total.pending,
  });
}

/**
 * `writeAttemptScores` for many attempts in one statement (a regrade), each
 * attempt's totals already applied with `applyAttemptTotals`; returns nothing
 * (the caller has what it wrote). The caller holds the attempts' row locks.
 */
export async function writeScoresOfAttempts(
  manager: EntityManager,
  scored: readonly { attempt: Attempt; questions: ScoredQuestion[] }[],
): Promise<void> {
  if (scored.length === 0) return;
  await manager.query(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS a(id uuid, state text, score_raw float8, score_max float8,
              score_scaled float8, passed boolean, pending_count integer, submitted_at timestamptz, scores jsonb)),
     totals AS (
       UPDATE attempts t
          SET state = i.state, score_raw = i.score_raw, score_max = i.score_max, score_scaled = i.score_scaled,
              passed = i.passed, pending_count = i.pending_count, submitted_at = i.submitted_at, updated_at = now()
         FROM input i WHERE t.id = i.id),
     scores AS (
       INSERT INTO attempt_responses
         (attempt_id, question_version_id, scored_version_id, auto_score, max_score, correctness, feedback)
       SELECT i.id, s.question_version_id, s.scored_version_id, s.auto_score, s.max_score, s.correctness, s.feedback
         FROM input i, jsonb_to_recordset(i.scores) AS s(question_version_id uuid, scored_version_id uuid,
              auto_score float8, max_score float8, correctness text, feedback jsonb)
       ${SCORES_REPLACE}
       RETURNING 1)
     SELECT count(*)::int AS written FROM scores`,
    [
      JSON.stringify(
        scored.map(({ attempt, questions }) => ({
          id: attempt.id,
          state: attempt.state,
          score_raw: attempt.scoreRaw,
          score_max: attempt.scoreMax,
          score_scaled: attempt.scoreScaled,
          passed: attempt.passed,
          pending_count: attempt.pendingCount,
          submitted_at: attempt.submittedAt,
          scores: questions.map(toScoreRow),
        })),
      ),
    ],
  );
}

function toScoreRow(question: ScoredQuestion) {
  return {
    question_version_id: question.questionVersionId,
    scored_version_id: question.scoredVersionId,
    auto_score: question.autoScore,
    max_score: question.maxScore,
    correctness: question.correctness,
    feedback: question.feedback,
  };
}
