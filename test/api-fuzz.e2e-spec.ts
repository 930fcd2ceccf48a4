import fc from 'fast-check';
import { sign } from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SCOPES } from '../src/auth/access.types';
import type { QuestionDefinition, ResponseValue } from '../src/content/question.types';
import { findAnswerKeyLeaks, findAnswerKeyLeaksInCsv, type ReviewPolicy } from './support/answer-key-scan';
import { createTestApp, type TestApp } from './support/app';
import {
  importModule,
  keyResponse,
  MODULE5_ANSWERS,
  MODULE5_MARKDOWN,
  MODULE5_SLUG,
  smallAnswerKey,
  smallModule,
} from './support/content';
import {
  bodyText,
  type FuzzRequest,
  type Kind,
  requestArbitrary,
  undocumentedRequestArbitrary,
} from './support/fuzz-requests';
import { bearer, createClient, createUser, passwordGrant, type TestClient, type TestUser } from './support/identity';
import { type OpenApiDocument, type Operation, operationsOf, SchemaArbitraries } from './support/openapi-arbitraries';

/**
 * Property-based fuzzing of the whole API from its OpenAPI document (issue 13): for every
 * operation, valid and invalid requests generated from its schemas, each sent as every kind
 * of caller. For every response: no 5xx; every error is problem+json; a learner never
 * receives answer-key data before the review policy allows it.
 *
 * Seeded: FUZZ_SEED (default below) fixes every request. A failure names its operation,
 * kind, seed and path; FUZZ_OPERATION, FUZZ_KIND and FUZZ_PATH replay just that case
 * against fresh fixtures (FUZZ_SHRINK=1 also shrinks it). FUZZ_RUNS sets the runs per
 * operation and kind (each run sends one request per caller).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 13_2025);
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const ONLY_OPERATION = process.env.FUZZ_OPERATION;
const ONLY_KIND = process.env.FUZZ_KIND as Kind | undefined;
const REPLAY_PATH = process.env.FUZZ_PATH;
const SHRINK = process.env.FUZZ_SHRINK === '1';
const DEBUG = process.env.FUZZ_DEBUG === '1';
/** The request count is checked only for the whole run at its default size. */
const FULL_RUN = !ONLY_OPERATION && !ONLY_KIND && !REPLAY_PATH && !process.env.FUZZ_RUNS;
const MIN_REQUESTS = 3_000;

const COMMITTED = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as OpenApiDocument;
const KINDS: Kind[] = ['valid', 'invalid'];
/** Every operation and kind; FUZZ_OPERATION (or `undocumented`, for the requests off the document) and FUZZ_KIND pick some. */
const CASES = operationsOf(COMMITTED).flatMap((operation) =>
  KINDS.map((kind) => ({
    operation,
    kind,
    selected: (!ONLY_OPERATION || operation.name === ONLY_OPERATION) && (!ONLY_KIND || kind === ONLY_KIND),
  })),
);

interface Caller {
  name: string;
  /** Null: no Authorization header, or with `bogus` the request's own forged one. */
  token: string | null;
  bogus?: boolean;
  /** Learners' responses are scanned for answer keys and for the other learner's id. */
  learner?: { id: string; otherLearnerId: string };
}

/** The small module's quiz hides everything but the score until the learner has used both attempts. */
const STRICT_POLICY: ReviewPolicy = { show: 'answers', when: 'after_last_attempt', attemptsAllowed: 2 };
/** Module 5's answer key: right answers and explanations straight after each of 3 attempts. */
const MODULE5_POLICY: ReviewPolicy = { show: 'answers', when: 'immediately', attemptsAllowed: 3 };

