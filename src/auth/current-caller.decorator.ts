import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Caller, Principal } from './access.types';

/** Requests whose caller the guard did not look up (see `@DefersCallerLookup()`). */
const deferredLookups = new WeakSet<object>();

export function markCallerLookupDeferred(request: object) {
  deferredLookups.add(request);
}

/** The authenticated caller and the request id, for services and the audit trail. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
  if (!request.user) throw new Error('CurrentCaller used on a route without authentication');
  const caller: Caller = { principal: request.user, requestId: String(request.id) };
  if (deferredLookups.has(request)) caller.lookupDeferred = true;
  return caller;
});
