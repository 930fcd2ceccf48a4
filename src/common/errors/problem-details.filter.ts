import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../../database/database-unavailable';
import { DomainError } from './domain-error';
import { PROBLEM_CONTENT_TYPE, problemBody, UNAVAILABLE_RETRY_AFTER_SECONDS } from './problem';

interface Mapped {
  status: number;
  headers?: Record<string, string>;
  type?: string;
  title?: string;
  detail?: string;
  extensions?: Record<string, unknown>;
}

/** PostgreSQL SQLSTATEs that mean "try again" or "already exists", not a server fault. */
const PG_CONFLICTS: Record<string, string> = {
  '23505': 'The resource already exists or was changed by a concurrent request',
  '40001': 'A concurrent request changed the same data; retry',
  '40P01': 'A concurrent request changed the same data; retry',
};

const unavailable = (detail: string): Mapped => ({
  status: 503,
  detail,
  headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
});

/**
 * The one place errors become responses: every failure, from routing, body
 * parsing, validation, the domain or a crash, leaves as RFC 9457
 * `application/problem+json` carrying the request id. Stack traces are logged,
 * never sent.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = this.map(exception);

    if (mapped.status === 503) {
      // Expected while the database is away; one line each, no stack.
      this.logger.warn({ reqId: request.id, reason: String(exception) }, 'service unavailable');
    } else if (mapped.status >= 500) {
      this.logger.error({ err: exception, reqId: request.id }, 'request failed');
    }

    const body = problemBody({ ...mapped, instance: request.url, requestId: String(request.id) });
    void reply
      .status(mapped.status)
      .headers({ ...mapped.headers, 'content-type': PROBLEM_CONTENT_TYPE })
      .send(body);
  }

  private map(exception: unknown): Mapped {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        type: `/problems/${exception.code}`,
        title: exception.title,
        detail: exception.message,
        extensions: exception.extensions,
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) return mapHttpException(exception);
    if (isDatabaseUnavailable(exception)) {
      return unavailable('The database cannot be reached at the moment; try again shortly');
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception.driverError as { code?: string } | undefined)?.code ?? '';
      if (code in PG_CONFLICTS) return { status: 409, type: '/problems/conflict', detail: PG_CONFLICTS[code] };
      if (code === '57014') return unavailable('The database took too long to answer');
      // Input the validation let through but the database refused: still the caller's to fix.
      if (code === '22P02' || code === '22001')
        return { status: 400, detail: 'A value has the wrong form or is too long' };
      if (code === '23503')
        return {
          status: 409,
          type: '/problems/conflict',
          detail: 'A referenced record does not exist or is still in use',
        };
    }
    const fastify = mapFastifyError(exception);
    if (fastify) return fastify;
    return { status: 500, detail: 'An unexpected error occurred; quote the request id when reporting it' };
  }
}

function mapHttpException(exception: HttpException): Mapped {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return { status, detail: response };
  const { message, error: _error, statusCode: _statusCode, ...rest } = response as Record<string, unknown>;
  const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined;
  // Terminus answers 503 with the state of each check; keep it, under one name.
  if ('details' in rest && 'status' in rest) return { status, detail, extensions: { checks: rest.details } };
  return { status, detail: detail === STATUS_CODES[status] ? undefined : detail };
}

/** Errors Fastify raises before a handler runs: bad JSON, body too large, wrong media type. */
function mapFastifyError(exception: unknown): Mapped | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { statusCode, code } = exception as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  const details: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the server accepts',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'The request body has a media type the server does not accept',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'The request says it has a JSON body but has none',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length header does not match the body',
  };
  const known = typeof code === 'string' ? details[code] : undefined;
  if (known) return { status: statusCode, detail: known };
  if (exception instanceof SyntaxError) return { status: 400, detail: 'The request body is not valid JSON' };
  return { status: statusCode };
}
