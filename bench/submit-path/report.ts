/** The tables and verdicts the bench prints (Markdown, to paste into BENCHMARKS.md). */
import type { InvariantReport } from './database';
import type { LatencySummary, ReadRun, StepRecord, SubmitRun } from './load';
import { SUBMIT_STEPS, summarise } from './load';
import type { CpuShare } from './machine';
import type { Probe } from './probe';
import type { ServerStats } from './protocol';
import type { ServerKind } from './settings';

export interface MemoryTrace {
  /** RSS in MiB, once a second through the timed run. */
  samples: number[];
  /** process.memoryUsage() after a full GC, before the warm-up and after the timed run: what is retained. */
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
}

export interface Measured {
  cpu: CpuShare;
  memory: MemoryTrace;
  /** The server's event loop over the timed run. */
  loop: Omit<ServerStats, 'memory'>;
}

export interface ServerResult {
  kind: ServerKind;
  probe: Probe;
  submit: SubmitRun & Measured;
  invariant: InvariantReport;
  reads: Map<string, (ReadRun & Measured) | { unavailable: string }>;
  /** VmHWM: the most the process ever held resident. */
  peakRssMiB: number;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const pair = (s: LatencySummary) => `${ms(s.p50)} / ${ms(s.p99)}`;
const pct = (cores: number) => `${Math.round(cores * 100)} %`;
const ratio = (value: number, baseline: number | undefined) =>
  baseline && baseline > 0 ? (value / baseline).toFixed(2) : 'n/a';

export function table(header: string[], rows: (string | number)[][]): string {
  const align = header.map((_, i) => (i === 0 || (i === 1 && header[0] === 'read') ? '---' : '---:'));
  return [header, align, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

export function errorsOf(run: { autocannon: { errors: number; timeouts: number } }, records: StepRecord[]): number {
  return run.autocannon.errors + run.autocannon.timeouts + records.reduce((sum, record) => sum + record.failed, 0);
}

/**
 * RSS at the start and at the end of the run, each the median of a fifth of
 * the samples (RSS swings by tens of MiB with each major GC), and the growth
 * between.
 */
export function memoryGrowth(memory: MemoryTrace): { start: number; end: number; growth: number } {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const { samples } = memory;
  const window = Math.max(2, Math.floor(samples.length / 5));
  const start = median(samples.slice(0, window));
  const end = median(samples.slice(-window));
  return { start, end, growth: (end - start) / start };
}

const submitsPerSecond = (run: SubmitRun) => run.submits / (run.wallMs / 1000);
const readsPerSecond = (run: ReadRun) => run.reads / (run.wallMs / 1000);

export function submitTables(results: ServerResult[]): string {
  const baseline = results.find((r) => r.kind === 'baseline');
  const baseRate = baseline ? submitsPerSecond(baseline.submit) : undefined;
  const latency = table(
    [
      'server',
      'submits/s',
      '× baseline',
      'HTTP req/s',
      ...SUBMIT_STEPS.map((step) => `${step} p50 / p99 ms`),
      'any request p99 ms',
      'learner p50 / p99 ms',
      'errors',
    ],
    results.map(({ kind, submit }) => {
      const all = summarise(SUBMIT_STEPS.flatMap((step) => submit.steps[step].latencies));
      return [
        kind,
        submitsPerSecond(submit).toFixed(0),
        ratio(submitsPerSecond(submit), baseRate),
        (all.count / (submit.wallMs / 1000)).toFixed(0),
        ...SUBMIT_STEPS.map((step) => pair(summarise(submit.steps[step].latencies))),
        ms(all.p99),
        pair(summarise(submit.flows)),
        errorsOf(submit, Object.values(submit.steps)),
      ];
    }),
  );
  const resources = table(
    [
      'server',
      'server CPU',
      'PostgreSQL CPU',
      'autocannon CPU',
      'other CPU',
      'event loop busy',
      'loop delay p99 ms',
      'server CPU ms / submit',
      'PostgreSQL CPU ms / submit',
      'RSS start → end MiB',
      'RSS growth',
      'V8 heap used / committed after GC MiB',
      'peak RSS MiB',
    ],
    results.map(({ kind, submit, peakRssMiB }) => {
      const rate = submitsPerSecond(submit);
      const { start, end, growth } = memoryGrowth(submit.memory);
      return [
        kind,
        pct(submit.cpu.server),
        pct(submit.cpu.postgres),
        pct(submit.cpu.client),
        pct(submit.cpu.other),
        pct(submit.loop.eventLoopUtilization),
        ms(submit.loop.eventLoopDelay.p99),
        ((submit.cpu.server * 1000) / rate).toFixed(2),
        ((submit.cpu.postgres * 1000) / rate).toFixed(2),
        `${start.toFixed(0)} → ${end.toFixed(0)}`,
        `${(growth * 100).toFixed(1)} %`,
        `${mib(submit.memory.before.heapUsed)} / ${mib(submit.memory.before.heapTotal)} → ` +
          `${mib(submit.memory.after.heapUsed)} / ${mib(submit.memory.after.heapTotal)}`,
        peakRssMiB.toFixed(0),
      ];
    }),
  );
  const tenths = results.map(({ kind, submit }) => {
    // Submits per second, averaged over each tenth of the run: whether the rate drifts (JIT, GC sizing, bloat).
    const seconds = submit.timeline.slice(0, Math.floor(submit.wallMs / 1000));
    const size = Math.max(1, Math.floor(seconds.length / 10));
    const windows: string[] = [];
    for (let at = 0; at + size <= seconds.length; at += size) {
      windows.push((seconds.slice(at, at + size).reduce((a, b) => a + b, 0) / size).toFixed(0));
    }
    return `- ${kind}: ${windows.join(' → ')} submits/s`;
  });
  return `${latency}\n\n${resources}\n\nSubmits per second through the timed run, by tenths:\n\n${tenths.join('\n')}`;
}

export function readTable(results: ServerResult[], scenarios: readonly string[]): string {
  const rows: (string | number)[][] = [];
  for (const name of scenarios) {
    const base = results.find((r) => r.kind === 'baseline')?.reads.get(name);
    const baseRate = base && 'reads' in base ? readsPerSecond(base) : undefined;
    for (const { kind, reads } of results) {
      const run = reads.get(name);
      if (!run || !('reads' in run)) {
        rows.push([name, kind, run?.unavailable ?? 'not run', '', '', '', '', '', '', '', '', '']);
        continue;
      }
      const latency = summarise(run.record.latencies);
      rows.push([
        name,
        kind,
        readsPerSecond(run).toFixed(0),
        ratio(readsPerSecond(run), baseRate),
        ms(latency.p50),
        ms(latency.p99),
        errorsOf(run, [run.record]),
        pct(run.cpu.server),
        pct(run.cpu.postgres),
        pct(run.cpu.client),
        pct(run.cpu.other),
        pct(run.loop.eventLoopUtilization),
      ]);
    }
  }
  return table(
    [
      'read',
      'server',
      'req/s',
      '× baseline',
      'p50 ms',
      'p99 ms',
      'errors',
      'server CPU',
      'PostgreSQL CPU',
      'autocannon CPU',
      'other CPU',
      'event loop busy',
    ],
    rows,
  );
}

export function invariantLine(kind: ServerKind, report: InvariantReport): string {
  const verdict = report.ok ? 'OK' : 'FAILED';
  const detail =
    `${report.finished} finished attempts = ${report.acknowledged} acknowledged submits + ` +
    `${report.committedInFlight} committed while autocannon stopped (of ${report.inFlight} in flight); ` +
    `${report.inProgress} attempts left in progress by interrupted flows`;
  return `invariant ${kind}: ${verdict}: ${detail}${report.problems.length ? `; ${report.problems.join('; ')}` : ''}`;
}

export interface Verdict {
  target: string;
  value: string;
  met: boolean;
}

export function verdicts(results: ServerResult[], scenarios: readonly string[]): Verdict[] {
  const api = results.find((r) => r.kind === 'api');
  const baseline = results.find((r) => r.kind === 'baseline');
  if (!api || !baseline) return [];
  const verdictsFound: Verdict[] = [];
  const share = submitsPerSecond(api.submit) / submitsPerSecond(baseline.submit);
  verdictsFound.push({
    target: 'submit ≥ 50 % of the baseline',
    value: `${(share * 100).toFixed(1)} %`,
    met: share >= 0.5,
  });
  const p99 = summarise(SUBMIT_STEPS.flatMap((step) => api.submit.steps[step].latencies)).p99;
  verdictsFound.push({ target: 'submit path p99 < 100 ms (each request)', value: `${ms(p99)} ms`, met: p99 < 100 });
  const flowP99 = summarise(api.submit.flows).p99;
  verdictsFound.push({
    target: 'a learner’s whole start + save + submit p99 < 100 ms (stricter reading)',
    value: `${ms(flowP99)} ms`,
    met: flowP99 < 100,
  });
  const errors =
    errorsOf(api.submit, Object.values(api.submit.steps)) +
    [...api.reads.values()].reduce((sum, run) => sum + ('reads' in run ? errorsOf(run, [run.record]) : 0), 0);
  verdictsFound.push({ target: 'zero errors (API, every scenario)', value: String(errors), met: errors === 0 });
  for (const name of scenarios) {
    const mine = api.reads.get(name);
    const theirs = baseline.reads.get(name);
    if (!mine || !theirs || !('reads' in mine) || !('reads' in theirs)) continue;
    const readShare = readsPerSecond(mine) / readsPerSecond(theirs);
    verdictsFound.push({
      target: `read ${name} ≥ 60 % of the baseline`,
      value: `${(readShare * 100).toFixed(1)} %`,
      met: readShare >= 0.6,
    });
  }
  const { growth } = memoryGrowth(api.submit.memory);
  verdictsFound.push({
    target: 'API RSS growth ≤ 10 % over the timed submit run',
    value: `${(growth * 100).toFixed(1)} % over ${(api.submit.wallMs / 1000).toFixed(0)} s`,
    met: growth <= 0.1,
  });
  return verdictsFound;
}
