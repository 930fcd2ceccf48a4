/**
 * Before a server is timed, one learner goes through the whole path by hand:
 * start, save, submit, submit again (it must answer the same), and each read.
 * The bench then compares what the API and the baseline answered, so the
 * baseline is known to do the same work, not less.
 */
import type { QuizFixture } from './database';
import type { CompletedFlow, Learner, ReadScenario } from './load';

export interface Probe {
  flow: CompletedFlow;
  /** Request name → status and body, with ids, times and per-attempt shuffles taken out. */
  answers: Map<string, { status: number; body: unknown }>;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

export async function probe(
  url: string,
  fixture: QuizFixture,
  learner: Learner,
  scenarios: readonly ReadScenario[],
): Promise<Probe> {
  const answers = new Map<string, { status: number; body: unknown }>();
  const started = await call(url, learner.token, 'POST', `/v1/quizzes/${fixture.quizId}/attempts`, '{}');
  const attemptId = (started.body as { id?: string } | null)?.id;
  if (started.status !== 201 || !attemptId) {
    throw new Error(`probe: start answered ${started.status} ${JSON.stringify(started.body)}`);
  }
  answers.set('start', started);
  answers.set('save', await call(url, learner.token, 'PUT', `/v1/attempts/${attemptId}/responses`, fixture.saveBody));
  answers.set('submit', await call(url, learner.token, 'POST', `/v1/attempts/${attemptId}/submit`));
  answers.set('submit again', await call(url, learner.token, 'POST', `/v1/attempts/${attemptId}/submit`));
  const flow = { learner: learner.index, userId: learner.id, attemptId };
  for (const scenario of scenarios) {
    answers.set(`GET ${scenario.name}`, await call(url, learner.token, 'GET', scenario.path(flow, fixture)));
  }
  for (const [name, answer] of answers) answers.set(name, { ...answer, body: normalise(answer.body, attemptId) });
  return { flow, answers };
}

/**
 * Problems with one server's own answers: wrong status, or a repeated submit
 * that answered differently. `tolerated` names requests not checked (a read the
 * baseline does not serve yet).
 */
export function probeProblems(server: string, result: Probe, tolerated: readonly string[] = []): string[] {
  const problems: string[] = [];
  for (const [name, { status }] of result.answers) {
    if (tolerated.includes(name)) continue;
    const expected = name === 'start' ? 201 : 200;
    if (status !== expected) problems.push(`${server}: ${name} answered ${status}, expected ${expected}`);
  }
  const submit = JSON.stringify(result.answers.get('submit')?.body);
  if (submit !== JSON.stringify(result.answers.get('submit again')?.body)) {
    problems.push(`${server}: a repeated submit answered differently`);
  }
  return problems;
}

/** Where two servers' answers differ; empty when they answered the same. */
export function differences(a: Probe, b: Probe, tolerated: readonly string[] = []): string[] {
  const found: string[] = [];
  const differentDraws = !sameDraw(a.answers.get('start')?.body, b.answers.get('start')?.body);
  for (const [name, answer] of a.answers) {
    const other = b.answers.get(name);
    if (!other || tolerated.includes(name)) continue;
    if (answer.status !== other.status) found.push(`${name}: status ${answer.status} against ${other.status}`);
    else {
      const [left, right] = alignDraws(answer.body, other.body, name, found);
      if (differentDraws) diff(withoutMaximum(left), withoutMaximum(right), name, found);
      else diff(left, right, name, found);
    }
  }
  return found;
}

const drawnIds = (start: unknown) =>
  ((start as { questions?: { questionVersionId?: string }[] } | undefined)?.questions ?? [])
    .map((question) => question.questionVersionId)
    .sort()
    .join();

function sameDraw(a: unknown, b: unknown): boolean {
  return drawnIds(a) === drawnIds(b);
}

/**
 * Another draw may carry other points: every figure scaled by the attempt's maximum (score max and
 * scaled, the counted score, "your score so far" in `unmet`) is left out of the comparison, the rest kept.
 */
function withoutMaximum(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/your score so far [\d.]+%/, 'your score so far <score>');
  if (Array.isArray(value)) return value.map(withoutMaximum);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!['max', 'scaled', 'countedScore'].includes(key)) out[key] = withoutMaximum(item);
  }
  return out;
}

/**
 * Each attempt draws its own questions from the quiz's pools (seeded by its id, which each server makes
 * itself), so two servers' attempts show different sets of the same size. The questions and results
 * both drew are compared; the sizes must agree. The draw itself is one function both servers call
 * (src/attempts/policy/question-draw.ts, with its own tests).
 */
function alignDraws(a: unknown, b: unknown, path: string, found: string[]): [unknown, unknown] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return [a, b];
  const left = { ...(a as Record<string, unknown>) };
  const right = { ...(b as Record<string, unknown>) };
  for (const key of ['questions', 'results']) {
    const x = left[key];
    const y = right[key];
    if (!Array.isArray(x) || !Array.isArray(y)) continue;
    if (x.length !== y.length) found.push(`${path}.${key}: ${x.length} drawn against ${y.length}`);
    const id = (item: unknown) => (item as { questionVersionId?: string }).questionVersionId;
    const shared = new Set(x.map(id).filter((value) => y.some((other) => id(other) === value)));
    left[key] = x.filter((item) => shared.has(id(item)));
    right[key] = y.filter((item) => shared.has(id(item)));
    // Different draws may carry different points: the maximum (and so the scaled score) may differ, the raw may not.
    if (shared.size < x.length) {
      for (const side of [left, right]) {
        if (typeof side.score === 'object' && side.score !== null) {
          const { max: _max, scaled: _scaled, ...rest } = side.score as Record<string, unknown>;
          side.score = rest;
        }
      }
    }
  }
  return [left, right];
}

function diff(a: unknown, b: unknown, path: string, found: string[]): void {
  if (found.length >= 10) return;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    if (a !== b) found.push(`${path}: ${JSON.stringify(a)} against ${JSON.stringify(b)}`);
    return;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) diff((a as never)[key], (b as never)[key], `${path}.${key}`, found);
}

/**
 * The same body whoever serves it: the attempt id and times replaced, and
 * what each attempt shuffles (questions, choices) put in id order.
 */
function normalise(value: unknown, attemptId: string): unknown {
  if (typeof value === 'string') return value === attemptId ? '<attempt>' : ISO_TIME.test(value) ? '<time>' : value;
  if (Array.isArray(value)) return value.map((item) => normalise(item, attemptId));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = normalise((value as Record<string, unknown>)[key], attemptId);
  const byKey = (key: string) => (x: unknown, y: unknown) =>
    String((x as Record<string, unknown>)[key]).localeCompare(String((y as Record<string, unknown>)[key]));
  if (Array.isArray(out.questions)) {
    out.questions = (out.questions as Record<string, unknown>[])
      .map(({ position: _position, ...rest }) => rest)
      .sort(byKey('questionVersionId'));
  }
  if (Array.isArray(out.results)) out.results = [...(out.results as unknown[])].sort(byKey('questionVersionId'));
  if (Array.isArray(out.choices)) out.choices = [...(out.choices as unknown[])].sort(byKey('id'));
  return out;
}
