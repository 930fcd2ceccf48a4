import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../src/config/config';
import { APP_CONFIG } from '../src/config/config.constants';
import { SUBSCRIBABLE_EVENT_TYPES } from '../src/events/event-types';
import { ProgressUpdates } from '../src/events/progress-updates';
import { WebhookDispatcher } from '../src/events/webhook-dispatcher';
import { ProgressService } from '../src/progress/progress.service';
import { createTestApp, type TestApp } from './support/app';
import { importModule, smallAnswerKey, smallModule, smallModuleAnswers } from './support/content';
import { bearer, createClient, createUser, type TestUser } from './support/identity';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';

interface Delivered {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { user?: { id: string; externalId: string | null }; attemptId?: string };
}

describe('webhooks (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let instructor: TestUser;
  let quizId: string;
  let slug: string;
  let moduleId: string;
  let stepIds: string[];
  let receiver: WebhookReceiver;

  const deliver = () => t.app.get(WebhookDispatcher).deliverDue();
  const emitProgressUpdates = () => t.app.get(ProgressUpdates).emitDue();
  const db = () => t.app.get(DataSource);
  /** Makes every pending delivery due now, as if its backoff had passed. */
  const fastForward = () => db().query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE state = 'pending'`);
  const register = (url: string, eventTypes: readonly string[] = SUBSCRIBABLE_EVENT_TYPES, token = admin.token) =>
    request(t.server).post('/v1/webhooks').set(bearer(token)).send({ url, eventTypes, description: 'test receiver' });
  /** What the receiver got, each verified as a `standardwebhooks` receiver verifies it. */
  const verified = (secret: string, from = receiver) =>
    from.received.map(({ headers, body }) => ({
      id: headers['webhook-id'] as string,
      ...(new Webhook(secret).verify(body, headers as Record<string, string>) as Omit<Delivered, 'id'>),
    }));

  beforeAll(async () => {
    t = await createTestApp();
    ({ quizId, slug, moduleId } = await importModule(t, smallModule(), smallAnswerKey({ when: 'immediately' })));
    admin = await createUser(t, ['admin']);
    instructor = await createUser(t, ['admin']);
    const detail = await request(t.server).get(`/v1/modules/${slug}`).set(bearer(admin.token)).expect(200);
    stepIds = (detail.body.activities as { steps: { id: string }[] }[]).flatMap((a) => a.steps.map((s) => s.id));
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    // Each test sees only its own endpoint's deliveries.
    await db().query('DELETE FROM webhook_endpoints');
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await receiver.close();
  });

  /** Start, save, submit (the essay waits), tick both steps, grade the essay: a whole module. */
  async function moduleFlow(learner: TestUser) {
    const started = await request(t.server)
      .post(`/v1/quizzes/${quizId}/attempts`)
      .set(bearer(learner.token))
      .send({})
      .expect(201);
    const attempt = started.body as {
      id: string;
      questions: { questionVersionId: string; question: { type: string } }[];
    };
    await request(t.server)
      .put(`/v1/attempts/${attempt.id}/responses`)
      .set(bearer(learner.token))
      .send({ responses: smallModuleAnswers(attempt.questions) })
      .expect(200);
    await request(t.server).post(`/v1/attempts/${attempt.id}/submit`).set(bearer(learner.token)).send({}).expect(200);
    for (const stepId of stepIds) {
      await request(t.server)
        .put(`/v1/users/me/steps/${stepId}`)
        .set(bearer(learner.token))
        .send({ done: true })
        .expect(200);
    }
    const essay = attempt.questions.find((q) => q.question.type === 'essay')!;
    await request(t.server)
      .post(`/v1/attempts/${attempt.id}/grades`)
      .set(bearer(instructor.token))
      .send({ grades: [{ questionVersionId: essay.questionVersionId, score: 1, reason: 'clear' }] })
      .expect(200);
    return attempt.id;
  }

  it('signs every delivery of a module flow as Standard Webhooks says, each event once, with the ids an LMS keys on', async () => {
    const created = await register(receiver.url).expect(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // The secret is shown once and stored encrypted.
    const listed = await request(t.server).get('/v1/webhooks').set(bearer(admin.token)).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(6));
    const [stored] = await db().query('SELECT secret_ciphertext FROM webhook_endpoints');
    expect(stored.secret_ciphertext).not.toContain(secret.slice(6, 20));

    const learner = await createUser(t, ['learner']);
    const attemptId = await moduleFlow(learner);
    expect(receiver.received).toEqual([]); // nothing is sent inside a request
    await deliver();

    const events = verified(secret);
    expect(events.map((event) => event.type)).toEqual([
      'attempt.started',
      'attempt.submitted',
      'attempt.graded',
      'progress.completed',
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(4);
    for (const event of events) {
      expect(event.data).toMatchObject({
        user: { id: learner.id, externalId: null },
        cohortIds: [],
        module: { id: moduleId, slug },
      });
    }
    expect(events[2].data).toMatchObject({
      quizId,
      attemptId,
      attemptNumber: 1,
      state: 'graded',
      score: { raw: 3, max: 3, passed: true, pending: 0 },
    });
    expect(events[1].data).toMatchObject({ state: 'pending_grading', score: { pending: 1 } });
    expect(receiver.received[0].headers['content-type']).toBe('application/json');
    const deliveries = await request(t.server)
      .get(`/v1/webhooks/${created.body.id}/deliveries`)
      .set(bearer(admin.token))
      .expect(200);
    expect(deliveries.body.items.map((d: { state: string }) => d.state)).toEqual(Array(4).fill('delivered'));
    // Delivered once: nothing more to send.
    expect(await deliver()).toBe(0);

    // The flow's progress changes (start, submit, two steps, the grade) become one progress.updated.
    expect(await emitProgressUpdates()).toBe(1);
    await deliver();
    const [update] = verified(secret).slice(4);
    expect(update).toMatchObject({
      type: 'progress.updated',
      data: {
        user: { id: learner.id },
        module: { id: moduleId, slug },
        status: 'completed',
        percentage: 100,
        stepsDone: 2,
        stepsTotal: 2,
        attemptsUsed: 1,
        countedScore: 1,
        passed: true,
        completedAt: expect.any(String),
      },
    });
  });

  it('coalesces progress.updated to one a second per learner and module, ending with the last state', async () => {
    await register(receiver.url, ['progress.updated']).expect(201);
    const learner = await createUser(t, ['learner']);
    const tick = (stepId: string, done: boolean) =>
      request(t.server).put(`/v1/users/me/steps/${stepId}`).set(bearer(learner.token)).send({ done }).expect(200);
    await tick(stepIds[0], true);
    await tick(stepIds[1], true);
    await tick(stepIds[1], false);
    expect(await emitProgressUpdates()).toBe(1);
    // A change within the second after that event waits for the second to pass; one that changes
    // nothing (ticking a ticked step) owes nothing.
    await tick(stepIds[1], true);
    await tick(stepIds[0], true);
    expect(await emitProgressUpdates()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await emitProgressUpdates()).toBe(1);
    await tick(stepIds[0], true);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await emitProgressUpdates()).toBe(0);

    await deliver();
    const updates = receiver.received.map((r) => JSON.parse(r.body) as Delivered);
    expect(updates.map((u) => u.data.stepsDone)).toEqual([1, 2]);
    expect(updates.map((u) => u.type)).toEqual(['progress.updated', 'progress.updated']);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(2);
  });

  it('retries 500s with backoff and the same webhook-id, and gives up at once on 410', async () => {
    const created = await register(receiver.url, ['attempt.started']).expect(201);
    receiver.answerWith(500, 500, 500);
    const learner = await createUser(t, ['learner']);
    await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201);

    await deliver();
    const [first] = await db().query(
      `SELECT attempts, state, last_status, extract(epoch FROM next_attempt_at - now()) AS wait FROM webhook_deliveries`,
    );
    // The first retry waits 5 s, ±20 %.
    expect(first).toMatchObject({ attempts: 1, state: 'pending', last_status: 500 });
    expect(Number(first.wait)).toBeGreaterThan(3.5);
    expect(Number(first.wait)).toBeLessThan(6.5);
    expect(await deliver()).toBe(0); // not due yet
    const waiting = (await request(t.server).get('/metrics').expect(200)).text;
    expect(waiting).toMatch(/^webhook_deliveries_pending 1$/m);
    expect(waiting).toMatch(/^webhook_oldest_pending_event_age_seconds \d/m);
    for (let i = 0; i < 3; i++) {
      await fastForward();
      await deliver();
    }
    expect(receiver.received.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const [done] = await db().query('SELECT attempts, state, last_status FROM webhook_deliveries');
    expect(done).toEqual({ attempts: 4, state: 'delivered', last_status: 200 });
    const log = await request(t.server).get(`/v1/webhooks/${created.body.id}/deliveries`).set(bearer(admin.token));
    expect(log.body.items[0]).toMatchObject({ state: 'delivered', attempts: 4, lastStatus: 200, lastResponse: 'ok' });
    const counted = (await request(t.server).get('/metrics').expect(200)).text;
    expect(counted).toMatch(/^webhook_deliveries_total\{outcome="retry"\} 3$/m);
    expect(counted).toMatch(/^webhook_deliveries_pending 0$/m);

    // 410 Gone: one try, then final.
    await db().query('DELETE FROM webhook_endpoints');
    const gone = await startWebhookReceiver();
    try {
      await register(gone.url, ['attempt.started']).expect(201);
      gone.answerWith(410);
      const other = await createUser(t, ['learner']);
      await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(other.token)).send({}).expect(201);
      await deliver();
      await fastForward();
      await deliver();
      expect(gone.received.map((r) => r.status)).toEqual([410]);
      const [failed] = await db().query('SELECT attempts, state, last_status, last_response FROM webhook_deliveries');
      expect(failed).toEqual({ attempts: 1, state: 'failed', last_status: 410, last_response: 'refused with 410' });
    } finally {
      await gone.close();
    }
  });

  it('retries what did not answer (refused, timed out, 429 with Retry-After), follows no redirect, keeps 1 KiB of a body', async () => {
    const events = t.app.get<AppConfig>(APP_CONFIG).events;
    const timeoutMs = events.timeoutMs;
    // Each case: a receiver, one delivery, and what the delivery log says after one try.
    const tryOnce = async (url: string) => {
      await db().query('DELETE FROM webhook_endpoints');
      await register(url, ['attempt.started']).expect(201);
      const learner = await createUser(t, ['learner']);
      await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201);
      expect(await deliver()).toBe(1);
      const [row] = await db().query<
        { state: string; last_status: number | null; last_response: string; wait: number }[]
      >(
        `SELECT state, last_status, last_response, extract(epoch FROM next_attempt_at - now())::float8 AS wait
           FROM webhook_deliveries`,
      );
      return row;
    };
    const serve = async (handle: (response: ServerResponse) => void) => {
      const server = createServer((incoming, response) => {
        incoming.resume();
        incoming.on('end', () => handle(response));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    };
    const servers: Server[] = [];
    try {
      // Nothing listens: the connection is refused.
      const closed = await serve(() => undefined);
      await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
      expect(await tryOnce(closed)).toMatchObject({
        state: 'pending',
        last_status: null,
        last_response: 'no answer: ECONNREFUSED',
      });

      // A receiver that never answers: given up after WEBHOOK_TIMEOUT_MS, to be tried again.
      events.timeoutMs = 300;
      const silent = await serve(() => undefined);
      expect(await tryOnce(silent)).toMatchObject({
        state: 'pending',
        last_status: null,
        last_response: 'no answer within 300 ms',
      });
      events.timeoutMs = timeoutMs;

      // 429 with Retry-After: the wait is the longer of the schedule's (5 s) and the receiver's.
      const busy = await serve((response) => response.writeHead(429, { 'retry-after': '120' }).end('slow down'));
      const throttled = await tryOnce(busy);
      expect(throttled).toMatchObject({ state: 'pending', last_status: 429, last_response: 'slow down' });
      expect(throttled.wait).toBeGreaterThan(119);

      // A redirect is an answer, not an instruction: final, and the target never called.
      const target = await startWebhookReceiver();
      try {
        const moved = await serve((response) => response.writeHead(307, { location: target.url }).end());
        expect(await tryOnce(moved)).toMatchObject({ state: 'failed', last_status: 307 });
        expect(target.received).toHaveLength(0);
      } finally {
        await target.close();
      }

      // A long answer: the log keeps its first kilobyte.
      const chatty = await serve((response) => response.writeHead(200).end('x'.repeat(100_000)));
      const kept = await tryOnce(chatty);
      expect(kept.state).toBe('delivered');
      expect(kept.last_response).toBe('x'.repeat(1_024));
    } finally {
      events.timeoutMs = timeoutMs;
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });

  it('writes no event for a change that rolled back', async () => {
    await register(receiver.url).expect(201);
    const learner = await createUser(t, ['learner']);
    jest.spyOn(t.app.get(ProgressService), 'refresh').mockRejectedValueOnce(new Error('boom'));
    await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(500);
    const rows = await db().query(`SELECT count(*)::int AS n FROM events WHERE data->'user'->>'id' = $1`, [learner.id]);
    expect(rows).toEqual([{ n: 0 }]);
    await deliver();
    expect(receiver.received).toEqual([]);
  });

  // The fault suite runs 1,000 submits by 100 learners on two instances (test/faults/webhook-delivery.fault-spec.ts).
  it('delivers each event once with concurrent workers, and each learner’s events in order', async () => {
    // A quiz of its own that allows five attempts.
    const many = await importModule(t, smallModule(10), smallAnswerKey({ attemptsAllowed: 5 }));
    await register(receiver.url, ['attempt.started', 'attempt.submitted']).expect(201);
    const learners = await Promise.all(Array.from({ length: 20 }, () => createUser(t, ['learner'])));
    let submits = 0;
    await Promise.all(
      learners.map(async (learner) => {
        for (let round = 0; round < 5; round++) {
          const started = await request(t.server)
            .post(`/v1/quizzes/${many.quizId}/attempts`)
            .set(bearer(learner.token))
            .send({})
            .expect(201);
          await request(t.server)
            .post(`/v1/attempts/${started.body.id}/submit`)
            .set(bearer(learner.token))
            .send({})
            .expect(200);
          submits++;
        }
      }),
    );
    expect(submits).toBe(100);
    // Three workers claiming side by side, as three instances would.
    const dispatcher = t.app.get(WebhookDispatcher);
    while (
      (await Promise.all([dispatcher.deliverDue(), dispatcher.deliverDue(), dispatcher.deliverDue()])).some(Boolean)
    );
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    // Per learner: the order the events were written in, each attempt started before it was submitted.
    const seqOf = new Map(
      (await db().query<{ id: string; seq: string }[]>('SELECT id, seq FROM events')).map((row) => [
        row.id,
        Number(row.seq),
      ]),
    );
    const perLearner = new Map<string, { seq: number; type: string; attemptNumber: number }[]>();
    for (const { headers, body } of receiver.received) {
      const event = JSON.parse(body) as Delivered;
      const seen = perLearner.get(event.data.user!.id) ?? [];
      seen.push({
        seq: seqOf.get(headers['webhook-id'] as string)!,
        type: event.type,
        attemptNumber: event.data.attemptNumber as number,
      });
      perLearner.set(event.data.user!.id, seen);
    }
    expect(perLearner.size).toBe(20);
    const inOrder = Array.from({ length: 5 }, (_, n) => [
      { type: 'attempt.started', attemptNumber: n + 1 },
      { type: 'attempt.submitted', attemptNumber: n + 1 },
    ]).flat();
    for (const seen of perLearner.values()) {
      expect(seen.map(({ seq }) => seq)).toEqual(seen.map(({ seq }) => seq).sort((a, b) => a - b));
      expect(seen.map(({ type, attemptNumber }) => ({ type, attemptNumber }))).toEqual(inOrder);
    }
  });

  it('signs with the old and the new secret for a day after a rotation, and sends a test event on request', async () => {
    const created = await register(receiver.url, ['module.imported']).expect(201);
    const rotated = await request(t.server)
      .post(`/v1/webhooks/${created.body.id}/rotate-secret`)
      .set(bearer(admin.token))
      .expect(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    await request(t.server)
      .post(`/v1/webhooks/${created.body.id}/test`)
      .set(bearer(admin.token))
      .expect(202, { queued: 1 });
    await deliver();
    expect(receiver.received).toHaveLength(1);
    expect((receiver.received[0].headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    for (const secret of [created.body.secret, rotated.body.secret]) {
      expect(verified(secret)).toEqual([
        expect.objectContaining({
          type: 'webhook.test',
          data: expect.objectContaining({ endpointId: created.body.id }),
        }),
      ]);
    }
    expect(() => verified('whsec_' + Buffer.alloc(32, 1).toString('base64'))).toThrow();
  });

  it('is for admins and clients with webhooks:write, and refuses URLs it must not call', async () => {
    const learner = await createUser(t, ['learner']);
    await register(receiver.url, ['attempt.started'], learner.token).expect(403);
    const reader = await createClient(t, ['progress:read']);
    await request(t.server).get('/v1/webhooks').set(bearer(reader.token)).expect(403);
    const writer = await createClient(t, ['webhooks:write']);
    const made = await register(receiver.url, ['attempt.started'], writer.token).expect(201);
    await request(t.server).get(`/v1/webhooks/${made.body.id}`).set(bearer(writer.token)).expect(200);
    await request(t.server).get('/v1/webhooks').expect(401);

    for (const url of ['http://example.com/hook', 'ftp://127.0.0.1/hook', 'not a url', 'https://u:p@example.com/']) {
      const refused = await register(url).expect(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'url' })]);
    }
    const bad = await register(receiver.url, ['attempt.started', 'no.such.type']).expect(400);
    expect(bad.body.errors[0].field).toBe('eventTypes');

    const types = await request(t.server).get('/v1/webhooks/event-types').set(bearer(admin.token)).expect(200);
    expect(types.body.items.map((item: { type: string }) => item.type)).toEqual(
      expect.arrayContaining(['attempt.graded', 'progress.completed', 'webhook.test']),
    );
    await request(t.server).get('/v1/webhooks/not-a-uuid').set(bearer(admin.token)).expect(404);
    await request(t.server)
      .patch(`/v1/webhooks/${made.body.id}`)
      .set(bearer(admin.token))
      .send({ enabled: false })
      .expect(200);
    const disabled = await request(t.server).get(`/v1/webhooks/${made.body.id}`).set(bearer(admin.token)).expect(200);
    expect(disabled.body).toMatchObject({ enabled: false });
    await request(t.server).delete(`/v1/webhooks/${made.body.id}`).set(bearer(admin.token)).expect(204);
    await request(t.server).get(`/v1/webhooks/${made.body.id}`).set(bearer(admin.token)).expect(404);
  });
});
