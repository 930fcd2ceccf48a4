import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuditEntry, AuditService } from '../audit/audit.service';
import { type Caller, isAdmin } from '../auth/access.types';
import { LearnerAccessService } from '../auth/learner-access.service';
import { isUuid } from '../auth/user-ref';
import { Clock } from '../common/clock';
import { ProgressService } from '../progress/progress.service';
import { ResourceNotFound, ValidationFailed } from '../common/errors/domain-error';
import type { QuestionDefinition } from '../content/question.types';
import { AttemptInProgress } from './attempt-errors';
import { type ScoredQuestion, scoreStoredAttempt } from './attempt-record';
import { loadResponsesOf } from './attempt-rows';
import { applyAttemptTotals, writeAttemptScores, writeScoresOfAttempts } from './attempt-scores.repository';
import { toAttemptScore } from './attempt-view';
import { EventsService } from '../events/events.service';
import { attemptEvent } from './attempt-events';
import { AttemptsService } from './attempts.service';
import type { AttemptResponseDto, GradeAttemptDto, RegradeReportDto } from './dto/attempt.dto';
import { Attempt } from './entities/attempt.entity';
import { AttemptResponse } from './entities/attempt-response.entity';
import { loadQuiz } from './quiz-context';
import { QuestionVersions } from './question-versions';

/**
 * Grade changes: an instructor's grade or override, and a regrade after an
 * answer key is corrected. Invariant 5: each change writes an audit event in
 * the transaction that makes it.
 */
