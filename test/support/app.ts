import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/config';
import { createTestDatabase, TestDatabase } from './database';
import { committedDocumentConformance, formatViolations, type Violation } from './openapi-conformance';
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

/** Responses of this file's apps that differ from openapi.json, since the last test ended. */
const violations: (Violation & { test?: string })[] = [];

/** Fails the test whose responses differ from the document (requests of a beforeAll: the first test after it). */
function assertResponsesConformed() {
  if (violations.length === 0) return;
  const error = new Error(formatViolations(violations.splice(0), expect.getState().currentTestName));
  // The list says where to look; a stack into this helper would only hide it.
  error.stack = error.message;
  throw error;
}
afterEach(assertResponsesConformed);

/**
 * Every response the app sends, to supertest or to a raw socket, is checked
 * against the committed openapi.json (see openapi-conformance.ts); a
 * streamed body for its status and content type only.
 */
function checkEveryResponse(app: NestFastifyApplication) {
  const conformance = committedDocumentConformance();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply, payload) => {
      const found = conformance.check({
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        contentType: reply.getHeader('content-type') as string | undefined,
        body: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined,
        streamed: payload !== null && payload !== undefined && typeof payload === 'object' && !Buffer.isBuffer(payload),
      });
      violations.push(...found.map((v) => ({ ...v, test: expect.getState().currentTestName })));
      return payload;
    });
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
  checkEveryResponse(app);
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
      assertResponsesConformed();
    },
  };
}
