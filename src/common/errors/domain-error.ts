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
