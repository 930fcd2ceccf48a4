import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { namedQuery } from '../database/named-query';
import { type Caller, hasScope, isAdmin, type Principal } from '../auth/access.types';
import { LearnerAccessService, type LearnerRecordUse } from '../auth/learner-access.service';
import { PrincipalService } from '../auth/principal.service';
import { isUuid, resolveUserRef } from '../auth/user-ref';
import { Clock } from '../common/clock';
import { EventsService } from '../events/events.service';
import { attemptEvent } from './attempt-events';
import { idempotently } from '../common/idempotency/idempotent-transaction';
import { ProgressService } from '../progress/progress.service';
import { ResourceNotFound, Unauthorized, ValidationFailed } from '../common/errors/domain-error';
import type { QuizSettings } from '../content/import/answer-key';
import type { QuestionDefinition } from '../content/question.types';
import { User } from '../users/user.entity';
import { AttemptClosed, AttemptLimitReached, AttemptTooSoon, QuizClosed, QuizNotOpen } from './attempt-errors';
import { responseProblems, scoreStoredAttempt } from './attempt-record';
import { writeAttemptScores } from './attempt-scores.repository';
import { attemptsAllowedOf, toAttemptSummary, toAttemptView } from './attempt-view';
import type {
  AttemptListDto,
  AttemptResponseDto,
  CountedGradeDto,
  SaveResponsesDto,
  StartAttemptDto,
} from './dto/attempt.dto';
import { Attempt } from './entities/attempt.entity';
import type { AttemptResponse } from './entities/attempt-response.entity';
import {
  insertAttempt,
  loadAttemptsOf,
  loadAttemptWithQuiz,
  loadResponses,
  lockForStart,
  RESPONSE_COLUMNS,
  responseFromRow,
  type ResponseRow,
} from './attempt-rows';
import { countedGrade } from './policy/counted-grade';
import { attemptDeadline, lateDeduction, windowState } from './policy/delivery-rule';
import { drawQuestions } from './policy/question-draw';
import { presentationOrder } from './policy/shuffle';
import { choiceIdsOf, type QuizContext } from './quiz-context';
import { QuestionVersions } from './question-versions';

/** What a view needs beyond the attempt, when the caller already has it. */
interface KnownState {
  /** The versions shown, by id. */
  definitions: ReadonlyMap<string, QuestionDefinition>;
  /** Those that scored each question, when not the ones shown (unused while in progress). */
  scoringDefinitions?: ReadonlyMap<string, QuestionDefinition>;
  responses: readonly AttemptResponse[];
  attemptsUsed: number;
  hasAttemptInProgress: boolean;
}

export interface StartResult {
  attempt: AttemptResponseDto;
  resumed: boolean;
}

