/**
 * The baseline: the statements the API sent for one request (captured in the
 * API process by server.ts, text and parameters as the driver got them),
 * replayed one after another on a plain pg Client, with no Nest, TypeORM,
 * pool, auth or serialisation around them. Also EXPLAIN (ANALYZE, BUFFERS) of
 * the slow ones, with the same parameters (custom plans, as the app gets with
 * unnamed statements).
 */
import type { Client } from 'pg';
import type { CapturedStatement } from './protocol';

export interface Replay {
  /** Each run: the sum over the statements, in ms. */
  totals: number[];
  /** Per statement (in capture order), its median over the runs, in ms. */
  perStatement: number[];
  rows: number;
}

/**
 * What to replay of a request: a CSV export reads one statement through a
 * cursor (BEGIN, DECLARE … CURSOR FOR <query>, FETCH…, COMMIT); its baseline is
 * the query itself, run once. Transaction control and FETCH are dropped.
 */
export function replayable(statements: readonly CapturedStatement[]): CapturedStatement[] {
  const result: CapturedStatement[] = [];
  for (const statement of statements) {
    const text = statement.text.trim();
    const declared = /^DECLARE\s+\S+\s+(?:NO\s+SCROLL\s+)?CURSOR\s+FOR\s+([\s\S]*)$/i.exec(text);
    if (declared) {
      result.push({ ...statement, text: declared[1] });
    } else if (/^FETCH\b/i.test(text) && result.length > 0) {
      // The app's time and rows for the query are those of its fetches.
      const query = result[result.length - 1];
      result[result.length - 1] = { ...query, ms: query.ms + statement.ms, rows: query.rows + statement.rows };
    } else if (!/^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SET TRANSACTION)\b/i.test(text)) {
      result.push(statement);
    }
  }
  return result;
}

/** Runs the statements `warmup + runs` times in order; counts only the last `runs`. */
export async function replay(
  db: Client,
  statements: readonly CapturedStatement[],
  warmup: number,
  runs: number,
): Promise<Replay> {
  const totals: number[] = [];
  const each: number[][] = statements.map(() => []);
  let rows = 0;
  for (let run = 0; run < warmup + runs; run++) {
    let total = 0;
    rows = 0;
    for (const [index, statement] of statements.entries()) {
      const started = performance.now();
      const result = await db.query(statement.text, statement.values);
      const ms = performance.now() - started;
      total += ms;
      rows += result.rows.length;
      if (run >= warmup) each[index].push(ms);
    }
    if (run >= warmup) totals.push(total);
  }
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;
  return { totals, perStatement: each.map(mid), rows };
}

export interface Explained {
  label: string;
  text: string;
  values: unknown[];
  plan: string;
  executionMs: number;
  planningMs: number;
  jitMs: number | null;
}

export async function explain(db: Client, label: string, statement: CapturedStatement): Promise<Explained> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
    statement.values,
  );
  const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
  const number = (pattern: RegExp) => {
    const match = pattern.exec(plan);
    return match ? Number(match[1]) : null;
  };
  return {
    label,
    text: statement.text,
    values: statement.values,
    plan,
    executionMs: number(/Execution Time: ([\d.]+) ms/) ?? NaN,
    planningMs: number(/Planning Time: ([\d.]+) ms/) ?? NaN,
    jitMs: number(/Timing: .*Total ([\d.]+) ms/),
  };
}

/** A short name for a statement: its CTE names or first table, for the tables. */
export function describeStatement(text: string): string {
  const compact = text.replace(/\s+/g, ' ').trim();
  const ctes = [...compact.matchAll(/(?:WITH|,)\s+(\w+) AS (?:MATERIALIZED )?\(/g)].map((m) => m[1]);
  if (ctes.length > 0) {
    const tail = /\)\s+SELECT (.{0,60})/.exec(compact.slice(compact.lastIndexOf(') SELECT')))?.[1] ?? '';
    return `WITH ${ctes.join(', ')} SELECT ${tail.split(' ').slice(0, 4).join(' ')}…`;
  }
  return compact.length > 90 ? `${compact.slice(0, 90)}…` : compact;
}
