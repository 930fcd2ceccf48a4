/**
 * Timing of sequential requests, the API process's memory (VmRSS every 50 ms
 * from /proc), and where the machine's CPU went meanwhile: the API, the
 * PostgreSQL processes, this process (the client) and everything else. On two
 * cores, "other" above a few percent means another engineer's work shared the
 * machine and the run says less.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Client } from 'pg';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** CPU time in ms of one process (all its threads), or undefined once it is gone. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function machineCpuMs(): number {
  return os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);
}

export function rssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuShare {
  /** In cores (1 = one core busy for the whole phase). */
  server: number;
  postgres: number;
  client: number;
  other: number;
}

/** Starts counting CPU; the returned function stops and gives each party's share. */
export async function startCpuAccounting(admin: Client, database: string, serverPid: number) {
  const snapshot = async () => {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND (datname = $1 OR (datname IS NULL AND backend_type <> 'client backend'))`,
      [database],
    );
    const { user, system } = process.cpuUsage();
    return {
      wall: performance.now(),
      machine: machineCpuMs(),
      server: processCpuMs(serverPid) ?? 0,
      client: (user + system) / 1000,
      postgres: new Map(rows.map(({ pid }) => [pid, processCpuMs(pid) ?? 0])),
    };
  };
  const before = await snapshot();
  return async (): Promise<CpuShare> => {
    const after = await snapshot();
    const wall = after.wall - before.wall;
    let postgres = 0;
    for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
    const share = {
      server: (after.server - before.server) / wall,
      postgres: postgres / wall,
      client: (after.client - before.client) / wall,
    };
    const machine = (after.machine - before.machine) / wall;
    return { ...share, other: Math.max(0, machine - share.server - share.postgres - share.client) };
  };
}

/** Samples the process's VmRSS every `everyMs`; the returned function stops and gives the peak. */
export function sampleRss(pid: number, everyMs = 50) {
  let peak = rssMiB(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid) ?? 0);
  }, everyMs);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMiB(pid) ?? 0);
  };
}

export interface Fetched {
  status: number;
  /** Whole response, body read to the end. */
  ms: number;
  /** Until the response headers (for a stream: when the first rows could be sent). */
  headersMs: number;
  bytes: number;
  /** Count of `\n` in the body. */
  lines: number;
  /** The body, when asked for (JSON); not kept for CSV. */
  text?: string;
  /** The time limit struck while reading the body: the figures are what had arrived. */
  timedOut?: boolean;
}

/** One GET, body read to the end; `keep` keeps the body text. */
export async function get(url: string, token: string, keep: boolean, timeoutMs: number): Promise<Fetched> {
  const started = performance.now();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const headersMs = performance.now() - started;
  let bytes = 0;
  let lines = 0;
  const chunks: Buffer[] = [];
  let timedOut = false;
  try {
    for await (const chunk of res.body ?? []) {
      const buffer = Buffer.from(chunk);
      bytes += buffer.length;
      for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) lines++;
      if (keep) chunks.push(buffer);
    }
  } catch (error) {
    if (!(error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) throw error;
    timedOut = true;
  }
  const ms = performance.now() - started;
  const text = keep ? Buffer.concat(chunks).toString() : undefined;
  return { status: res.status, ms, headersMs, bytes, lines, text, ...(timedOut && { timedOut }) };
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${os.availableParallelism()} CPUs (${cpus[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`;
}
