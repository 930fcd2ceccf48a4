import { createHash } from 'node:crypto';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/access.types';
import { ConflictError, DomainError, ValidationFailed } from '../errors/domain-error';
import { canonicalJson } from './canonical-json';
import { IdempotencyKey } from './idempotency-key.entity';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Keys are kept this long; a retry after that runs as a new request. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
/** A first request that has not finished after this long is taken to have died. */
const IN_PROGRESS_LEASE_MS = 60_000;
export const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

export class IdempotencyKeyReused extends DomainError {
  readonly code = 'idempotency-key-reused';
  readonly status = 422;
  readonly title = 'Idempotency Key Reused';
}

/**
 * Stripe's semantics for `Idempotency-Key` on the routes marked @Idempotent():
 * the same key with the same request replays the first response; with another
 * request it is 422; while the first is still running it is 409. Only
 * successful responses are kept: a failed request may be retried with its key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: Principal }>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return next.handle();
    return from(this.run(request, http.getResponse<FastifyReply>(), key, next));
  }

  private async run(
    request: FastifyRequest & { user?: Principal },
    reply: FastifyReply,
    key: string | string[],
    next: CallHandler,
  ) {
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      throw new ValidationFailed([
        { field: 'Idempotency-Key', messages: ['must be 1-255 printable ASCII characters'] },
      ]);
    }
    const owner = request.user ? `${request.user.kind}:${request.user.id}` : 'anonymous';
    const route = request.routeOptions.url ?? request.url;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${route} ${canonicalJson(request.params)} ${canonicalJson(request.body ?? null)}`)
      .digest('hex');

    const claimed = await this.claim(owner, key, requestHash);
    if (claimed !== true) {
      if (claimed.requestHash !== requestHash) {
        throw new IdempotencyKeyReused('This Idempotency-Key was used with a different request');
      }
      if (claimed.state === 'in_progress') {
        throw new ConflictError('A request with this Idempotency-Key is still being processed; retry later');
      }
      void reply.status(claimed.responseStatus ?? 200).header('idempotent-replayed', 'true');
      return claimed.responseBody;
    }

    try {
      const body: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.dataSource
        .getRepository(IdempotencyKey)
        .update(
          { owner, key },
          { state: 'completed', responseStatus: reply.statusCode, responseBody: (body ?? null) as object },
        );
      return body;
    } catch (error) {
      await this.dataSource.getRepository(IdempotencyKey).delete({ owner, key });
      throw error;
    }
  }

  /** Inserts the key as in progress; returns true when this request owns it, else the existing row. */
  private async claim(owner: string, key: string, requestHash: string): Promise<true | IdempotencyKey> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (owner, key, request_hash, state, expires_at)
       VALUES ($1, $2, $3, 'in_progress', now() + make_interval(secs => $4))
       ON CONFLICT (owner, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'in_progress', response_status = NULL,
             response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at < now()
            OR (idempotency_keys.state = 'in_progress'
                AND idempotency_keys.created_at < now() - make_interval(secs => $5))
       RETURNING owner`,
      [owner, key, requestHash, RETENTION_MS / 1000, IN_PROGRESS_LEASE_MS / 1000],
    );
    if (rows.length > 0) return true;
    return this.dataSource.getRepository(IdempotencyKey).findOneByOrFail({ owner, key });
  }
}
