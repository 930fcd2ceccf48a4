// The response matrix of a cohort on a quiz, as rows for analyseItems(): the test oracle the
// SQL item analysis (src/cohorts/reports/item-analysis.sql.ts) is checked against.
import type { EntityManager } from 'typeorm';
import type { GradingMethod } from '../../src/content/import/answer-key';
import type { QuestionDefinition, QuestionType } from '../../src/content/question.types';
import type { ItemChoiceInfo, ItemResponseRow } from '../../src/cohorts/reports/item-analysis';

/**
 * Which attempt of a learner the analysis reads: the one that counts by the
 * quiz's rule. For `average` no single attempt counts, so the latest is read.
 * Whitelisted: the order never comes from the request.
 */
const COUNTED_ORDER: Record<GradingMethod, string> = {
  highest: 'a.score_scaled DESC NULLS LAST, a.number ASC',
  latest: 'a.number DESC',
  first: 'a.number ASC',
  average: 'a.number DESC',
};

interface RowRecord {
  attempt_id: string;
  question_id: string;
  question_key: string;
  question_type: QuestionType;
  max_score: number;
  score: number | null;
  blank: boolean;
  choice_ids: string[];
}

/**
 * The response matrix of the cohort's active learners on one quiz, one
 * finished, fully scored attempt per learner (as the counted grade picks), in one statement; and every question's
 * choices (current version) in another.
 */
export async function itemAnalysisInput(
  manager: EntityManager,
  cohortId: string,
  quizId: string,
  method: GradingMethod,
): Promise<{ rows: ItemResponseRow[]; choices: ItemChoiceInfo[] }> {
  const records = await manager.query<RowRecord[]>(
    `WITH learners AS (
       SELECT m.user_id FROM cohort_members m JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
        WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active'),
     counted AS (
       SELECT DISTINCT ON (a.user_id) a.id
         FROM attempts a JOIN learners l ON l.user_id = a.user_id
        -- The attempts a counted grade can come from: finished and fully scored.
        WHERE a.quiz_id = $2 AND a.state IN ('graded', 'submitted')
        ORDER BY a.user_id, ${COUNTED_ORDER[method]})
     SELECT r.attempt_id, q.id AS question_id, q.key AS question_key, v.definition ->> 'type' AS question_type,
            r.max_score, coalesce(r.manual_score, r.auto_score) AS score, r.response IS NULL AS blank,
            CASE r.response ->> 'type'
              WHEN 'single_choice' THEN ARRAY[r.response ->> 'choiceId']
              WHEN 'multiple_choice' THEN ARRAY(SELECT jsonb_array_elements_text(r.response -> 'choiceIds'))
              ELSE '{}'::text[] END AS choice_ids
       FROM counted c
       JOIN attempt_responses r ON r.attempt_id = c.id
       JOIN question_versions v ON v.id = r.question_version_id
       JOIN questions q ON q.id = v.question_id
      WHERE r.max_score > 0`,
    [cohortId, quizId],
  );
  const definitions = await manager.query<{ id: string; definition: QuestionDefinition }[]>(
    `SELECT q.id, v.definition FROM questions q JOIN question_versions v ON v.id = q.current_version_id
      WHERE q.quiz_id = $1 AND q.retired_at IS NULL`,
    [quizId],
  );
  return {
    rows: records.map((record) => ({
      attemptId: record.attempt_id,
      questionId: record.question_id,
      questionKey: record.question_key,
      questionType: record.question_type,
      maxScore: record.max_score,
      score: record.score,
      blank: record.blank,
      choiceIds: record.choice_ids.filter((id): id is string => typeof id === 'string'),
    })),
    choices: definitions.map(({ id, definition }) => ({
      questionId: id,
      choices:
        definition.type === 'single_choice' || definition.type === 'multiple_choice'
          ? definition.choices.map((choice) => ({ id: choice.id, text: choice.text }))
          : [],
    })),
  };
}
