import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What we accept from a caller as a request id: short, printable, no spaces. */
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps the caller's `X-Request-Id` when it is sane; otherwise makes one. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
}
