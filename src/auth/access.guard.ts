import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from '../common/errors/domain-error';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import type { Principal } from './access.types';
import { ACCESS_POLICY, type AccessPolicy } from './authenticated.decorator';
import { IS_PUBLIC } from './public.decorator';

/**
 * The global guard: closed by default. A route is reachable only when it
 * declares `@Public()` or `@Authenticated(...)`; a route that declares nothing
 * is refused for everyone (and the route inventory test fails on it).
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('AccessGuard');

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, targets);
    if (!policy) {
      this.logger.error({ handler: context.getHandler().name }, 'route declares no access policy; refusing');
      throw new Forbidden('This route is not open to anyone');
    }
    await super.canActivate(context);
    const principal = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>().user;
    if (!allows(policy, principal)) throw new Forbidden('Your role or scopes do not allow this');
    return true;
  }

  override handleRequest<T>(error: unknown, principal: T | false): T {
    // The token may be fine: who it names could not be looked up. 503 lets the caller retry.
    if (isDatabaseUnavailable(error)) throw error;
    if (error || !principal) throw new Unauthorized('A valid access token is required');
    return principal;
  }
}

export function allows(policy: AccessPolicy, principal: Principal): boolean {
  if (principal.kind === 'user') {
    return !policy.roles || policy.roles.some((role) => principal.roles.includes(role));
  }
  return !!policy.scopes && policy.scopes.some((scope) => principal.scopes.includes(scope));
}
