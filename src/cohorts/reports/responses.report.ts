import { REPORTED_MEMBERS } from './reported-members';
export const RESPONSES_CSV_COLUMNS = [
  'user_id',
  'external_id',
  'display_name',
  'module_slug',
  'attempt_id',
  'attempt_number',
  'attempt_state',
  'submitted_at',
  'question_key',
  'question_type',
  'question_version',
  'response',
  'score',
  'max_score',
  'correctness',
  'graded_by',
] as const;

export interface ResponseRecord {
  user_id: string;
  external_id: string | null;
  display_name: string;
  module_slug: string;
  attempt_id: string;
  attempt_number: number;
  attempt_state: string;
  submitted_at: Date | null;
  question_key: string;
  question_type: string;
  question_version: number;
  response: unknown;
  score: number | null;
  max_score: number | null;
  correctness: string | null;
  graded_by: string | null;
  question_version_id: string;
}

/**
 * Every response of the cohort's active learners to the quizzes of the
 * cohort's modules (all modules when it names none), as one statement to read
 * through a cursor.
 */
export const RESPONSES_SQL = `
  WITH learners AS (
    SELECT u.id, u.external_id, u.display_name
      FROM ${REPORTED_MEMBERS}
     WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active'),
  scope AS (
    SELECT mo.id, mo.slug, q.id AS quiz_id FROM cohorts c
      JOIN modules mo ON cardinality(c.module_ids) = 0 OR mo.id = ANY(c.module_ids)
      JOIN quizzes q ON q.module_id = mo.id
     WHERE c.id = $1)
  SELECT l.id AS user_id, l.external_id, l.display_name, s.slug AS module_slug,
         a.id AS attempt_id, a.number AS attempt_number, a.state AS attempt_state, a.submitted_at,
         q.key AS question_key, v.definition ->> 'type' AS question_type, v.version AS question_version,
         r.question_version_id, r.response, coalesce(r.manual_score, r.auto_score) AS score, r.max_score,
         r.correctness, r.graded_by
    FROM learners l
    JOIN attempts a ON a.user_id = l.id
    JOIN scope s ON s.quiz_id = a.quiz_id
    JOIN attempt_responses r ON r.attempt_id = a.id
    JOIN question_versions v ON v.id = r.question_version_id
    JOIN questions q ON q.id = v.question_id
   ORDER BY l.display_name, l.id, a.quiz_id, a.number, q.position`;
