import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Caller, isAdmin, type Principal } from '../auth/access.types';
import { LearnerAccessService } from '../auth/learner-access.service';
import { isUuid, resolveUserRef } from '../auth/user-ref';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { ConflictError, ResourceNotFound, ValidationFailed } from '../common/errors/domain-error';
import { CohortsService } from '../cohorts/cohorts.service';
import type { QuizSettings } from '../content/import/answer-key';
import { AttemptClosed } from './attempt-errors';
import { loadAttemptWithQuiz } from './attempt-rows';
import { loadQuiz } from './quiz-context';
import type {
  AccommodationDto,
  ExtendAttemptDto,
  PutAccommodationDto,
  PutQuizScheduleDto,
  QuizScheduleDto,
  RemoveAccommodationDto,
} from './dto/delivery-rules.dto';
import { Accommodation } from './entities/accommodation.entity';
import { QuizSchedule } from './entities/quiz-schedule.entity';

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;
const instant = (value: string | null | undefined) => (value ? new Date(value) : null);

/**
 * Who may change when a quiz is open to whom: a cohort's schedule (its
 * instructors, admins, clients with cohorts:write), a learner's standing
 * accommodation and an extension of an attempt in progress (the learner's
 * instructors, admins, clients with attempts:write; never the learner). Every
 * change is audited. The rule these make is computed where it applies
 * (policy/delivery-rule.ts, read with the start's own statement).
 */
