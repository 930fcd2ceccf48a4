import type { Logger } from '@nestjs/common';
import { PeriodicJob } from './periodic-job';

describe('PeriodicJob', () => {
  let errors: unknown[][];
  const logger = { error: (...args: unknown[]) => errors.push(args) } as unknown as Logger;

  beforeEach(() => {
    errors = [];
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  /** A job whose runs the test finishes by hand. */
  function controlledJob() {
    const finishers: Array<(outcome?: Error) => void> = [];
    const job = jest.fn(
      () => new Promise<void>((resolve, reject) => finishers.push((e) => (e ? reject(e) : resolve()))),
    );
    return { job, finish: (outcome?: Error) => finishers.shift()!(outcome) };
  }

  it('runs the job once per interval', async () => {
    const job = jest.fn(() => Promise.resolve());
    const periodic = new PeriodicJob(logger, 'failed', job);
    periodic.start(1_000);
    await jest.advanceTimersByTimeAsync(3_500);
    expect(job).toHaveBeenCalledTimes(3);
    await periodic.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(job).toHaveBeenCalledTimes(3);
  });

  it('stays off when the interval is 0', async () => {
    const job = jest.fn(() => Promise.resolve());
    new PeriodicJob(logger, 'failed', job).start(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(job).not.toHaveBeenCalled();
  });

  it('skips ticks while the previous run is still going', async () => {
    const { job, finish } = controlledJob();
    const periodic = new PeriodicJob(logger, 'failed', job);
    periodic.start(1_000);
    await jest.advanceTimersByTimeAsync(4_500);
    expect(job).toHaveBeenCalledTimes(1);
    finish();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(job).toHaveBeenCalledTimes(2);
    finish();
    await periodic.stop();
  });

  it('logs a failed run and keeps ticking', async () => {
    const { job, finish } = controlledJob();
    const periodic = new PeriodicJob(logger, 'sweeping failed', job);
    periodic.start(1_000);
    await jest.advanceTimersByTimeAsync(1_000);
    const boom = new Error('boom');
    finish(boom);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(errors).toEqual([[{ err: boom }, 'sweeping failed']]);
    expect(job).toHaveBeenCalledTimes(2);
    finish();
    await periodic.stop();
  });

  it('stop() waits for the run in progress', async () => {
    const { job, finish } = controlledJob();
    const periodic = new PeriodicJob(logger, 'failed', job);
    periodic.start(1_000);
    await jest.advanceTimersByTimeAsync(1_000);
    let stopped = false;
    const stopping = periodic.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
  });
});
