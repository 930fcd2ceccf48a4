/**
 * The load, driven by autocannon in the bench's own process. Each autocannon
 * connection is one virtual learner: on the submit scenario it starts an
 * attempt, saves the six knowledge-check answers and submits, then takes the
 * next learner, using autocannon's `requests` chain with per-connection
 * context. A step that fails ends the flow (its `setupRequest` returns null and
 * autocannon goes back to the first request), so nothing is sent on a broken
 * attempt, and a learner's submit counts only when all three answered 2xx.
 */
import type { QuizFixture, SubmitLedger } from './database';

// autocannon ships no type declarations (and @types/autocannon is not
// installed), so describe just the part of its API used here.
interface AutocannonRequest {
  method?: 'GET' | 'POST' | 'PUT';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest, context: FlowContext) => AutocannonRequest | null;
  onResponse?: (status: number, body: string, context: FlowContext) => void;
}
interface Histogram {
  average: number;
  stddev: number;
  p50: number;
  p99: number;
}
export interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

/** What one connection remembers between the requests of one learner's flow. */
interface FlowContext {
  learner?: number;
  attemptId?: string;
  saved?: boolean;
  sentAt?: number;
  flowStartedAt?: number;
}

export interface Learner {
  index: number;
  id: string;
  token: string;
}

/**
 * Hands out learners one after another, so most learners make one attempt,
 * as when a cohort submits together. Learner 0 is kept for the probe flows.
 */
export class LearnerPool {
  private cursor = 0;
  private readonly tokens = new Map<number, { token: string; signedAt: number }>();

  constructor(
    private readonly ids: string[],
    private readonly sign: (userId: string) => string,
  ) {}

  get reserved(): Learner {
    return this.at(0);
  }

  next(): Learner {
    return this.at(1 + (this.cursor++ % (this.ids.length - 1)));
  }

  /** Attempts per learner so far; above the quiz's 3 the starts answer 409. */
  get rounds(): number {
    return Math.ceil(this.cursor / (this.ids.length - 1));
  }

  /** Each server starts from the same seeded learners. */
  reset(): void {
    this.cursor = 0;
  }

  at(index: number): Learner {
    const now = Date.now();
    let signed = this.tokens.get(index);
    // Tokens live 15 minutes at most; a long run signs again well before that.
    if (!signed || now - signed.signedAt > 10 * 60_000) {
      signed = { token: this.sign(this.ids[index]), signedAt: now };
      this.tokens.set(index, signed);
    }
    return { index, id: this.ids[index], token: signed.token };
  }
}

/**
 * The timed part of a load: autocannon runs through the warm-up and the timed
 * seconds in one go, so connections and learners' flows are already in full
 * swing when counting starts, and a flow is counted when it completes.
 */
export class TimedWindow {
  startedAt = Infinity;
  endedAt = Infinity;

  includes(now: number): boolean {
    return now >= this.startedAt && now <= this.endedAt;
  }

  get ms(): number {
    return this.endedAt - this.startedAt;
  }
}

export interface LoadTiming {
  warmup: number;
  duration: number;
  /** Called as the timed part begins (CPU accounting, memory sampling, a profiler). */
  onWindowStart?: () => Promise<void>;
}

/** Latencies (ms, timed part only) and status codes (warm-up included: an error is an error) of one kind of request. */
export class StepRecord {
  readonly latencies: number[] = [];
  readonly statuses = new Map<number, number>();
  /** 2xx with a body that is not what it should be. */
  unexpected = 0;

  constructor(private readonly window: TimedWindow) {}

  record(status: number, startedAt: number | undefined): boolean {
    const now = performance.now();
    if (startedAt !== undefined && this.window.includes(now)) this.latencies.push(now - startedAt);
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    return status >= 200 && status < 300;
  }

