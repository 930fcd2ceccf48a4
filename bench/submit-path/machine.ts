/**
 * Where the CPU went during a timed run, and the server's memory. On two cores
 * the server, PostgreSQL and autocannon share the machine, so each figure is
 * read with the others beside it; "other" is everything else (another
 * engineer's tests), which makes a run say little.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Client } from 'pg';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** CPU time in ms of one process (all its threads), or undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function machineCpuMs(): number {
  return os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);
}

/** PostgreSQL processes working for the bench: backends on its database, and the background processes. */
async function postgresPids(admin: Client, database: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND (datname = $1 OR (datname IS NULL AND backend_type <> 'client backend'))`,
    [database],
  );
  return rows.map((row) => row.pid);
}

interface CpuSnapshot {
  wall: number;
  machine: number;
  server: number;
  client: number;
  helpers: number;
  postgres: Map<number, number>;
}

export interface CpuShare {
  wallMs: number;
  /** In cores: 1 means one core busy for the whole run. */
  server: number;
  postgres: number;
  client: number;
  /** Processes of the bench's own beside the server (the webhook receiver); 0 when none. */
  helpers: number;
  other: number;
}

/** Starts counting; the returned function stops and gives each party's share of the machine. */
export async function startCpuAccounting(
  admin: Client,
  database: string,
  serverPid: number,
  helperPids: readonly number[] = [],
) {
  const snapshot = async (): Promise<CpuSnapshot> => {
    const pids = await postgresPids(admin, database);
    const { user, system } = process.cpuUsage();
    return {
      wall: performance.now(),
      machine: machineCpuMs(),
      server: processCpuMs(serverPid) ?? 0,
      client: (user + system) / 1000,
      helpers: helperPids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0),
      postgres: new Map(pids.map((pid) => [pid, processCpuMs(pid) ?? 0])),
    };
  };
  const before = await snapshot();
  return async (): Promise<CpuShare> => {
    const after = await snapshot();
    const wall = after.wall - before.wall;
    let postgres = 0;
    // A backend that started during the run counts from zero; one that ended is lost (pools keep theirs).
    for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
    const share = {
      server: (after.server - before.server) / wall,
      postgres: postgres / wall,
      client: (after.client - before.client) / wall,
      helpers: (after.helpers - before.helpers) / wall,
    };
    const machine = (after.machine - before.machine) / wall;
    const ours = share.server + share.postgres + share.client + share.helpers;
    return { wallMs: wall, ...share, other: Math.max(0, machine - ours) };
  };
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The server's resident memory in MiB, read from /proc once a second without disturbing it. */
export function sampleRss(pid: number, everyMs = 1000) {
  const samples: number[] = [];
  const take = () => {
    const kb = statusKb(pid, 'VmRSS');
    if (kb !== undefined) samples.push(kb / 1024);
  };
  take();
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    take();
    return samples;
  };
}

/** The most the process has ever held resident, in MiB. */
export function peakRssMiB(pid: number): number | undefined {
  const kb = statusKb(pid, 'VmHWM');
  return kb === undefined ? undefined : kb / 1024;
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${os.availableParallelism()} CPUs (${cpus[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`;
}
