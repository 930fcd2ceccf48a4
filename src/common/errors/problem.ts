import { STATUS_CODES } from 'node:http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A field at fault in a request, as listed in a validation problem. */
export class FieldError {
  @ApiProperty({ example: 'email', description: 'Dotted path of the field in the request' })
  field: string;

  @ApiProperty({ example: ['email must be an email'], type: [String] })
  messages: string[];
}

/** RFC 9457 problem details, the body of every error response. */
export class ProblemDetails {
  @ApiProperty({ example: 'about:blank', description: 'URI reference naming the kind of problem' })
  type: string;

  @ApiProperty({ example: 'Not Found' })
  title: string;

  @ApiProperty({ example: 404 })
  status: number;

  @ApiPropertyOptional({ example: 'No route matches GET /nope' })
  detail?: string;

  @ApiPropertyOptional({ example: '/nope', description: 'The request path' })
  instance?: string;

  @ApiProperty({ example: '6f1c0b0e-93e5-4f1e-9a53-5d5b0c1f2a77' })
  requestId: string;

  @ApiPropertyOptional({ type: [FieldError], description: 'Present on validation problems' })
  errors?: FieldError[];

  [extension: string]: unknown;
}

/** A problem the caller may retry later; says when, as the Retry-After header does. */
export class RetryLaterProblem extends ProblemDetails {
  @ApiProperty({ example: 60, description: 'Seconds to wait before trying again (the Retry-After header too)' })
  retryAfter: number;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Seconds a caller is asked to wait (Retry-After) when the database is out of reach or too slow. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The one way a problem body is made, for the exception filter and for the
 * answers written outside it (Node's parser errors, the startup gate).
 */
export function problemBody(problem: {
  status: number;
  requestId: string;
  /** The request path, without the query. */
  instance?: string;
  type?: string;
  title?: string;
  detail?: string;
  extensions?: Record<string, unknown>;
}): ProblemDetails {
  return {
    type: problem.type ?? 'about:blank',
    title: problem.title ?? STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(problem.instance !== undefined ? { instance: problem.instance.split('?')[0] } : {}),
    requestId: problem.requestId,
    ...problem.extensions,
  };
}
