import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { CsrfRefused, Forbidden, Unauthorized } from '../common/errors/domain-error';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import type { Principal } from './access.types';
import { ACCESS_POLICY, type AccessPolicy, DEFERS_CALLER_LOOKUP } from './authenticated.decorator';
import { allowCallerLookupDeferral } from './jwt.strategy';
import { IS_PUBLIC } from './public.decorator';
import { IDEMPOTENCY_HEADER } from '../common/idempotency/idempotency.interceptor';
import { csrfMatches, SESSION_COOKIE, WebSessionService } from './web-session.service';

/** Methods that change nothing: no CSRF token needed with the session cookie. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The global guard: closed by default. A route is reachable only when it
 * declares `@Public()` or `@Authenticated(...)`; a route that declares nothing
 * is refused for everyone (and the route inventory test fails on it).
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('AccessGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: WebSessionService,
  ) {
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
    const request = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
    // A bearer token wins; without one, the pages' session cookie (and, to change anything, its CSRF token).
    const cookie = request.headers.authorization ? undefined : request.cookies?.[SESSION_COOKIE];
    if (cookie) {
      const session = await this.sessions.resolve(cookie);
      if (!session) throw new Unauthorized('Your session has ended; sign in again');
      if (!SAFE_METHODS.has(request.method)) {
        const sent = request.headers['x-csrf-token'];
        if (!csrfMatches(typeof sent === 'string' ? sent : undefined, session.csrfToken)) {
          throw new CsrfRefused('X-CSRF-Token is missing or wrong');
        }
      }
      request.user = session.principal;
    } else {
      // passport-jwt verifies the token (src/auth/jwt.strategy.ts) and sets request.user.
      if (this.mayDeferLookup(policy, targets, request)) allowCallerLookupDeferral(request);
      await super.canActivate(context);
    }
    const principal = request.user;
    if (!allows(policy, principal)) throw new Forbidden('Your role or scopes do not allow this');
    return true;
  }

  /** See `@DefersCallerLookup()`: a route any person may call, simply asked (the strategy checks who asks). */
  private mayDeferLookup(
    policy: AccessPolicy,
    targets: Parameters<Reflector['getAllAndOverride']>[1],
    request: FastifyRequest,
  ): boolean {
    return (
      !policy.roles &&
      this.reflector.getAllAndOverride<boolean>(DEFERS_CALLER_LOOKUP, targets) === true &&
      request.headers[IDEMPOTENCY_HEADER] === undefined &&
      isEmptyObject(request.body)
    );
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

function isEmptyObject(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    Object.getPrototypeOf(body) === Object.prototype &&
    Object.keys(body).length === 0
  );
}
