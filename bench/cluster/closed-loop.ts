/**
 * Closed-loop loads on the cluster, driven by autocannon through the
 * round-robin: learners who start, save, submit and then read their own
 * attempt and progress back (each request likely served by another instance),
 * and instructors asking for a cohort report at the same time.
 */
import type { QuizFixture, SubmitLedger } from '../submit-path/database';
import { type LearnerPool, type LoadTiming, StepRecord, TimedWindow } from '../submit-path/load';

interface Context {
  learner?: number;
  attemptId?: string;
  number?: number;
  saved?: boolean;
  submitted?: boolean;
  submittedOn?: string;
  sentAt?: number;
}

interface Request {
  method?: 'GET' | 'POST' | 'PUT';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: Request, context: Context) => Request | null;
  onResponse?: (status: number, body: string, context: Context, headers: Record<string, string>) => void;
}

// autocannon ships no type declarations: just the part used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: Request[];
}) => Promise<{ errors: number; timeouts: number }>;

/** autocannon through warm-up and timed seconds in one go; `window` marks the timed part. */
async function runTimed(
  url: string,
  connections: number,
  timing: LoadTiming,
  window: TimedWindow,
  requests: Request[],
) {
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

export const FLOW_STEPS = ['start', 'save', 'submit', 'read attempt', 'read progress'] as const;
export type FlowStep = (typeof FLOW_STEPS)[number];

export interface SubmitFlowRun {
  wallMs: number;
  /** Submits answered 2xx with the expected score within the timed part. */
  submits: number;
  steps: Record<FlowStep, StepRecord>;
  /** Own reads right after the submit that did not show it (whole run, warm-up included). */
  staleReads: number;
  ownReads: number;
  /** Own reads served by another instance than the one that took the submit. */
  ownReadsElsewhere: number;
  /** Requests per instance (x-upstream), whole run. */
  perInstance: number[];
  connectionErrors: number;
}

const ATTEMPT = /^\{"id":"([0-9a-f-]{36})","quizId":"[0-9a-f-]{36}","userId":"[0-9a-f-]{36}","number":(\d+),/;

/**
 * Each connection is a learner: start, save the six answers, submit, then GET the attempt (must not be
 * in progress) and GET their module progress (must count the attempt and have a counted score). A failed
 * step ends the flow; every non-2xx is counted per step.
 */
export async function runSubmitFlows(options: {
  url: string;
  connections: number;
  timing: LoadTiming;
  fixture: QuizFixture;
  learners: LearnerPool;
  ledger: SubmitLedger;
}): Promise<SubmitFlowRun> {
  const { fixture, learners, ledger } = options;
  const window = new TimedWindow();
  const steps = Object.fromEntries(FLOW_STEPS.map((step) => [step, new StepRecord(window)])) as Record<
    FlowStep,
    StepRecord
  >;
  const scored = `"score":{"raw":${fixture.expectedRaw},`;
  const perInstance: number[] = [];
  const run: Omit<SubmitFlowRun, 'wallMs' | 'connectionErrors'> = {
    submits: 0,
    steps,
    staleReads: 0,
    ownReads: 0,
    ownReadsElsewhere: 0,
    perInstance,
  };
  const auth = (context: Context) => `Bearer ${learners.at(context.learner!).token}`;
  const served = (headers: Record<string, string>) => {
    const index = Number(headers['x-upstream']);
    perInstance[index] = (perInstance[index] ?? 0) + 1;
    return headers['x-upstream'];
  };
  const ownRead = (step: FlowStep, fresh: (body: string, context: Context) => boolean): Request => ({
    method: 'GET',
    setupRequest: (request, context) => {
      if (!context.submitted) return null;
      context.sentAt = performance.now();
      const path =
        step === 'read attempt'
          ? `/v1/attempts/${context.attemptId}`
          : `/v1/users/${learners.at(context.learner!).id}/modules/${fixture.moduleSlug}/progress`;
      return { ...request, path, headers: { authorization: auth(context) } };
    },
    onResponse: (status, body, context, headers) => {
      const upstream = served(headers);
      if (!steps[step].record(status, context.sentAt)) return;
      run.ownReads++;
      if (upstream !== context.submittedOn) run.ownReadsElsewhere++;
      if (!fresh(body, context)) run.staleReads++;
    },
  });

  const requests: Request[] = [
    {
      method: 'POST',
      path: `/v1/quizzes/${fixture.quizId}/attempts`,
      setupRequest: (request, context) => {
        context.learner = learners.next().index;
        context.attemptId = undefined;
        context.saved = context.submitted = false;
        context.sentAt = performance.now();
        return {
          ...request,
          headers: { 'content-type': 'application/json', authorization: auth(context) },
          body: '{}',
        };
      },
      onResponse: (status, body, context, headers) => {
        served(headers);
        if (!steps.start.record(status, context.sentAt)) return;
        const match = ATTEMPT.exec(body);
        if (!match) {
          steps.start.unexpected++;
          return;
        }
        context.attemptId = match[1];
        context.number = Number(match[2]);
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
      onResponse: (status, _body, context, headers) => {
        served(headers);
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
      onResponse: (status, body, context, headers) => {
        context.submittedOn = served(headers);
        if (!steps.submit.record(status, context.sentAt)) return;
        if (!body.includes(scored)) {
          steps.submit.unexpected++;
          return;
        }
        ledger.acknowledged.add(context.attemptId!);
        context.submitted = true;
        if (window.includes(performance.now())) run.submits++;
      },
    },
    ownRead('read attempt', (body) => body.startsWith('{"id":') && !body.includes('"state":"in_progress"')),
    // Counted, and either scored or waiting for an essay to be graded: neither holds before the submit.
    ownRead('read progress', (body, context) => {
      const used = /"attemptsUsed":(\d+)/.exec(body);
      const finished = body.includes('"pendingGrading":true') || !body.includes('"countedScore":null');
      return used !== null && Number(used[1]) >= context.number! && finished;
    }),
  ];
  const result = await runTimed(options.url, options.connections, options.timing, window, requests);
  return { ...run, wallMs: window.ms, connectionErrors: result.errors + result.timeouts };
}

export interface ReportRun {
  record: StepRecord;
  /** Answers with X-Data-Age (from the replica) and without (from the primary), whole run. */
  fromReplica: number;
  fromPrimary: number;
  /** Per second of the run since its start (warm-up included): [from replica, from primary, failed]. */
  timeline: [number, number, number][];
  connectionErrors: number;
}

/** Instructors asking for one cohort report in a closed loop, as many at once as `connections`. */
export async function runReports(options: {
  url: string;
  connections: number;
  timing: LoadTiming;
  path: string;
  token: string;
}): Promise<ReportRun> {
  const window = new TimedWindow();
  const record = new StepRecord(window);
  const startedAt = performance.now();
  const run: Omit<ReportRun, 'connectionErrors'> = { record, fromReplica: 0, fromPrimary: 0, timeline: [] };
  const requests: Request[] = [
    {
      method: 'GET',
      path: options.path,
      headers: { authorization: `Bearer ${options.token}` },
      setupRequest: (request, context) => {
        context.sentAt = performance.now();
        return request;
      },
      onResponse: (status, _body, context, headers) => {
        const second = Math.floor((performance.now() - startedAt) / 1000);
        const slot = (run.timeline[second] ??= [0, 0, 0]);
        if (!record.record(status, context.sentAt)) {
          slot[2]++;
          return;
        }
        const replica = headers['x-data-age'] !== undefined;
        if (replica) run.fromReplica++;
        else run.fromPrimary++;
        slot[replica ? 0 : 1]++;
      },
    },
  ];
  const result = await runTimed(options.url, options.connections, options.timing, window, requests);
  for (let second = 0; second < run.timeline.length; second++) run.timeline[second] ??= [0, 0, 0];
  return { ...run, connectionErrors: result.errors + result.timeouts };
}
