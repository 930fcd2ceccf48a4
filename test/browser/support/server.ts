import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createApp } from '../../../src/app.factory';
import { type AppConfig, loadConfig } from '../../../src/config/config';
import { createTestDatabase, type TestDatabase } from '../../support/database';

/** A real server on a free port of 127.0.0.1; shaped like TestApp so test/support's helpers take it. */
export interface BrowserServer {
  app: NestFastifyApplication;
  server: Server;
  config: AppConfig;
  database: TestDatabase;
  /** e.g. http://127.0.0.1:41234, no trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The application as `npm start` runs it (src/main.ts: createApp, init,
 * listen), on a database of its own cloned from the template. `env`
 * overrides the defaults as environment variables would.
 */
export async function startServer(env: Record<string, string> = {}): Promise<BrowserServer> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    ATTEMPT_SWEEP_INTERVAL_MS: '0',
    HOUSEKEEPING_INTERVAL_MS: '0',
    WEBHOOK_POLL_INTERVAL_MS: '0',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64url'),
    // The embedded database takes one connection at a time (see src/database/resolve-database.ts).
    ...(process.env.DATABASE_URL ? {} : { DB_POOL_SIZE: '1' }),
    ...env,
  });
  let app: NestFastifyApplication | undefined;
  try {
    app = (await createApp(config)).app;
    await app.init();
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (error) {
    await app?.close();
    await database.drop();
    throw error;
  }
  const started = app;
  const address = started.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error(`unexpected server address ${String(address)}`);
  return {
    app: started,
    server: started.getHttpServer(),
    config,
    database,
    baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      await started.close();
      await database.drop();
    },
  };
}
