import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../errors/domain-error';

/** Keys are kept this long; a retry after that runs as a new request. */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;

export class IdempotencyKeyReused extends DomainError {
  readonly code = 'idempotency-key-reused';
  readonly status = 422;
  readonly title = 'Idempotency Key Reused';
}

/** The `Idempotency-Key` of the request being handled, as the interceptor read it. */
export interface IdempotentRequest {
  /** `user:<id>` or `client:<id>`: keys of different callers never meet. */
  owner: string;
  key: string;
  requestHash: string;
  /** Set once the route's transaction stored its response. */
  recorded?: boolean;
}

const current = new AsyncLocalStorage<IdempotentRequest>();

/** Runs a route's handler with its idempotency key in reach of `idempotently`. */
export function withIdempotencyKey<T>(request: IdempotentRequest, handler: () => Promise<T>): Promise<T> {
  return current.run(request, handler);
}

/**
 * The response a key already holds. Thrown inside the transaction, it rolls
 * back whatever the duplicate began; the interceptor sends the stored response.
 */
export class StoredResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('replaying the response stored for this Idempotency-Key');
  }
}

/**
 * Does `work` once per idempotency key, inside the caller's transaction:
 * the key's row is written in the same transaction as the change, so either
 * both commit or neither does. A database outage, a crash or a timeout midway
 * leaves no key behind that blocks the retry, and a change that committed
 * always has its response stored. Requests with the same key are serialised
 * by a transaction-scoped advisory lock (PgBouncer's transaction pooling
 * keeps those): a duplicate sent while the first runs waits for it, then
 * replays its response. Without a key (or outside an @Idempotent route) it
 * just runs `work`.
 */
export async function idempotently<T>(
  manager: EntityManager,
  work: () => Promise<T>,
  response: (result: T) => { status: number; body: unknown },
): Promise<T> {
  const request = current.getStore();
  if (!request) return work();
  const { owner, key, requestHash } = request;
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`idempotency ${owner} ${key}`]);
  const [stored] = await manager.query<{ request_hash: string; response_status: number; response_body: unknown }[]>(
    `SELECT request_hash, response_status, response_body FROM idempotency_keys
      WHERE owner = $1 AND key = $2 AND state = 'completed' AND expires_at > now()`,
    [owner, key],
  );
  if (stored) {
    if (stored.request_hash !== requestHash) {
      throw new IdempotencyKeyReused('This Idempotency-Key was used with a different request');
    }
    throw new StoredResponse(stored.response_status, stored.response_body);
  }

  const result = await work();
  const { status, body } = response(result);
  await manager.query(
    `INSERT INTO idempotency_keys (owner, key, request_hash, state, response_status, response_body, expires_at)
     VALUES ($1, $2, $3, 'completed', $4, $5::jsonb, now() + make_interval(secs => $6))
     ON CONFLICT (owner, key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, state = 'completed', response_status = EXCLUDED.response_status,
           response_body = EXCLUDED.response_body, created_at = now(), expires_at = EXCLUDED.expires_at`,
    [owner, key, requestHash, status, JSON.stringify(body ?? null), IDEMPOTENCY_RETENTION_SECONDS],
  );
  request.recorded = true;
  return result;
}
