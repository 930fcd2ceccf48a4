import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblem } from '../errors/api-problems.decorator';
import { IdempotencyInterceptor, KEY_FORMAT } from './idempotency.interceptor';

/** Accepts an `Idempotency-Key` header on this route (Stripe's semantics; see the interceptor). */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      schema: { type: 'string', pattern: KEY_FORMAT.source },
      description:
        'Retrying with the same key and body replays the first response; the same key with another body is 422; ' +
        'a retry sent while the first request runs waits for it. Keys are kept 24 hours.',
    }),
    ApiProblem(422, 'The Idempotency-Key was used with a different request'),
  );
