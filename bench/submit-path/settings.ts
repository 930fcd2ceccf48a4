import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The two servers measured in one run: the API under test, and its hand-written baseline. */
export const SERVER_KINDS = ['api', 'baseline'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export interface BenchSettings {
  /** Timed seconds per scenario and server. */
  duration: number;
  /** Seconds of load before each timed run, not counted. */
  warmup: number;
  /** autocannon connections: concurrent virtual learners for the submit scenario. */
  connections: number;
  /** PostgreSQL connections per server process (the API's own default is 10). */
  poolSize: number;
  /** Learners seeded; each virtual learner takes the next one, so most learners make one attempt. */
  learners: number;
  /** A server URL with rights to create databases; its database name is ignored. */
  serverUrl: string;
  /** The API's database; the baseline gets `<name>_baseline`, cloned from it after seeding. */
  database: string;
  /** pino level of both servers; `info` logs every request, as the API does by default. */
  logLevel: string;
  /** `inherit` shows the servers' logs; by default they go to /dev/null. */
  serverStdout: 'ignore' | 'inherit';
  /** Signs and verifies the bench's tokens; a fresh one per run. */
  jwtSecret: string;
  /** WEBHOOK_SECRET_KEY of the API (required in production); a fresh one per run. */
  webhookSecretKey: string;
  /** The webhooks phase (webhooks.ts): false with BENCH_WEBHOOKS=0. */
  webhooks: boolean;
  /** Its submit runs, in order: `without` (no endpoint enabled) or `with` (one endpoint for every event type). */
  webhookOrder: ('with' | 'without')[];
  /** WEBHOOK_POLL_INTERVAL_MS of the API in that phase; undefined keeps the app's default. */
  webhookPollMs?: number;
  /** BENCH_WEBHOOK_PROFILE=1: V8's profiler in the API through each timed run, summed by package (webhooks.ts). */
  webhookProfile: boolean;
  /** How long the queue may take to drain after a run with the endpoint, ms. */
  webhookDrainTimeoutMs: number;
  /** Repository root, where `seeds/` and `dist/` are. */
  root: string;
}

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${name} must be a positive number`);
  return value;
}

function envString(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function webhookOrder(): ('with' | 'without')[] {
  const raw = envString('BENCH_WEBHOOK_ORDER', 'without,with,without');
  const order = raw.split(',').map((run) => run.trim());
  if (
    order.some((run) => run !== 'with' && run !== 'without') ||
    !order.includes('with') ||
    !order.includes('without')
  ) {
    throw new Error('BENCH_WEBHOOK_ORDER must list `with` and `without` runs, comma-separated');
  }
  return order as ('with' | 'without')[];
}

export function loadSettings(): BenchSettings {
  const database = envString('BENCH_DATABASE', 'assessment_bench');
  // The name goes into CREATE DATABASE unquoted.
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(database)) throw new Error('BENCH_DATABASE must be a plain lower-case name');
  return {
    duration: envNumber('BENCH_DURATION', 10),
    warmup: envNumber('BENCH_WARMUP', 5),
    connections: Math.round(envNumber('BENCH_CONNECTIONS', 50)),
    poolSize: Math.round(envNumber('BENCH_POOL_SIZE', 10)),
    learners: Math.round(envNumber('BENCH_LEARNERS', 100_000)),
    serverUrl: envString('BENCH_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres'),
    database,
    logLevel: envString('BENCH_LOG_LEVEL', 'info'),
    serverStdout: process.env.BENCH_SERVER_STDOUT === 'inherit' ? 'inherit' : 'ignore',
    jwtSecret: `bench-${randomBytes(24).toString('hex')}`,
    webhookSecretKey: `bench-${randomBytes(24).toString('hex')}`,
    webhooks: process.env.BENCH_WEBHOOKS !== '0',
    webhookOrder: webhookOrder(),
    webhookPollMs:
      process.env.BENCH_WEBHOOK_POLL_MS === undefined || process.env.BENCH_WEBHOOK_POLL_MS === ''
        ? undefined
        : Math.round(envNumber('BENCH_WEBHOOK_POLL_MS', 500)),
    webhookProfile: process.env.BENCH_WEBHOOK_PROFILE === '1',
    webhookDrainTimeoutMs: envNumber('BENCH_WEBHOOK_DRAIN_TIMEOUT_S', 120) * 1000,
    // dist/bench/submit-path/settings.js → the repository root.
    root: join(__dirname, '..', '..', '..'),
  };
}

export function databaseOf(settings: BenchSettings, kind: ServerKind): string {
  return kind === 'api' ? settings.database : `${settings.database}_baseline`;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Both servers read the same variables the API reads (src/config/config.ts). */
export function serverEnv(settings: BenchSettings, kind: ServerKind | 'seed'): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: withDatabase(settings.serverUrl, databaseOf(settings, kind === 'seed' ? 'api' : kind)),
    DB_POOL_SIZE: String(settings.poolSize),
    LOG_LEVEL: kind === 'seed' ? 'warn' : settings.logLevel,
    JWT_SECRET: settings.jwtSecret,
    WEBHOOK_SECRET_KEY: settings.webhookSecretKey,
    HOST: '127.0.0.1',
    PORT: '0',
  };
}
