/** The bench's child processes (servers, the seeder) and a load measured on one of them. */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { childMessage } from '../child-message';
import { connect } from './database';
import type { LoadTiming } from './load';
import { type CpuShare, sampleRss, startCpuAccounting } from './machine';
import type { ChildMessage, ServerStats } from './protocol';
import type { Measured, MemoryTrace } from './report';
import { type BenchSettings, databaseOf, serverEnv, type ServerKind } from './settings';

export function nextMessage<T extends ChildMessage['type']>(child: ChildProcess, type: T) {
  return childMessage<ChildMessage, T>(child, type, 'server process');
}

/** A server process; `env` is laid over what serverEnv gives. */
export function forkServer(
  settings: BenchSettings,
  kind: ServerKind | 'seed',
  env: NodeJS.ProcessEnv = {},
): ChildProcess {
  return fork(join(__dirname, 'server-main.js'), [kind, settings.root], {
    cwd: settings.root,
    env: { ...serverEnv(settings, kind), ...env },
    // gc() only at the edges of a timed run, to tell retained memory from garbage.
    execArgv: ['--expose-gc'],
    stdio: ['ignore', settings.serverStdout, 'inherit', 'ipc'],
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function serverStats(child: ChildProcess, gc: boolean): Promise<ServerStats> {
  const reply = nextMessage(child, 'stats');
  child.send({ type: 'stats', gc });
  return (await reply).stats;
}

/**
 * A load with its timed part under CPU accounting and memory sampling. The
 * full GCs that tell retained memory from garbage run before the warm-up and
 * after the timed part: one in between would shrink the heap and slow the
 * first seconds that count.
 */
export async function measured<T extends { wallMs: number }>(
  child: ChildProcess,
  settings: BenchSettings,
  kind: ServerKind,
  load: (timing: LoadTiming) => Promise<T>,
  /** The bench's own processes beside the server (a webhook receiver): their CPU is not "other". */
  helperPids: readonly number[] = [],
): Promise<T & Measured> {
  const admin = await connect(settings.serverUrl);
  try {
    // What the last phase left to write goes to disk now, not during this one.
    await admin.query('CHECKPOINT');
    const { memory: before } = await serverStats(child, true);
    let stopRss: () => number[] = () => [];
    let stopCpu: () => Promise<CpuShare> = () => Promise.reject(new Error('the timed part never started'));
    const result = await load({
      warmup: settings.warmup,
      duration: settings.duration,
      onWindowStart: async () => {
        await serverStats(child, false);
        stopRss = sampleRss(child.pid!);
        stopCpu = await startCpuAccounting(admin, databaseOf(settings, kind), child.pid!, helperPids);
      },
    });
    const cpu = await stopCpu();
    const samples = stopRss();
    const { memory: after, ...loop } = await serverStats(child, true);
    const memory: MemoryTrace = { samples, before, after };
    return { ...result, cpu, memory, loop };
  } finally {
    await admin.end();
  }
}
