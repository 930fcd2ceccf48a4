import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '../http/request-id';
import { PROBLEM_CONTENT_TYPE, problemBody } from './problem';

/**
 * Errors that Fastify answers itself, before a route or Nest's filter runs,
 * in the one problem+json shape every other error has (RFC 9457).
 */

/** Requests Node's HTTP parser refuses (headers too large, a malformed request line, a slow client). */
export function problemClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'The request headers are larger than the server accepts'
      : status === 408
        ? 'The request did not arrive in time'
        : 'The request is not well-formed HTTP';
  const requestId = randomUUID();
  const body = JSON.stringify(problemBody({ status, detail, requestId }));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Fastify's router errors: a URL that does not decode, a path parameter over its length limit. */
export function problemFrameworkErrors(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) {
  const detail =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The request URL is not validly percent-encoded'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'A path segment is longer than the server accepts'
        : 'The request could not be routed';
  void reply
    .status(400)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problemBody({ status: 400, detail, instance: request.url ?? '', requestId: String(request.id) }));
}
