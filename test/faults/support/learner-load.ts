/**
 * Learners going through Module 5's knowledge check over and over (start,
 * save answers in two parts, submit, tick an activity step) against one or
 * more API instances, as a client that behaves well would: a 503 or a refused
 * connection is retried (on the next instance, with the same Idempotency-Key
 * for starts and submits), anything else unexpected is recorded as a failure.
 * Every answer is observed, and every write answered 2xx goes into a ledger
 * that `checkLedger` compares with the database afterwards.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Client } from 'pg';
import type { ResponseValue } from '../../../src/content/question.types';
import { keyResponse } from '../../support/content';
import type { Course, Learner } from './course';

export interface Target {
  readonly name: string;
  readonly url: string;
}

export interface Observation {
  at: number;
  target: string;
  method: string;
  route: string;
  /** When the answer (or the error) came. */
  end: number;
  /** Null when no HTTP answer came (refused, reset, timed out). */
  status: number | null;
  error?: string;
  retryAfter: string | null;
  contentType: string | null;
}

/** What the API acknowledged (answered 2xx), and what went wrong. */
export class Ledger {
  readonly observations: Observation[] = [];
  /** attempt id → learner id, for every start answered 2xx. */
  readonly started = new Map<string, string>();
  /** attempt id → question version id → the response last saved with a 2xx. */
  readonly saved = new Map<string, Map<string, ResponseValue | null>>();
  /** attempt id → the raw score the submit's 2xx answer gave. */
  readonly submitted = new Map<string, number | null>();
  /** `userId stepId` → done, as the last 2xx mark answered. */
  readonly marks = new Map<string, boolean>();
  /** Answers no retry can mend: a 4xx or 5xx other than 503, or a request that kept failing. */
  readonly failures: string[] = [];

  acknowledgedWrites(): number {
    let saves = 0;
    for (const answers of this.saved.values()) saves += answers.size;
    return this.started.size + saves + this.submitted.size + this.marks.size;
  }

  statusCounts(from = 0, to = Infinity): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const seen of this.observations) {
      if (seen.at < from || seen.at > to) continue;
      const key = seen.status === null ? `no answer (${seen.error})` : String(seen.status);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }
}

interface LoadOptions {
  targets: () => Target[];
  course: Course;
  learners: Learner[];
  ledger: Ledger;
  /** How long one request may keep being retried before it counts as a failure. */
  retryForMs?: number;
  /** Called as each request is sent: lets a test strike while a given request is in flight. */
  onSend?: (target: Target, route: string) => void;
}

export interface RunningLoad {
  /** Lets every learner finish the flow it is in, then resolves. */
  stop(): Promise<void>;
  /** Flows completed so far. */
  flows(): number;
}

const REQUEST_TIMEOUT_MS = 20_000;

class RetriesExhausted extends Error {}