@Injectable()
export class AttemptsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: LearnerAccessService,
    private readonly clock: Clock,
    private readonly progress: ProgressService,
    private readonly versions: QuestionVersions,
    private readonly events: EventsService,
    private readonly principals: PrincipalService,
  ) {}

  /**
   * Starts an attempt, or resumes the one in progress. Invariant 1: starts for
   * one learner and quiz are serialised by an advisory lock, so parallel
   * starts give one attempt and numbers stay unique and gapless.
   */
  async start(caller: Caller, quizId: string, dto: StartAttemptDto): Promise<StartResult> {
    // A caller the guard did not look up is read with the quiz (lockForStart); but not for a quiz id that
    // cannot exist, which would answer 404 before the caller is known.
    if (caller.lookupDeferred && (!isUuid(quizId) || dto.userId !== undefined)) {
      caller = resolvedCaller(caller, await this.principals.forUser(caller.principal.id));
    }
    const userId = this.targetUser(caller.principal, dto.userId);
    await this.assertAccess(caller.principal, userId, 'progress:write');
    return this.dataSource.transaction((manager) =>
      idempotently(
        manager,
        () => this.startIn(manager, caller, quizId, userId),
        (result) => ({
          status: result.resumed ? 200 : 201,
          body: result.attempt,
        }),
      ),
    );
  }

  private async startIn(manager: EntityManager, caller: Caller, quizId: string, userId: string): Promise<StartResult> {
    const deferred = caller.lookupDeferred ? caller.principal.id : null;
    const { quiz, questions, previous, rule } = await lockForStart(manager, quizId, userId, deferred, (roles) => {
      caller = resolvedCaller(caller, this.principals.rememberUser(caller.principal.id, roles));
    });
    const now = this.clock.now();
    const open = previous.find((attempt) => attempt.state === 'in_progress');
    if (open && !(open.closesAt && open.closesAt < now)) {
      return { attempt: await this.view(manager, caller, open, quiz), resumed: true };
    }
    if (open) await this.finish(manager, caller, open, quiz, open.deadlineAt ?? now);

    // The learner's rule: the quiz's window and limits, their cohorts' schedules, their accommodation.
    const window = windowState(rule, now);
    if (window === 'not_open') throw new QuizNotOpen(rule.opensAt!);
    if (window === 'closed') throw new QuizClosed(rule.closesAt!);
    const { minimumWaitMinutes, gracePeriodSeconds } = quiz.settings;
    const { attemptsAllowed } = rule;
    if (attemptsAllowed !== 'unlimited' && previous.length >= attemptsAllowed) {
      throw new AttemptLimitReached(`All ${attemptsAllowed} attempts allowed on this quiz are used`);
    }
    const last = previous.at(-1);
    if (last?.submittedAt && minimumWaitMinutes > 0) {
      const wait = last.submittedAt.getTime() + minimumWaitMinutes * 60_000 - now.getTime();
      if (wait > 0) throw new AttemptTooSoon('The quiz asks for a wait between attempts', Math.ceil(wait / 1000));
    }

    const id = randomUUID();
    // Drawn from the quiz's pools (if any) and recorded as the attempt's question order.
    const versionIds = drawQuestions({ attemptId: id, questions, pools: quiz.settings.pools ?? [] });
    // The definitions come from the in-memory cache (read once per version).
    const definitions = await this.versions.definitions(manager, versionIds);
    const order = presentationOrder({
      attemptId: id,
      questionIds: versionIds,
      choiceIdsByQuestion: Object.fromEntries(versionIds.map((v) => [v, choiceIdsOf(definitions.get(v)!)])),
      shuffleQuestions: quiz.settings.shuffleQuestions,
      shuffleChoices: quiz.settings.shuffleChoices,
    });
    // The time limit (as the rule stretches it), never past the closing.
    const deadlineAt = attemptDeadline(rule, now);
    const attempt = Object.assign(new Attempt(), {
      id,
      quizId: quiz.quizId,
      userId,
      number: (last?.number ?? 0) + 1,
      state: 'in_progress',
      startedAt: now,
      deadlineAt,
      closesAt: deadlineAt ? new Date(deadlineAt.getTime() + gracePeriodSeconds * 1000) : null,
      submittedAt: null,
      questionOrder: order.questionOrder,
      choiceOrder: order.choiceOrder,
      scoreRaw: null,
      scoreMax: null,
      scoreScaled: null,
      passed: null,
      pendingCount: 0,
      dueAt: rule.dueAt,
      late: false,
      lateDeduction: 0,
      rule: {
        window: rule.sources.window,
        accommodated: rule.sources.accommodated,
        attemptsAllowed: rule.attemptsAllowed,
        extendedMinutes: 0,
      },
    });
    await insertAttempt(manager, attempt);
    await this.events.emit(manager, attemptEvent('attempt.started', attempt, quiz.moduleId));
    // Starting is activity: a module not started becomes in progress.
    await this.progress.refresh(manager, caller, userId, quiz.moduleId);
    return {
      attempt: this.present(caller, attempt, quiz, {
        definitions,
        responses: [],
        attemptsUsed: previous.length + 1,
        hasAttemptInProgress: true,
      }),
      resumed: false,
    };
  }

  async get(caller: Caller, attemptId: string): Promise<AttemptResponseDto> {
    const manager = this.dataSource.manager;
    const { attempt, quiz } = await this.findVisible(manager, caller.principal, attemptId, 'progress:read');
    return this.view(manager, caller, attempt, quiz);
  }

  /** Saves some answers; repeatable, partial. Refused once the attempt is closed (invariant 3). */
  async saveResponses(caller: Caller, attemptId: string, dto: SaveResponsesDto): Promise<AttemptResponseDto> {
    return this.dataSource.transaction(async (manager) => {
      const { attempt, quiz } = await this.findVisible(manager, caller.principal, attemptId, 'progress:write', true);
      this.assertOpen(attempt);
      const definitions = await this.versions.definitions(manager, attempt.questionOrder);
      const faults = dto.responses.flatMap(({ questionVersionId, response }, index) => {
        const definition = definitions.get(questionVersionId);
        const messages = definition
          ? responseProblems(definition, response ?? null)
          : ['questionVersionId is not a question of this attempt'];
        return messages.length ? [{ field: `responses.${index}`, messages }] : [];
      });
      if (faults.length > 0) throw new ValidationFailed(faults);

      // One statement for the whole batch, whatever its size; the last write of a version wins. It answers
      // with every response of the attempt: those just saved, and the others as they were.
      const latest = new Map(dto.responses.map((item) => [item.questionVersionId, item.response ?? null]));
      const rows = await namedQuery<ResponseRow>(
        manager,
        'save_responses',
        `WITH saved AS (
           INSERT INTO attempt_responses (attempt_id, question_version_id, response)
           SELECT $1, r.question_version_id, r.response
             FROM jsonb_to_recordset($2::jsonb) AS r(question_version_id uuid, response jsonb)
           ON CONFLICT (attempt_id, question_version_id)
           DO UPDATE SET response = EXCLUDED.response, updated_at = now()
           RETURNING ${RESPONSE_COLUMNS})
         SELECT * FROM saved
          UNION ALL
         SELECT ${RESPONSE_COLUMNS} FROM attempt_responses r
          WHERE r.attempt_id = $1
            AND NOT EXISTS (SELECT 1 FROM saved s WHERE s.question_version_id = r.question_version_id)`,
        [attempt.id, JSON.stringify([...latest].map(([id, response]) => ({ question_version_id: id, response })))],
      );
      return this.present(caller, attempt, quiz, {
        definitions,
        responses: rows.map(responseFromRow),
        ...inProgressSiblings(attempt),
      });
    });
  }

  /**
   * Scores the attempt. Invariant 2: the row lock makes concurrent submits
   * queue; the first scores, the others find it finished and get the same
   * result.
   */
  async submit(caller: Caller, attemptId: string): Promise<AttemptResponseDto> {
    return this.dataSource.transaction((manager) =>
      idempotently(
        manager,
        async () => {
          const { attempt, quiz } = await this.findVisible(
            manager,
            caller.principal,
            attemptId,
            'progress:write',
            true,
          );
          if (attempt.state !== 'in_progress') return this.view(manager, caller, attempt, quiz);
          this.assertOpen(attempt);
          const attemptsUsed = inProgressSiblings(attempt).attemptsUsed;
          const finished = await this.finish(manager, caller, attempt, quiz, this.clock.now());
          // Scored with the versions it showed; it was the learner's only attempt in progress.
          return this.present(caller, attempt, quiz, { ...finished, attemptsUsed, hasAttemptInProgress: false });
        },
        (body) => ({ status: 200, body }),
      ),
    );
  }

  async listForUser(caller: Caller, userRef: string, quizId?: string): Promise<AttemptListDto> {
    const userId = resolveUserRef(caller.principal, userRef);
    await this.assertAccess(caller.principal, userId, 'progress:read');
    const { attempts, settings } = await loadAttemptsOf(this.dataSource.manager, userId, quizId);
    const audience = audienceOf(caller.principal, userId);
    return {
      items: attempts.map((attempt) => toAttemptSummary(attempt, audience)),
      grades: countedGrades(attempts, settings),
    };
  }

  /**
   * Scores an attempt from its saved responses and closes it. Used by submit,
   * by a start that finds an overdue attempt, and by the sweeper (with the
   * deadline as finish time). The caller holds the attempt's row lock.
   */
  async finish(
    manager: EntityManager,
    caller: Caller,
    attempt: Attempt,
    quiz: QuizContext,
    finishedAt: Date,
  ): Promise<{ definitions: Map<string, QuestionDefinition>; responses: AttemptResponse[] }> {
    const definitions = await this.versions.definitions(manager, attempt.questionOrder);
    const stored = await loadResponses(manager, attempt.id);
    // Late: finished after the due date that applied when it started; the quiz's late policy says what it costs.
    attempt.late = attempt.dueAt !== null && finishedAt > attempt.dueAt;
    attempt.lateDeduction = lateDeduction(attempt.dueAt, finishedAt, quiz.settings.latePolicy ?? null);
    const { total, questions } = scoreStoredAttempt(
      attempt.questionOrder,
      definitions,
      new Map(stored.map((response) => [response.questionVersionId, response])),
      quiz.settings.passMark,
      undefined,
      attempt.lateDeduction,
    );
    attempt.submittedAt = finishedAt;
    const responses = await writeAttemptScores(manager, attempt, total, questions);
    await this.events.emitAll(manager, [
      attemptEvent('attempt.submitted', attempt, quiz.moduleId),
      ...(attempt.state === 'graded' ? [attemptEvent('attempt.graded', attempt, quiz.moduleId)] : []),
    ]);
    // After the attempt's events: a completion it brings follows them.
    await this.progress.refresh(manager, caller, attempt.userId, quiz.moduleId);
    return { definitions, responses };
  }

  /** An attempt as the caller may see it, loading what it needs (up to three statements). */
  private async view(
    manager: EntityManager,
    caller: Caller,
    attempt: Attempt,
    quiz: QuizContext,
  ): Promise<AttemptResponseDto> {
    // One after another: inside a transaction the manager has a single connection.
    const responses = await loadResponses(manager, attempt.id);
    const [siblings] = await namedQuery<{ used: number; in_progress: boolean }>(
      manager,
      'attempt_siblings',
      `SELECT count(*)::int AS used, coalesce(bool_or(state = 'in_progress'), false) AS in_progress
         FROM attempts WHERE user_id = $1 AND quiz_id = $2`,
      [attempt.userId, attempt.quizId],
    );
    const definitions = await this.versions.definitions(manager, attempt.questionOrder);
    const scoredWith =
      attempt.state === 'in_progress'
        ? definitions
        : (await this.versions.scoringDefinitions(manager, attempt.questionOrder, responses)).definitions;
    return this.present(caller, attempt, quiz, {
      definitions,
      scoringDefinitions: scoredWith,
      responses,
      attemptsUsed: siblings.used,
      hasAttemptInProgress: siblings.in_progress,
    });
  }

  /** An attempt as the caller may see it, from what is already known: no queries. */
  private present(caller: Caller, attempt: Attempt, quiz: QuizContext, known: KnownState): AttemptResponseDto {
    return toAttemptView({
      attempt,
      settings: quiz.settings,
      definitions: known.definitions,
      scoringDefinitions: known.scoringDefinitions ?? known.definitions,
      responses: known.responses,
      attemptsUsed: known.attemptsUsed,
      hasAttemptInProgress: known.hasAttemptInProgress,
      audience: audienceOf(caller.principal, attempt.userId),
    });
  }

  private assertOpen(attempt: Attempt) {
    if (attempt.state !== 'in_progress') throw new AttemptClosed('This attempt is finished');
    if (attempt.closesAt && this.clock.now() > attempt.closesAt) {
      throw new AttemptClosed('The attempt’s time is up (deadline and grace period have passed)');
    }
  }

  /** Loads an attempt the caller may use; anything else is 404 (invariant 8). */
  private async findVisible(
    manager: EntityManager,
    principal: Principal,
    attemptId: string,
    use: LearnerRecordUse,
    lock = false,
  ): Promise<{ attempt: Attempt; quiz: QuizContext }> {
    if (!isUuid(attemptId)) throw new ResourceNotFound('No such attempt');
    const found = await loadAttemptWithQuiz(manager, attemptId, lock);
    if (!found || !(await this.access.canAccess(principal, found.attempt.userId, use, manager))) {
      throw new ResourceNotFound('No such attempt');
    }
    return found;
  }

  private targetUser(principal: Principal, userId: string | undefined): string {
    if (userId) return userId.toLowerCase();
    if (principal.kind === 'user') return principal.id;
    throw new ValidationFailed([
      { field: 'userId', messages: ['userId is required when a machine client starts an attempt'] },
    ]);
  }

  /**
   * The person must be visible to the caller and exist; either way, 404
   * otherwise. A person acting for themselves was found when their token was
   * accepted (PrincipalService), so they are not looked up again.
   */
  private async assertAccess(principal: Principal, userId: string, use: LearnerRecordUse) {
    const visible = isUuid(userId) && (await this.access.canAccess(principal, userId, use));
    const self = principal.kind === 'user' && principal.id === userId;
    if (
      !visible ||
      (!self && !(await this.dataSource.getRepository(User).exists({ where: { id: userId, deletedAt: IsNull() } })))
    ) {
      throw new ResourceNotFound('No such user');
    }
  }
}

