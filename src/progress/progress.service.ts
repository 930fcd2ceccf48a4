import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { type AuditEntry, AuditService } from '../audit/audit.service';
import { type Caller, isAdmin, type Principal } from '../auth/access.types';
import { LearnerAccessService, type LearnerRecordUse } from '../auth/learner-access.service';
import { isUuid, resolveUserRef } from '../auth/user-ref';
import { EventsService, type NewEvent } from '../events/events.service';
import { markProgressUpdates } from '../events/progress-updates';
import { Clock } from '../common/clock';
import { DomainError, ResourceNotFound } from '../common/errors/domain-error';
import { ActivityStep } from '../content/entities/activity-step.entity';
import { ChecklistItem } from '../content/entities/checklist-item.entity';
import { CourseModule } from '../content/entities/course-module.entity';
import { User } from '../users/user.entity';
import { type CompletionResult, evaluateCompletion } from './completion';
import type { CourseProgressDto, MarkDto, ModuleProgressDto } from './dto/progress.dto';
import { loadModuleFacts, loadModuleFactsOfLearners, type ModuleFacts } from './progress-facts.repository';
import { toModuleProgressView } from './progress-view';

/** Learners whose progress rows one statement recomputes when a whole module changes. */
const REFRESH_BATCH = 1_000;

export class ChecklistItemFollowsActivity extends DomainError {
  readonly code = 'checklist-item-follows-activity';
  readonly status = 409;
  readonly title = 'Checklist Item Follows Its Activity';
}

export class NotDoneYet extends DomainError {
  readonly code = 'not-done-yet';
  readonly status = 409;
  readonly title = 'Not Done Yet';
}

/**
 * Steps and checklist items, and the per-learner module progress row derived
 * from them and from attempts. Every fact and the row it changes are written
 * in one transaction, under a lock per learner and module, so the row always
 * equals a recomputation from the facts.
 */
