/**
 * The webhooks phase of the submit-path bench (issue 14): the API's submit
 * scenario again, with and without one webhook endpoint registered for every
 * subscribable event type, in one fresh API process, runs in the order of
 * BENCH_WEBHOOK_ORDER (without, with, without by default, so JIT warm-up and
 * a growing database favour neither side). The endpoint is a receiver in its
 * own process on loopback (webhook-receiver.ts) that verifies every signature.
 *
 * Per run: submits/s, the CPU of each party (the receiver's apart), and for a
 * run with the endpoint: deliveries queued (in the database) against received,
 * the lag from each event's occurred_at to its arrival over the events of the
 * timed part, and how long the queue took to drain after the load stopped.
 *
 * The API runs with NODE_ENV=development here: production refuses webhook URLs
 * to loopback, at registration and before each delivery. Nothing else in
 * src/ reads NODE_ENV once DATABASE_URL is set (demo users stay off).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Client } from 'pg';
import type { Role } from '../../src/auth/access.types';
import { childMessage } from '../child-message';
import { forkServer, measured, nextMessage, stopServer } from './children';
import { type CpuProfile, summariseProfile } from './cpu-profile';
import {
  checkInvariant,
  connect,
  type InvariantReport,
  type QuizFixture,
  type SubmitLedger,
  waitUntilIdle,
} from './database';
import {
  type CompletedFlow,
  type LatencySummary,
  type LearnerPool,
  type LoadTiming,
  runSubmitLoad,
  type SubmitRun,
} from './load';
import type { ChildMessage, ParentMessage } from './protocol';
import type { Received, ReceiverCommand, ReceiverMessage } from './webhook-receiver';
import type { Measured } from './report';
import { type BenchSettings, databaseOf, withDatabase } from './settings';

export type WebhookRunKind = 'with' | 'without';

/** What one delivery run with the endpoint adds up to; absent on runs without it. */
export interface DeliveryFigures {
  /** Deliveries queued for the endpoint during the run (warm-up included), from the database. */
  queued: number;
  /** Of those, for events that occurred in the timed part. */
  queuedTimed: number;
  /** Distinct events the receiver got during the run, and for events of the timed part. */
  received: number;
  receivedTimed: number;
  /** Queued deliveries whose event the receiver never got (by id, not by count). */
  missing: number;
  /**
   * Events received during the run that were not among its queued ones: written by transactions that took
   * their seq before the run's start was read and committed after it (counted apart, not as missing's offset).
   */
  earlier: number;
  /** Deliveries of an event already received (at-least-once allows them). */
  duplicates: number;
  signatureFailures: number;
  /** Deliveries given up (state failed) or still pending once drained or timed out. */
  failed: number;
  pending: number;
  /** Receive time − occurred_at, ms, first receipt of each event of the timed part. */
  lag: LatencySummary & { p95: number };
  /**
   * Where the lag goes, per event type (timed part): occurred_at → claimed (last_attempt_at) → marked
   * delivered (delivered_at), from the database, and occurred_at → received, from the receiver; ms.
   */
  stages: {
    type: string;
    count: number;
    claimed: [number, number];
    recorded: [number, number];
    received: [number, number];
  }[];
  /** Deliveries pending once a second through the timed part (the backlog), and when the load stopped. */
  backlog: number[];
  pendingAtStop: number;
  /** From the load's end until no delivery was pending, ms; undefined if it never drained. */
  drainMs?: number;
}

export interface WebhookRun {
  kind: WebhookRunKind;
  submit: SubmitRun & Measured;
  /** Events written during the run (the outbox is written whether or not an endpoint listens). */
  events: number;
  deliveries?: DeliveryFigures;
}

export interface WebhookPhase {
  runs: WebhookRun[];
  invariant: InvariantReport;
  eventTypes: string[];
  nodeEnv: string;
  pollIntervalMs: string;
}

function receiverMessage<T extends ReceiverMessage['type']>(child: ChildProcess, type: T) {
  return childMessage<ReceiverMessage, T>(child, type, 'the webhook receiver');
}

async function ask<T extends ReceiverMessage['type']>(child: ChildProcess, command: ReceiverCommand, reply: T) {
  const answer = receiverMessage(child, reply);
  child.send(command);
  return answer;
}

