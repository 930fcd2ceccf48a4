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
