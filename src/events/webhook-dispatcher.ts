import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Counter, Gauge } from 'prom-client';
import type { Statement } from '@xapi/xapi';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { Agent, type Dispatcher } from 'undici';
import { AuditService } from '../audit/audit.service';
import { SYSTEM_CALLER } from '../auth/access.types';
import { PeriodicJob } from '../common/periodic-job';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { MetricsService } from '../metrics/metrics.service';
import { DeliveryDestinations, type DeliveryOutcome } from './delivery-destinations';
import { deliveryThreadScript, type ThreadData, threadConfig, type ThreadMessage, toParent } from './delivery-thread';
import { ProgressUpdates } from './progress-updates';
import type { EndpointKind } from './webhook-endpoint.entity';
import { SecretBox } from './webhook-secrets';
import { pinnedLookup, webhookUrlProblem } from './webhook-url';
import { XapiDestination } from './xapi/xapi-destination';
import { XapiSources } from './xapi/xapi-sources';

/**
 * Seconds to wait after each failed try (after the first, immediate one):
 * Standard Webhooks' and Svix's schedule, stretched as Stripe's to about 3
 * days in all; each wait varies by ±20 % so receivers that failed together
 * are not hit together.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 72_000];
/** An endpoint failing without a success for this long is disabled. */
export const DISABLE_AFTER_FAILING_DAYS = 5;
const LEASE_SECONDS = 120;
const RESPONSE_EXCERPT_BYTES = 1_024;
/** One round of claims; more rounds follow at once while there is work (a learner's next event waits for the last). */
const BATCH = 50;
const ROUND_BUDGET_MS = 2_000;
/** Rounds in flight at once: under load a round waits on pooled connections, and one at a time fell behind. */
const PARALLEL_ROUNDS = 2;

interface Claimed {
  id: string;
  endpoint_id: string;
  attempts: number;
  event_id: string;
  type: string;
  occurred_at: Date;
  data: unknown;
  kind: EndpointKind;
  url: string;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
}

/** A held connection, or the pool. */
interface Queryable {
  query(sql: string, parameters: unknown[]): Promise<unknown>;
}

interface DeliveredRow {
  id: string;
  endpoint_id: string;
  status: number | null;
  excerpt: string;
}

type Outcome = DeliveryOutcome;

