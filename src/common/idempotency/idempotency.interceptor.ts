import { createHash } from 'node:crypto';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Principal } from '../../auth/access.types';
import { ValidationFailed } from '../errors/domain-error';
import { canonicalJson } from './canonical-json';
import { type IdempotentRequest, StoredResponse, withIdempotencyKey } from './idempotent-transaction';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * Stripe's semantics for `Idempotency-Key` on the routes marked @Idempotent():
 * the same key with the same request replays the first response; with another
 * request it is 422; a duplicate sent while the first runs waits for it. Only
 * successful responses are kept: a failed request may be retried with its key.
 * The route's service stores the response in its own transaction, through
 * `idempotently` (idempotent-transaction.ts); this reads the key, and sends a
 * stored response when there is one.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
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
    const route = request.routeOptions.url ?? request.url;
    const idempotent: IdempotentRequest = {
      owner: request.user ? `${request.user.kind}:${request.user.id}` : 'anonymous',
      key,
      requestHash: createHash('sha256')
        .update(`${request.method} ${route} ${canonicalJson(request.params)} ${canonicalJson(request.body ?? null)}`)
        .digest('hex'),
    };
    try {
      const body: unknown = await withIdempotencyKey(idempotent, () =>
        lastValueFrom<unknown, undefined>(next.handle(), { defaultValue: undefined }),
      );
      if (!idempotent.recorded) {
        throw new Error(`${request.method} ${route} is @Idempotent() but its service did not call idempotently()`);
      }
      return body;
    } catch (error) {
      if (!(error instanceof StoredResponse)) throw error;
      void reply.status(error.status).header('idempotent-replayed', 'true');
      return error.body;
    }
  }
}
