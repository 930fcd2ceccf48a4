import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { AppConfig } from '../config/config';

/**
 * Webhook, xAPI and LTI score delivery in a worker thread of the instance
 * (WEBHOOK_DELIVERY=thread): the same WebhookDispatcher, claiming from the same
 * outbox with FOR UPDATE SKIP LOCKED, but on an event loop of its own, so that
 * sending and recording deliveries does not queue behind, or ahead of, the
 * requests the instance answers. Nothing is held here that the database does not
 * hold: a thread that dies leaves leased rows that any instance takes again once
 * the lease runs out.
 *
 * The thread runs the application's modules without HTTP (as the CLIs do), on
 * a small pool of its own; its other background jobs are off (the request
 * thread runs them). Messages to the parent: `{ outcome }` per delivery try
 * (the parent's metrics count them); from the parent:
 * `{ stop: true }`, upon which a round in flight finishes and the thread exits.
 */
export type ThreadMessage = { outcome: 'delivered' | 'retry' | 'failed' };
export interface ThreadData {
  deliveryThread: true;
  config: AppConfig;
}

/** Connections of the thread's pool: one per claim loop, and some for failures' transactions and xAPI reads. */
export const THREAD_POOL_SIZE = 4;

/** The script the parent starts (delivery-thread.main.ts), compiled: under jest there is only the .ts. */
export function deliveryThreadScript(): string | null {
  const script = join(__dirname, 'delivery-thread.main.js');
  return existsSync(script) ? script : null;
}

/** The parent's configuration, for the thread: delivery inline there, no other background work, a small pool. */
export function threadConfig(config: AppConfig): AppConfig {
  return {
    ...config,
    demoUsers: false,
    attempts: { ...config.attempts, sweepIntervalMs: 0 },
    housekeeping: { ...config.housekeeping, intervalMs: 0 },
    events: { ...config.events, delivery: 'inline' },
    database: {
      ...config.database,
      poolSize: Math.min(config.database.poolSize, THREAD_POOL_SIZE),
      replica: undefined,
    },
  };
}

/** Posts to the parent when this code runs in the delivery thread; a no-op elsewhere. */
export function toParent(message: ThreadMessage): void {
  if (!isMainThread && (workerData as Partial<ThreadData> | undefined)?.deliveryThread)
    parentPort?.postMessage(message);
}
