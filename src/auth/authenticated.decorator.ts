import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblem } from '../common/errors/api-problems.decorator';
import type { Role, Scope } from './access.types';

export const ACCESS_POLICY = 'auth:policy';

export interface AccessPolicy {
  /** People holding any of these roles may call; omitted: any signed-in person. */
  roles?: Role[];
  /** Machine clients holding any of these scopes may call; omitted: no client may. */
  scopes?: Scope[];
}

/**
 * Declares who may call a route. Function-level only: services still check
 * each object against the caller.
 */
export const Authenticated = (policy: AccessPolicy = {}) =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, policy),
    ApiBearerAuth('bearer'),
    ApiProblem(401, 'Missing, invalid or expired access token'),
    ApiProblem(403, 'The caller may not use this route'),
  );

export const DEFERS_CALLER_LOOKUP = 'auth:defers-caller-lookup';

/**
 * On a route any signed-in person may call: when a person's token names
 * someone not in the principal cache, and the request is the simple case
 * (an empty JSON object body, no Idempotency-Key), the guard lets the request
 * through without looking them up, and the route's service reads their
 * roles in its transaction's first statement, answering 401 as the guard
 * would when they are gone (Caller.lookupDeferred). A learner's first
 * request then waits for one pooled connection, not two.
 */
export const DefersCallerLookup = () => SetMetadata(DEFERS_CALLER_LOOKUP, true);
