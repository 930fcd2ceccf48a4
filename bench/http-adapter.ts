/**
 * Hello-route throughput of NestJS on Express and on Fastify, against a plain
 * node:http server measured in the same run.
 *
 *   npx tsc -p tsconfig.bench.json && node dist/bench/http-adapter.js
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3),
 * BENCH_CONNECTIONS (default 50).
 *
 * Each server runs in its own child process so that autocannon, in this
 * process, does not share an event loop with it. Servers run one at a time.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

// autocannon ships no type declarations (and @types/autocannon is not
// installed), so describe just the part of its API used here.
interface Histogram {
  average: number;
  stddev: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
}) => Promise<AutocannonResult>;

const KINDS = ['node:http', 'express', 'fastify'] as const;
type Kind = (typeof KINDS)[number];

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`${name} must be a positive number`);
  return value;
}
const DURATION = envNumber('BENCH_DURATION', 10);
const WARMUP = envNumber('BENCH_WARMUP', 3);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50);
const BODY = '{"hello":"world"}';

@Controller()
class HelloController {
  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

async function startServer(kind: Kind): Promise<Server> {
  if (kind === 'node:http') {
    // Serialises per request, as Nest does, so the baseline does the same work.
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/hello') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ hello: 'world' }));
      } else {
        res.writeHead(404).end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  }
  const adapter = kind === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(HelloModule, adapter, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer() as Server;
}

/** Child side: start one server, report its port, live until the parent goes. */
async function serve(kind: Kind): Promise<void> {
  const server = await startServer(kind);
  // If the parent dies the IPC channel closes; do not leave servers behind.
  process.on('disconnect', () => process.exit(0));
  // The parent asks for our CPU time to tell whether the server or the load
  // generator was the bottleneck (with 2 cores, each should get one).
  process.on('message', () => process.send?.(process.cpuUsage()));
  process.send?.({ port: (server.address() as AddressInfo).port });
}

async function spawnServer(kind: Kind): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(__filename, ['--serve', kind], { stdio: 'inherit' });
  const ready = once(child, 'message') as Promise<[{ port: number }]>;
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${kind} server exited with code ${String(code)} before listening`);
  });
  const [{ port }] = await Promise.race([ready, exited]);
  exited.catch(() => undefined); // the child exits later, when we stop it
  return { child, url: `http://127.0.0.1:${port}/hello` };
}

/** CPU time in ms used so far by the child (server) process. */
async function childCpuMs(child: ChildProcess): Promise<number> {
  const reply = once(child, 'message') as Promise<[NodeJS.CpuUsage]>;
  child.send('cpu');
  const [{ user, system }] = await reply;
  return (user + system) / 1000;
}

/** CPU time in ms used so far by every process on the machine. */
function machineCpuMs(): number {
  return os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);
}

interface Measurement extends AutocannonResult {
  /** CPU use during the timed run, in cores (1 = one core busy). */
  serverCpu: number;
  clientCpu: number;
  /** Whatever else ran on the machine meanwhile: it disturbs the figures. */
  otherCpu: number;
}

async function measure(kind: Kind): Promise<Measurement> {
  const { child, url } = await spawnServer(kind);
  try {
    // Check the route answers what we think it answers before timing it.
    const res = await fetch(url);
    const body = await res.text();
    if (res.status !== 200 || body !== BODY) {
      throw new Error(`${kind}: GET /hello gave ${res.status} ${body}`);
    }
    // Warm-up lets V8 optimise the hot path; its figures are thrown away.
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP });
    const serverBefore = await childCpuMs(child);
    const clientBefore = process.cpuUsage();
    const machineBefore = machineCpuMs();
    const started = performance.now();
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
    const wall = performance.now() - started;
    const machineCpu = (machineCpuMs() - machineBefore) / wall;
    const client = process.cpuUsage(clientBefore);
    const serverCpu = ((await childCpuMs(child)) - serverBefore) / wall;
    const clientCpu = (client.user + client.system) / 1000 / wall;
    return { ...result, serverCpu, clientCpu, otherCpu: Math.max(0, machineCpu - serverCpu - clientCpu) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await once(child, 'exit');
    }
  }
}

function table(results: Map<Kind, Measurement>): string {
  const baseline = results.get('node:http')!.requests.average;
  const rows = [...results].map(([kind, r]) =>
    [
      kind,
      `${Math.round(r.requests.average)} ± ${Math.round(r.requests.stddev)}`,
      r.latency.p50,
      r.latency.p99,
      r.errors + r.timeouts,
      r.non2xx,
      (r.requests.average / baseline).toFixed(2),
      ...[r.serverCpu, r.clientCpu, r.otherCpu].map((cpu) => `${Math.round(cpu * 100)} %`),
    ].join(' | '),
  );
  return [
    '| server | req/s (mean ± sd) | p50 ms | p99 ms | errors | non-2xx | × node:http | server CPU | autocannon CPU | other CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const serveAt = process.argv.indexOf('--serve');
  if (serveAt !== -1) {
    const kind = process.argv[serveAt + 1] as Kind;
    if (!KINDS.includes(kind)) throw new Error(`unknown server ${kind}`);
    return serve(kind);
  }

  console.log(
    `node ${process.version}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? '?'}), ` +
      `${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per server`,
  );
  const results = new Map<Kind, Measurement>();
  for (const kind of KINDS) {
    console.log(`measuring ${kind} ...`);
    results.set(kind, await measure(kind));
  }
  console.log(`\n${table(results)}`);
  // CPU is in % of one core. On 2 cores, other work steals from the server or
  // from autocannon, and such a run says little: rerun on a quiet machine.
  const busiest = Math.max(...[...results.values()].map((r) => r.otherCpu));
  if (busiest > 0.1) {
    console.log(`\nWARNING: other processes used up to ${Math.round(busiest * 100)} % of a core during a run.`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
