/**
 * The cluster on this machine: a scratch PostgreSQL primary and its streaming
 * replica (the fault suite's helpers), PgBouncer in transaction mode in front
 * of the primary, API instances (`node dist/src/main.js`, each on its own port)
 * and the round-robin in front of them. Everything started is registered for
 * clean-up (cleanup.ts).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { startApiInstance, type ApiInstance } from '../../test/faults/support/api-instance';
import { startPgBouncer, type ScratchPgBouncer } from '../../test/faults/support/pgbouncer';
import {
  startScratchPostgres,
  startScratchReplica,
  type ScratchPostgres,
} from '../../test/faults/support/scratch-postgres';
import { childMessage } from '../child-message';
import { onCleanup } from './cleanup';

export const CLUSTER_DATABASE = 'assessment_cluster';

export interface Databases {
  primary: ScratchPostgres;
  replica: ScratchPostgres;
  pgbouncer: ScratchPgBouncer;
}

/**
 * Primary, PgBouncer and (once the database is seeded, so the base backup has it) the replica. PgBouncer's
 * startup-parameter rule (README, "Running at scale") means the timeouts come from the database's settings.
 */
export async function startPrimary(): Promise<ScratchPostgres> {
  const primary = await startScratchPostgres(CLUSTER_DATABASE);
  onCleanup('the scratch primary', () => primary.destroy());
  const db = await primary.connect();
  try {
    await db.query(`ALTER DATABASE ${CLUSTER_DATABASE} SET statement_timeout = '30s'`);
    await db.query(`ALTER DATABASE ${CLUSTER_DATABASE} SET idle_in_transaction_session_timeout = '60s'`);
  } finally {
    await db.end();
  }
  return primary;
}

export async function startReplicaAndPgBouncer(primary: ScratchPostgres, pgbouncerPool: number): Promise<Databases> {
  const replica = await startScratchReplica(primary, CLUSTER_DATABASE);
  onCleanup('the scratch replica', () => replica.destroy());
  const pgbouncer = await startPgBouncer(primary, CLUSTER_DATABASE, pgbouncerPool);
  onCleanup('PgBouncer', () => pgbouncer.destroy());
  return { primary, replica, pgbouncer };
}

export interface InstanceSettings {
  count: number;
  /** DATABASE_URL: PgBouncer's. */
  databaseUrl: string;
  /** REPLICA_DATABASE_URL, or none: reports on the primary. */
  replicaUrl?: string;
  poolSize: number;
  logLevel: string;
  jwtSecret: string;
  webhookSecretKey: string;
}

export interface Cluster {
  /** The round-robin's URL. */
  url: string;
  instances: ApiInstance[];
  /** The round-robin's pid (its CPU is the bench's). */
  balancerPid: number;
  stop(): Promise<void>;
}

/** `count` API instances, ready, behind the round-robin. */
export async function startCluster(settings: InstanceSettings): Promise<Cluster> {
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_URL: settings.databaseUrl,
    // PgBouncer 1.18 cannot carry named prepared statements (README).
    DB_NAMED_STATEMENTS: 'false',
    DB_POOL_SIZE: String(settings.poolSize),
    LOG_LEVEL: settings.logLevel,
    JWT_SECRET: settings.jwtSecret,
    WEBHOOK_SECRET_KEY: settings.webhookSecretKey,
    ...(settings.replicaUrl ? { REPLICA_DATABASE_URL: settings.replicaUrl } : {}),
  };
  const instances: ApiInstance[] = [];
  const stops: (() => Promise<void>)[] = [];
  try {
    for (let index = 0; index < settings.count; index++) {
      const instance = await startApiInstance(`cluster-${index + 1}`, env);
      instances.push(instance);
      stops.push(onCleanup(`API instance ${instance.name}`, () => instance.destroy()));
    }
    await Promise.all(instances.map((instance) => instance.waitReady()));
    const ports = instances.map((instance) => new URL(instance.url).port);
    const balancer = fork(join(__dirname, 'round-robin.js'), ports, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    stops.push(
      onCleanup('the round-robin', async () => {
        if (balancer.exitCode !== null || balancer.signalCode !== null) return;
        const exited = once(balancer, 'exit');
        balancer.kill('SIGTERM');
        await exited;
      }),
    );
    const { port } = await childMessage<{ type: 'listening'; port: number }, 'listening'>(
      balancer,
      'listening',
      'the round-robin',
    );
    return {
      url: `http://127.0.0.1:${port}`,
      instances,
      balancerPid: balancer.pid!,
      async stop() {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
}