async function commandServer(server: ChildProcess, command: ParentMessage, reply: ChildMessage['type']) {
  const answer = nextMessage(server, reply);
  server.send(command);
  await answer;
}

interface ProfiledRun {
  kind: WebhookRunKind;
  submit: SubmitRun & Measured;
  file: string;
}

/**
 * BENCH_WEBHOOK_PROFILE=1: where the API's CPU went in each run, as ms per submit (a package's inclusive
 * share of the samples × the server's CPU ms per submit), and what the runs with the endpoint spent
 * beyond the mean of those without. The profiler's own cost lowers every run's rate: read these runs
 * for where the time goes, not for the ratio.
 */
function printProfiles(profiles: ProfiledRun[]) {
  const perSubmit = profiles.map(({ kind, submit, file }) => {
    const { inclusiveShare, selfShare } = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const ms = (submit.cpu.server * 1000 * (submit.wallMs / 1000)) / submit.submits;
    const scale = (shares: Map<string, number>) => new Map([...shares].map(([name, share]) => [name, share * ms]));
    return { kind, file, ms, categories: scale(inclusiveShare), functions: scale(selfShare) };
  });
  const extra = (pick: (run: (typeof perSubmit)[number]) => Map<string, number>) => {
    const mean = (runs: typeof perSubmit, name: string) =>
      runs.reduce((sum, run) => sum + (pick(run).get(name) ?? 0), 0) / Math.max(1, runs.length);
    const withRuns = perSubmit.filter((run) => run.kind === 'with');
    const withoutRuns = perSubmit.filter((run) => run.kind === 'without');
    const names = new Set(perSubmit.flatMap((run) => [...pick(run).keys()]));
    return [...names]
      .map((name) => ({ name, with: mean(withRuns, name), without: mean(withoutRuns, name) }))
      .sort((a, b) => b.with - b.without - (a.with - a.without))
      .slice(0, 25);
  };
  console.log('\nCPU profiles of the API (BENCH_WEBHOOK_PROFILE=1; the profiler slows every run):\n');
  for (const run of perSubmit)
    console.log(`- ${run.kind}: ${run.ms.toFixed(2)} ms of server CPU per submit (${run.file})`);
  for (const [title, pick] of [
    ['package or app folder, inclusive', (run: (typeof perSubmit)[number]) => run.categories],
    ['function, self', (run: (typeof perSubmit)[number]) => run.functions],
  ] as const) {
    console.log(`\nWhat the runs with the endpoint spent beyond those without, by ${title}, ms per submit:\n`);
    console.log('| where | with | without | difference |\n| --- | ---: | ---: | ---: |');
    for (const row of extra(pick)) {
      console.log(
        `| ${row.name} | ${row.with.toFixed(3)} | ${row.without.toFixed(3)} | ${(row.with - row.without).toFixed(3)} |`,
      );
    }
  }
}

async function api<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

