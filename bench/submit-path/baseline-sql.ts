/**
 * The baseline's SQL: what the API's three submit-path requests and two reads
 * need, written by hand against the same tables, one statement per step.
 * Reads that the API makes one by one (the attempt, its quiz, the caller, the
 * pinned question versions, the saved responses, the learner's other
 * attempts) are one statement here.
 */
import type { PoolClient } from 'pg';
import type { Attempt, AttemptState } from '../../src/attempts/entities/attempt.entity';
import type { AttemptResponse } from '../../src/attempts/entities/attempt-response.entity';

/** A response row as the baseline reads it (the generated columns item analysis uses are left out). */
type BaselineResponse = Omit<AttemptResponse, 'blank' | 'choiceIds'>;
import type { ScoredQuestion } from '../../src/attempts/attempt-record';
import type { AttemptScore } from '../../src/attempts/scoring';
import type { QuizSettings } from '../../src/content/import/answer-key';
import type { QuestionDefinition, ResponseValue } from '../../src/content/question.types';
import type { Role } from '../../src/auth/access.types';

type Queryable = Pick<PoolClient, 'query'>;

/** The quiz, the caller, the learner's earlier attempts and the versions a new attempt pins. */
const START_CONTEXT = `
SELECT q.settings, q.module_id,
       (SELECT u.roles FROM users u WHERE u.id = $2 AND u.deleted_at IS NULL) AS caller_roles,
       -- Locked, as the API locks them: the sweeper may be closing an overdue one.
       (SELECT coalesce(json_agg(json_build_object(
                 'id', a.id, 'number', a.number, 'state', a.state, 'deadlineAt', a.deadline_at,
                 'closesAt', a.closes_at, 'submittedAt', a.submitted_at) ORDER BY a.number), '[]')
          FROM (SELECT * FROM attempts WHERE user_id = $2 AND quiz_id = q.id FOR UPDATE) a) AS previous,
       (SELECT coalesce(json_agg(json_build_object('id', v.id, 'key', qu.key, 'definition', v.definition)
                 ORDER BY qu.position, qu.id), '[]')
          FROM questions qu JOIN question_versions v ON v.id = qu.current_version_id
         WHERE qu.quiz_id = q.id AND qu.retired_at IS NULL) AS versions
  FROM quizzes q
 WHERE q.id = $1`;

/** An attempt with everything its view and its scoring need. */
const ATTEMPT_CONTEXT = `
SELECT a.id, a.quiz_id, a.user_id, a.number, a.state, a.started_at, a.deadline_at, a.closes_at,
       a.submitted_at, a.question_order, a.choice_order, a.score_raw, a.score_max, a.score_scaled,
       a.passed, a.pending_count, a.due_at, a.late, a.late_deduction, a.rule, a.created_at, a.updated_at,
       q.settings, q.module_id,
       (SELECT u.roles FROM users u WHERE u.id = $2 AND u.deleted_at IS NULL) AS caller_roles,
       (SELECT json_object_agg(v.id, v.definition) FROM question_versions v
         WHERE v.id IN (SELECT jsonb_array_elements_text(a.question_order)::uuid)) AS definitions,
       (SELECT coalesce(json_agg(json_build_object(
                 'questionVersionId', r.question_version_id, 'response', r.response,
                 'scoredVersionId', r.scored_version_id, 'autoScore', r.auto_score, 'manualScore', r.manual_score, 'maxScore', r.max_score,
                 'correctness', r.correctness, 'feedback', r.feedback)), '[]')
          FROM attempt_responses r WHERE r.attempt_id = a.id) AS responses,
       (SELECT json_build_object('used', count(*), 'open', count(*) FILTER (WHERE s.state = 'in_progress'))
          FROM attempts s WHERE s.user_id = a.user_id AND s.quiz_id = a.quiz_id) AS siblings
  FROM attempts a JOIN quizzes q ON q.id = a.quiz_id
 WHERE a.id = $1`;

const INSERT_ATTEMPT = `
INSERT INTO attempts (id, quiz_id, user_id, number, state, started_at, deadline_at, closes_at,
                      submitted_at, question_order, choice_order)
VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $7, NULL, $8, $9)
RETURNING created_at, updated_at`;

// The same statement as the API's attempts.service.ts saveResponses.
const SAVE_RESPONSES = `
INSERT INTO attempt_responses (attempt_id, question_version_id, response)
SELECT $1, r.question_version_id, r.response
  FROM jsonb_to_recordset($2::jsonb) AS r(question_version_id uuid, response jsonb)
ON CONFLICT (attempt_id, question_version_id)
DO UPDATE SET response = EXCLUDED.response, updated_at = now()`;

