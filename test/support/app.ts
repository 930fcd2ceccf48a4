import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/config';
import { createTestDatabase, TestDatabase } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  /** The HTTP server, for supertest. */
  server: Server;
  config: AppConfig;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The real application on a database of this file's own. `env` overrides the
 * test defaults, as environment variables would.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    // Tests close overdue attempts themselves, at the moment they choose.
    ATTEMPT_SWEEP_INTERVAL_MS: '0',
    HOUSEKEEPING_INTERVAL_MS: '0',
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
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