function lagOf(lags: number[]): LatencySummary & { p95: number } {
  const sorted = Float64Array.from(lags).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

async function pendingFor(db: Client, endpointId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND state = 'pending'`,
    [endpointId],
  );
  return rows[0].n;
}

/** Once a second, how many deliveries wait: whether the dispatcher keeps up or a backlog grows. */
function sampleBacklog(db: Client, endpointId: string) {
  const samples: number[] = [];
  let stopped = false;
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = pendingFor(db, endpointId).then(
      (n) => void (stopped || samples.push(n)),
      () => undefined,
    );
  }, 1000);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await sampling;
    return samples;
  };
}

async function maxSeq(db: Client): Promise<string> {
  const { rows } = await db.query<{ seq: string }>(`SELECT coalesce(max(seq), 0)::text AS seq FROM events`);
  return rows[0].seq;
}

export async function measureWebhooks(options: {
  settings: BenchSettings;
  fixture: QuizFixture;
  learners: LearnerPool;
  /** The API's ledger from the main phase: the same database, so the invariant counts both. */
  ledger: SubmitLedger;
  /** Signs an access token for a user id with the given roles. */
  sign: (userId: string, roles: Role[]) => string;
}): Promise<WebhookPhase> {
  const { settings, fixture, learners, ledger } = options;
  const database = databaseOf(settings, 'api');
  const admin = await connect(settings.serverUrl);
  const db = await connect(withDatabase(settings.serverUrl, database));
  const receiver = fork(join(__dirname, 'webhook-receiver.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pollIntervalMs = settings.webhookPollMs === undefined ? 'default (500)' : String(settings.webhookPollMs);
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'development' };
  if (settings.webhookPollMs !== undefined) env.WEBHOOK_POLL_INTERVAL_MS = String(settings.webhookPollMs);
  let server: ChildProcess | undefined;
  try {
    const { port: receiverPort } = await receiverMessage(receiver, 'listening');
    server = forkServer(settings, 'api', env);
    const { port } = await nextMessage(server, 'listening');
    const url = `http://127.0.0.1:${port}`;

    const {
      rows: [adminUser],
    } = await db.query<{ id: string }>(
      `INSERT INTO users (email, display_name, roles) VALUES ('webhooks-admin@bench.example', 'Bench admin', ARRAY['admin'])
       RETURNING id`,
    );
    const adminToken = options.sign(adminUser.id, ['admin']);
    const { items } = await api<{ items: { type: string; subscribable: boolean }[] }>(
      url,
      adminToken,
      'GET',
      '/v1/webhooks/event-types',
    );
    const eventTypes = items.filter((item) => item.subscribable).map((item) => item.type);

    let endpoint: { id: string; enabled: boolean } | undefined;
    const runs: WebhookRun[] = [];
    const profiles: ProfiledRun[] = [];
    const completed: CompletedFlow[] = [];
    for (const [index, kind] of settings.webhookOrder.entries()) {
      if (kind === 'with' && !endpoint) {
        const created = await api<{ id: string; secret: string }>(url, adminToken, 'POST', '/v1/webhooks', {
          url: `http://127.0.0.1:${receiverPort}/hooks`,
          eventTypes,
          description: 'submit-path bench receiver',
        });
        await ask(receiver, { type: 'secret', secret: created.secret }, 'ready');
        endpoint = { id: created.id, enabled: true };
      } else if (endpoint && endpoint.enabled !== (kind === 'with')) {
        await api(url, adminToken, 'PATCH', `/v1/webhooks/${endpoint.id}`, { enabled: kind === 'with' });
        endpoint.enabled = kind === 'with';
      }
      await ask(receiver, { type: 'take' }, 'received');
      const seqBefore = await maxSeq(db);
      console.log(
        `  api, webhooks run ${index + 1} (${kind} endpoint): submit, ${settings.warmup} s warm-up + ${settings.duration} s`,
      );
      let stopBacklog: () => Promise<number[]> = () => Promise.resolve([]);
      const child = server;
      const profileFile = join(settings.root, 'bench', 'results', `webhooks-run-${index + 1}-${kind}.cpuprofile`);
      const load = async (timing: LoadTiming) => {
        const run = await runSubmitLoad({
          url,
          connections: settings.connections,
          timing: {
            ...timing,
            onWindowStart: async () => {
              if (kind === 'with' && endpoint) stopBacklog = sampleBacklog(db, endpoint.id);
              await timing.onWindowStart?.();
              if (settings.webhookProfile)
                await commandServer(child, { type: 'profile', action: 'start' }, 'profiling');
            },
          },
          fixture,
          learners,
          ledger,
          completed,
        });
        if (settings.webhookProfile) {
          mkdirSync(dirname(profileFile), { recursive: true });
          await commandServer(child, { type: 'profile', action: 'stop', file: profileFile }, 'profiled');
        }
        return run;
      };
      const submit = await measured(server, settings, 'api', load, [receiver.pid!]);
      if (settings.webhookProfile) profiles.push({ kind, submit, file: profileFile });
      const backlog = await stopBacklog();

      let deliveries: DeliveryFigures | undefined;
      if (kind === 'with' && endpoint) {
        const pendingAtStop = await pendingFor(db, endpoint.id);
        // Drained: nothing pending, polled every 50 ms from the load's end (submits still in flight included).
        let drainMs: number | undefined;
        const deadline = submit.endedAtMs + settings.webhookDrainTimeoutMs;
        while (Date.now() < deadline) {
          if ((await pendingFor(db, endpoint.id)) === 0) {
            drainMs = Date.now() - submit.endedAtMs;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await waitUntilIdle(admin, database);
        // A submit that committed after the drain was seen queues more: wait for those too (not timed).
        while (Date.now() < deadline && (await pendingFor(db, endpoint.id)) > 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const got = await ask(receiver, { type: 'take' }, 'received');
        const {
          rows: [counts],
        } = await db.query<{ queued: number; queued_timed: number; failed: number; pending: number }>(
          `SELECT count(*)::int AS queued,
                  count(*) FILTER (WHERE e.occurred_at >= to_timestamp($3 / 1000.0)
                                     AND e.occurred_at <= to_timestamp($4 / 1000.0))::int AS queued_timed,
                  count(*) FILTER (WHERE d.state = 'failed')::int AS failed,
                  count(*) FILTER (WHERE d.state = 'pending')::int AS pending
             FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
            WHERE d.endpoint_id = $1 AND d.event_seq > $2::bigint`,
          [endpoint.id, seqBefore, submit.startedAtMs, submit.endedAtMs],
        );
        const { rows: stageRows } = await db.query<{
          type: string;
          count: number;
          claimed: [number, number];
          recorded: [number, number];
        }>(
          `SELECT e.type, count(*)::int AS count,
                  percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (
                    ORDER BY extract(epoch FROM d.last_attempt_at - e.occurred_at) * 1000) AS claimed,
                  percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (
                    ORDER BY extract(epoch FROM d.delivered_at - d.last_attempt_at) * 1000) AS recorded
             FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
            WHERE d.endpoint_id = $1 AND d.event_seq > $2::bigint AND d.state = 'delivered'
              AND e.occurred_at >= to_timestamp($3 / 1000.0) AND e.occurred_at <= to_timestamp($4 / 1000.0)
            GROUP BY e.type ORDER BY min(e.seq)`,
          [endpoint.id, seqBefore, submit.startedAtMs, submit.endedAtMs],
        );
        const { rows: queuedRows } = await db.query<{ id: string }>(
          `SELECT d.event_id AS id FROM webhook_deliveries d WHERE d.endpoint_id = $1 AND d.event_seq > $2::bigint`,
          [endpoint.id, seqBefore],
        );
        const first = new Map<string, Received>();
        let duplicates = 0;
        for (const delivery of got.deliveries) {
          if (first.has(delivery.id)) duplicates++;
          else first.set(delivery.id, delivery);
        }
        const timed = [...first.values()].filter(
          (delivery) => delivery.occurredAt >= submit.startedAtMs && delivery.occurredAt <= submit.endedAtMs,
        );
        deliveries = {
          queued: counts.queued,
          queuedTimed: counts.queued_timed,
          received: first.size,
          receivedTimed: timed.length,
          missing: queuedRows.filter((row) => !first.has(row.id)).length,
          earlier: first.size - queuedRows.filter((row) => first.has(row.id)).length,
          duplicates,
          signatureFailures: got.signatureFailures,
          failed: counts.failed,
          pending: counts.pending,
          lag: lagOf(timed.map((delivery) => delivery.receivedAt - delivery.occurredAt)),
          stages: stageRows.map((row) => {
            const lag = lagOf(
              timed.filter((delivery) => delivery.type === row.type).map((d) => d.receivedAt - d.occurredAt),
            );
            return { ...row, received: [lag.p50, lag.p99] };
          }),
          backlog,
          pendingAtStop,
          drainMs,
        };
      } else {
        await waitUntilIdle(admin, database);
      }
      const {
        rows: [written],
      } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE seq > $1::bigint`, [seqBefore]);
      runs.push({ kind, submit, events: written.n, deliveries });
    }
    if (settings.webhookProfile) printProfiles(profiles);
    if (learners.rounds > 3)
      console.log(`  WARNING: learners made up to ${learners.rounds} attempts; raise BENCH_LEARNERS`);
    const invariant = await checkInvariant(db, ledger, fixture);
    return { runs, invariant, eventTypes, nodeEnv: 'development', pollIntervalMs };
  } finally {
    if (server) await stopServer(server);
    if (receiver.connected) receiver.disconnect();
    await db.end();
    await admin.end();
  }
}
