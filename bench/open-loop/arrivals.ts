/**
 * An open-loop load: learners' flows (start, save six answers, submit) begin
 * on a fixed schedule, one every 1/rate seconds, whatever the server answers
 * (wrk2-style constant rate). A slow answer delays only its own flow, never
 * the next arrival, and each flow's first request is timed from when it was
 * due, so time a learner would have waited behind a stalled generator is
 * counted (no coordinated omission). The later requests of a flow are due when
 * the previous one answered (a learner clicks on at once).
 */
import http from 'node:http';
import type { QuizFixture, SubmitLedger } from '../submit-path/database';
import { type LearnerPool, summarise, type LatencySummary } from '../submit-path/load';

export const OPEN_STEPS = ['start', 'save', 'submit'] as const;
export type OpenStep = (typeof OPEN_STEPS)[number];

export interface OpenLoopRun {
  /** Flows per second asked for. */
  rate: number;
  /** Flows due in the timed part, and those of them whose three requests answered 2xx as expected. */
  due: number;
  completed: number;
  /** Per request (any step), ms: the first from when the flow was due. */
  perRequest: LatencySummary;
  perStep: Record<OpenStep, LatencySummary>;
  /** Due → submit answered. */
  flow: LatencySummary;
  /** How late the generator sent first requests (its own lag, ms): should be a few ms at most. */
  sendLag: LatencySummary;
  /** Non-2xx or unexpected answers per step, and transport errors, over the whole run (warm-up included). */
  failures: Record<OpenStep, Map<string, number>>;
  /** Flows in progress at once, at most. */
  maxInFlight: number;
}

interface Answer {
  status: number;
  body: string;
}

function send(
  agent: http.Agent,
  url: URL,
  method: string,
  path: string,
  headers: http.OutgoingHttpHeaders,
  body?: string,
) {
  return new Promise<Answer>((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, method, path, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

const ATTEMPT_ID = /^\{"id":"([0-9a-f-]{36})"/;

export async function runOpenLoop(options: {
  url: string;
  /** Flows per second. */
  rate: number;
  warmup: number;
  duration: number;
  fixture: QuizFixture;
  learners: LearnerPool;
  ledger: SubmitLedger;
  /** Gives up waiting for flows still running this long after the last was due. */
  drainTimeoutMs?: number;
}): Promise<OpenLoopRun> {
  const { rate, fixture, learners, ledger } = options;
  const url = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const intervalMs = 1000 / rate;
  const total = Math.round((options.warmup + options.duration) * rate);
  const timedFrom = options.warmup * rate;
  const latencies = { start: [] as number[], save: [] as number[], submit: [] as number[] };
  const flows: number[] = [];
  const lags: number[] = [];
  const failures = {
    start: new Map<string, number>(),
    save: new Map<string, number>(),
    submit: new Map<string, number>(),
  };
  const fail = (step: OpenStep, why: string): void => {
    failures[step].set(why, (failures[step].get(why) ?? 0) + 1);
  };
  const scored = `"score":{"raw":${fixture.expectedRaw},`;
  let inFlight = 0;
  let maxInFlight = 0;
  let completed = 0;

  const flow = async (index: number, dueAt: number): Promise<void> => {
    const timed = index >= timedFrom;
    const learner = learners.next();
    const authorization = `Bearer ${learner.token}`;
    const json = { 'content-type': 'application/json', authorization };
    let step: OpenStep = 'start';
    try {
      if (timed) lags.push(performance.now() - dueAt);
      const started = await send(agent, url, 'POST', `/v1/quizzes/${fixture.quizId}/attempts`, json, '{}');
      let answeredAt = performance.now();
      if (timed) latencies.start.push(answeredAt - dueAt);
      const attemptId = ATTEMPT_ID.exec(started.body)?.[1];
      if (started.status !== 201 || !attemptId) return fail('start', String(started.status));

      step = 'save';
      let sentAt = answeredAt;
      const saved = await send(agent, url, 'PUT', `/v1/attempts/${attemptId}/responses`, json, fixture.saveBody);
      answeredAt = performance.now();
      if (timed) latencies.save.push(answeredAt - sentAt);
      if (saved.status < 200 || saved.status >= 300) return fail('save', String(saved.status));

      step = 'submit';
      sentAt = answeredAt;
      ledger.sent.add(attemptId);
      const submitted = await send(agent, url, 'POST', `/v1/attempts/${attemptId}/submit`, { authorization });
      answeredAt = performance.now();
      if (timed) latencies.submit.push(answeredAt - sentAt);
      if (submitted.status < 200 || submitted.status >= 300) return fail('submit', String(submitted.status));
      if (!submitted.body.includes(scored)) return fail('submit', 'unexpected body');
      ledger.acknowledged.add(attemptId);
      if (timed) {
        flows.push(answeredAt - dueAt);
        completed++;
      }
    } catch (error) {
      fail(step, (error as Error).message);
    }
  };

  await new Promise<void>((resolve, reject) => {
    const startAt = performance.now() + 20;
    let next = 0;
    const running = new Set<Promise<void>>();
    const tick = () => {
      const now = performance.now();
      // Every flow that is due starts now, however many are still waiting for answers.
      while (next < total && startAt + next * intervalMs <= now) {
        const started = flow(next, startAt + next * intervalMs).finally(() => {
          inFlight--;
          running.delete(started);
        });
        running.add(started);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        next++;
      }
      if (next < total) {
        setTimeout(tick, Math.max(0, startAt + next * intervalMs - performance.now()));
        return;
      }
      const timeout = setTimeout(
        () =>
          reject(
            new Error(
              `${running.size} flows still running ${options.drainTimeoutMs ?? 30_000} ms after the last was due`,
            ),
          ),
        options.drainTimeoutMs ?? 30_000,
      );
      void Promise.all(running).then(() => {
        clearTimeout(timeout);
        resolve();
      });
    };
    setTimeout(tick, 20);
  });
  agent.destroy();

  return {
    rate,
    due: total - Math.ceil(timedFrom),
    completed,
    perRequest: summarise([...latencies.start, ...latencies.save, ...latencies.submit]),
    perStep: {
      start: summarise(latencies.start),
      save: summarise(latencies.save),
      submit: summarise(latencies.submit),
    },
    flow: summarise(flows),
    sendLag: summarise(lags),
    failures,
    maxInFlight,
  };
}
