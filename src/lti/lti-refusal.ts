/**
 * A launch, login or deep link the tool will not serve. `message` is for the
 * person in front of the LMS, in plain words; `reason` is for the log.
 * Answered as a page (status 400, or 404 for something gone), never as a stack trace.
 */
export class LtiRefusal extends Error {
  constructor(
    override readonly message: string,
    readonly reason: string,
    readonly status: 400 | 403 | 404 = 400,
  ) {
    super(message);
    this.name = 'LtiRefusal';
  }
}