@Injectable()
export class ProgressService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: LearnerAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: EventsService,
  ) {}

  async markStep(caller: Caller, userRef: string, stepId: string, dto: MarkDto): Promise<ModuleProgressDto> {
    const userId = await this.visibleUser(caller.principal, userRef, 'progress:write');
    return this.dataSource.transaction(async (manager) => {
      const step = isUuid(stepId)
        ? await manager.findOne(ActivityStep, { where: { id: stepId, retiredAt: IsNull() } })
        : null;
      if (!step) throw new ResourceNotFound('No such step');
      await this.lock(manager, userId, step.moduleId);
      await manager.query(
        `INSERT INTO step_marks (user_id, step_id, module_id, done, marked_by, marked_at, evidence)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id, step_id) DO UPDATE
           SET done = EXCLUDED.done, marked_by = EXCLUDED.marked_by, marked_at = EXCLUDED.marked_at,
               evidence = coalesce(EXCLUDED.evidence, step_marks.evidence)
         -- Repeating a mark changes nothing: the first who and when stand.
         WHERE step_marks.done IS DISTINCT FROM EXCLUDED.done
            OR (EXCLUDED.evidence IS NOT NULL AND EXCLUDED.evidence IS DISTINCT FROM step_marks.evidence)`,
        [userId, step.id, step.moduleId, dto.done, actorOf(caller), this.clock.now(), dto.evidence ?? null],
      );
      return this.refresh(manager, caller, userId, step.moduleId);
    });
  }

  async markChecklistItem(caller: Caller, userRef: string, itemId: string, dto: MarkDto): Promise<ModuleProgressDto> {
    const userId = await this.visibleUser(caller.principal, userRef, 'progress:write');
    return this.dataSource.transaction(async (manager) => {
      const item = await this.findItem(manager, itemId);
      if (item.activityId) {
        throw new ChecklistItemFollowsActivity('This item is done when all steps of its activity are; tick the steps');
      }
      await this.lock(manager, userId, item.moduleId);
      await manager.query(
        `INSERT INTO checklist_marks (user_id, item_id, module_id, done, marked_by, marked_at, evidence)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id, item_id) DO UPDATE
           SET done = EXCLUDED.done, marked_by = EXCLUDED.marked_by, marked_at = EXCLUDED.marked_at,
               evidence = coalesce(EXCLUDED.evidence, checklist_marks.evidence),
               -- Un-ticking withdraws a verification: it verified the earlier tick.
               verified_by = CASE WHEN EXCLUDED.done THEN checklist_marks.verified_by END,
               verified_at = CASE WHEN EXCLUDED.done THEN checklist_marks.verified_at END
         WHERE checklist_marks.done IS DISTINCT FROM EXCLUDED.done
            OR (EXCLUDED.evidence IS NOT NULL AND EXCLUDED.evidence IS DISTINCT FROM checklist_marks.evidence)`,
        [userId, item.id, item.moduleId, dto.done, actorOf(caller), this.clock.now(), dto.evidence ?? null],
      );
      return this.refresh(manager, caller, userId, item.moduleId);
    });
  }

  /** An instructor confirms (or withdraws confirmation of) a learner's ticked item. */
  async verifyChecklistItem(
    caller: Caller,
    userRef: string,
    itemId: string,
    verified: boolean,
  ): Promise<ModuleProgressDto> {
    const userId = await this.visibleUser(caller.principal, userRef, 'progress:write');
    // Nobody verifies their own work.
    if (caller.principal.id === userId && !isAdmin(caller.principal)) throw new ResourceNotFound('No such user');
    return this.dataSource.transaction(async (manager) => {
      const item = await this.findItem(manager, itemId);
      if (item.activityId)
        throw new ChecklistItemFollowsActivity('Items that follow an activity are not verified separately');
      await this.lock(manager, userId, item.moduleId);
      const updated: unknown[] = await manager.query(
        `WITH verified AS (
           UPDATE checklist_marks
              SET verified_by = CASE WHEN $3 THEN $4 END, verified_at = CASE WHEN $3 THEN $5::timestamptz END
            WHERE user_id = $1 AND item_id = $2 AND done
           RETURNING item_id)
         SELECT * FROM verified`,
        [userId, item.id, verified, actorOf(caller), this.clock.now()],
      );
      if (updated.length === 0) throw new NotDoneYet('The learner has not ticked this item');
      await this.audit.record(manager, caller, {
        action: verified ? 'checklist.verified' : 'checklist.verification_withdrawn',
        targetType: 'checklist_item',
        targetId: item.id,
        after: { userId, verified },
      });
      return this.refresh(manager, caller, userId, item.moduleId);
    });
  }

  async moduleProgress(caller: Caller, userRef: string, moduleRef: string): Promise<ModuleProgressDto> {
    const userId = await this.visibleUser(caller.principal, userRef, 'progress:read');
    const module = await this.dataSource.getRepository(CourseModule).findOne({
      select: { id: true },
      where: isUuid(moduleRef) ? { id: moduleRef.toLowerCase() } : { slug: moduleRef },
    });
    if (!module) throw new ResourceNotFound('No such module');
    const [view] = await this.views(this.dataSource.manager, userId, [module.id]);
    return view;
  }

  async courseProgress(caller: Caller, userRef: string): Promise<CourseProgressDto> {
    const userId = await this.visibleUser(caller.principal, userRef, 'progress:read');
    const modules = await this.dataSource
      .getRepository(CourseModule)
      .find({ select: { id: true }, order: { number: 'ASC', id: 'ASC' } });
    return {
      userId,
      modules: await this.views(
        this.dataSource.manager,
        userId,
        modules.map((module) => module.id),
      ),
    };
  }

  /**
   * Recomputes the learner's progress in a module from the facts and writes
   * the row. Completion is an event: completedAt is set once, when the rule
   * first holds, with an audit event; losing completion later is audited too.
   */
  async refresh(manager: EntityManager, caller: Caller, userId: string, moduleId: string): Promise<ModuleProgressDto> {
    await this.lock(manager, userId, moduleId);
    const [facts] = await loadModuleFacts(manager, userId, [moduleId]);
    const result = evaluateCompletion(facts.facts);
    const [written] = await this.write(manager, caller, moduleId, [{ userId, facts, result }]);
    return toModuleProgressView(userId, facts, result, written.completed_at);
  }

  /**
   * `refresh` for many learners of one module (an import that changed its
   * steps, items, rule or quiz settings, or a regrade), in two statements per
   * thousand learners instead of three per learner: the rows change the same way.
   */
  async refreshLearners(manager: EntityManager, caller: Caller, moduleId: string, userIds: string[]): Promise<void> {
    // The whole module at once: every learner's writes in it, those without a row yet included, wait until
    // this transaction commits, and one lock is held however many learners there are.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`progress-module:${moduleId}`]);
    for (let start = 0; start < userIds.length; start += REFRESH_BATCH) {
      const batch = userIds.slice(start, start + REFRESH_BATCH);
      const facts = await loadModuleFactsOfLearners(manager, moduleId, batch);
      await this.write(
        manager,
        caller,
        moduleId,
        [...facts].map(([userId, learner]) => ({ userId, facts: learner, result: evaluateCompletion(learner.facts) })),
      );
    }
  }

  /**
   * Writes progress rows and reads what each said before in one statement
   * (the callers hold each learner's lock, or the module's). Completion is an event:
   * completedAt is set once, when the rule first holds, with an audit event;
   * losing completion later is audited too.
   */
  private async write(
    manager: EntityManager,
    caller: Caller,
    moduleId: string,
    learners: { userId: string; facts: ModuleFacts; result: CompletionResult }[],
  ): Promise<{ user_id: string; completed_at: Date | null }[]> {
    const now = this.clock.now();
    const rows = learners.map(({ userId, facts, result }) => ({
      user_id: userId,
      status: result.status,
      percentage: result.percentage,
      steps_done: facts.stepsDone,
      steps_total: facts.stepsTotal,
      items_done: result.checklist.filter((item) => item.done).length,
      items_total: result.checklist.length,
      activities_done: facts.facts.activities
        .filter((activity) => activity.steps.length > 0 && activity.steps.every((step) => step.done))
        .map((activity) => activity.id),
      attempts_used: facts.attemptsUsed,
      counted_score: facts.facts.knowledgeCheck.countedScaled,
      passed: facts.facts.knowledgeCheck.passed,
      completed_at: result.completed ? now : null,
      last_activity_at: facts.lastActivityAt,
    }));
    const written = await manager.query<
      {
        user_id: string;
        completed_at: Date | null;
        previous_status: string | null;
        previous_completed_at: Date | null;
      }[]
    >(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(
           user_id uuid, status text, percentage integer, steps_done integer, steps_total integer,
           items_done integer, items_total integer, activities_done uuid[], attempts_used integer,
           counted_score double precision, passed boolean, completed_at timestamptz, last_activity_at timestamptz)),
       previous AS (
         SELECT mp.user_id, mp.status, mp.completed_at,
                (mp.status, mp.percentage, mp.steps_done, mp.steps_total, mp.items_done, mp.items_total,
                 mp.attempts_used, mp.counted_score, mp.passed, mp.last_activity_at) AS shown
           FROM module_progress mp
          WHERE mp.module_id = $1 AND mp.user_id IN (SELECT user_id FROM input)),
       written AS (
         INSERT INTO module_progress (user_id, module_id, status, percentage, steps_done, steps_total, items_done,
                                      items_total, activities_done, attempts_used, counted_score, passed,
                                      completed_at, last_activity_at)
         SELECT user_id, $1, status, percentage, steps_done, steps_total, items_done, items_total, activities_done,
                attempts_used, counted_score, passed, completed_at, last_activity_at
           FROM input
         ON CONFLICT (user_id, module_id) DO UPDATE
           SET status = EXCLUDED.status, percentage = EXCLUDED.percentage, steps_done = EXCLUDED.steps_done,
               steps_total = EXCLUDED.steps_total, items_done = EXCLUDED.items_done,
               items_total = EXCLUDED.items_total, activities_done = EXCLUDED.activities_done,
               attempts_used = EXCLUDED.attempts_used, counted_score = EXCLUDED.counted_score,
               passed = EXCLUDED.passed, last_activity_at = EXCLUDED.last_activity_at, updated_at = now(),
               -- Completion is an event: the first time stands.
               completed_at = coalesce(module_progress.completed_at, EXCLUDED.completed_at)
         RETURNING user_id, completed_at,
                   (status, percentage, steps_done, steps_total, items_done, items_total, attempts_used,
                    counted_score, passed, last_activity_at) AS shown),
       -- What progress.updated carries changed (or the row is new): the pair owes one.
       marked AS (
         ${markProgressUpdates(
           `SELECT w.user_id, $1::uuid FROM written w LEFT JOIN previous p ON p.user_id = w.user_id
             WHERE p.user_id IS NULL OR p.shown IS DISTINCT FROM w.shown`,
         )})
       SELECT w.user_id, w.completed_at, p.status AS previous_status, p.completed_at AS previous_completed_at
         FROM written w LEFT JOIN previous p ON p.user_id = w.user_id`,
      [moduleId, JSON.stringify(rows)],
    );
    const outcome = new Map(learners.map((learner) => [learner.userId, learner.result]));
    const events: AuditEntry[] = [];
    const changes: NewEvent[] = [];
    for (const row of written) {
      const result = outcome.get(row.user_id)!;
      if (result.completed && !row.previous_completed_at) {
        events.push({
          action: 'module.completed',
          targetType: 'module',
          targetId: moduleId,
          after: { userId: row.user_id, completedAt: row.completed_at?.toISOString() },
        });
        changes.push({ type: 'progress.completed', learnerId: row.user_id, moduleId, data: { status: 'completed' } });
      } else if (!result.completed && row.previous_status === 'completed') {
        events.push({
          action: 'module.completion_lost',
          targetType: 'module',
          targetId: moduleId,
          after: { userId: row.user_id, unmet: result.unmet },
        });
        changes.push({
          type: 'progress.uncompleted',
          learnerId: row.user_id,
          moduleId,
          data: { status: 'in_progress', unmet: result.unmet },
        });
      }
    }
    await this.audit.recordAll(manager, caller, events);
    await this.events.emitAll(manager, changes);
    return written;
  }

  private async views(manager: EntityManager, userId: string, moduleIds: string[]): Promise<ModuleProgressDto[]> {
    // With each quiz's rule for the learner, in the same statement: the dates in `unmet`.
    const all = await loadModuleFacts(manager, userId, moduleIds, { withRules: true });
    const now = this.clock.now();
    return all.map((facts) =>
      toModuleProgressView(
        userId,
        facts,
        evaluateCompletion(facts.facts),
        facts.recordedCompletedAt,
        facts.rule ? { rule: facts.rule, now } : undefined,
      ),
    );
  }

  private async findItem(manager: EntityManager, itemId: string): Promise<ChecklistItem> {
    const item = isUuid(itemId)
      ? await manager.findOne(ChecklistItem, { where: { id: itemId, retiredAt: IsNull() } })
      : null;
    if (!item) throw new ResourceNotFound('No such checklist item');
    return item;
  }

  /**
   * Facts and the progress row of one learner and module change one writer at
   * a time (the learner's lock), and not while the module's rows are being
   * recomputed as a whole (`refreshLearners` holds the module's lock; learners
   * share it with each other).
   */
  private async lock(manager: EntityManager, userId: string, moduleId: string) {
    await manager.query('SELECT pg_advisory_xact_lock_shared(hashtext($1)), pg_advisory_xact_lock(hashtext($2))', [
      `progress-module:${moduleId}`,
      `progress:${userId}:${moduleId}`,
    ]);
  }

  /** As AttemptsService.assertAccess: a person acting for themselves was found when their token was accepted. */
  private async visibleUser(principal: Principal, userRef: string, use: LearnerRecordUse): Promise<string> {
    const userId = resolveUserRef(principal, userRef);
    const visible = await this.access.canAccess(principal, userId, use);
    const self = principal.kind === 'user' && principal.id === userId;
    if (
      !visible ||
      (!self && !(await this.dataSource.getRepository(User).exists({ where: { id: userId, deletedAt: IsNull() } })))
    ) {
      throw new ResourceNotFound('No such user');
    }
    return userId;
  }
}

function actorOf(caller: Caller): string {
  return `${caller.principal.kind}:${caller.principal.id}`;
}
