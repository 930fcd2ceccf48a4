/**
 * A server process of the submit-path bench: `api`, `baseline`, or `seed`
 * (migrate and import Module 5, then exit). Forked by submit-path.ts; talks to
 * it over IPC (protocol.ts) and lives until the parent disconnects.
 *
 *   node --expose-gc dist/bench/submit-path/server-main.js api|baseline|seed <repository root>
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { startApi, seedModule5 } from './api-server';
import { startBaseline } from './baseline-server';
import type { ChildMessage, ParentMessage, QueryRecord, RunningServer, ServerStats } from './protocol';

const send = (message: ChildMessage) => process.send?.(message);

/**
 * Records every statement sent through `pg`, which both servers use (TypeORM
 * loads the same module). One call of Client#query is one round trip.
 */
function recordQueries(): () => QueryRecord[] {
  let recorded: QueryRecord[] = [];
  const query = Client.prototype.query as (...args: unknown[]) => unknown;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const [config] = args;
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
    recorded.push({ text: text ?? '?' });
    return query.apply(this, args);
  } as typeof Client.prototype.query;
  return () => {
    const taken = recorded;
    recorded = [];
    return taken;
  };
}

/** V8's sampling profiler over the inspector protocol, so a profile covers the timed load only. */
function cpuProfiler() {
  const session = new Session();
  session.connect();
  return {
    async start() {
      await session.post('Profiler.enable');
      // µs between samples; V8's default is 1000.
      await session.post('Profiler.setSamplingInterval', { interval: 250 });
      await session.post('Profiler.start');
    },
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

/** Event-loop load and memory between two asks; a GC runs after the interval is read, so it is not in it. */
function serverStats(): (gc: boolean) => ServerStats {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let since = performance.eventLoopUtilization();
  return (gc) => {
    const { utilization } = performance.eventLoopUtilization(since);
    const ms = (ns: number) => ns / 1e6;
    const eventLoopDelay = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
    if (gc) globalThis.gc?.();
    const memory = process.memoryUsage();
    delay.reset();
    since = performance.eventLoopUtilization();
    return { memory, eventLoopUtilization: utilization, eventLoopDelay };
  };
}

async function main(): Promise<void> {
  const [kind, root] = process.argv.slice(2);
  const takeQueries = process.env.BENCH_COUNT_QUERIES === '1' ? recordQueries() : () => [];
  if (kind === 'seed') {
    send({ type: 'seeded', report: await seedModule5(root) });
    process.disconnect?.();
    return;
  }
  if (kind !== 'api' && kind !== 'baseline') throw new Error(`unknown server ${kind}`);
  const server: RunningServer = kind === 'api' ? await startApi() : await startBaseline();

  // Closing normally (not killed) lets --cpu-prof write its profile.
  process.on('disconnect', () => {
    const exit = () => process.exit(0);
    setTimeout(exit, 5_000).unref();
    server.close().then(exit, exit);
  });
  const profiler = cpuProfiler();
  const stats = serverStats();
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') {
      send({ type: 'stats', stats: stats(message.gc) });
    } else if (message.type === 'queries') {
      send({ type: 'queries', queries: takeQueries() });
    } else if (message.type === 'profile' && message.action === 'start') {
      profiler.start().then(() => send({ type: 'profiling' }), fail);
    } else if (message.type === 'profile' && message.action === 'stop') {
      const { file } = message;
      profiler.stop(file).then(() => send({ type: 'profiled', file }), fail);
    }
  });
  send({ type: 'listening', port: server.port });
}

function fail(error: unknown): never {
  console.error(error);
  process.exit(1);
}

main().catch(fail);