/** The per-question scores and the attempt's totals in one statement (the API makes three). */
const WRITE_SCORES = `
WITH scores AS (
  INSERT INTO attempt_responses
    (attempt_id, question_version_id, scored_version_id, auto_score, max_score, correctness, feedback)
  SELECT $1, s.question_version_id, s.scored_version_id, s.auto_score, s.max_score, s.correctness, s.feedback
    FROM jsonb_to_recordset($2::jsonb) AS s(question_version_id uuid, scored_version_id uuid,
         auto_score float8, max_score float8, correctness text, feedback jsonb)
  ON CONFLICT (attempt_id, question_version_id) DO UPDATE
    SET scored_version_id = EXCLUDED.scored_version_id, auto_score = EXCLUDED.auto_score,
        max_score = EXCLUDED.max_score, correctness = EXCLUDED.correctness, feedback = EXCLUDED.feedback,
        updated_at = now()
  RETURNING 1)
UPDATE attempts
   SET state = $3, submitted_at = $4, score_raw = $5, score_max = $6, score_scaled = $7, passed = $8,
       pending_count = $9, updated_at = now()
 WHERE id = $1
RETURNING updated_at`;

const LIST_ATTEMPTS = `
SELECT (SELECT u.roles FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL) AS caller_roles,
       EXISTS (SELECT 1 FROM users u WHERE u.id = $2 AND u.deleted_at IS NULL) AS target_exists,
       (SELECT coalesce(json_agg(json_build_object(
                 'id', a.id, 'quizId', a.quiz_id, 'number', a.number, 'state', a.state,
                 'startedAt', a.started_at, 'submittedAt', a.submitted_at, 'scoreRaw', a.score_raw,
                 'scoreMax', a.score_max, 'scoreScaled', a.score_scaled, 'passed', a.passed,
                 'pendingCount', a.pending_count, 'dueAt', a.due_at, 'late', a.late,
                 'lateDeduction', a.late_deduction, 'rule', a.rule) ORDER BY a.quiz_id, a.number), '[]')
          FROM attempts a WHERE a.user_id = $2 AND ($3::uuid IS NULL OR a.quiz_id = $3)) AS attempts,
       (SELECT coalesce(json_object_agg(q.id, q.settings), '{}') FROM quizzes q
         WHERE q.id IN (SELECT a.quiz_id FROM attempts a
                         WHERE a.user_id = $2 AND ($3::uuid IS NULL OR a.quiz_id = $3))) AS settings`;

export interface PreviousAttempt {
  id: string;
  number: number;
  state: AttemptState;
  deadlineAt: Date | null;
  closesAt: Date | null;
  submittedAt: Date | null;
}

export interface StartContext {
  settings: QuizSettings;
  moduleId: string;
  callerRoles: Role[] | null;
  previous: PreviousAttempt[];
  versions: { id: string; key: string; definition: QuestionDefinition }[];
}

export interface AttemptContext {
  attempt: Attempt;
  settings: QuizSettings;
  moduleId: string;
  callerRoles: Role[] | null;
  definitions: Map<string, QuestionDefinition>;
  responses: BaselineResponse[];
  attemptsUsed: number;
  hasAttemptInProgress: boolean;
}

export interface AttemptListContext {
  callerRoles: Role[] | null;
  targetExists: boolean;
  attempts: Attempt[];
  settings: Map<string, QuizSettings>;
}

// Timestamps inside json_build_object arrive as ISO strings; top-level columns as Dates.
const date = (value: string | Date | null): Date | null => (value === null ? null : new Date(value));

export async function loadStartContext(db: Queryable, quizId: string, callerId: string): Promise<StartContext | null> {
  const { rows } = await db.query(START_CONTEXT, [quizId, callerId]);
  const row = rows[0];
  if (!row) return null;
  const previous = (row.previous as Record<string, unknown>[]).map((a) => ({
    ...(a as unknown as PreviousAttempt),
    deadlineAt: date(a.deadlineAt as string | null),
    closesAt: date(a.closesAt as string | null),
    submittedAt: date(a.submittedAt as string | null),
  }));
  return {
    settings: row.settings,
    moduleId: row.module_id,
    callerRoles: row.caller_roles,
    previous,
    versions: row.versions,
  };
}

