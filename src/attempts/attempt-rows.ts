import type { EntityManager } from 'typeorm';
import { namedQuery } from '../database/named-query';
import type { QuizSettings } from '../content/import/answer-key';
import { Attempt, type AttemptState } from './entities/attempt.entity';
import { AttemptResponse } from './entities/attempt-response.entity';
import type { Role } from '../auth/access.types';
import { isUuid } from '../auth/user-ref';
import { ResourceNotFound } from '../common/errors/domain-error';
import type { QuizContext } from './quiz-context';
import { learnerRule, ruleInputColumns, type RuleInputRow } from './learner-rule';
import type { DeliveryRule } from './policy/delivery-rule';
import type { DrawableQuestion } from './policy/question-draw';

/**
 * Rows of the submit path read and written with hand-written SQL, so that
 * each step is one statement (an attempt with its quiz, scores with the
 * attempt's totals), mapped to the entities the rest of the code uses.
 */

interface AttemptRow {
  id: string;
  quiz_id: string;
  user_id: string;
  number: number;
  state: AttemptState;
  started_at: Date;
  deadline_at: Date | null;
  closes_at: Date | null;
  submitted_at: Date | null;
  question_order: string[];
  choice_order: Record<string, string[]>;
  score_raw: number | null;
  score_max: number | null;
  score_scaled: number | null;
  passed: boolean | null;
  pending_count: number;
  due_at: Date | null;
  late: boolean;
  late_deduction: number;
  rule: Attempt['rule'];
  created_at: Date;
  updated_at: Date;
}

/** Every column of `attempt_responses` the code reads, in the order of AttemptResponse. */
export const RESPONSE_COLUMNS = `attempt_id, question_version_id, response, scored_version_id, auto_score, manual_score,
  max_score, correctness, feedback, graded_by, graded_at, grade_reason, updated_at`;

export interface ResponseRow {
  attempt_id: string;
  question_version_id: string;
  response: AttemptResponse['response'];
  scored_version_id: string | null;
  auto_score: number | null;
  manual_score: number | null;
  max_score: number | null;
  correctness: AttemptResponse['correctness'];
  feedback: string[] | null;
  graded_by: string | null;
  graded_at: Date | null;
  grade_reason: string | null;
  updated_at: Date;
}

export function responseFromRow(row: ResponseRow): AttemptResponse {
  return Object.assign(new AttemptResponse(), {
    attemptId: row.attempt_id,
    questionVersionId: row.question_version_id,
    response: row.response,
    scoredVersionId: row.scored_version_id,
    autoScore: row.auto_score,
    manualScore: row.manual_score,
    maxScore: row.max_score,
    correctness: row.correctness,
    feedback: row.feedback,
    gradedBy: row.graded_by,
    gradedAt: row.graded_at,
    gradeReason: row.grade_reason,
    updatedAt: row.updated_at,
  });
}

function attemptFromRow(row: AttemptRow): Attempt {
  return Object.assign(new Attempt(), {
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
  });
}

/**
 * An attempt and its quiz in one statement; with `lock`, the attempt's row is
 * locked for the transaction (the quiz's is not). The id must be a UUID.
 */
export async function loadAttemptWithQuiz(
  manager: EntityManager,
  attemptId: string,
  lock: boolean,
): Promise<{ attempt: Attempt; quiz: QuizContext } | null> {
  const [row] = await namedQuery<AttemptRow & { quiz_settings: QuizSettings; quiz_module_id: string }>(
    manager,
    'attempt_with_quiz',
    `SELECT a.*, q.settings AS quiz_settings, q.module_id AS quiz_module_id
       FROM attempts a JOIN quizzes q ON q.id = a.quiz_id
      WHERE a.id = $1${lock ? ' FOR UPDATE OF a' : ''}`,
    [attemptId],
  );
  if (!row) return null;
  return {
    attempt: attemptFromRow(row),
    quiz: { quizId: row.quiz_id, moduleId: row.quiz_module_id, settings: row.quiz_settings },
  };
}

/** All responses of an attempt. */
export async function loadResponses(manager: EntityManager, attemptId: string): Promise<AttemptResponse[]> {
  const rows = await namedQuery<ResponseRow>(
    manager,
    'responses',
    `SELECT ${RESPONSE_COLUMNS} FROM attempt_responses WHERE attempt_id = $1`,
    [attemptId],
  );
  return rows.map(responseFromRow);
}

/** The stored responses of the given attempts, by attempt and question version, in one statement. */
export async function loadResponsesOf(
  manager: EntityManager,
  attemptIds: string[],
): Promise<Map<string, Map<string, AttemptResponse>>> {
  const rows = await namedQuery<ResponseRow>(
    manager,
    'responses_of',
    `SELECT ${RESPONSE_COLUMNS} FROM attempt_responses WHERE attempt_id = ANY($1::uuid[])`,
    [attemptIds],
  );
  const byAttempt = new Map<string, Map<string, AttemptResponse>>();
  for (const row of rows) {
    let own = byAttempt.get(row.attempt_id);
    if (!own) byAttempt.set(row.attempt_id, (own = new Map<string, AttemptResponse>()));
    own.set(row.question_version_id, responseFromRow(row));
  }
  return byAttempt;
}

