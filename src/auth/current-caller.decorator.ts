import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Caller, Principal } from './access.types';

/** The authenticated caller and the request id, for services and the audit trail. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
  if (!request.user) throw new Error('CurrentCaller used on a route without authentication');
  return { principal: request.user, requestId: String(request.id) };
});