@Injectable()
export class DeliveryRulesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cohorts: CohortsService,
    private readonly access: LearnerAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async schedule(caller: Caller, cohortId: string, quizId: string): Promise<QuizScheduleDto> {
    const manager = this.dataSource.manager;
    const quiz = await this.quizOfCohort(manager, caller.principal, cohortId, quizId, 'read');
    const found = await manager.findOne(QuizSchedule, { where: { cohortId, quizId: quiz.quizId } });
    return toScheduleDto(cohortId, quiz.quizId, found, quiz.settings);
  }

  /** Sets the cohort's bounds (null ones are the quiz's); all null removes the schedule. */
  async putSchedule(
    caller: Caller,
    cohortId: string,
    quizId: string,
    dto: PutQuizScheduleDto,
  ): Promise<QuizScheduleDto> {
    return this.dataSource.transaction(async (manager) => {
      const quiz = await this.quizOfCohort(manager, caller.principal, cohortId, quizId, 'manage');
      const next = { opensAt: instant(dto.opensAt), dueAt: instant(dto.dueAt), closesAt: instant(dto.closesAt) };
      // In order with the quiz's own bounds for those left unset, as the cohort's learners will have them.
      assertOrdered({
        opensAt: next.opensAt ?? instant(quiz.settings.opensAt),
        dueAt: next.dueAt ?? instant(quiz.settings.dueAt),
        closesAt: next.closesAt ?? instant(quiz.settings.closesAt),
      });
      const before = await manager.findOne(QuizSchedule, {
        where: { cohortId, quizId: quiz.quizId },
        lock: { mode: 'pessimistic_write' },
      });
      let saved: QuizSchedule | null = null;
      if (next.opensAt || next.dueAt || next.closesAt) {
        await manager.upsert(QuizSchedule, { cohortId, quizId: quiz.quizId, ...next }, ['cohortId', 'quizId']);
        saved = await manager.findOneOrFail(QuizSchedule, { where: { cohortId, quizId: quiz.quizId } });
      } else if (before) {
        await manager.delete(QuizSchedule, { cohortId, quizId: quiz.quizId });
      }
      await this.audit.record(manager, caller, {
        action: 'quiz_schedule.set',
        targetType: 'cohort',
        targetId: cohortId,
        before: before ? { quizId: quiz.quizId, ...scheduleBounds(before) } : null,
        after: saved ? { quizId: quiz.quizId, ...scheduleBounds(saved) } : null,
      });
      return toScheduleDto(cohortId, quiz.quizId, saved, quiz.settings);
    });
  }

  async accommodation(caller: Caller, userRef: string, quizId: string): Promise<AccommodationDto> {
    const manager = this.dataSource.manager;
    const userId = await this.learnerForStaff(manager, caller.principal, userRef);
    const quiz = await loadQuiz(manager, quizId);
    const found = await manager.findOne(Accommodation, { where: { userId, quizId: quiz.quizId } });
    if (!found) throw new ResourceNotFound('This learner has no accommodation on this quiz');
    return toAccommodationDto(found);
  }

  /** Sets the learner's standing accommodation on the quiz (replacing any), with its reason. */
  async putAccommodation(
    caller: Caller,
    userRef: string,
    quizId: string,
    dto: PutAccommodationDto,
  ): Promise<AccommodationDto> {
    return this.dataSource.transaction(async (manager) => {
      const userId = await this.learnerForStaff(manager, caller.principal, userRef);
      const quiz = await loadQuiz(manager, quizId);
      const dueAt = instant(dto.dueAt);
      const closesAt = instant(dto.closesAt);
      if (dueAt && closesAt && dueAt > closesAt) {
        throw new ValidationFailed([{ field: 'closesAt', messages: ['closesAt must not be before dueAt'] }]);
      }
      const before = await manager.findOne(Accommodation, {
        where: { userId, quizId: quiz.quizId },
        lock: { mode: 'pessimistic_write' },
      });
      const terms = {
        extraAttempts: dto.extraAttempts ?? 0,
        timeMultiplier: dto.timeMultiplier ?? 1,
        extraMinutes: dto.extraMinutes ?? 0,
        dueAt,
        closesAt,
      };
      await manager.upsert(Accommodation, { userId, quizId: quiz.quizId, ...terms, reason: dto.reason }, [
        'userId',
        'quizId',
      ]);
      const saved = await manager.findOneOrFail(Accommodation, { where: { userId, quizId: quiz.quizId } });
      await this.audit.record(manager, caller, {
        action: 'accommodation.set',
        targetType: 'user',
        targetId: userId,
        before: before ? { quizId: quiz.quizId, ...accommodationTerms(before) } : null,
        after: { quizId: quiz.quizId, ...accommodationTerms(saved) },
        reason: dto.reason,
      });
      return toAccommodationDto(saved);
    });
  }

  /**
   * Ends the learner's standing accommodation on the quiz, with the reason. Attempts already started
   * keep the deadline they were given (an attempt's rule is fixed when it starts; extend one to change it).
   */
  async removeAccommodation(
    caller: Caller,
    userRef: string,
    quizId: string,
    dto: RemoveAccommodationDto,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const userId = await this.learnerForStaff(manager, caller.principal, userRef);
      const quiz = await loadQuiz(manager, quizId);
      const before = await manager.findOne(Accommodation, {
        where: { userId, quizId: quiz.quizId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!before) throw new ResourceNotFound('This learner has no accommodation on this quiz');
      await manager.delete(Accommodation, { userId, quizId: quiz.quizId });
      await this.audit.record(manager, caller, {
        action: 'accommodation.removed',
        targetType: 'user',
        targetId: userId,
        before: { quizId: quiz.quizId, ...accommodationTerms(before) },
        after: null,
        reason: dto.reason,
      });
    });
  }

  /**
   * More time for an attempt in progress: its deadline and closing move by `minutes` (past the
   * quiz's closing too: an extension is a person's decision for this attempt). Returns the attempt id.
   */
  async extend(caller: Caller, attemptId: string, dto: ExtendAttemptDto): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      if (!isUuid(attemptId)) throw new ResourceNotFound('No such attempt');
      const found = await loadAttemptWithQuiz(manager, attemptId, true);
      if (!found || !(await this.mayAccommodate(manager, caller.principal, found.attempt.userId))) {
        throw new ResourceNotFound('No such attempt');
      }
      const { attempt } = found;
      if (attempt.state !== 'in_progress') throw new AttemptClosed('This attempt is finished');
      if (attempt.closesAt && this.clock.now() > attempt.closesAt) {
        throw new AttemptClosed('The attempt’s time is up; it can no longer be extended');
      }
      if (!attempt.deadlineAt || !attempt.closesAt) {
        throw new ConflictError('This attempt has no deadline to extend (no time limit and no closing)');
      }
      const by = dto.minutes * 60_000;
      const before = { deadlineAt: iso(attempt.deadlineAt), closesAt: iso(attempt.closesAt) };
      const deadlineAt = new Date(attempt.deadlineAt.getTime() + by);
      const closesAt = new Date(attempt.closesAt.getTime() + by);
      await manager.query(
        `UPDATE attempts
            SET deadline_at = $2, closes_at = $3, updated_at = now(),
                rule = jsonb_set(coalesce(rule, '{}'::jsonb), '{extendedMinutes}',
                                 to_jsonb(coalesce((rule ->> 'extendedMinutes')::int, 0) + $4))
          WHERE id = $1`,
        [attempt.id, deadlineAt, closesAt, dto.minutes],
      );
      await this.audit.record(manager, caller, {
        action: 'attempt.extended',
        targetType: 'attempt',
        targetId: attempt.id,
        before,
        after: { deadlineAt: iso(deadlineAt), closesAt: iso(closesAt), minutes: dto.minutes },
        reason: dto.reason,
      });
      return attempt.id;
    });
  }

  /** The quiz, if it belongs to a module the cohort covers and the caller may use the cohort; 404 otherwise. */
  private async quizOfCohort(
    manager: EntityManager,
    principal: Principal,
    cohortId: string,
    quizId: string,
    use: 'read' | 'manage',
  ) {
    const cohort = await this.cohorts.findFor(principal, cohortId, use, manager);
    const quiz = await loadQuiz(manager, quizId);
    if (cohort.moduleIds.length > 0 && !cohort.moduleIds.includes(quiz.moduleId)) {
      throw new ResourceNotFound('No such quiz in this cohort');
    }
    return quiz;
  }

  /** The learner, if the caller is staff for them (not the learner themselves); 404 otherwise. */
  private async learnerForStaff(manager: EntityManager, principal: Principal, userRef: string): Promise<string> {
    const userId = resolveUserRef(principal, userRef);
    if (!isUuid(userId) || !(await this.mayAccommodate(manager, principal, userId))) {
      throw new ResourceNotFound('No such user');
    }
    const [exists] = await manager.query<{ id: string }[]>(
      'SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL',
      [userId],
    );
    if (!exists) throw new ResourceNotFound('No such user');
    return userId;
  }

  /** Instructors of the learner, admins and clients with attempts:write; a learner never for themselves. */
  private async mayAccommodate(manager: EntityManager, principal: Principal, userId: string): Promise<boolean> {
    if (principal.kind === 'user' && principal.id === userId && !isAdmin(principal)) return false;
    if (principal.kind === 'user' && !isAdmin(principal) && !principal.roles.includes('instructor')) return false;
    return this.access.canAccess(principal, userId, 'progress:write', manager);
  }
}

