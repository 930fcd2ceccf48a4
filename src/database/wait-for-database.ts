import { Client } from 'pg';
import type { Logger } from 'pino';

export interface WaitForDatabaseOptions {
  /** Give up after this long (DB_CONNECT_TIMEOUT_S). */
  timeoutSeconds: number;
  logger: Logger;
  /** Told of every failed try, e.g. for /health/ready while starting. */
  onFailure?: (failure: { attempt: number; reason: string; retryInMs: number }) => void;
  /** How long one try may take. */
  connectTimeoutMs?: number;
}

export class DatabaseUnreachable extends Error {
  constructor(seconds: number, reason: string) {
    super(`The database did not answer within ${seconds} s (DB_CONNECT_TIMEOUT_S): ${reason}`);
    this.name = 'DatabaseUnreachable';
  }
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/**
 * Tries the database until it answers, with exponential backoff and jitter
 * (250 ms doubling to 5 s), logging each failed try, for at most
 * `timeoutSeconds`. A service started with its database can start before it.
 */
export async function waitForDatabase(url: string, options: WaitForDatabaseOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutSeconds * 1_000;
  for (let attempt = 1; ; attempt++) {
    const reason = await tryOnce(url, options.connectTimeoutMs ?? 3_000);
    if (reason === undefined) {
      if (attempt > 1) options.logger.info({ attempt }, 'database reachable');
      return;
    }
    const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1));
    const retryInMs = Math.min(Math.round(base / 2 + Math.random() * (base / 2)), Math.max(0, deadline - Date.now()));
    if (retryInMs <= 0) throw new DatabaseUnreachable(options.timeoutSeconds, reason);
    options.logger.warn({ attempt, reason, retryInMs }, 'waiting for the database');
    options.onFailure?.({ attempt, reason, retryInMs });
    await new Promise((resolve) => setTimeout(resolve, retryInMs));
  }
}

async function tryOnce(url: string, connectTimeoutMs: number): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}
