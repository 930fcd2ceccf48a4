/**
 * The baseline: the API's submit path and reads on plain Fastify and `pg`, no
 * Nest, no ORM. It verifies the same tokens with jsonwebtoken, takes the same
 * advisory lock, writes the same rows and answers the same bodies, built by
 * the project's own pure functions from dist/ (presentation order, scoring,
 * review policy and view, counted grade, completion rules and progress view),
 * and keeps the learner's module progress row up to date in the same
 * transactions as the API does. What it leaves out is the
 * framework: the DI container, guards, pipes and interceptors, class-validator,
 * TypeORM, and the queries the API makes one by one.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { verify, type JwtPayload } from 'jsonwebtoken';
import { Pool, type PoolClient } from 'pg';
import { responseProblems, scoreStoredAttempt } from '../../src/attempts/attempt-record';
import { toAttemptSummary, toAttemptView } from '../../src/attempts/attempt-view';
import type { AttemptResponseDto, CountedGradeDto } from '../../src/attempts/dto/attempt.dto';
import type { Attempt } from '../../src/attempts/entities/attempt.entity';
import { countedGrade } from '../../src/attempts/policy/counted-grade';
import { presentationOrder } from '../../src/attempts/policy/shuffle';
import { drawQuestions } from '../../src/attempts/policy/question-draw';
import { choiceIdsOf } from '../../src/attempts/quiz-context';
import type { Role } from '../../src/auth/access.types';
import { jwtKeys } from '../../src/auth/jwt-keys';
import { ACCESS_TOKEN_TYPE } from '../../src/auth/token.service';
import { loadConfig } from '../../src/config/config';
import type { QuestionDefinition, ResponseValue } from '../../src/content/question.types';
import {
  type AttemptContext,
  insertAttempt,
  loadAttemptContext,
  loadAttemptList,
  loadStartContext,
  saveResponses,
  toResponse,
  writeScores,
} from './baseline-sql';
import { readProgress, refreshProgress } from './baseline-progress';
import type { RunningServer } from './protocol';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An error answered as problem+json (RFC 9457), as the API's filter does. */
class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}
const notFound = (what: string) => new Problem(404, 'Not Found', `No such ${what}`);
const conflict = (detail: string) => new Problem(409, 'Conflict', detail);
const invalid = (detail: string) => new Problem(400, 'Validation Failed', detail);

interface Caller {
  id: string;
  /** For audit events. */
  requestId: string;
}