  get failed(): number {
    let failed = this.unexpected;
    for (const [status, count] of this.statuses) if (status < 200 || status >= 300) failed += count;
    return failed;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarise(latencies: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** A learner whose submit was acknowledged: the reads ask for their attempt. */
export interface CompletedFlow {
  learner: number;
  userId: string;
  attemptId: string;
}

async function runTimed(
  url: string,
  connections: number,
  timing: LoadTiming,
  window: TimedWindow,
  requests: AutocannonRequest[],
): Promise<AutocannonResult> {
  let opening: Promise<void> = Promise.resolve();
  const timer = setTimeout(() => {
    window.startedAt = performance.now();
    opening = timing.onWindowStart?.() ?? opening;
  }, timing.warmup * 1000);
  try {
    return await autocannon({ url, connections, duration: timing.warmup + timing.duration, requests });
  } finally {
    window.endedAt = performance.now();
    clearTimeout(timer);
    await opening;
  }
}

export const SUBMIT_STEPS = ['start', 'save', 'submit'] as const;
export type SubmitStep = (typeof SUBMIT_STEPS)[number];

export interface SubmitRun {
  /** Length of the timed part. */
  wallMs: number;
  /** When the timed part began and ended, epoch ms (to compare with times other processes record). */
  startedAtMs: number;
  endedAtMs: number;
  /** Learners whose start, save and submit all answered 2xx, the submit within the timed part. */
  submits: number;
  steps: Record<SubmitStep, StepRecord>;
  /** Start sent → submit answered, per completed learner. */
  flows: number[];
  /** Submits completed in each second of the run. */
  timeline: number[];
  autocannon: AutocannonResult;
}

const ATTEMPT_ID = /^\{"id":"([0-9a-f-]{36})"/;

export async function runSubmitLoad(options: {
  url: string;
  connections: number;
  timing: LoadTiming;
  fixture: QuizFixture;
  learners: LearnerPool;
  ledger: SubmitLedger;
  completed: CompletedFlow[];
}): Promise<SubmitRun> {
  const { fixture, learners, ledger, completed } = options;
  const window = new TimedWindow();
  const steps = { start: new StepRecord(window), save: new StepRecord(window), submit: new StepRecord(window) };
  const flows: number[] = [];
  const timeline: number[] = [];
  let submits = 0;
  // Every finished attempt must score what the six right answers earn.
  const scored = `"score":{"raw":${fixture.expectedRaw},`;
  const auth = (context: FlowContext) => `Bearer ${learners.at(context.learner!).token}`;

  const requests: AutocannonRequest[] = [
    {
      method: 'POST',
      path: `/v1/quizzes/${fixture.quizId}/attempts`,
      setupRequest: (request, context) => {
        context.learner = learners.next().index;
        context.flowStartedAt = context.sentAt = performance.now();
        return {
          ...request,
          headers: { 'content-type': 'application/json', authorization: auth(context) },
          body: '{}',
        };
      },
      onResponse: (status, body, context) => {
        if (!steps.start.record(status, context.sentAt)) return;
        context.attemptId = ATTEMPT_ID.exec(body)?.[1];
        if (!context.attemptId) steps.start.unexpected++;
      },
    },
    {
      method: 'PUT',
      setupRequest: (request, context) => {
        if (!context.attemptId) return null;
        context.sentAt = performance.now();
        return {
          ...request,
          path: `/v1/attempts/${context.attemptId}/responses`,
          headers: { 'content-type': 'application/json', authorization: auth(context) },
          body: fixture.saveBody,
        };
      },
      onResponse: (status, _body, context) => {
        context.saved = steps.save.record(status, context.sentAt);
      },
    },
    {
      method: 'POST',
      setupRequest: (request, context) => {
        if (!context.saved || !context.attemptId) return null;
        ledger.sent.add(context.attemptId);
        context.sentAt = performance.now();
        return {
          ...request,
          path: `/v1/attempts/${context.attemptId}/submit`,
          headers: { authorization: auth(context) },
        };
      },
      onResponse: (status, body, context) => {
        if (!steps.submit.record(status, context.sentAt)) return;
        if (!body.includes(scored)) {
          steps.submit.unexpected++;
          return;
        }
        const attemptId = context.attemptId!;
        ledger.acknowledged.add(attemptId);
        completed.push({ learner: context.learner!, userId: learners.at(context.learner!).id, attemptId });
        const now = performance.now();
        if (!window.includes(now)) return;
        flows.push(now - context.flowStartedAt!);
        const second = Math.floor((now - window.startedAt) / 1000);
        timeline[second] = (timeline[second] ?? 0) + 1;
        submits++;
      },
    },
  ];

  const result = await runTimed(options.url, options.connections, options.timing, window, requests);
  return {
    wallMs: window.ms,
    startedAtMs: performance.timeOrigin + window.startedAt,
    endedAtMs: performance.timeOrigin + window.endedAt,
    submits,
    steps,
    flows,
    timeline: Array.from(timeline, (count) => count ?? 0),
    autocannon: result,
  };
}

/** A read a learner makes; `path` builds the URL for one learner who has submitted. */
export interface ReadScenario {
  name: string;
  path: (flow: CompletedFlow, fixture: QuizFixture) => string;
}

export interface ReadRun {
  wallMs: number;
  reads: number;
  record: StepRecord;
  autocannon: AutocannonResult;
}

/** Each request reads for the next learner who has submitted, with that learner's token. */
export async function runReadLoad(options: {
  url: string;
  connections: number;
  timing: LoadTiming;
  scenario: ReadScenario;
  fixture: QuizFixture;
  learners: LearnerPool;
  completed: readonly CompletedFlow[];
}): Promise<ReadRun> {
  const { scenario, fixture, learners, completed } = options;
  if (completed.length === 0) throw new Error('no learner has submitted: nothing to read');
  const window = new TimedWindow();
  const record = new StepRecord(window);
  let cursor = 0;
  let reads = 0;
  const requests: AutocannonRequest[] = [
    {
      method: 'GET',
      setupRequest: (request, context) => {
        const flow = completed[cursor++ % completed.length];
        context.learner = flow.learner;
        context.sentAt = performance.now();
        return {
          ...request,
          path: scenario.path(flow, fixture),
          headers: { authorization: `Bearer ${learners.at(flow.learner).token}` },
        };
      },
      onResponse: (status, _body, context) => {
        if (record.record(status, context.sentAt) && window.includes(performance.now())) reads++;
      },
    },
  ];
  const result = await runTimed(options.url, options.connections, options.timing, window, requests);
  return { wallMs: window.ms, reads, record, autocannon: result };
}
