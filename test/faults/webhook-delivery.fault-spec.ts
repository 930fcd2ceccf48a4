import type { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { startApiInstance, type ApiInstance } from './support/api-instance';
import { createLearners, openFaultCourse, type Course, type FaultCourse, type Learner } from './support/course';
import { Ledger, startLearnerLoad } from './support/learner-load';

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
const EVENT_TYPES = ['attempt.started', 'attempt.submitted', 'attempt.graded', 'progress.completed'];

/** Events out across instances: the outbox survives a killed writer, and two deliverers send each event once. */
describe('webhook delivery with several instances and a killed one', () => {
  let fault: FaultCourse;
  let env: Record<string, string>;
  let course: Course;
  let db: Client;
  let admin: Learner;
  let receiver: WebhookReceiver;
  let secret: string;
  const instances: ApiInstance[] = [];

  const start = async (name: string, pollMs: string) => {
    const instance = await startApiInstance(name, { ...env, DB_POOL_SIZE: '5', WEBHOOK_POLL_INTERVAL_MS: pollMs });
    instances.push(instance);
    await instance.waitReady();
    return instance;
  };
  const pending = async () =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE state = 'pending'`)).rows[0]
      .n;
  const drained = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while ((await pending()) > 0 && Date.now() < deadline) await sleep(100);
    return pending();
  };

  beforeAll(async () => {
    fault = await openFaultCourse();
    ({ env, db, course } = fault);
    [admin] = await createLearners(db, env, 1, 'admin');
    receiver = await startWebhookReceiver();
  }, 180_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.destroy()));
    await receiver?.close();
    await fault?.close();
  });

  it('delivers what a killed instance committed but never sent, once another instance runs', async () => {
    const writer = await start('writer', '0'); // writes events, delivers nothing
    const registered = await fetch(`${writer.url}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, eventTypes: EVENT_TYPES }),
    });
    expect(registered.status).toBe(201);
    secret = ((await registered.json()) as { secret: string }).secret;

    const ledger = new Ledger();
    const load = startLearnerLoad({
      targets: () => [writer],
      course,
      learners: await createLearners(db, env, 5),
      ledger,
    });
    await sleep(2_000);
    await load.stop();
    writer.process.kill('SIGKILL');
    await writer.exited;
    const committed = await pending();
    expect(committed).toBeGreaterThan(0);
    expect(receiver.received).toHaveLength(0);

    await start('deliverer', '100');
    expect(await drained(30_000)).toBe(0);
    const ids = receiver.received.map((r) => r.headers['webhook-id'] as string);
    console.log(
      JSON.stringify({ scenario: 'webhooks after SIGKILL', committedBeforeKill: committed, delivered: ids.length }),
    );
    expect(ids).toHaveLength(committed);
    expect(new Set(ids).size).toBe(committed);
    for (const { headers, body } of receiver.received) {
      expect(() => new Webhook(secret).verify(body, headers as Record<string, string>)).not.toThrow();
    }
  });

  it('two instances delivering under 1,000 submits by 100 learners send each event exactly once, each learner’s in order', async () => {
    receiver.received.length = 0;
    const {
      rows: [{ since }],
    } = await db.query<{ since: string }>('SELECT max(seq) AS since FROM events');
    const a = instances.at(-1)!;
    const b = await start('deliverer-2', '100');
    const ledger = new Ledger();
    const load = startLearnerLoad({
      targets: () => [a, b],
      course,
      learners: await createLearners(db, env, 100),
      ledger,
    });
    // Each flow ends with a submit; the learners finish the flows they are in after the 1,000th.
    const giveUpAt = Date.now() + 240_000;
    while (load.flows() < 1_000 && Date.now() < giveUpAt) await sleep(100);
    await load.stop();
    expect(await drained(30_000)).toBe(0);

    const { rows: events } = await db.query<{ id: string; seq: string; user_id: string }>(
      `SELECT e.id, e.seq, e.data->'user'->>'id' AS user_id FROM events e
         JOIN webhook_deliveries d ON d.event_id = e.id
        WHERE e.seq > $1`,
      [since],
    );
    const received = receiver.received.map((r) => r.headers['webhook-id'] as string);
    const seqOf = new Map(events.map((event) => [event.id, Number(event.seq)]));
    const userOf = new Map(events.map((event) => [event.id, event.user_id]));
    const perLearner = new Map<string, number[]>();
    for (const id of received)
      perLearner.set(userOf.get(id)!, [...(perLearner.get(userOf.get(id)!) ?? []), seqOf.get(id)!]);
    const outOfOrder = [...perLearner.values()].filter((seqs) => seqs.some((seq, i) => i > 0 && seq < seqs[i - 1]));
    console.log(
      JSON.stringify({
        scenario: 'webhooks, two deliverers',
        submits: ledger.submitted.size,
        events: events.length,
        delivered: received.length,
        duplicates: received.length - new Set(received).size,
        learnersOutOfOrder: outOfOrder.length,
      }),
    );
    expect(ledger.failures.slice(0, 5)).toEqual([]);
    expect(received.length).toBe(events.length);
    expect(new Set(received).size).toBe(events.length);
    expect(outOfOrder).toEqual([]);
    expect(ledger.submitted.size).toBeGreaterThanOrEqual(1_000);
    expect(perLearner.size).toBe(100);
  });
});