export function startLearnerLoad(options: LoadOptions): RunningLoad {
  const { course, ledger } = options;
  const retryForMs = options.retryForMs ?? 60_000;
  let stopping = false;
  let completed = 0;

  async function call(
    learnerIndex: number,
    learner: Learner,
    method: string,
    route: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Record<string, unknown>> {
    const giveUpAt = Date.now() + retryForMs;
    for (let tries = 0; ; tries++) {
      const targets = options.targets();
      const target = targets[(learnerIndex + tries) % targets.length];
      const seen: Observation = {
        at: Date.now(),
        end: 0,
        target: target.name,
        method,
        route,
        status: null,
        retryAfter: null,
        contentType: null,
      };
      let text = '';
      options.onSend?.(target, route);
      try {
        const response = await fetch(`${target.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${learner.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        text = await response.text();
        seen.status = response.status;
        seen.retryAfter = response.headers.get('retry-after');
        seen.contentType = response.headers.get('content-type');
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        seen.error = cause?.code ?? (error as Error).name;
      }
      seen.end = Date.now();
      ledger.observations.push(seen);
      if (seen.status !== null && seen.status >= 200 && seen.status < 300) {
        return JSON.parse(text) as Record<string, unknown>;
      }
      if (seen.status !== null && seen.status !== 503) {
        ledger.failures.push(`${method} ${route} on ${target.name}: ${seen.status} ${text.slice(0, 300)}`);
        throw new RetriesExhausted();
      }
      if (Date.now() > giveUpAt) {
        ledger.failures.push(`${method} ${route}: still failing after ${retryForMs} ms (${seen.status ?? seen.error})`);
        throw new RetriesExhausted();
      }
      // Sooner than Retry-After asks: the suite wants to see the first answer after recovery.
      await new Promise((wake) => setTimeout(wake, 100 + Math.random() * 150));
    }
  }

  async function flow(index: number, learner: Learner, number: number): Promise<void> {
    const key = randomUUID();
    const attempt = await call(
      index,
      learner,
      'POST',
      'start',
      `/v1/quizzes/${course.quizId}/attempts`,
      {},
      `start-${key}`,
    );
    const attemptId = attempt.id as string;
    ledger.started.set(attemptId, learner.id);
    const versions = (attempt.questions as { questionVersionId: string }[]).map((q) => q.questionVersionId);
    const half = Math.ceil(versions.length / 2);
    for (const part of [versions.slice(0, half), versions.slice(half)]) {
      const responses = part.map((id) => ({
        questionVersionId: id,
        response: keyResponse(course.definitions.get(id)!),
      }));
      await call(index, learner, 'PUT', 'save', `/v1/attempts/${attemptId}/responses`, { responses });
      const answers = ledger.saved.get(attemptId) ?? new Map<string, ResponseValue | null>();
      for (const { questionVersionId, response } of responses) answers.set(questionVersionId, response);
      ledger.saved.set(attemptId, answers);
    }
    const finished = await call(
      index,
      learner,
      'POST',
      'submit',
      `/v1/attempts/${attemptId}/submit`,
      {},
      `submit-${key}`,
    );
    ledger.submitted.set(attemptId, (finished.score as { raw: number | null }).raw);
    const stepId = course.stepIds[number % course.stepIds.length];
    const done = Math.floor(number / course.stepIds.length) % 2 === 0;
    await call(index, learner, 'PUT', 'mark', `/v1/users/me/steps/${stepId}`, { done, evidence: `flow ${number}` });
    ledger.marks.set(`${learner.id} ${stepId}`, done);
  }

  const loops = options.learners.map(async (learner, index) => {
    for (let number = 0; !stopping; number++) {
      try {
        await flow(index, learner, number);
        completed++;
      } catch (error) {
        if (!(error instanceof RetriesExhausted)) ledger.failures.push(`flow: ${(error as Error).stack}`);
        // Let the learner carry on: one failure should not hide the rest of the run.
        await new Promise((wake) => setTimeout(wake, 200));
      }
    }
  });

  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
    flows: () => completed,
  };
}

export interface LedgerCheck {
  acknowledged: { starts: number; answers: number; submits: number; marks: number };
  /** Acknowledged writes the database does not hold. */
  lost: string[];
}

/** Compares every acknowledged write with what the database holds. */
export async function checkLedger(db: Client, ledger: Ledger): Promise<LedgerCheck> {
  const lost: string[] = [];
  const ids = [...ledger.started.keys()];
  const { rows: attempts } = await db.query<{ id: string; state: string; score_raw: number | null }>(
    'SELECT id, state, score_raw FROM attempts WHERE id = ANY($1::uuid[])',
    [ids],
  );
  const byId = new Map(attempts.map((row) => [row.id, row]));
  for (const id of ids) if (!byId.has(id)) lost.push(`start of attempt ${id}`);
  for (const [id, raw] of ledger.submitted) {
    const row = byId.get(id);
    if (!row || row.state === 'in_progress') lost.push(`submit of attempt ${id} (state ${row?.state})`);
    else if (row.score_raw !== raw) lost.push(`score of attempt ${id}: acknowledged ${raw}, stored ${row.score_raw}`);
  }
  const { rows: responses } = await db.query<{ attempt_id: string; question_version_id: string; response: unknown }>(
    'SELECT attempt_id, question_version_id, response FROM attempt_responses WHERE attempt_id = ANY($1::uuid[])',
    [ids],
  );
  const stored = new Map(responses.map((row) => [`${row.attempt_id} ${row.question_version_id}`, row.response]));
  let answers = 0;
  for (const [attemptId, saved] of ledger.saved) {
    for (const [versionId, response] of saved) {
      answers++;
      const key = `${attemptId} ${versionId}`;
      if (!stored.has(key) || !isDeepStrictEqual(stored.get(key), response)) lost.push(`answer ${key}`);
    }
  }
  const { rows: marks } = await db.query<{ user_id: string; step_id: string; done: boolean }>(
    'SELECT user_id, step_id, done FROM step_marks WHERE user_id = ANY($1::uuid[])',
    [[...new Set(ledger.started.values())]],
  );
  const storedMarks = new Map(marks.map((row) => [`${row.user_id} ${row.step_id}`, row.done]));
  for (const [key, done] of ledger.marks) if (storedMarks.get(key) !== done) lost.push(`step mark ${key}`);
  return {
    acknowledged: { starts: ids.length, answers, submits: ledger.submitted.size, marks: ledger.marks.size },
    lost,
  };
}

/**
 * No attempt half-scored: each is in progress with no score at all, or
 * finished with its totals and a scored row for every question it pinned.
 * Returns the ids of attempts that are neither.
 */
export async function halfScoredAttempts(db: Client): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT a.id FROM attempts a
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE max_score IS NOT NULL) AS scored FROM attempt_responses WHERE attempt_id = a.id) r
      WHERE CASE WHEN a.state = 'in_progress'
                 THEN r.scored > 0 OR a.score_max IS NOT NULL OR a.submitted_at IS NOT NULL
                 ELSE r.scored <> jsonb_array_length(a.question_order) OR a.score_max IS NULL OR a.submitted_at IS NULL
            END`,
  );
  return rows.map((row) => row.id);
}
