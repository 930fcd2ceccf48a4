/**
 * The machine's load around a timed run: how busy its cores were, and how
 * much of that was the bench's own processes (this one, its children, the
 * scratch PostgreSQL servers and PgBouncer). The rest is other work on a
 * shared machine, which the report states beside each figure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { processCpuMs } from '../submit-path/machine';

interface ProcessInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      found.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/**
 * This process and its descendants, the postmasters listening on `postgresPorts` and theirs, and `extraPids`
 * (PgBouncer daemonises, so it is no one's child).
 */
export function benchPids(postgresPorts: readonly number[], extraPids: readonly number[]): number[] {
  const all = processes();
  const roots = new Set<number>([process.pid, ...extraPids]);
  for (const info of all) {
    if (postgresPorts.some((port) => info.cmdline.includes(`-p ${port} `))) roots.add(info.pid);
  }
  const children = new Map<number, number[]>();
  for (const info of all) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info.pid]);
  const pids = new Set<number>();
  const visit = (pid: number) => {
    if (pids.has(pid)) return;
    pids.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  for (const root of roots) visit(root);
  return [...pids];
}

function machineBusyMs(): number {
  return os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);
}

export interface MachineLoad {
  /** Cores busy on average over the run (all processes). */
  busy: number;
  /** Of those, the bench's own processes (sampled once a second, so processes that came and went count too). */
  bench: number;
  /** Everything else: other engineers' builds and tests. */
  other: number;
  /** `uptime`'s 1-minute load average at the end. */
  loadAverage: number;
}

/** Starts measuring; the returned function stops and gives the run's load. */
export function startMachineLoad(listPids: () => number[]): () => MachineLoad {
  const startedAt = performance.now();
  const machineAtStart = machineBusyMs();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = () => {
    for (const pid of listPids()) {
      const ms = processCpuMs(pid);
      if (ms === undefined) continue;
      if (!first.has(pid)) first.set(pid, ms);
      last.set(pid, ms);
    }
  };
  sample();
  const timer = setInterval(sample, 1000);
  return () => {
    clearInterval(timer);
    sample();
    const wallMs = performance.now() - startedAt;
    let benchMs = 0;
    for (const [pid, ms] of last) benchMs += ms - (first.get(pid) ?? ms);
    const busy = (machineBusyMs() - machineAtStart) / wallMs;
    const bench = benchMs / wallMs;
    return { busy, bench, other: Math.max(0, busy - bench), loadAverage: os.loadavg()[0] };
  };
}