@Injectable()
export class GradingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: LearnerAccessService,
    private readonly attempts: AttemptsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly progress: ProgressService,
    private readonly versions: QuestionVersions,
    private readonly events: EventsService,
  ) {}

  async grade(caller: Caller, attemptId: string, dto: GradeAttemptDto): Promise<AttemptResponseDto> {
    await this.dataSource.transaction(async (manager) => {
      if (!isUuid(attemptId)) throw new ResourceNotFound('No such attempt');
      const attempt = await manager.findOne(Attempt, { where: { id: attemptId }, lock: { mode: 'pessimistic_write' } });
      if (!attempt || !(await this.access.canAccess(caller.principal, attempt.userId, 'progress:write', manager))) {
        throw new ResourceNotFound('No such attempt');
      }
      if (attempt.state === 'in_progress') throw new AttemptInProgress('The attempt is still in progress');
      if (caller.principal.kind === 'user' && caller.principal.id === attempt.userId && !isAdmin(caller.principal)) {
        // Nobody grades their own attempt.
        throw new ResourceNotFound('No such attempt');
      }
      const stored = await manager.find(AttemptResponse, { where: { attemptId: attempt.id } });
      const responses = new Map(stored.map((r) => [r.questionVersionId, r]));
      // The key that scored each answer (a regrade may have corrected it) is the one grades build on.
      const { definitions, versions } = await this.versions.scoringDefinitions(manager, attempt.questionOrder, stored);
      const faults = dto.grades.flatMap((grade, index) => {
        const definition = definitions.get(grade.questionVersionId);
        if (!definition)
          return [{ field: `grades.${index}.questionVersionId`, messages: ['not a question of this attempt'] }];
        if (grade.score > definition.points) {
          return [
            {
              field: `grades.${index}.score`,
              messages: [`score must not exceed the question's ${definition.points} points`],
            },
          ];
        }
        return [];
      });
      if (faults.length > 0) throw new ValidationFailed(faults);

      const before = toAttemptScore(attempt);
      const stateBefore = attempt.state;
      const now = this.clock.now();
      for (const grade of dto.grades) {
        const response =
          responses.get(grade.questionVersionId) ??
          manager.create(AttemptResponse, {
            attemptId: attempt.id,
            questionVersionId: grade.questionVersionId,
            response: null,
          });
        const previous = response.manualScore ?? response.autoScore;
        const essay = definitions.get(grade.questionVersionId)?.type === 'essay';
        Object.assign(response, {
          manualScore: grade.score,
          gradedBy: graderId(caller),
          gradedAt: now,
          gradeReason: grade.reason,
        });
        responses.set(grade.questionVersionId, await manager.save(response));
        await this.audit.record(manager, caller, {
          action: essay && response.autoScore === null ? 'grade.set' : 'grade.overridden',
          targetType: 'attempt',
          targetId: attempt.id,
          before: { questionVersionId: grade.questionVersionId, score: previous },
          after: { questionVersionId: grade.questionVersionId, score: grade.score },
          reason: grade.reason,
        });
      }
      const quiz = await loadQuiz(manager, attempt.quizId);
      const { total, questions } = this.scoreAgainst(
        attempt,
        { definitions, versions },
        responses,
        quiz.settings.passMark,
      );
      await writeAttemptScores(manager, attempt, total, questions);
      const after = toAttemptScore(attempt);
      if (stateBefore === 'pending_grading' && attempt.state === 'graded') {
        await this.events.emit(manager, attemptEvent('attempt.graded', attempt, quiz.moduleId));
      } else if (stateBefore === 'graded' && before && after && !sameScore(before, after)) {
        await this.events.emit(
          manager,
          attemptEvent('attempt.grade_changed', attempt, quiz.moduleId, {
            before,
            cause: 'override',
            reason: dto.grades.map((grade) => grade.reason).join('; '),
          }),
        );
      }
      await this.progress.refresh(manager, caller, attempt.userId, quiz.moduleId);
      await this.audit.record(manager, caller, {
        action: 'attempt.rescored',
        targetType: 'attempt',
        targetId: attempt.id,
        before: { ...before },
        after: { ...toAttemptScore(attempt) },
        reason: dto.grades.map((grade) => grade.reason).join('; '),
      });
    });
    return this.attempts.get(caller, attemptId);
  }

  /**
   * Scores every finished attempt of the quiz again against the current
   * version of each question (the corrected key); what the learner was shown
   * stays recorded. Manual grades stand. Dry run reports without writing.
   */
  async regrade(caller: Caller, quizId: string, dryRun: boolean): Promise<RegradeReportDto> {
    return this.dataSource.transaction(async (manager) => {
      const quiz = await loadQuiz(manager, quizId);
      const attempts = await manager
        .getRepository(Attempt)
        .createQueryBuilder('a')
        .where("a.quiz_id = :quizId AND a.state IN ('graded', 'pending_grading', 'submitted')", { quizId: quiz.quizId })
        .orderBy('a.user_id')
        .addOrderBy('a.number')
        .setLock('pessimistic_write')
        .getMany();
      const current = await this.currentDefinitionByVersion(manager, [
        ...new Set(attempts.flatMap((a) => a.questionOrder)),
      ]);
      const currentDefinitions = new Map([...current].map(([pinned, { definition }]) => [pinned, definition]));
      const currentVersions = new Map([...current].map(([pinned, { versionId }]) => [pinned, versionId]));
      const changes: RegradeReportDto['changes'] = [];
      const events: AuditEntry[] = [];
      const changed: { attempt: Attempt; before: NonNullable<ReturnType<typeof toAttemptScore>> }[] = [];
      const rescored = new Set<string>();
      // A batch of attempts at a time: their responses read in one statement, their new scores
      // written in one, so memory and round trips do not grow with the number of learners.
      const key = { definitions: currentDefinitions, versions: currentVersions };
      const toWrite: { attempt: Attempt; questions: ScoredQuestion[] }[] = [];
      const rescore = (attempt: Attempt, { total, questions }: ReturnType<typeof scoreStoredAttempt>) => {
        applyAttemptTotals(attempt, total);
        toWrite.push({ attempt, questions });
        rescored.add(attempt.userId);
      };
      let responses = new Map<string, Map<string, AttemptResponse>>();
      for (const [index, attempt] of attempts.entries()) {
        if (index % REGRADE_BATCH === 0) {
          await writeScoresOfAttempts(manager, toWrite.splice(0));
          responses = await loadResponsesOf(
            manager,
            attempts.slice(index, index + REGRADE_BATCH).map((a) => a.id),
          );
        }
        const stored = responses.get(attempt.id) ?? new Map<string, AttemptResponse>();
        const before = toAttemptScore(attempt);
        const scored = this.scoreAgainst(attempt, key, stored, quiz.settings.passMark);
        const { total } = scored;
        const scoreChanges =
          total.raw !== attempt.scoreRaw || total.max !== attempt.scoreMax || total.passed !== attempt.passed;
        if (!scoreChanges) {
          // Same score, but the review should show the corrected key: record which key scored it.
          const stale = attempt.questionOrder.some(
            (pinned) => (stored.get(pinned)?.scoredVersionId ?? pinned) !== currentVersions.get(pinned),
          );
          if (stale && !dryRun) rescore(attempt, scored);
          continue;
        }
        if (!dryRun) {
          rescore(attempt, scored);
          if (before && attempt.state === 'graded') changed.push({ attempt, before });
          events.push({
            action: 'grade.regraded',
            targetType: 'attempt',
            targetId: attempt.id,
            before: { ...before },
            after: { ...toAttemptScore(attempt) },
            reason: 'answer key corrected',
          });
        }
        changes.push({
          attemptId: attempt.id,
          userId: attempt.userId,
          number: attempt.number,
          from: before!,
          to: { raw: total.raw, max: total.max, scaled: total.scaled, passed: total.passed, pending: total.pending },
        });
      }
      await writeScoresOfAttempts(manager, toWrite);
      await this.events.emitAll(
        manager,
        changed.map(({ attempt, before }) =>
          attemptEvent('attempt.grade_changed', attempt, quiz.moduleId, { before, cause: 'regrade' }),
        ),
      );
      // Each learner's progress row once, a thousand learners per statement, and the events together.
      await this.progress.refreshLearners(manager, caller, quiz.moduleId, [...rescored]);
      await this.audit.recordAll(manager, caller, events);
      return { dryRun, examined: attempts.length, changes };
    });
  }

  /** Per-question scores and the attempt's totals from the given key (definitions, and which version scored each). */
  private scoreAgainst(
    attempt: Attempt,
    key: { definitions: ReadonlyMap<string, QuestionDefinition>; versions: ReadonlyMap<string, string> },
    responses: ReadonlyMap<string, AttemptResponse>,
    passMark: number,
  ) {
    return scoreStoredAttempt(
      attempt.questionOrder,
      key.definitions,
      responses,
      passMark,
      key.versions,
      attempt.lateDeduction,
    );
  }

  /** For each pinned version id, its question's current version (id and definition). */
  private async currentDefinitionByVersion(
    manager: EntityManager,
    versionIds: string[],
  ): Promise<Map<string, { versionId: string; definition: QuestionDefinition }>> {
    if (versionIds.length === 0) return new Map();
    const rows: { pinned: string; version_id: string; definition: QuestionDefinition }[] = await manager.query(
      `SELECT pinned.id AS pinned, current.id AS version_id, current.definition
         FROM question_versions pinned
         JOIN questions q ON q.id = pinned.question_id
         JOIN question_versions current ON current.id = q.current_version_id
        WHERE pinned.id = ANY($1::uuid[])`,
      [versionIds],
    );
    return new Map(rows.map((row) => [row.pinned, { versionId: row.version_id, definition: row.definition }]));
  }
}

function graderId(caller: Caller): string {
  return caller.principal.id;
}

/** Attempts whose responses a regrade holds in memory at once. */
const REGRADE_BATCH = 500;

function sameScore(
  a: NonNullable<ReturnType<typeof toAttemptScore>>,
  b: NonNullable<ReturnType<typeof toAttemptScore>>,
) {
  return a.raw === b.raw && a.max === b.max && a.passed === b.passed && a.pending === b.pending;
}