describe('API fuzzing from the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let callers: Caller[];
  let document: OpenApiDocument;
  let policies: Map<string, ReviewPolicy>;
  let pools: Record<string, string[]>;
  let schemas: SchemaArbitraries;
  let admin: TestUser;
  let learner: TestUser;
  let smallAttemptId: string;
  let module5QuizId: string;
  const statuses = new Map<string, Map<number, number>>();
  let sent = 0;
  let startedAt = 0;

  beforeAll(async () => {
    // Sign-in limits high enough that the token endpoint answers its handler, not 429, all run long.
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000', LOGIN_MAX_FAILURES_PER_ADDRESS: '100000' });
    const module5 = await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
    const small = await importModule(
      t,
      smallModule(9),
      smallAnswerKey({ attemptsAllowed: 2, show: 'answers', when: 'after_last_attempt' }),
    );
    admin = module5.admin;
    module5QuizId = module5.quizId;
    policies = new Map([
      [module5.quizId, MODULE5_POLICY],
      [small.quizId, STRICT_POLICY],
    ]);
    learner = await createUser(t, ['learner']);
    const learner2 = await createUser(t, ['learner']);
    const instructor = await createUser(t, ['instructor']);
    const clientAll = await createClient(t, [...SCOPES]);
    const clientNone = await createClient(t, []);
    const as = (user: { token: string }) => bearer(user.token);

    // Someone to delete, re-role and revoke, so that destructive operations leave the callers intact.
    const victims: TestUser[] = [];
    for (let i = 0; i < 10; i++) victims.push(await createUser(t, ['learner'], { externalId: `fuzz-victim-${i}` }));
    const victimClients: TestClient[] = [];
    for (let i = 0; i < 5; i++) victimClients.push(await createClient(t, ['progress:read']));

    const cohort = async (name: string, members: { userId: string; role: string }[]) => {
      const id = (
        await request(t.server)
          .post('/v1/cohorts')
          .set(as(admin))
          .send({ name, moduleIds: [module5.moduleId, small.moduleId] })
          .expect(201)
      ).body.id as string;
      for (const member of members) {
        await request(t.server).post(`/v1/cohorts/${id}/members`).set(as(admin)).send(member).expect(201);
      }
      return id;
    };
    const taught = await cohort('Fuzzed cohort', [
      { userId: instructor.id, role: 'instructor' },
      { userId: learner.id, role: 'learner' },
    ]);
    const victimCohorts = [
      await cohort('Victim cohort A', [{ userId: victims[0].id, role: 'learner' }]),
      await cohort('Victim cohort B', [{ userId: victims[1].id, role: 'learner' }]),
    ];

    // Attempts in each state a learner can see: in progress, finished under a strict policy, finished under an open one.
    const module5Attempt = (
      await request(t.server).post(`/v1/quizzes/${module5.quizId}/attempts`).set(as(learner)).send({}).expect(201)
    ).body;
    const smallAttempt = (
      await request(t.server).post(`/v1/quizzes/${small.quizId}/attempts`).set(as(learner)).send({}).expect(201)
    ).body;
    smallAttemptId = smallAttempt.id;
    await request(t.server).post(`/v1/attempts/${smallAttempt.id}/submit`).set(as(learner)).send({}).expect(200);
    const otherAttempt = (
      await request(t.server).post(`/v1/quizzes/${module5.quizId}/attempts`).set(as(learner2)).send({}).expect(201)
    ).body;
    await request(t.server).post(`/v1/attempts/${otherAttempt.id}/submit`).set(as(learner2)).send({}).expect(200);
    // In progress for people who are not callers: instructors and clients save and submit them with generated answers.
    const openAttempts: string[] = [];
    for (const [index, victim] of victims.slice(3, 8).entries()) {
      const quizId = index % 2 === 0 ? module5.quizId : small.quizId;
      openAttempts.push(
        (await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(as(victim)).send({}).expect(201)).body.id,
      );
    }

    const definitions = new Map<string, QuestionDefinition>();
    for (const slug of [MODULE5_SLUG, small.slug]) {
      const quiz = await request(t.server).get(`/v1/modules/${slug}/quiz?include=answers`).set(as(admin)).expect(200);
      for (const q of quiz.body.questions as { versionId: string; definition: QuestionDefinition }[]) {
        definitions.set(q.versionId, q.definition);
      }
    }
    const steps: string[] = [];
    const items: string[] = [];
    for (const slug of [MODULE5_SLUG, small.slug]) {
      const detail = (await request(t.server).get(`/v1/modules/${slug}`).set(as(admin)).expect(200)).body;
      for (const activity of detail.activities) steps.push(...activity.steps.map((s: { id: string }) => s.id));
      items.push(...detail.checklistItems.map((i: { id: string }) => i.id));
    }

    // Forged, expired, foreign and orphaned tokens for the "bogus token" caller.
    const secret = t.config.auth.signingKey!;
    const claims = {
      issuer: t.config.auth.issuer,
      audience: t.config.auth.audience,
      header: { alg: 'HS256' as const, typ: 'at+jwt' },
    };
    const departed = await createUser(t, ['admin']);
    await request(t.server).delete(`/v1/users/${departed.id}`).set(as(admin)).expect(204);
    const refresh = (await passwordGrant(t, victims[2].email, victims[2].password).expect(200)).body
      .refresh_token as string;
    const bogusAuthorizations = [
      'Bearer not-a-token',
      'Bearer ',
      'Bearer',
      `Bearer ${'a'.repeat(4_000)}`,
      `Basic ${Buffer.from('x:y').toString('base64')}`,
      `Bearer ${sign({ roles: ['admin'] }, 'another secret of thirty-two characters', { ...claims, subject: admin.id })}`,
      `Bearer ${sign({ roles: ['admin'] }, secret, { ...claims, subject: admin.id, expiresIn: -60 })}`,
      `Bearer ${sign({ roles: ['admin'] }, secret, { ...claims, subject: randomUUID(), expiresIn: 60 })}`,
      `Bearer ${sign({ roles: ['admin'] }, secret, { ...claims, subject: 'not-a-uuid', expiresIn: 60 })}`,
      `Bearer ${sign({ roles: ['admin'] }, secret, { ...claims, audience: 'someone-else', subject: admin.id, expiresIn: 60 })}`,
      `Bearer ${sign({ client_id: 'nope', scope: SCOPES.join(' ') }, secret, { ...claims, subject: randomUUID(), expiresIn: 60 })}`,
      `Bearer ${sign({ roles: ['admin'], iat: Math.floor(Date.now() / 1000) + 3_600 }, secret, { ...claims, subject: admin.id, expiresIn: 7_200 })}`,
      `Bearer ${departed.token}`,
      `Bearer ${refresh}`,
      `Bearer ${[Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url'), Buffer.from(`{"sub":"${admin.id}","roles":["admin"]}`).toString('base64url'), ''].join('.')}`,
    ];

    callers = [
      { name: 'anonymous', token: null },
      { name: 'bogus token', token: null, bogus: true },
      { name: 'learner', token: learner.token, learner: { id: learner.id, otherLearnerId: learner2.id } },
      { name: 'second learner', token: learner2.token, learner: { id: learner2.id, otherLearnerId: learner.id } },
      { name: 'instructor', token: instructor.token },
      { name: 'admin', token: admin.token },
      { name: 'client with every scope', token: clientAll.token },
      { name: 'client with no scope', token: clientNone.token },
    ];

    // Webhook endpoints (never delivered to: delivery is off in tests), each with a delivery of a test event;
    // the last three are for DELETE, so the others stay for the operations that follow.
    const webhookIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await request(t.server)
        .post('/v1/webhooks')
        .set(as(admin))
        .send({ url: `http://127.0.0.1:9/fuzz-${i}`, eventTypes: ['attempt.graded'] })
        .expect(201);
      webhookIds.push(created.body.id as string);
      await request(t.server).post(`/v1/webhooks/${created.body.id}/test`).set(as(admin)).expect(202);
    }
    const deliveryIds = (
      await t.app.get(DataSource).query<{ id: string }[]>('SELECT id FROM webhook_deliveries ORDER BY created_at')
    ).map((row) => row.id);

    const people = [learner, learner2, instructor, admin].map((u) => u.id);
    const victimIds = victims.map((v) => v.id);
    const moduleRefs = [MODULE5_SLUG, module5.moduleId, small.slug, small.moduleId];
    pools = {
      moduleRefs,
      quizIds: [module5.quizId, small.quizId],
      attemptIds: [module5Attempt.id, smallAttempt.id, otherAttempt.id, ...openAttempts],
      userIds: ['me', ...people],
      anyUserIds: ['me', ...people, ...victimIds],
      victimIds,
      victimExternalIds: victims.map((_, i) => `fuzz-victim-${i}`),
      victimClientIds: victimClients.map((c) => c.id),
      cohortIds: [taught, ...victimCohorts],
      victimCohortIds: victimCohorts,
      steps,
      items,
      bogusAuthorizations,
      webhookIds: webhookIds.slice(0, 3),
      victimWebhookIds: webhookIds.slice(3),
      deliveryIds,
    };

    const versionIds = [...definitions.keys()];
    const essayIds = versionIds.filter((id) => definitions.get(id)!.type === 'essay');
    const responseFor = (id: string) => responseArbitrary(definitions.get(id)!);
    const people2 = [...people, ...victimIds];
    const credentials = [learner, learner2, instructor, admin, ...victims.slice(3)].map((u) => ({
      username: u.email,
      password: u.password,
    }));
    const clientCredentials = [clientAll, clientNone, ...victimClients].map((c) => ({
      client_id: c.clientId,
      client_secret: c.secret,
    }));

    // Cursors the API issued (one per list), beside random ones: `cursor` is an opaque string to the schema.
    const cursors: string[] = [];
    for (const list of [
      '/v1/users?',
      '/v1/clients?',
      '/v1/modules?',
      '/v1/cohorts?',
      `/v1/cohorts/${taught}/members?`,
      `/v1/cohorts/${taught}/progress?module=${MODULE5_SLUG}&`,
    ]) {
      const page = await request(t.server).get(`${list}limit=1`).set(as(admin)).expect(200);
      if (page.body.nextCursor) cursors.push(page.body.nextCursor as string);
    }

    document = (await request(t.server).get('/openapi.json').expect(200)).body as OpenApiDocument;
    schemas = new SchemaArbitraries(document, {
      maxStringLength: 24,
      maxArrayLength: 4,
      hugeStringLength: 256 * 1024,
      hints: {
        ResponseInputDto: fc.constantFrom(...versionIds).chain((id) =>
          fc.record({
            questionVersionId: fc.constant(id),
            response: fc.option(responseFor(id), { nil: null, freq: 8 }),
          }),
        ),
        GradeInputDto: fc.record({
          questionVersionId: fc.constantFrom(...essayIds, ...versionIds.slice(0, 3)),
          // Quarter points: what a grader gives (the schema allows 4 decimal places).
          score: fc.integer({ min: 0, max: 20 }).map((quarters) => quarters / 4),
          reason: fc.string({ minLength: 1, maxLength: 40 }),
        }),
        ImportModuleDto: fc.oneof(
          fc.record({
            markdown: fc.constant(MODULE5_MARKDOWN),
            answerKey: fc.constant(MODULE5_ANSWERS),
            dryRun: fc.boolean(),
          }),
          // Other numbers than the fixtures' (5, 9), so that no import changes a fixture's key or review policy.
          fc
            .record({
              number: fc.oneof(
                { weight: 5, arbitrary: fc.integer({ min: 20, max: 40 }) },
                { weight: 1, arbitrary: fc.constantFrom(0, 10_000, 2 ** 31, 1e20) },
              ),
              attemptsAllowed: fc.integer({ min: 1, max: 3 }),
              show: fc.constantFrom('score', 'correctness', 'answers'),
              when: fc.constantFrom('immediately', 'after_last_attempt'),
              keyed: fc.boolean(),
              dryRun: fc.boolean(),
            })
            .map(({ number, keyed, dryRun, ...key }) => ({
              markdown: smallModule(number),
              ...(keyed ? { answerKey: smallAnswerKey(key as never) } : {}),
              dryRun,
            })),
        ),
        TokenRequestDto: fc.oneof(
          fc.constantFrom(...credentials).map((c) => ({ grant_type: 'password', ...c })),
          fc
            .tuple(
              fc.constantFrom(...clientCredentials),
              fc.option(fc.subarray([...SCOPES], { minLength: 1 }), { nil: undefined }),
            )
            .map(([c, scope]) => ({
              grant_type: 'client_credentials',
              ...c,
              ...(scope ? { scope: scope.join(' ') } : {}),
            })),
          fc.constant({ grant_type: 'refresh_token', refresh_token: refresh }),
        ),
        'StartAttemptDto.userId': fc.constantFrom(learner.id, learner2.id, ...victimIds.slice(0, 2)),
        'AddMemberDto.userId': fc.constantFrom(...people2),
        externalId: fc.constantFrom(...pools.victimExternalIds),
        moduleIds: fc.subarray([module5.moduleId, small.moduleId]),
        module: fc.constantFrom(...moduleRefs),
        quizId: fc.constantFrom(module5.quizId, small.quizId),
        email: fc.constantFrom(...credentials.map((c) => c.username)),
        cursor: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...cursors) },
          {
            weight: 1,
            arbitrary: fc
              .jsonValue({ maxDepth: 2 })
              .map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url')),
          },
        ),
      },
    });
    startedAt = Date.now();
  }, 120_000);
  afterAll(() => t?.close());

  const pathPool = (operation: Operation, parameter: string): readonly string[] => {
    const { method, path } = operation;
    const writes = method !== 'get';
    switch (parameter) {
      case 'ref':
      case 'module':
        return pools.moduleRefs;
      case 'quizId':
        return pools.quizIds;
      case 'stepId':
        return pools.steps;
      case 'itemId':
        return pools.items;
      case 'externalId':
        return pools.victimExternalIds;
      case 'userId':
        return path.startsWith('/v1/cohorts/') ? pools.anyUserIds : pools.userIds;
      case 'id':
        if (path.startsWith('/v1/attempts/')) return pools.attemptIds;
        if (path.startsWith('/v1/clients/')) return pools.victimClientIds;
        // Writes go to cohorts of their own: a new roster would end the instructor's access to the fixture cohort.
        if (path.startsWith('/v1/cohorts/')) return writes ? pools.victimCohortIds : pools.cohortIds;
        // Deleting or re-roling a caller would change who the other requests come from.
        if (path.startsWith('/v1/users/')) return writes ? pools.victimIds : pools.anyUserIds;
        if (path.startsWith('/v1/webhooks/')) return method === 'delete' ? pools.victimWebhookIds : pools.webhookIds;
        return [];
      case 'deliveryId':
        return pools.deliveryIds;
      default:
        return [];
    }
  };

  async function send(fuzz: FuzzRequest, caller: Caller): Promise<request.Response> {
    let req = request(t.server)[fuzz.method](fuzz.url).redirects(0);
    for (const [name, value] of Object.entries(fuzz.headers)) req = req.set(name, value);
    const authorization = caller.token ? `Bearer ${caller.token}` : caller.bogus ? fuzz.bogusAuthorization : undefined;
    if (authorization !== undefined) req = req.set('authorization', authorization);
    if (fuzz.body) req = req.set('content-type', fuzz.body.contentType).send(bodyText(fuzz.body));
    const res = await req.buffer(true).parse((response, done) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => done(null, text));
    });
    sent++;
    return res;
  }

  /** Every fault of one response, in words; empty when it is fine. */
  function faultsOf(res: request.Response, caller: Caller): string[] {
    const faults: string[] = [];
    const text = typeof res.body === 'string' ? res.body : '';
    const type = String(res.headers['content-type'] ?? '');
    let json: unknown;
    if (/json/.test(type)) {
      try {
        json = JSON.parse(text);
      } catch {
        faults.push(`a ${type} body that does not parse`);
      }
    }
    if (res.status >= 500) faults.push(`status ${res.status}`);
    if (res.status >= 400) {
      if (!/^application\/problem\+json/.test(type))
        faults.push(`an error as ${type || 'no content type'}, not problem+json`);
      const problem = json as { type?: unknown; title?: unknown; status?: unknown } | undefined;
      if (typeof problem?.type !== 'string' || typeof problem.title !== 'string' || problem.status !== res.status) {
        faults.push('a problem without type, title and the status it was sent with');
      }
    }
    if (caller.learner) {
      const leaks =
        json !== undefined
          ? findAnswerKeyLeaks(json, (quizId) => policies.get(quizId))
          : /csv/.test(type)
            ? findAnswerKeyLeaksInCsv(text)
            : [];
      faults.push(...leaks.map((leak) => `answer-key data for a learner at ${leak.path} (${leak.why})`));
      if (res.status < 300 && text.includes(caller.learner.otherLearnerId))
        faults.push('another learner’s id in a learner’s response');
    }
    return faults;
  }

  function count(name: string, status: number) {
    const byStatus = statuses.get(name) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    statuses.set(name, byStatus);
  }

  describe('the answer-key scan', () => {
    it('finds the key in what staff may see (so it would catch a leak to a learner)', async () => {
      const quiz = await request(t.server)
        .get(`/v1/modules/${MODULE5_SLUG}/quiz?include=answers`)
        .set(bearer(admin.token))
        .expect(200);
      const keys = new Set(findAnswerKeyLeaks(quiz.body, (id) => policies.get(id)).map((leak) => leak.key));
      expect([...keys]).toEqual(expect.arrayContaining(['definition', 'correct', 'accepted', 'section']));

      // The admin sees the strict quiz's attempt with everything; the learner's policy must not allow it yet.
      const staffView = await request(t.server)
        .get(`/v1/attempts/${smallAttemptId}`)
        .set(bearer(admin.token))
        .expect(200);
      const leaked = findAnswerKeyLeaks(staffView.body, (id) => policies.get(id));
      expect(leaked.map((leak) => leak.key)).toEqual(
        expect.arrayContaining(['correctness', 'rightAnswer', 'explanation']),
      );
      expect(leaked.every((leak) => /^results\[\d+\]\./.test(leak.path))).toBe(true);

      // …while the learner's own view of that attempt holds none of it, and Module 5's open policy lets it through.
      const learnerView = await request(t.server)
        .get(`/v1/attempts/${smallAttemptId}`)
        .set(bearer(learner.token))
        .expect(200);
      expect(learnerView.body.score).not.toBeNull();
      expect(findAnswerKeyLeaks(learnerView.body, (id) => policies.get(id))).toEqual([]);
      const open = { ...staffView.body, quizId: module5QuizId };
      expect(findAnswerKeyLeaks(open, (id) => policies.get(id))).toEqual([]);
      expect(findAnswerKeyLeaks({ ...open, state: 'in_progress' }, (id) => policies.get(id)).length).toBeGreaterThan(0);
    });

    it('reads CSV header rows too', () => {
      expect(findAnswerKeyLeaksInCsv('attemptId,questionKey,correctness\r\n1,kc-1,correct')).toEqual([
        expect.objectContaining({ key: 'correctness' }),
      ]);
      expect(findAnswerKeyLeaksInCsv('learner,status\n')).toEqual([]);
    });
  });

  it('fuzzes the operations of the document the app serves', () => {
    expect(operationsOf(document).map((o) => o.name)).toEqual(operationsOf(COMMITTED).map((o) => o.name));
  });

  /** Sends each generated request as every caller and checks every response; a failure says how to replay it. */
  async function fuzz(name: string, kind: Kind | 'undocumented', arbitrary: fc.Arbitrary<FuzzRequest>) {
    const property = fc.asyncProperty(arbitrary, async (generated) => {
      const faults: string[] = [];
      for (const caller of callers) {
        const res = await send(generated, caller);
        count(name, res.status);
        const found = faultsOf(res, caller);
        if (DEBUG && kind === 'valid' && caller.name === 'admin' && res.status === 400) {
          console.log(
            `${name} ${generated.url.slice(0, 200)} ${generated.body?.text.slice(0, 300) ?? ''}\n→ ${String(res.body).slice(0, 400)}`,
          );
        }
        if (found.length > 0) {
          const body = typeof res.body === 'string' ? res.body.slice(0, 600) : '';
          faults.push(
            `as ${caller.name}: ${found.join('; ')}\n    → ${res.status} ${String(res.headers['content-type'])} ${body}`,
          );
        }
      }
      if (faults.length > 0) throw new Error(faults.join('\n'));
    });
    try {
      await fc.assert(property, { seed: SEED, numRuns: RUNS, path: REPLAY_PATH, endOnFailure: !SHRINK });
    } catch (error) {
      const path = /path: "([^"]*)"/.exec(String(error))?.[1] ?? '';
      const selection =
        kind === 'undocumented' ? `FUZZ_OPERATION=undocumented` : `FUZZ_OPERATION='${name}' FUZZ_KIND=${kind}`;
      throw new Error(
        `${name} (${kind}) failed. Replay: FUZZ_SEED=${SEED} ${selection} FUZZ_PATH='${path}' npx jest test/api-fuzz.e2e-spec.ts\n` +
          String(error) +
          (error instanceof Error && error.cause
            ? `\nWhat went wrong:\n${String((error.cause as Error).message ?? error.cause)}`
            : ''),
        { cause: error },
      );
    }
  }

  describe.each(CASES)('$operation.name ($kind)', ({ operation, kind, selected }) => {
    (selected ? it : it.skip)(
      'answers no 5xx, errors as problem+json, no answer key to a learner',
      async () => {
        const sources = {
          schemas,
          pathPool,
          bogusAuthorizations: pools.bogusAuthorizations,
          bodyLimitBytes: t.config.http.bodyLimitBytes,
        };
        await fuzz(operation.name, kind, requestArbitrary(operation, kind, sources));
      },
      120_000,
    );
  });

  (ONLY_OPERATION && ONLY_OPERATION !== 'undocumented' ? describe.skip : describe)('off the document', () => {
    it('answers methods and paths no operation has, as problems', async () => {
      await fuzz(
        'undocumented',
        'undocumented',
        undocumentedRequestArbitrary(operationsOf(document), pools.bogusAuthorizations),
      );
    }, 120_000);
  });

  it(`sent at least ${MIN_REQUESTS} requests, and reached the handlers`, () => {
    const seconds = (Date.now() - startedAt) / 1000;
    const reached = [...statuses].filter(([, byStatus]) => [...byStatus.keys()].some((s) => s < 300));
    const tooMany = [...statuses.values()].reduce((sum, byStatus) => sum + (byStatus.get(429) ?? 0), 0);
    console.log(
      `fuzz: seed ${SEED}, ${sent} requests in ${seconds.toFixed(1)} s, ${reached.length}/${statuses.size} operations answered 2xx, ${tooMany} answered 429\n` +
        [...statuses]
          .map(
            ([name, byStatus]) =>
              `  ${name}: ${[...byStatus]
                .sort(([a], [b]) => a - b)
                .map(([s, n]) => `${s}×${n}`)
                .join(' ')}`,
          )
          .join('\n'),
    );
    if (!FULL_RUN) return;
    expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS);
    // Most operations must have done their work at least once, not only refused.
    expect(reached.length).toBeGreaterThanOrEqual(Math.floor(statuses.size * 0.75));
    expect(tooMany).toBeLessThan(sent / 20);
  });
});

