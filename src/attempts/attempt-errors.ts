import { DomainError } from '../common/errors/domain-error';

/** The attempt no longer takes answers: submitted, or past its deadline and grace period. */
export class AttemptClosed extends DomainError {
  readonly code = 'attempt-closed';
  readonly status = 409;
  readonly title = 'Attempt Closed';
}

export class AttemptLimitReached extends DomainError {
  readonly code = 'attempt-limit-reached';
  readonly status = 409;
  readonly title = 'Attempt Limit Reached';
}

export class AttemptTooSoon extends DomainError {
  readonly code = 'attempt-too-soon';
  readonly status = 409;
  readonly title = 'Too Soon for Another Attempt';

  constructor(detail: string, retryAfterSeconds: number) {
    super(detail, { retryAfter: retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
  }
}

/** Grading needs a finished attempt. */
export class AttemptInProgress extends DomainError {
  readonly code = 'attempt-in-progress';
  readonly status = 409;
  readonly title = 'Attempt In Progress';
}

/** A start before the learner's opening (the quiz's, their cohort's, or none). */
export class QuizNotOpen extends DomainError {
  readonly code = 'quiz-not-open';
  readonly status = 409;
  readonly title = 'Quiz Not Open Yet';

  constructor(opensAt: Date) {
    super(`The quiz opens at ${opensAt.toISOString()}`, { opensAt: opensAt.toISOString() });
  }
}

/** Nothing is accepted from the learner's closing on. */
export class QuizClosed extends DomainError {
  readonly code = 'quiz-closed';
  readonly status = 409;
  readonly title = 'Quiz Closed';

  constructor(closesAt: Date) {
    super(`The quiz closed at ${closesAt.toISOString()}`, { closesAt: closesAt.toISOString() });
  }
}