/** A learner's attempts (of one quiz, or all), by quiz and number, with the settings of each quiz they took. */
export async function loadAttemptsOf(
  manager: EntityManager,
  userId: string,
  quizId?: string,
): Promise<{ attempts: Attempt[]; settings: Map<string, QuizSettings> }> {
  const rows = await namedQuery<AttemptRow & { quiz_settings: QuizSettings }>(
    manager,
    'attempts_of',
    `SELECT a.*, q.settings AS quiz_settings
       FROM attempts a JOIN quizzes q ON q.id = a.quiz_id
      WHERE a.user_id = $1 AND ($2::uuid IS NULL OR a.quiz_id = $2)
      ORDER BY a.quiz_id, a.number`,
    [userId, quizId ?? null],
  );
  return {
    attempts: rows.map(attemptFromRow),
    settings: new Map(rows.map((row) => [row.quiz_id, row.quiz_settings])),
  };
}

/**
 * What starting an attempt needs, in two statements. The first takes the
 * learner's start lock for the quiz (invariant 1: starts for one learner and
 * quiz are serialised, so attempt numbers stay unique and gapless) while it
 * reads the quiz, the ids of its current question versions and what the
 * learner's rule for the quiz depends on (cohort schedules, accommodation);
 * given `callerId`, it also reads that caller's roles (null: no such user, or
 * deleted), for a caller the guard did not look up (`@DefersCallerLookup()`),
 * and answers even when the quiz does not exist so that the caller is
 * checked first. The second, a new snapshot taken with the lock held, reads
 * the learner's attempts, locked so that the sweeper, which may be closing
 * the overdue one, is waited for rather than raced.
 */
export async function lockForStart(
  manager: EntityManager,
  quizId: string,
  userId: string,
  callerId: string | null = null,
  onCaller: (roles: Role[] | null) => void = () => undefined,
): Promise<{ quiz: QuizContext; questions: DrawableQuestion[]; previous: Attempt[]; rule: DeliveryRule }> {
  if (!isUuid(quizId)) throw new ResourceNotFound('No such quiz');
  const [quiz] = await namedQuery<
    {
      id: string | null;
      module_id: string;
      settings: QuizSettings;
      questions: DrawableQuestion[];
      locked: string;
      caller_roles: Role[] | null;
    } & RuleInputRow
  >(
    manager,
    'start_quiz',
    `SELECT q.id, q.module_id, q.settings, ${ruleInputColumns('q', '$2')},
            -- The versions a new attempt may show: each live question's current one, in quiz order, with
            -- the key its pool names it by.
            (SELECT coalesce(json_agg(json_build_object('key', question.key, 'versionId', question.current_version_id)
                                      ORDER BY question.position, question.id), '[]')
               FROM questions question
              WHERE question.quiz_id = q.id AND question.retired_at IS NULL) AS questions,
            pg_advisory_xact_lock(hashtext('attempt:' || $2 || ':' || q.id))::text AS locked,
            (SELECT u.roles FROM users u WHERE u.id = $3::uuid AND u.deleted_at IS NULL) AS caller_roles
       FROM (SELECT) AS one LEFT JOIN quizzes q ON q.id = $1`,
    [quizId, userId, callerId],
  );
  if (callerId !== null) onCaller(quiz.caller_roles);
  if (!quiz.id) throw new ResourceNotFound('No such quiz');
  const previous = await namedQuery<AttemptRow>(
    manager,
    'start_previous',
    'SELECT * FROM attempts WHERE user_id = $1 AND quiz_id = $2 ORDER BY number FOR UPDATE',
    [userId, quiz.id],
  );
  return {
    quiz: { quizId: quiz.id, moduleId: quiz.module_id, settings: quiz.settings },
    questions: quiz.questions,
    previous: previous.map(attemptFromRow),
    rule: learnerRule(quiz.settings, quiz),
  };
}

/**
 * Inserts a new attempt in one named statement (TypeORM's `insert` builds the
 * same statement through its query builder on every call), and takes the
 * timestamps PostgreSQL gave it, as `insert` does.
 */
export async function insertAttempt(manager: EntityManager, attempt: Attempt): Promise<void> {
  const [row] = await namedQuery<{ created_at: Date; updated_at: Date }>(
    manager,
    'insert_attempt',
    `INSERT INTO attempts (id, quiz_id, user_id, number, state, started_at, deadline_at, closes_at, submitted_at,
                           question_order, choice_order, score_raw, score_max, score_scaled, passed, due_at, late,
                           late_deduction, rule, pending_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $15, $16, $17, $18,
             $19::jsonb, $20)
     RETURNING created_at, updated_at`,
    [
      attempt.id,
      attempt.quizId,
      attempt.userId,
      attempt.number,
      attempt.state,
      attempt.startedAt,
      attempt.deadlineAt,
      attempt.closesAt,
      attempt.submittedAt,
      JSON.stringify(attempt.questionOrder),
      JSON.stringify(attempt.choiceOrder),
      attempt.scoreRaw,
      attempt.scoreMax,
      attempt.scoreScaled,
      attempt.passed,
      attempt.dueAt,
      attempt.late,
      attempt.lateDeduction,
      attempt.rule === null ? null : JSON.stringify(attempt.rule),
      attempt.pendingCount,
    ],
  );
  attempt.createdAt = row.created_at;
  attempt.updatedAt = row.updated_at;
}
