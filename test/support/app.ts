import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/config';
import { createTestDatabase, TestDatabase } from './database';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

export interface TestApp {
  app: NestFastifyApplication;
  /** The HTTP server, for supertest. */
  server: Server;
  config: AppConfig;
  database: TestDatabase;
  /** Between the app and its database when asked for, so a test can cut it (see tcp-proxy.ts). */
  proxy?: TcpProxy;
  close(): Promise<void>;
}

/** A secret of this test process's own: no signing secret is written in the code. */
const TEST_JWT_SECRET = randomBytes(32).toString('base64url');
const TEST_WEBHOOK_KEY = randomBytes(32).toString('base64url');

/**
 * The real application on a database of this file's own. `env` overrides the
 * test defaults, as environment variables would.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { proxy?: boolean } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const proxy = options.proxy ? await startTcpProxy(database.url) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: proxy?.url ?? database.url,
    // Tests close overdue attempts themselves, at the moment they choose.
    ATTEMPT_SWEEP_INTERVAL_MS: '0',
    HOUSEKEEPING_INTERVAL_MS: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    WEBHOOK_SECRET_KEY: TEST_WEBHOOK_KEY,
    WEBHOOK_POLL_INTERVAL_MS: '0',
    // The embedded database takes one connection at a time (see src/database/resolve-database.ts).
    ...(process.env.DATABASE_URL ? {} : { DB_POOL_SIZE: '1' }),
    ...env,
  });
  const { app } = await createApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    server: app.getHttpServer(),
    config,
    database,
    proxy,
    async close() {
      await app.close();
      await proxy?.close();
      await database.drop();
    },
  };
}