export async function startBaseline(): Promise<RunningServer> {
  const config = loadConfig(process.env);
  const { auth } = config;
  const { verifyKey } = jwtKeys(auth);
  const pool = new Pool({
    connectionString: config.database.url,
    max: config.database.poolSize,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'assessment-bench-baseline',
  });
  const fastify = Fastify({
    logger: config.log.level === 'silent' ? false : { level: config.log.level },
    bodyLimit: config.http.bodyLimitBytes,
  });

  /** The checks of src/auth/jwt.strategy.ts for our own tokens; whether the user exists is asked in SQL. */
  function authenticate(request: FastifyRequest): Caller {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new Problem(401, 'Unauthorized', 'A valid access token is required');
    let payload: JwtPayload;
    try {
      const token = verify(header.slice(7), verifyKey, {
        algorithms: [auth.algorithm],
        issuer: auth.issuer,
        audience: auth.audience,
        clockTolerance: auth.clockToleranceSeconds,
        complete: true,
      });
      if (token.header.typ !== ACCESS_TOKEN_TYPE || typeof token.payload === 'string') throw new Error('wrong type');
      payload = token.payload;
    } catch {
      throw new Problem(401, 'Unauthorized', 'A valid access token is required');
    }
    const { sub, exp, iat } = payload;
    if (typeof sub !== 'string' || typeof exp !== 'number' || typeof iat !== 'number') {
      throw new Problem(401, 'Unauthorized', 'A valid access token is required');
    }
    if (exp - iat > auth.accessTokenTtlSeconds || typeof payload.client_id === 'string') {
      // The baseline serves people only; machine clients are not on this path.
      throw new Problem(401, 'Unauthorized', 'A valid access token is required');
    }
    return { id: sub, requestId: request.id };
  }

  /** The caller no longer exists: the API's guard answers 401 for that too. */
  function existing(roles: Role[] | null): Role[] {
    if (!roles) throw new Problem(401, 'Unauthorized', 'A valid access token is required');
    return roles;
  }

  async function transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * As the API's view: a finished attempt's results use the definitions that
   * scored it, which differ from those shown only after a regrade.
   */
  async function view(
    db: Pick<PoolClient, 'query'>,
    context: AttemptContext,
    callerId: string,
    roles: Role[],
  ): Promise<AttemptResponseDto> {
    const { attempt } = context;
    const isLearner = callerId === attempt.userId && !roles.includes('admin');
    let scoringDefinitions = context.definitions;
    const regraded = context.responses.filter((r) => r.scoredVersionId && r.scoredVersionId !== r.questionVersionId);
    if (attempt.state !== 'in_progress' && regraded.length > 0) {
      const { rows } = await db.query<{ id: string; definition: QuestionDefinition }>(
        'SELECT id, definition FROM question_versions WHERE id = ANY($1::uuid[])',
        [regraded.map((r) => r.scoredVersionId)],
      );
      const corrected = new Map(rows.map((row) => [row.id, row.definition]));
      scoringDefinitions = new Map(context.definitions);
      for (const r of regraded) scoringDefinitions.set(r.questionVersionId, corrected.get(r.scoredVersionId!)!);
    }
    return toAttemptView({
      attempt,
      settings: context.settings,
      definitions: context.definitions,
      scoringDefinitions,
      responses: context.responses,
      attemptsUsed: context.attemptsUsed,
      hasAttemptInProgress: context.hasAttemptInProgress,
      audience: isLearner ? 'learner' : 'staff',
    });
  }

  /** The attempt, if the caller may use it (their own, or any for an admin); 404 otherwise. */
  async function visibleAttempt(db: Pick<PoolClient, 'query'>, caller: Caller, attemptId: string, lock: boolean) {
    if (!UUID.test(attemptId)) throw notFound('attempt');
    const context = await loadAttemptContext(db, attemptId, caller.id, lock);
    if (!context) throw notFound('attempt');
    const roles = existing(context.callerRoles);
    if (context.attempt.userId !== caller.id && !roles.includes('admin')) throw notFound('attempt');
    return { context, roles };
  }

  function assertOpen(attempt: Attempt) {
    if (attempt.state !== 'in_progress') throw conflict('This attempt is finished');
    if (attempt.closesAt && new Date() > attempt.closesAt) throw conflict('The attempt’s time is up');
  }

  /** Scores in memory from what was loaded, then writes scores and totals in one statement. */
  async function finish(db: PoolClient, caller: Caller, context: AttemptContext, finishedAt: Date) {
    const { attempt } = context;
    const { total, questions } = scoreStoredAttempt(
      attempt.questionOrder,
      context.definitions,
      new Map(context.responses.map((response) => [response.questionVersionId, response])),
      context.settings.passMark,
    );
    Object.assign(attempt, {
      submittedAt: finishedAt,
      state: total.pending > 0 ? 'pending_grading' : 'graded',
      scoreRaw: total.raw,
      scoreMax: total.max,
      scoreScaled: total.scaled,
      passed: total.passed,
      pendingCount: total.pending,
    });
    await writeScores(db, attempt, total, questions);
    const saved = new Map(context.responses.map((response) => [response.questionVersionId, response]));
    context.responses = questions.map((q) => ({
      ...toResponse(attempt.id, { questionVersionId: q.questionVersionId }),
      ...saved.get(q.questionVersionId),
      scoredVersionId: q.scoredVersionId,
      autoScore: q.autoScore,
      maxScore: q.maxScore,
      correctness: q.correctness,
      feedback: q.feedback,
    }));
    context.hasAttemptInProgress = false;
    // In the same transaction, as ProgressService.refresh after the API's finish.
    await refreshProgress(db, caller.id, caller.requestId, attempt.userId, context.moduleId);
  }

  async function start(caller: Caller, quizId: string): Promise<{ attempt: AttemptResponseDto; resumed: boolean }> {
    if (!UUID.test(quizId)) throw notFound('quiz');
    quizId = quizId.toLowerCase();
    return transaction(async (db) => {
      // The API's lock, so parallel starts give one attempt and numbers stay gapless (invariant 1).
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`attempt:${caller.id}:${quizId}`]);
      const context = await loadStartContext(db, quizId, caller.id);
      if (!context) throw notFound('quiz');
      const roles = existing(context.callerRoles);
      const now = new Date();
      const { previous, settings } = context;
      const open = previous.find((attempt) => attempt.state === 'in_progress');
      if (open) {
        const loaded = await visibleAttempt(db, caller, open.id, false);
        if (!(open.closesAt && open.closesAt < now))
          return { attempt: await view(db, loaded.context, caller.id, roles), resumed: true };
        await finish(db, caller, loaded.context, open.deadlineAt ?? now);
      }
      const { attemptsAllowed, minimumWaitMinutes, timeLimitMinutes, gracePeriodSeconds } = settings;
      if (attemptsAllowed !== 'unlimited' && previous.length >= attemptsAllowed) {
        throw conflict(`All ${attemptsAllowed} attempts allowed on this quiz are used`);
      }
      const last = previous.at(-1);
      if (last?.submittedAt && minimumWaitMinutes > 0) {
        const wait = last.submittedAt.getTime() + minimumWaitMinutes * 60_000 - now.getTime();
        if (wait > 0) throw conflict('The quiz asks for a wait between attempts');
      }
      const id = randomUUID();
      // The same draw from the quiz's pools as the API makes, so both show the same number of questions.
      const drawn = new Set(
        drawQuestions({
          attemptId: id,
          questions: context.versions.map((v) => ({ key: v.key, versionId: v.id })),
          pools: settings.pools ?? [],
        }),
      );
      const versions = context.versions.filter((version) => drawn.has(version.id));
      const order = presentationOrder({
        attemptId: id,
        questionIds: versions.map((version) => version.id),
        choiceIdsByQuestion: Object.fromEntries(versions.map((v) => [v.id, choiceIdsOf(v.definition)])),
        shuffleQuestions: settings.shuffleQuestions,
        shuffleChoices: settings.shuffleChoices,
      });
      const deadlineAt = timeLimitMinutes ? new Date(now.getTime() + timeLimitMinutes * 60_000) : null;
      const attempt: Attempt = {
        id,
        quizId,
        userId: caller.id,
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
        // The baseline has no availability windows or accommodations (issue 15): the quiz's rule as written.
        dueAt: null,
        late: false,
        lateDeduction: 0,
        rule: null,
        createdAt: now,
        updatedAt: now,
      };
      await insertAttempt(db, attempt);
      // Starting is activity: the module's progress row, as ProgressService.refresh.
      await refreshProgress(db, caller.id, caller.requestId, caller.id, context.moduleId);
      const attemptView = await view(
        db,
        {
          attempt,
          settings,
          moduleId: context.moduleId,
          callerRoles: roles,
          definitions: new Map(context.versions.map((v) => [v.id, v.definition])),
          responses: [],
          attemptsUsed: previous.length + 1,
          hasAttemptInProgress: true,
        },
        caller.id,
        roles,
      );
      return { attempt: attemptView, resumed: false };
    });
  }

  /** The shape the API's SaveResponsesDto accepts, checked by hand. */
  function parseResponses(body: unknown): { questionVersionId: string; response: ResponseValue | null }[] {
    const responses = (body as { responses?: unknown } | null)?.responses;
    if (!Array.isArray(responses) || responses.length < 1 || responses.length > 200) {
      throw invalid('responses must be an array of 1 to 200 items');
    }
    for (const item of responses as { questionVersionId?: unknown; response?: unknown }[]) {
      if (typeof item?.questionVersionId !== 'string' || !UUID.test(item.questionVersionId)) {
        throw invalid('questionVersionId must be a UUID');
      }
      if (item.response !== undefined && item.response !== null && typeof item.response !== 'object') {
        throw invalid('response must be an object');
      }
    }
    return responses as { questionVersionId: string; response: ResponseValue | null }[];
  }

  async function save(caller: Caller, attemptId: string, body: unknown): Promise<AttemptResponseDto> {
    const input = parseResponses(body);
    return transaction(async (db) => {
      const { context, roles } = await visibleAttempt(db, caller, attemptId, true);
      assertOpen(context.attempt);
      const faults = input.flatMap(({ questionVersionId, response }) => {
        const definition = context.definitions.get(questionVersionId);
        return definition ? responseProblems(definition, response ?? null) : ['not a question of this attempt'];
      });
      if (faults.length > 0) throw invalid(faults.join('; '));
      const latest = new Map(input.map((item) => [item.questionVersionId, item.response ?? null]));
      await saveResponses(db, context.attempt.id, latest);
      const byVersion = new Map(context.responses.map((response) => [response.questionVersionId, response]));
      for (const [questionVersionId, response] of latest) {
        const stored = byVersion.get(questionVersionId);
        byVersion.set(questionVersionId, { ...(stored ?? toResponse(attemptId, { questionVersionId })), response });
      }
      context.responses = [...byVersion.values()];
      return view(db, context, caller.id, roles);
    });
  }

  async function submit(caller: Caller, attemptId: string): Promise<AttemptResponseDto> {
    return transaction(async (db) => {
      const { context, roles } = await visibleAttempt(db, caller, attemptId, true);
      if (context.attempt.state === 'in_progress') {
        assertOpen(context.attempt);
        await finish(db, caller, context, new Date());
      }
      return view(db, context, caller.id, roles);
    });
  }

  async function get(caller: Caller, attemptId: string): Promise<AttemptResponseDto> {
    const { context, roles } = await visibleAttempt(pool, caller, attemptId, false);
    return view(pool, context, caller.id, roles);
  }

  async function list(caller: Caller, userRef: string, quizId: string | undefined) {
    const userId = userRef === 'me' ? caller.id : userRef.toLowerCase();
    if (!UUID.test(userId)) throw notFound('user');
    if (quizId !== undefined && !UUID.test(quizId)) throw invalid('quizId must be a UUID');
    const found = await loadAttemptList(pool, caller.id, userId, quizId?.toLowerCase() ?? null);
    const roles = existing(found.callerRoles);
    if ((userId !== caller.id && !roles.includes('admin')) || !found.targetExists) throw notFound('user');
    const grades: CountedGradeDto[] = [];
    for (const [id, settings] of found.settings) {
      const ofQuiz = found.attempts.filter((attempt) => attempt.quizId === id);
      const counted = countedGrade(
        ofQuiz.map((a) => ({
          number: a.number,
          state: a.state,
          scaled: a.scoreScaled,
          raw: a.scoreRaw,
          max: a.scoreMax,
          finishedAt: a.submittedAt,
        })),
        settings.gradingMethod,
        settings.passMark,
      );
      grades.push({
        quizId: id,
        gradingMethod: settings.gradingMethod,
        scaled: counted.scaled,
        attemptNumber: counted.attemptNumber,
        passed: counted.passed,
        attemptsUsed: ofQuiz.length,
        attemptsAllowed: settings.attemptsAllowed,
      });
    }
    return { items: found.attempts.map((attempt) => toAttemptSummary(attempt, 'learner')), grades };
  }

  async function progress(caller: Caller, userRef: string, moduleRef: string) {
    const userId = userRef === 'me' ? caller.id : userRef.toLowerCase();
    if (!UUID.test(userId)) throw notFound('user');
    const read = await readProgress(pool, caller.id, userId, moduleRef);
    const roles = existing(read.callerRoles as Role[] | null);
    if ((userId !== caller.id && !roles.includes('admin')) || !read.targetExists) throw notFound('user');
    if (!read.view) throw notFound('module');
    return read.view;
  }

  type Params = Record<string, string>;
  const route =
    (handler: (caller: Caller, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return await handler(authenticate(request), request, reply);
      } catch (error) {
        if (!(error instanceof Problem)) throw error;
        const { status, title, message } = error;
        return reply
          .status(status)
          .type('application/problem+json')
          .send({ type: 'about:blank', title, status, detail: message, instance: request.url });
      }
    };

  fastify.post(
    '/v1/quizzes/:quizId/attempts',
    route(async (caller, request, reply) => {
      const { attempt, resumed } = await start(caller, (request.params as Params).quizId);
      void reply.status(resumed ? 200 : 201);
      return attempt;
    }),
  );
  fastify.put(
    '/v1/attempts/:id/responses',
    route((caller, request) => save(caller, (request.params as Params).id, request.body)),
  );
  fastify.post(
    '/v1/attempts/:id/submit',
    route((caller, request) => submit(caller, (request.params as Params).id)),
  );
  fastify.get(
    '/v1/attempts/:id',
    route((caller, request) => get(caller, (request.params as Params).id)),
  );
  fastify.get(
    '/v1/users/:userId/attempts',
    route((caller, request) =>
      list(caller, (request.params as Params).userId, (request.query as { quizId?: string }).quizId),
    ),
  );

  fastify.get(
    '/v1/users/:userId/modules/:module/progress',
    route((caller, request) => {
      const { userId, module } = request.params as Params;
      return progress(caller, userId, module);
    }),
  );

  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (fastify.server.address() as AddressInfo).port,
    async close() {
      await fastify.close();
      await pool.end();
    },
  };
}
