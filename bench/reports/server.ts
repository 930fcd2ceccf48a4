/**
 * The API under test, in a child process of bench/reports.ts so that its memory
 * and CPU are its own. It is the real application (`createApp`, the same
 * config loader, migrations at start), plus two things for the bench, over IPC:
 *
 * - it signs access tokens with the app's TokenService (as test/support/identity.ts does);
 * - it can record every statement the app sends to PostgreSQL, with its
 *   parameters and how long the driver took, so the parent replays exactly
 *   those statements as the baseline and knows how much of a request was SQL.
 *
 * Env: DATABASE_URL, and the app's own variables (set by the parent).
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { Principal, Role } from '../../src/auth/access.types';
import { TokenService } from '../../src/auth/token.service';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import type { CapturedStatement, ChildMessage, ParentMessage } from './protocol';

let capturing = false;
let captured: CapturedStatement[] = [];

/**
 * TypeORM runs every query as `client.query(text, values)` on a pooled pg
 * Client and awaits the promise; wrap that one call shape. Other shapes
 * (callbacks, streams) pass through unrecorded.
 */
function recordStatements(): void {
  type Query = (this: pg.Client, ...args: unknown[]) => unknown;
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const result = original.apply(this, args);
    const [text, values] = args;
    if (!capturing || typeof text !== 'string' || !(result instanceof Promise)) return result;
    const started = performance.now();
    const entry: CapturedStatement = { text, values: Array.isArray(values) ? values : [], ms: 0, rows: 0 };
    captured.push(entry);
    return result.then((res: { rowCount?: number | null; rows?: unknown[] }) => {
      entry.ms = performance.now() - started;
      entry.rows = res.rows?.length ?? res.rowCount ?? 0;
      return res;
    });
  };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  recordStatements();
  const config = loadConfig(process.env);
  const { app } = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const tokens = app.get(TokenService);
  // If the parent dies the IPC channel closes; do not leave the server behind.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ParentMessage) => {
    switch (message.type) {
      case 'token': {
        const principal: Principal = { kind: 'user', id: message.userId, roles: message.roles as Role[] };
        send({ type: 'token', token: tokens.signAccessToken(principal).token });
        break;
      }
      case 'capture':
        capturing = message.on;
        if (message.on) {
          captured = [];
          send({ type: 'capturing' });
        } else {
          send({ type: 'captured', statements: captured });
        }
        break;
    }
  });
  const server = app.getHttpServer();
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
}

main().catch((error: unknown) => {
  console.error('bench server failed to start:', error);
  process.exit(1);
});
