import { UNAVAILABLE_RETRY_AFTER_SECONDS } from './problem';

/**
 * An expected failure of the domain (an attempt already closed, a limit
 * reached). Each subclass carries a stable code and the HTTP status it maps to;
 * the problem filter turns it into a response in one place.
 */
export abstract class DomainError extends Error {
  /** Stable, kebab-case; becomes the problem type `/problems/<code>`. */
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly title: string;

  constructor(
    detail: string,
    /** Extension members added to the problem body. */
    readonly extensions: Record<string, unknown> = {},
    /** Response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class ResourceNotFound extends DomainError {
  readonly code = 'not-found';
  readonly status = 404;
  readonly title = 'Not Found';
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
  readonly status = 409;
  readonly title = 'Conflict';
}

export interface FieldFault {
  /** Dotted path of the field in the request body or query. */
  field: string;
  messages: string[];
}

/** A request that is well formed but breaks a rule about its fields. */
export class ValidationFailed extends DomainError {
  readonly code = 'validation';
  readonly status = 400;
  readonly title = 'Validation Failed';

  constructor(readonly errors: FieldFault[]) {
    super(`${errors.length} field${errors.length === 1 ? '' : 's'} failed validation`, { errors });
  }
}

export class TooManyRequests extends DomainError {
  readonly code = 'too-many-requests';
  readonly status = 429;
  readonly title = 'Too Many Requests';

  constructor(detail: string, retryAfterSeconds: number) {
    super(detail, { retryAfter: retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
  }
}

export class Forbidden extends DomainError {
  readonly code = 'forbidden';
  readonly status = 403;
  readonly title = 'Forbidden';
}

/** RFC 6750 §3: a missing or bad bearer token. */
export class Unauthorized extends DomainError {
  readonly code = 'unauthorized';
  readonly status = 401;
  readonly title = 'Unauthorized';

  constructor(detail: string) {
    super(detail, {}, { 'www-authenticate': 'Bearer' });
  }
}

/** The service cannot take the request now (shutting down, overloaded); the caller may retry. */
export class ServiceUnavailable extends DomainError {
  readonly code = 'service-unavailable';
  readonly status = 503;
  readonly title = 'Service Unavailable';

  constructor(detail: string) {
    super(detail, {}, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) });
  }
}

/** A state-changing request made with the session cookie without the session's CSRF token. */
export class CsrfRefused extends DomainError {
  readonly code = 'csrf';
  readonly status = 403;
  readonly title = 'Forbidden';
}

/** Sign-in with a wrong email or password (a page's session; the token endpoint answers OAuth errors). */
export class InvalidCredentials extends DomainError {
  readonly code = 'invalid-credentials';
  readonly status = 401;
  readonly title = 'Unauthorized';
}

/** A service this one calls on the caller's behalf (an LMS) failed or answered with an error. */
export class UpstreamFailed extends DomainError {
  readonly code = 'upstream-failed';
  readonly status = 502;
  readonly title = 'Bad Gateway';
}
