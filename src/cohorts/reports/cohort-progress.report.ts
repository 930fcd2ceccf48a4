import { REPORTED_MEMBERS } from './reported-members';
import { round4 } from '../../common/round';
import type { EntityManager } from 'typeorm';
import type {
  ActivityRateDto,
  CohortProgressQueryDto,
  ProgressRowDto,
  ProgressSummaryDto,
  ReportSort,
  ReportStatus,
} from '../dto/report.dto';

/**
 * A probe of attempts per learner: about 75 of the summary's 120 ms at 10,000 learners (EXPLAIN
 * ANALYZE, 2026-12-07), so only the rows (a page, the CSV) carry it; the summary does not read it.
 */
const LATE_ATTEMPTS = `,
           (SELECT count(*)::int FROM attempts a
             WHERE a.user_id = l.id AND a.quiz_id = (SELECT quiz_id FROM settings) AND a.late) AS late_attempts`;

/**
 * The cohort progress report, as a fixed number of statements whatever the
 * cohort's size: every statement starts from the same `learners` and `rows`
 * CTEs (active learners, left-joined to their progress row for the module).
 * `failed`: not completed, not passed and no attempts left. `stuck`: in
 * progress with no activity for `stuckDays` days.
 */
const rowsCte = (columns: 'all' | 'summary') => `
  learners AS (
    SELECT u.id, u.display_name, u.external_id, u.email
      FROM ${REPORTED_MEMBERS}
     WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active'),
  settings AS (
    SELECT q.id AS quiz_id, (q.settings ->> 'attemptsAllowed') AS attempts_allowed FROM quizzes q WHERE q.module_id = $2),
  rows AS (
    SELECT l.id AS user_id, l.display_name, l.external_id, l.email,
           coalesce(p.status, 'not_started') AS status,
           coalesce(p.percentage, 0) AS percentage,
           coalesce(p.steps_done, 0) AS steps_done,
           coalesce(p.items_done, 0) AS items_done,
           coalesce(p.attempts_used, 0) AS attempts_used,
           p.counted_score, p.passed, p.last_activity_at, p.completed_at,
           (coalesce(p.status, 'not_started') <> 'completed' AND p.passed IS FALSE
              -- CASE, not AND: PostgreSQL may evaluate AND's operands in any order, and 'unlimited' is no int.
              AND p.attempts_used >= CASE WHEN (SELECT attempts_allowed FROM settings) ~ '^[0-9]+$'
                                          THEN (SELECT attempts_allowed FROM settings)::int
                                               + coalesce(x.extra_attempts, 0) END) AS failed,
           (p.status = 'in_progress' AND p.last_activity_at < $3::timestamptz - make_interval(days => $4)) AS stuck,
           -- Issue 15: who has a standing accommodation on the quiz, and how many of their attempts were late.
           (x.user_id IS NOT NULL) AS accommodated${columns === 'all' ? LATE_ATTEMPTS : ''}
      FROM learners l LEFT JOIN module_progress p ON p.user_id = l.id AND p.module_id = $2
      LEFT JOIN accommodations x ON x.user_id = l.id AND x.quiz_id = (SELECT quiz_id FROM settings))`;

const STATUS_FILTER: Record<ReportStatus, string> = {
  not_started: "status = 'not_started'",
  in_progress: "status = 'in_progress'",
  completed: "status = 'completed'",
  failed: 'failed',
  stuck: 'stuck',
};

// Whitelisted: a sort key never reaches SQL from the request.
const SORT_COLUMN: Record<ReportSort, string> = {
  name: 'display_name',
  status: 'status',
  percentage: 'percentage',
  score: 'counted_score',
  lastActivity: 'last_activity_at',
  completedAt: 'completed_at',
};

export interface ReportScope {
  cohortId: string;
  moduleId: string;
  now: Date;
  stuckDays: number;
}

const scopeParams = (scope: ReportScope) => [scope.cohortId, scope.moduleId, scope.now, scope.stuckDays];

export interface RowRecord {
  user_id: string;
  display_name: string;
  external_id: string | null;
  status: string;
  percentage: number;
  steps_done: number;
  items_done: number;
  attempts_used: number;
  counted_score: number | null;
  passed: boolean | null;
  last_activity_at: Date | null;
  completed_at: Date | null;
  failed: boolean | null;
  stuck: boolean | null;
  accommodated: boolean;
  late_attempts: number;
}

export type RowsQuery = Pick<CohortProgressQueryDto, 'status' | 'q' | 'sort' | 'order'>;