export async function loadAttemptContext(
  db: Queryable,
  attemptId: string,
  callerId: string,
  lock: boolean,
): Promise<AttemptContext | null> {
  // FOR UPDATE as the API's findVisible(…, lock = true): concurrent saves and submits of one attempt queue.
  const { rows } = await db.query(lock ? `${ATTEMPT_CONTEXT} FOR UPDATE OF a` : ATTEMPT_CONTEXT, [attemptId, callerId]);
  const row = rows[0];
  if (!row) return null;
  const attempt: Attempt = {
    id: row.id,
    quizId: row.quiz_id,
    userId: row.user_id,
    number: row.number,
    state: row.state,
    startedAt: row.started_at,
    deadlineAt: row.deadline_at,
    closesAt: row.closes_at,
    submittedAt: row.submitted_at,
    questionOrder: row.question_order,
    choiceOrder: row.choice_order,
    scoreRaw: row.score_raw,
    scoreMax: row.score_max,
    scoreScaled: row.score_scaled,
    passed: row.passed,
    pendingCount: row.pending_count,
    dueAt: row.due_at,
    late: row.late,
    lateDeduction: row.late_deduction,
    rule: row.rule,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  const responses = (row.responses as StoredResponseRow[]).map((r) => toResponse(attempt.id, r));
  return {
    attempt,
    settings: row.settings,
    moduleId: row.module_id,
    callerRoles: row.caller_roles,
    definitions: new Map(Object.entries((row.definitions ?? {}) as Record<string, QuestionDefinition>)),
    responses,
    attemptsUsed: Number(row.siblings.used),
    hasAttemptInProgress: Number(row.siblings.open) > 0,
  };
}

interface StoredResponseRow {
  questionVersionId: string;
  response: ResponseValue | null;
  scoredVersionId: string | null;
  autoScore: number | null;
  manualScore: number | null;
  maxScore: number | null;
  correctness: AttemptResponse['correctness'];
  feedback: string[] | null;
}

export function toResponse(attemptId: string, row: Partial<StoredResponseRow> & { questionVersionId: string }) {
  const response: BaselineResponse = {
    attemptId,
    questionVersionId: row.questionVersionId,
    response: row.response ?? null,
    scoredVersionId: row.scoredVersionId ?? null,
    autoScore: row.autoScore ?? null,
    manualScore: row.manualScore ?? null,
    maxScore: row.maxScore ?? null,
    correctness: row.correctness ?? null,
    feedback: row.feedback ?? null,
    gradedBy: null,
    gradedAt: null,
    gradeReason: null,
    updatedAt: new Date(),
  };
  return response;
}

export async function insertAttempt(db: Queryable, attempt: Attempt): Promise<void> {
  const { rows } = await db.query(INSERT_ATTEMPT, [
    attempt.id,
    attempt.quizId,
    attempt.userId,
    attempt.number,
    attempt.startedAt,
    attempt.deadlineAt,
    attempt.closesAt,
    JSON.stringify(attempt.questionOrder),
    JSON.stringify(attempt.choiceOrder),
  ]);
  attempt.createdAt = rows[0].created_at;
  attempt.updatedAt = rows[0].updated_at;
}

export async function saveResponses(
  db: Queryable,
  attemptId: string,
  latest: Map<string, ResponseValue | null>,
): Promise<void> {
  const batch = [...latest].map(([id, response]) => ({ question_version_id: id, response }));
  await db.query(SAVE_RESPONSES, [attemptId, JSON.stringify(batch)]);
}

export async function writeScores(
  db: Queryable,
  attempt: Attempt,
  total: AttemptScore,
  questions: ScoredQuestion[],
): Promise<void> {
  const scores = questions.map((q) => ({
    question_version_id: q.questionVersionId,
    scored_version_id: q.scoredVersionId,
    auto_score: q.autoScore,
    max_score: q.maxScore,
    correctness: q.correctness,
    feedback: q.feedback,
  }));
  const { rows } = await db.query(WRITE_SCORES, [
    attempt.id,
    JSON.stringify(scores),
    attempt.state,
    attempt.submittedAt,
    attempt.scoreRaw,
    attempt.scoreMax,
    attempt.scoreScaled,
    attempt.passed,
    attempt.pendingCount,
  ]);
  attempt.updatedAt = rows[0].updated_at;
}

export async function loadAttemptList(
  db: Queryable,
  callerId: string,
  userId: string,
  quizId: string | null,
): Promise<AttemptListContext> {
  const { rows } = await db.query(LIST_ATTEMPTS, [callerId, userId, quizId]);
  const row = rows[0];
  const attempts = (row.attempts as Record<string, unknown>[]).map(
    (a) =>
      ({
        ...a,
        userId,
        startedAt: date(a.startedAt as string),
        submittedAt: date(a.submittedAt as string | null),
        dueAt: date(a.dueAt as string | null),
      }) as unknown as Attempt,
  );
  return {
    callerRoles: row.caller_roles,
    targetExists: row.target_exists,
    attempts,
    settings: new Map(Object.entries(row.settings as Record<string, QuizSettings>)),
  };
}