/**
 * Delivers pending webhook deliveries, in every instance, safely on any
 * number of them: rows are leased with FOR UPDATE SKIP LOCKED (a crashed
 * worker's lease runs out and another instance takes the row), and a
 * learner's events go to an endpoint one at a time, in the order they were
 * written. At-least-once: a receiver de-duplicates on `webhook-id`.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  // Each round writes the coalesced progress.updated events that are due, then delivers.
  private readonly job = new PeriodicJob(this.logger, 'delivering webhooks failed', async () => {
    await this.progressUpdates.emitDue();
    return this.deliverDue();
  });
  private readonly box: SecretBox;
  private readonly outcomes: Counter<'outcome'>;
  /**
   * Keeps connections to receivers alive between deliveries. In production, connections go only to
   * the addresses checked when they are opened (no DNS rebinding).
   */
  private readonly agent: Agent;
  /** The delivery thread, with WEBHOOK_DELIVERY=thread (src/events/delivery-thread.ts). */
  private thread?: Worker;
  private restart?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly progressUpdates: ProgressUpdates,
    private readonly xapi: XapiDestination,
    private readonly xapiSources: XapiSources,
    private readonly destinations: DeliveryDestinations,
    metrics: MetricsService,
  ) {
    this.box = new SecretBox(config.events.secretKey ?? '');
    this.agent = new Agent(config.env === 'production' ? { connect: { lookup: pinnedLookup() } } : {});
    this.outcomes = new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery tries by this instance, by outcome: delivered, retry (will be tried again), failed (given up)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    // Read from the database at each scrape (the queue is shared by every instance), in one query:
    // the first gauge's collect sets both, and the registry collects them in this order.
    const oldest = new Gauge({
      name: 'webhook_oldest_pending_event_age_seconds',
      help: 'Age of the oldest event with a delivery still pending (0 when none)',
      registers: [],
    });
    new Gauge({
      name: 'webhook_deliveries_pending',
      help: 'Webhook deliveries waiting to be sent or retried, over all instances',
      registers: [metrics.registry],
      async collect() {
        const [row] = await dataSource.query<{ pending: number; oldest: number | null }[]>(
          `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(e.occurred_at))::float8 AS oldest
             FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.state = 'pending'`,
        );
        this.set(row.pending);
        oldest.set(row.oldest ?? 0);
      },
    });
    metrics.registry.registerMetric(oldest);
  }

  onApplicationBootstrap() {
    if (this.config.events.pollIntervalMs > 0 && this.config.events.delivery === 'thread') {
      const script = deliveryThreadScript();
      if (!script) {
        throw new Error(
          'WEBHOOK_DELIVERY=thread needs the compiled app (npm run build); WEBHOOK_DELIVERY=inline delivers on the request thread',
        );
      }
      this.startThread(script);
      return;
    }
    this.job.start(this.config.events.pollIntervalMs);
  }

  /** Delivery in a worker thread; started again 5 s after it stops unless the instance is stopping. */
  private startThread(script: string) {
    const data: ThreadData = { deliveryThread: true, config: threadConfig(this.config) };
    const thread = new Worker(script, { workerData: data });
    thread.on('message', (message: ThreadMessage) => {
      this.outcomes.inc({ outcome: message.outcome });
    });
    thread.on('error', (error) => this.logger.error({ err: error }, 'the delivery thread failed'));
    thread.on('exit', (code) => {
      if (this.thread === thread) this.thread = undefined;
      if (this.stopping) return;
      this.logger.error({ code }, 'the delivery thread stopped; another starts in 5 s');
      this.restart = setTimeout(() => this.startThread(script), 5_000);
    });
    this.thread = thread;
  }

  /**
   * Before the database closes (onApplicationShutdown): a round in flight still has its connection. The
   * delivery thread is asked to stop and given the shutdown timeout to finish its round.
   */
  async beforeApplicationShutdown() {
    this.stopping = true;
    clearTimeout(this.restart);
    const thread = this.thread;
    if (thread) {
      const exited = once(thread, 'exit');
      thread.postMessage({ stop: true });
      const kill = setTimeout(() => void thread.terminate(), this.config.http.shutdownTimeoutMs);
      await exited;
      clearTimeout(kill);
    }
    await this.job.stop();
    await this.agent.close();
  }

  /**
   * Sends what is due, round after round while there is more, in PARALLEL_ROUNDS loops: while
   * one round's deliveries are out or being recorded, another is claimed (SKIP LOCKED keeps their
   * rows apart; a learner's later event waits while an earlier one is pending in either loop).
   * Returns how many tries were made.
   */
  async deliverDue(): Promise<number> {
    const started = Date.now();
    let tried = 0;
    // Each loop claims and marks successes through a connection of its own, held for the call:
    // under load, a query on the shared pool waits behind every request's, twice a round, and the
    // queue fell behind. (One connection each: a pg client runs one query at a time.)
    // A small pool (the embedded database has one connection) keeps every connection for requests
    // and for recording retries: one loop then, on the shared pool.
    const dedicated = this.config.database.poolSize > PARALLEL_ROUNDS + 1;
    const rounds = async () => {
      const connection = dedicated ? this.dataSource.createQueryRunner() : undefined;
      await connection?.connect();
      const queries: Queryable = connection ?? this.dataSource.manager;
      try {
        const delivered = new CoalescingWriter<DeliveredRow>((rows) => this.markDelivered(queries, rows));
        for (;;) {
          const claimed = await this.claim(queries, BATCH);
          if (claimed.length === 0) return;
          const statements = this.statementsOfRound(claimed);
          await Promise.all(claimed.map((delivery) => this.deliverOne(delivery, delivered, statements)));
          tried += claimed.length;
          if (Date.now() - started > ROUND_BUDGET_MS) return;
        }
      } finally {
        await connection?.release();
      }
    };
    await Promise.all(Array.from({ length: dedicated ? PARALLEL_ROUNDS : 1 }, rounds));
    return tried;
  }

  private async claim(connection: Queryable, limit: number): Promise<Claimed[]> {
    return (await connection.query(
      `WITH claimed AS (
         UPDATE webhook_deliveries d
            SET leased_until = now() + make_interval(secs => $2), attempts = d.attempts + 1, last_attempt_at = now()
          WHERE d.id IN (
            SELECT c.id FROM webhook_deliveries c
             WHERE c.state = 'pending' AND c.next_attempt_at <= now()
               AND (c.leased_until IS NULL OR c.leased_until < now())
               AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.id = c.endpoint_id AND w.disabled_at IS NULL)
               AND NOT EXISTS (
                 SELECT 1 FROM webhook_deliveries p
                  WHERE p.endpoint_id = c.endpoint_id AND p.ordering_key = c.ordering_key
                    AND p.state = 'pending' AND p.event_seq < c.event_seq)
             ORDER BY c.event_seq
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
         RETURNING d.id, d.endpoint_id, d.event_id, d.attempts)
       SELECT c.id, c.endpoint_id, c.attempts, e.id AS event_id, e.type, e.occurred_at, e.data,
              w.kind, w.url, w.secret_ciphertext, w.previous_secret_ciphertext, w.previous_secret_expires_at
         FROM claimed c JOIN events e ON e.id = c.event_id JOIN webhook_endpoints w ON w.id = c.endpoint_id
        ORDER BY e.seq`,
      [limit, LEASE_SECONDS],
    )) as Claimed[];
  }

  /**
   * The xAPI statements of a round's LRS deliveries, loaded for all of them at once (two queries a
   * round, not two per delivery). A failure reaches each LRS delivery of the round as a retry.
   */
  private statementsOfRound(claimed: Claimed[]): Promise<Map<string, Statement[]>> {
    const lrs = claimed.filter((delivery) => delivery.kind === 'xapi');
    if (lrs.length === 0) return Promise.resolve(new Map<string, Statement[]>());
    const loading = this.xapiSources
      .statementsOf(
        lrs.map((delivery) => ({
          id: delivery.event_id,
          type: delivery.type,
          occurredAt: delivery.occurred_at,
          data: delivery.data as Record<string, unknown>,
        })),
      )
      .then((built) => new Map(lrs.map((delivery, n) => [delivery.id, built[n]])));
    // Handled where each delivery awaits it; this keeps a rejection that comes first from counting as unhandled.
    loading.catch(() => undefined);
    return loading;
  }

  private async deliverOne(
    delivery: Claimed,
    delivered: CoalescingWriter<DeliveredRow>,
    statements: Promise<Map<string, Statement[]>>,
  ): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.send(delivery, statements);
    } catch (error) {
      // A fault of ours (a secret that no longer opens, say): keep the row, try again later.
      this.logger.error({ err: error, deliveryId: delivery.id }, 'could not send a webhook delivery');
      outcome = { kind: 'retry', status: null, excerpt: 'not sent: the service could not prepare it' };
    }
    await this.record(delivery, outcome, delivered);
  }

  /** One try: checks the URL again (DNS may have changed), then sends as the destination's kind says. */
  private async send(delivery: Claimed, statements: Promise<Map<string, Statement[]>>): Promise<Outcome> {
    if (delivery.kind !== 'webhook' && delivery.kind !== 'xapi') {
      const destination = this.destinations.get(delivery.kind);
      if (!destination)
        return { kind: 'retry', status: null, excerpt: `not sent: no ${delivery.kind} destination here` };
      return destination.deliver({
        deliveryId: delivery.id,
        eventId: delivery.event_id,
        type: delivery.type,
        occurredAt: delivery.occurred_at,
        data: delivery.data as Record<string, unknown>,
      });
    }
    const problem = await webhookUrlProblem(delivery.url, this.config.env === 'production');
    if (problem) return { kind: 'final', status: null, excerpt: `not sent: the URL ${problem}` };
    return delivery.kind === 'xapi'
      ? this.sendStatements(delivery, (await statements).get(delivery.id))
      : this.sendWebhook(delivery);
  }

  /** The Standard Webhooks request, signed with the secret (and the previous one while it lasts). */
  private async sendWebhook(delivery: Claimed): Promise<Outcome> {
    const body = JSON.stringify({
      type: delivery.type,
      timestamp: delivery.occurred_at.toISOString(),
      data: delivery.data,
    });
    const now = new Date();
    const secrets = [this.box.open(delivery.secret_ciphertext)];
    if (
      delivery.previous_secret_ciphertext &&
      delivery.previous_secret_expires_at &&
      delivery.previous_secret_expires_at > now
    ) {
      secrets.push(this.box.open(delivery.previous_secret_ciphertext));
    }
    const signature = secrets.map((secret) => new Webhook(secret).sign(delivery.event_id, now, body)).join(' ');
    return this.post(delivery.url, body, {
      'user-agent': 'assessment-api-webhooks/1',
      'webhook-id': delivery.event_id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    });
  }

  /**
   * The event's xAPI statements in one POST {XAPI_LRS_URL}/statements (xAPI 1.0.3 §2.1.6.1), with
   * ids derived from the event's, so a retry sends the same statements under the same ids. The
   * spec: an LRS "MUST NOT make any modifications to its state based on receiving a Statement with
   * an id that it already has", and "SHOULD return 409 Conflict if they do not match" the one it
   * has. A retry of identical statements therefore gets a 2xx from a conforming LRS; a 409 says it
   * holds *different* statements under our ids, which we cannot call delivered: it is a final
   * failure, kept in the delivery log with the LRS's answer.
   */
  private async sendStatements(delivery: Claimed, statements: Statement[] | undefined): Promise<Outcome> {
    if (!statements || statements.length === 0) {
      return { kind: 'delivered', status: null, excerpt: 'nothing to send: the event makes no statement' };
    }
    const { username, password } = this.xapi.credentials(delivery.secret_ciphertext);
    const outcome = await this.post(`${delivery.url.replace(/\/+$/, '')}/statements`, JSON.stringify(statements), {
      'user-agent': 'assessment-api-xapi/1',
      'x-experience-api-version': '1.0.3',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    });
    return outcome.kind === 'retry' || outcome.status !== 409 ? outcome : { ...outcome, kind: 'final' };
  }

  /**
   * One JSON POST; its answer sorted into delivered, retry (network errors, timeouts, 408, 429, 5xx) or
   * final. Sent with undici's `request`, not `fetch`: a third of the CPU per delivery (measured in
   * BENCHMARKS.md, "Webhooks"), and redirects are not followed either way.
   */
  private async post(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
    const target = new URL(url);
    const timeout = this.config.events.timeoutMs;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
    } catch (error) {
      const failure = error as { code?: unknown; name?: string; message?: string };
      // A system or undici error code (a DOMException's is a number, and says nothing).
      const code = typeof failure.code === 'string' ? failure.code : undefined;
      // The host turned private between the check and the connection: as final as a refused URL.
      if (code === 'EADDRNOTALLOWED') return { kind: 'final', status: null, excerpt: `not sent: ${failure.message}` };
      const timedOut =
        failure.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
      const excerpt = timedOut ? `no answer within ${timeout} ms` : `no answer: ${code ?? failure.name ?? 'error'}`;
      return { kind: 'retry', status: null, excerpt };
    }
    const excerpt = await readExcerpt(response.body);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { kind: 'delivered', status, excerpt };
    if (status === 408 || status === 429 || status >= 500) {
      return { kind: 'retry', status, excerpt, retryAfterSeconds: retryAfter(response.headers['retry-after']) };
    }
    return { kind: 'final', status, excerpt };
  }

  /** Counted here, and in the parent's metrics when this runs in the delivery thread. */
  private count(outcome: 'delivered' | 'retry' | 'failed') {
    this.outcomes.inc({ outcome });
    toParent({ outcome });
  }

  private async record(delivery: Claimed, outcome: Outcome, delivered: CoalescingWriter<DeliveredRow>): Promise<void> {
    const excerpt = outcome.excerpt.slice(0, RESPONSE_EXCERPT_BYTES);
    if (outcome.kind === 'delivered') {
      this.count('delivered');
      await delivered.write({
        id: delivery.id,
        endpoint_id: delivery.endpoint_id,
        status: outcome.status,
        excerpt,
      });
      return;
    }
    // A retry past the last wait of the schedule is a failure like a final answer.
    const delay = outcome.kind === 'retry' ? RETRY_DELAYS_SECONDS[delivery.attempts - 1] : undefined;
    const waitSeconds =
      outcome.kind === 'retry' && delay !== undefined
        ? Math.max(delay * (0.8 + Math.random() * 0.4), outcome.retryAfterSeconds ?? 0)
        : null;
    this.count(waitSeconds === null ? 'failed' : 'retry');
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE webhook_deliveries
            SET state = CASE WHEN $2::float8 IS NULL THEN 'failed' ELSE 'pending' END,
                next_attempt_at = CASE WHEN $2::float8 IS NULL THEN next_attempt_at
                                       ELSE now() + make_interval(secs => $2::float8) END,
                leased_until = NULL, last_status = $3, last_response = $4
          WHERE id = $1`,
        [delivery.id, waitSeconds, outcome.status, excerpt],
      );
      const [endpoint] = await manager.query<{ id: string; url: string; disabled: boolean }[]>(
        `UPDATE webhook_endpoints
            SET failing_since = coalesce(failing_since, now()),
                -- The score passback serves every platform at once: one that fails must not stop the others.
                disabled_at = CASE WHEN kind <> 'lti_ags' AND failing_since < now() - make_interval(days => $2)
                                   THEN now() END
          WHERE id = $1 AND disabled_at IS NULL
          RETURNING id, url, disabled_at IS NOT NULL AS disabled`,
        [delivery.endpoint_id, DISABLE_AFTER_FAILING_DAYS],
      );
      if (endpoint?.disabled) {
        await this.audit.record(manager, SYSTEM_CALLER, {
          action: 'webhook.disabled',
          targetType: 'webhook',
          targetId: endpoint.id,
          after: { url: endpoint.url },
          reason: `deliveries failed for ${DISABLE_AFTER_FAILING_DAYS} days without a success`,
        });
        this.logger.warn({ endpointId: endpoint.id }, 'webhook endpoint disabled after failing for days');
      }
    });
  }

  /**
   * Successes of any number of deliveries in one statement: under load, one statement a round
   * instead of one per delivery, each waiting for a pooled connection behind the requests'.
   */
  private async markDelivered(connection: Queryable, rows: DeliveredRow[]): Promise<void> {
    await connection.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(id uuid, endpoint_id uuid, status int, excerpt text)
       ),
       done AS (
         UPDATE webhook_deliveries d SET state = 'delivered', delivered_at = now(), leased_until = NULL,
                last_status = i.status, last_response = i.excerpt
           FROM input i WHERE d.id = i.id)
       UPDATE webhook_endpoints SET failing_since = NULL
        WHERE id IN (SELECT endpoint_id FROM input) AND failing_since IS NOT NULL`,
      [JSON.stringify(rows)],
    );
  }
}

/**
 * Writes what callers hand it in batches: the first item is written at once,
 * and those handed in while a write runs go together in the next one. A
 * caller's promise settles when the statement holding its item has.
 */
export class CoalescingWriter<T> {
  private waiting: { item: T; settle: (error?: Error) => void }[] = [];
  private writing = false;

  constructor(private readonly writeBatch: (items: T[]) => Promise<void>) {}

  write(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        await this.writeBatch(batch.map((entry) => entry.item));
        for (const entry of batch) entry.settle();
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const entry of batch) entry.settle(failure);
      }
    }
    this.writing = false;
  }
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // Stops reading after the first kilobyte (leaving the loop destroys the body and its
    // connection): a receiver cannot make us hold a large body.
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= RESPONSE_EXCERPT_BYTES) break;
    }
  } catch {
    // The receiver hung up mid-body, or the time ran out: keep what came.
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}

/** Retry-After in seconds (delta or HTTP date), capped at a day; undefined when absent or unreadable. */
function retryAfter(value: string | string[] | undefined): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 86_400) : undefined;
}