/** `text` as a LIKE pattern matching it anywhere, its own % _ and \\ taken literally. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/** The rows statement: filtered (status, name or email) and sorted as asked; paged when a limit is given. */
export function progressRowsStatement(
  scope: ReportScope,
  query: RowsQuery,
  page?: { limit: number; offset: number },
): { sql: string; parameters: unknown[] } {
  const parameters: unknown[] = scopeParams(scope);
  const conditions: string[] = [];
  if (query.status) conditions.push(STATUS_FILTER[query.status]);
  if (query.q !== undefined) {
    parameters.push(containsPattern(query.q));
    conditions.push(`(display_name ILIKE $${parameters.length} OR email ILIKE $${parameters.length})`);
  }
  let paging = '';
  if (page) {
    parameters.push(page.limit, page.offset);
    paging = `LIMIT $${parameters.length - 1} OFFSET $${parameters.length}`;
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const direction = query.order === 'desc' ? 'DESC' : 'ASC';
  return {
    sql: `WITH ${rowsCte('all')}
     SELECT * FROM rows ${where}
      ORDER BY ${SORT_COLUMN[query.sort]} ${direction} NULLS LAST, user_id
      ${paging}`,
    parameters,
  };
}

export async function progressRows(
  manager: EntityManager,
  scope: ReportScope,
  query: RowsQuery,
  limit: number,
  offset: number,
): Promise<ProgressRowDto[]> {
  const { sql, parameters } = progressRowsStatement(scope, query, { limit, offset });
  return (await manager.query<RowRecord[]>(sql, parameters)).map(toProgressRow);
}

export async function progressSummary(
  manager: EntityManager,
  scope: ReportScope,
): Promise<Omit<ProgressSummaryDto, 'activities'>> {
  const [row] = await manager.query<
    {
      learners: number;
      not_started: number;
      in_progress: number;
      completed: number;
      failed: number;
      stuck: number;
      passed: number;
      mean: number | null;
      median: number | null;
      histogram: number[];
    }[]
  >(
    `WITH ${rowsCte('summary')},
     bins AS (
       SELECT least(floor(counted_score * 10)::int, 9) AS bin, count(*)::int AS n
         FROM rows WHERE counted_score IS NOT NULL GROUP BY 1)
     SELECT count(*)::int AS learners,
            count(*) FILTER (WHERE status = 'not_started')::int AS not_started,
            count(*) FILTER (WHERE status = 'in_progress')::int AS in_progress,
            count(*) FILTER (WHERE status = 'completed')::int AS completed,
            count(*) FILTER (WHERE failed)::int AS failed,
            count(*) FILTER (WHERE stuck)::int AS stuck,
            count(*) FILTER (WHERE passed)::int AS passed,
            avg(counted_score) AS mean,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY counted_score) AS median,
            (SELECT array_agg(coalesce(b.n, 0) ORDER BY g) FROM generate_series(0, 9) g LEFT JOIN bins b ON b.bin = g) AS histogram
       FROM rows`,
    scopeParams(scope),
  );
  const learners = row.learners;
  return {
    learners,
    counts: {
      not_started: row.not_started,
      in_progress: row.in_progress,
      completed: row.completed,
      failed: row.failed,
      stuck: row.stuck,
    },
    completionRate: learners ? round4(row.completed / learners) : 0,
    passRate: learners ? round4(row.passed / learners) : 0,
    meanScore: row.mean === null ? null : round4(Number(row.mean)),
    medianScore: row.median === null ? null : round4(Number(row.median)),
    histogram: row.histogram,
  };
}

/**
 * Per activity: learners of the cohort with every step of it done, counted
 * from the progress rows (which list each learner's completed activities),
 * not from the step marks.
 */
export async function activityRates(
  manager: EntityManager,
  scope: ReportScope,
  /** The cohort's learners, for the rates; may still be being counted (the summary runs beside this). */
  learnerCount: number | Promise<number>,
): Promise<ActivityRateDto[]> {
  // Handled here as well: if this statement fails first, the count is never awaited, and its rejection
  // (the same lost connection, say) would be unhandled and end the process. Promise.all still sees it.
  if (learnerCount instanceof Promise) void learnerCount.catch(() => undefined);
  const rows = await manager.query<{ id: string; number: number; title: string; completed: number }[]>(
    `WITH learners AS (
       SELECT m.user_id FROM ${REPORTED_MEMBERS}
        WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active'),
     done AS (
       SELECT unnest(p.activities_done) AS activity_id, count(*) AS learners
         FROM module_progress p JOIN learners l ON l.user_id = p.user_id
        WHERE p.module_id = $2
        GROUP BY 1)
     SELECT a.id, a.number, a.title, coalesce(d.learners, 0)::int AS completed
       FROM activities a LEFT JOIN done d ON d.activity_id = a.id
      WHERE a.module_id = $2 AND a.retired_at IS NULL
      ORDER BY a.number`,
    [scope.cohortId, scope.moduleId],
  );
  const learners = await learnerCount;
  return rows.map((row) => ({
    activityId: row.id,
    number: row.number,
    title: row.title,
    completed: row.completed,
    rate: learners ? round4(row.completed / learners) : 0,
  }));
}

export const PROGRESS_CSV_COLUMNS = [
  'user_id',
  'external_id',
  'display_name',
  'status',
  'failed',
  'stuck',
  'percentage',
  'steps_done',
  'items_done',
  'attempts_used',
  'late_attempts',
  'accommodated',
  'counted_score',
  'passed',
  'last_activity_at',
  'completed_at',
] as const;

export function toProgressCsvRecord(row: ProgressRowDto): Record<(typeof PROGRESS_CSV_COLUMNS)[number], unknown> {
  return {
    user_id: row.userId,
    external_id: row.externalId,
    display_name: row.displayName,
    status: row.status,
    failed: row.failed,
    stuck: row.stuck,
    percentage: row.percentage,
    steps_done: row.stepsDone,
    items_done: row.itemsDone,
    attempts_used: row.attemptsUsed,
    late_attempts: row.lateAttempts,
    accommodated: row.accommodated,
    counted_score: row.countedScore,
    passed: row.passed,
    last_activity_at: row.lastActivityAt,
    completed_at: row.completedAt,
  };
}

export function toProgressRow(row: RowRecord): ProgressRowDto {
  return {
    userId: row.user_id,
    displayName: row.display_name,
    externalId: row.external_id,
    status: row.status,
    failed: row.failed === true,
    stuck: row.stuck === true,
    percentage: row.percentage,
    stepsDone: row.steps_done,
    itemsDone: row.items_done,
    attemptsUsed: row.attempts_used,
    lateAttempts: row.late_attempts,
    accommodated: row.accommodated,
    countedScore: row.counted_score,
    passed: row.passed,
    lastActivityAt: row.last_activity_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}
