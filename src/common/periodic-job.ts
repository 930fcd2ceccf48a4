import type { Logger } from '@nestjs/common';

/**
 * Runs a job every `intervalMs` in the background: never two runs of it at
 * once (a tick that finds the previous run still going is skipped), failures
 * logged rather than thrown, the timer unref'd so it never keeps the process
 * alive, and `stop()` waits for a run in progress so shutdown does not cut a
 * transaction short.
 */
export class PeriodicJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly logger: Logger,
    private readonly failureMessage: string,
    private readonly job: () => Promise<unknown>,
  ) {}

  /** Starts ticking; an interval of 0 or less leaves the job off. */
  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.job()
        .catch((error: unknown) => this.logger.error({ err: error }, this.failureMessage))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