/** opensAt < dueAt ≤ closesAt, where set (a due date at the closing means no late period). */
function assertOrdered(window: { opensAt: Date | null; dueAt: Date | null; closesAt: Date | null }) {
  const faults: { field: string; messages: string[] }[] = [];
  const { opensAt, dueAt, closesAt } = window;
  if (opensAt && dueAt && !(opensAt < dueAt))
    faults.push({ field: 'dueAt', messages: ['dueAt must be after opensAt'] });
  if (dueAt && closesAt && !(dueAt <= closesAt)) {
    faults.push({ field: 'closesAt', messages: ['closesAt must not be before dueAt'] });
  }
  if (opensAt && closesAt && !(opensAt < closesAt)) {
    faults.push({ field: 'closesAt', messages: ['closesAt must be after opensAt'] });
  }
  if (faults.length > 0) throw new ValidationFailed(faults);
}

function scheduleBounds(schedule: QuizSchedule) {
  return { opensAt: iso(schedule.opensAt), dueAt: iso(schedule.dueAt), closesAt: iso(schedule.closesAt) };
}

function toScheduleDto(
  cohortId: string,
  quizId: string,
  schedule: QuizSchedule | null,
  settings: QuizSettings,
): QuizScheduleDto {
  return {
    cohortId,
    quizId,
    opensAt: iso(schedule?.opensAt),
    dueAt: iso(schedule?.dueAt),
    closesAt: iso(schedule?.closesAt),
    quizOpensAt: settings.opensAt ?? null,
    quizDueAt: settings.dueAt ?? null,
    quizClosesAt: settings.closesAt ?? null,
  };
}

function accommodationTerms(found: Accommodation) {
  return {
    extraAttempts: found.extraAttempts,
    timeMultiplier: found.timeMultiplier,
    extraMinutes: found.extraMinutes,
    dueAt: iso(found.dueAt),
    closesAt: iso(found.closesAt),
  };
}

function toAccommodationDto(found: Accommodation): AccommodationDto {
  return {
    userId: found.userId,
    quizId: found.quizId,
    ...accommodationTerms(found),
    reason: found.reason,
    updatedAt: found.updatedAt.toISOString(),
  };
}
