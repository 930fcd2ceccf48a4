import { REPORTED_MEMBERS } from './reported-members';
import { rate, round4 } from '../../common/round';
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
 * A probe of attempts per learner (about 75 of the summary's 120 ms at 10,000 learners, EXPLAIN ANALYZE,
 * 2026-12-07): only the rows shown (a page, the CSV) carry it; the summary does not read it.
 */
const lateAttempts = (from: string) => `
           (SELECT count(*)::int FROM attempts a
             WHERE a.user_id = ${from}.user_id AND a.quiz_id = (SELECT quiz_id FROM settings) AND a.late) AS late_attempts`;

/**
 * The cohort progress report, one statement whatever the cohort's size (the
 * CSV's, another): both start from these `learners` and `rows` CTEs (active
 * learners, left-joined to their progress row for the module).
 * `failed`: not completed, not passed and no attempts left. `stuck`: in
 * progress with no activity for `stuckDays` days.
 */
const rowsCte = (use: 'rows' | 'report') => `
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
           (x.user_id IS NOT NULL) AS accommodated${use === 'report' ? ', p.activities_done' : ''}
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

/** The rows' WHERE (status, name or email) and ORDER BY as asked, with the scope's and the filter's parameters. */
function rowsFilter(scope: ReportScope, query: RowsQuery) {
  const parameters: unknown[] = scopeParams(scope);
  const conditions: string[] = [];
  if (query.status) conditions.push(STATUS_FILTER[query.status]);
  if (query.q !== undefined) {
    parameters.push(containsPattern(query.q));
    conditions.push(`(display_name ILIKE $${parameters.length} OR email ILIKE $${parameters.length})`);
  }
  const direction = query.order === 'desc' ? 'DESC' : 'ASC';
  return {
    where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '',
    /** ORDER BY's list, on the columns of `from` (a table or CTE of `rows`' columns). */
    order: (from: string) => `${from}.${SORT_COLUMN[query.sort]} ${direction} NULLS LAST, ${from}.user_id`,
    parameters,
  };
}

/** The rows statement (the CSV's): filtered and sorted as asked, every row. */
export function progressRowsStatement(scope: ReportScope, query: RowsQuery): { sql: string; parameters: unknown[] } {
  const { where, order, parameters } = rowsFilter(scope, query);
  return {
    sql: `WITH ${rowsCte('rows')} SELECT rows.*, ${lateAttempts('rows')} FROM rows ${where} ORDER BY ${order('rows')}`,
    parameters,
  };
}

interface ReportRecord extends Partial<RowRecord> {
  summary: {
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
  };
  activities: { id: string; number: number; title: string; completed: number }[];
}

/**
 * One page of the report and the cohort's summary, in one statement: the
 * learners and their progress rows are read once, and the summary, the
 * histogram, the activities' rates and the page are all taken from them. (Three
 * statements, each joining the 10,000 again, took about twice the database's
 * time; on two cores at once they also slowed one another.) The page's rows
 * are joined to the one summary row, so an empty page still answers the
 * summary: one row with the row columns null.
 */
export async function progressReport(
  manager: EntityManager,
  scope: ReportScope,
  query: RowsQuery,
  limit: number,
  offset: number,
): Promise<{ rows: ProgressRowDto[]; summary: Omit<ProgressSummaryDto, 'activities'>; activities: ActivityRateDto[] }> {
  const { where, order, parameters } = rowsFilter(scope, query);
  parameters.push(limit, offset);
  const records = await manager.query<ReportRecord[]>(
    `WITH ${rowsCte('report')},
     bins AS (
       SELECT least(floor(counted_score * 10)::int, 9) AS bin, count(*)::int AS n
         FROM rows WHERE counted_score IS NOT NULL GROUP BY 1),
     summary AS (
       SELECT json_build_object(
                'learners', count(*),
                'not_started', count(*) FILTER (WHERE status = 'not_started'),
                'in_progress', count(*) FILTER (WHERE status = 'in_progress'),
                'completed', count(*) FILTER (WHERE status = 'completed'),
                'failed', count(*) FILTER (WHERE failed),
                'stuck', count(*) FILTER (WHERE stuck),
                'passed', count(*) FILTER (WHERE passed),
                'mean', avg(counted_score),
                'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY counted_score),
                'histogram', (SELECT array_agg(coalesce(b.n, 0) ORDER BY g)
                                FROM generate_series(0, 9) g LEFT JOIN bins b ON b.bin = g)) AS summary
         FROM rows),
     done AS (
       SELECT unnest(activities_done) AS activity_id, count(*)::int AS learners FROM rows GROUP BY 1),
     activity_rates AS (
       SELECT coalesce(json_agg(json_build_object('id', a.id, 'number', a.number, 'title', a.title,
                                                  'completed', coalesce(d.learners, 0)) ORDER BY a.number),
                       '[]') AS activities
         FROM activities a LEFT JOIN done d ON d.activity_id = a.id
        WHERE a.module_id = $2 AND a.retired_at IS NULL),
     page AS (
       SELECT * FROM rows ${where} ORDER BY ${order('rows')}
        LIMIT $${parameters.length - 1} OFFSET $${parameters.length})
     SELECT s.summary, r.activities, page.*, ${lateAttempts('page')}
       FROM summary s CROSS JOIN activity_rates r LEFT JOIN page ON true
      ORDER BY ${order('page')}`,
    parameters,
  );
  const { summary: row, activities } = records[0];
  const learners = row.learners;
  return {
    rows: records
      .filter((record) => record.user_id !== null && record.user_id !== undefined)
      .map((record) => toProgressRow(record as RowRecord)),
    summary: {
      learners,
      counts: {
        not_started: row.not_started,
        in_progress: row.in_progress,
        completed: row.completed,
        failed: row.failed,
        stuck: row.stuck,
      },
      completionRate: rate(row.completed, learners),
      passRate: rate(row.passed, learners),
      meanScore: row.mean === null ? null : round4(Number(row.mean)),
      medianScore: row.median === null ? null : round4(Number(row.median)),
      histogram: row.histogram,
    },
    activities: activities.map((activity) => ({
      activityId: activity.id,
      number: activity.number,
      title: activity.title,
      completed: activity.completed,
      rate: rate(activity.completed, learners),
    })),
  };
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
