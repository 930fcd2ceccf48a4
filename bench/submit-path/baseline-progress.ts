/**
 * The baseline's share of progress: the per-learner module row that start and
 * submit bring up to date in their transaction, and the progress read. The
 * facts are read with the app's own SQL (progress-facts.repository.ts, four
 * hand-written statements run through `manager.query`, here given straight to
 * pg); completion is decided by the app's pure rules; the row is written, and
 * its previous state read, in one statement.
 */
import type { EntityManager } from 'typeorm';
import type { PoolClient } from 'pg';
import { evaluateCompletion } from '../../src/progress/completion';
import type { ModuleProgressDto } from '../../src/progress/dto/progress.dto';
import { NAMED_STATEMENTS_OPTION } from '../../src/database/named-query';
import { loadModuleFacts } from '../../src/progress/progress-facts.repository';
import { toModuleProgressView } from '../../src/progress/progress-view';

type Queryable = Pick<PoolClient, 'query'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * loadModuleFacts uses nothing of the EntityManager but `query(sql, params)` → rows, or for its named
 * statement the connection itself. The baseline sends them unnamed, as a hand-written `pg` server does
 * unless told otherwise; BENCH_BASELINE_NAMED_STATEMENTS=1 names them as the API does.
 */
function asManager(db: Queryable): EntityManager {
  const query = async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows;
  const named = process.env.BENCH_BASELINE_NAMED_STATEMENTS === '1';
  return {
    query,
    queryRunner: { connect: () => Promise.resolve(db) },
    dataSource: { options: { extra: { [NAMED_STATEMENTS_OPTION]: named } } },
  } as unknown as EntityManager;
}

const WRITE_PROGRESS = `
WITH before AS (SELECT status, completed_at FROM module_progress WHERE user_id = $1 AND module_id = $2),
written AS (
  INSERT INTO module_progress (user_id, module_id, status, percentage, steps_done, steps_total, items_done,
                               items_total, activities_done, attempts_used, counted_score, passed, completed_at,
                               last_activity_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())
  ON CONFLICT (user_id, module_id) DO UPDATE
    SET status = EXCLUDED.status, percentage = EXCLUDED.percentage, steps_done = EXCLUDED.steps_done,
        steps_total = EXCLUDED.steps_total, items_done = EXCLUDED.items_done, items_total = EXCLUDED.items_total,
        activities_done = EXCLUDED.activities_done, attempts_used = EXCLUDED.attempts_used,
        counted_score = EXCLUDED.counted_score, passed = EXCLUDED.passed,
        -- Completion is an event: the first time stands.
        completed_at = coalesce(module_progress.completed_at, EXCLUDED.completed_at),
        last_activity_at = EXCLUDED.last_activity_at, updated_at = now()
  RETURNING completed_at)
SELECT (SELECT status FROM before) AS old_status, (SELECT completed_at FROM before) AS old_completed_at,
       (SELECT completed_at FROM written) AS completed_at`;

const AUDIT = `
INSERT INTO audit_events (actor_type, actor_id, action, target_type, target_id, after, request_id)
VALUES ('user', $1, $2, 'module', $3, $4, $5)`;

const PROGRESS_CONTEXT = `
SELECT (SELECT u.roles FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL) AS caller_roles,
       EXISTS (SELECT 1 FROM users u WHERE u.id = $2 AND u.deleted_at IS NULL) AS target_exists,
       m.id AS module_id,
       (SELECT p.completed_at FROM module_progress p WHERE p.user_id = $2 AND p.module_id = m.id) AS completed_at
  FROM (SELECT 1) one LEFT JOIN modules m ON m.id = $3::uuid OR m.slug = $4`;

/**
 * As ProgressService.refresh: under the learner-and-module lock, recompute
 * from the facts and write the row; audit completion gained or lost.
 */
export async function refreshProgress(
  db: Queryable,
  actorId: string,
  requestId: string,
  userId: string,
  moduleId: string,
): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock_shared(hashtext($1)), pg_advisory_xact_lock(hashtext($2))', [
    `progress-module:${moduleId}`,
    `progress:${userId}:${moduleId}`,
  ]);
  const [facts] = await loadModuleFacts(asManager(db), userId, [moduleId]);
  const result = evaluateCompletion(facts.facts);
  const { rows } = await db.query(WRITE_PROGRESS, [
    userId,
    moduleId,
    result.status,
    result.percentage,
    facts.stepsDone,
    facts.stepsTotal,
    result.checklist.filter((item) => item.done).length,
    result.checklist.length,
    facts.facts.activities
      .filter((activity) => activity.steps.length > 0 && activity.steps.every((step) => step.done))
      .map((activity) => activity.id),
    facts.attemptsUsed,
    facts.facts.knowledgeCheck.countedScaled,
    facts.facts.knowledgeCheck.passed,
    result.completed ? new Date() : null,
    facts.lastActivityAt,
  ]);
  const { old_status: oldStatus, old_completed_at: oldCompletedAt, completed_at: completedAt } = rows[0];
  if (result.completed && !oldCompletedAt) {
    const after = { userId, completedAt: (completedAt as Date).toISOString() };
    await db.query(AUDIT, [actorId, 'module.completed', moduleId, after, requestId]);
  } else if (!result.completed && oldStatus === 'completed') {
    await db.query(AUDIT, [actorId, 'module.completion_lost', moduleId, { userId, unmet: result.unmet }, requestId]);
  }
}

export interface ProgressRead {
  callerRoles: string[] | null;
  targetExists: boolean;
  view: ModuleProgressDto | null;
}

/** As ProgressService.moduleProgress: the caller, the learner, the module and its completion time in one statement. */
export async function readProgress(
  db: Queryable,
  callerId: string,
  userId: string,
  moduleRef: string,
): Promise<ProgressRead> {
  // A module is named by id or by slug, as the API takes it.
  const byId = UUID.test(moduleRef);
  const { rows } = await db.query(PROGRESS_CONTEXT, [
    callerId,
    userId,
    byId ? moduleRef.toLowerCase() : null,
    byId ? null : moduleRef,
  ]);
  const { caller_roles: callerRoles, target_exists: targetExists, module_id: moduleId, completed_at } = rows[0];
  if (!callerRoles || !targetExists || !moduleId) return { callerRoles, targetExists, view: null };
  const [facts] = await loadModuleFacts(asManager(db), userId, [moduleId as string]);
  const view = toModuleProgressView(userId, facts, evaluateCompletion(facts.facts), completed_at as Date | null);
  return { callerRoles, targetExists, view };
}