/** A caller whose lookup was deferred, now looked up: gone is a 401, as the guard answers. */
function resolvedCaller(caller: Caller, principal: Principal | null): Caller {
  if (!principal) throw new Unauthorized('A valid access token is required');
  return { principal, requestId: caller.requestId };
}

/**
 * The attempts count and in-progress flag a view shows, for an attempt in
 * progress: by invariant 1 it is the learner's latest (numbers are gapless and
 * a start resumes the open attempt rather than adding one), and the only one
 * open.
 */
function inProgressSiblings(attempt: Attempt): { attemptsUsed: number; hasAttemptInProgress: boolean } {
  return { attemptsUsed: attempt.number, hasAttemptInProgress: true };
}

/**
 * Whom a view of a learner's attempts is for. A machine client may render the quiz to the
 * learner, so it sees what the learner may see, unless it authors content. The learner sees
 * their own attempts through the review policy (and never the rule behind their dates).
 */
function audienceOf(principal: Principal, learnerId: string): 'learner' | 'staff' {
  const asLearner =
    principal.kind === 'client'
      ? !hasScope(principal, 'content:write')
      : principal.id === learnerId && !isAdmin(principal);
  return asLearner ? 'learner' : 'staff';
}

/** The grade that counts per quiz, by each quiz's rule, from the learner's attempts of it. */
function countedGrades(attempts: Attempt[], settings: ReadonlyMap<string, QuizSettings>): CountedGradeDto[] {
  return [...settings].map(([quizId, quiz]) => {
    const ofQuiz = attempts.filter((attempt) => attempt.quizId === quizId);
    const counted = countedGrade(
      ofQuiz.map((a) => ({
        number: a.number,
        state: a.state,
        scaled: a.scoreScaled,
        raw: a.scoreRaw,
        max: a.scoreMax,
        finishedAt: a.submittedAt,
      })),
      quiz.gradingMethod,
      quiz.passMark,
    );
    return {
      quizId,
      gradingMethod: quiz.gradingMethod,
      scaled: counted.scaled,
      attemptNumber: counted.attemptNumber,
      passed: counted.passed,
      attemptsUsed: ofQuiz.length,
      // The latest attempt's rule: the quiz's, plus any extra attempts the learner had when it started.
      attemptsAllowed: ofQuiz.length > 0 ? attemptsAllowedOf(ofQuiz[ofQuiz.length - 1], quiz) : quiz.attemptsAllowed,
    };
  });
}