/** A response of the question's type: the key now and then, otherwise random content of the right shape. */
function responseArbitrary(definition: QuestionDefinition): fc.Arbitrary<ResponseValue> {
  const ids = (list: { id: string }[] | undefined) => (list ?? []).map((item) => item.id);
  const text = fc.string({ maxLength: 60 });
  const random: fc.Arbitrary<ResponseValue> = (() => {
    switch (definition.type) {
      case 'single_choice':
        return fc
          .constantFrom(...ids(definition.choices), 'zz')
          .map((choiceId) => ({ type: 'single_choice' as const, choiceId }));
      case 'multiple_choice':
        return fc
          .subarray(ids(definition.choices))
          .map((choiceIds) => ({ type: 'multiple_choice' as const, choiceIds }));
      case 'true_false':
        return fc.boolean().map((value) => ({ type: 'true_false' as const, value }));
      case 'short_text':
        return text.map((t) => ({ type: 'short_text' as const, text: t }));
      case 'numeric':
        return fc
          .double({ noNaN: true, noDefaultInfinity: true })
          .map((value) => ({ type: 'numeric' as const, value }));
      case 'ordering':
        return fc.shuffledSubarray(ids(definition.items)).map((order) => ({ type: 'ordering' as const, order }));
      case 'matching':
        return fc
          .tuple(
            ...ids(definition.prompts).map((prompt) =>
              fc.tuple(fc.constant(prompt), fc.constantFrom(...ids(definition.options))),
            ),
          )
          .map((pairs) => ({ type: 'matching' as const, pairs: Object.fromEntries(pairs) }));
      case 'essay':
        return text.map((t) => ({ type: 'essay' as const, text: t }));
    }
  })();
  return fc.oneof({ weight: 1, arbitrary: fc.constant(keyResponse(definition)) }, { weight: 3, arbitrary: random });
}
