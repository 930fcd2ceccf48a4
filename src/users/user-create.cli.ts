/**
 * Creates a user from the command line, e.g. the first admin:
 *   npm run user:create -- --email ada@example.com --role admin [--name "Ada"] [--password …]
 * Without --password a strong one is generated and printed once.
 * Uses DATABASE_URL, or the embedded database in DATA_DIR, which only one
 * process may open: while the API runs on it, this refuses and says how to
 * create the user through the API instead.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { ROLES, type Role, SYSTEM_CALLER } from '../auth/access.types';
import { loadConfig } from '../config/config';
import { DataFolderInUse } from '../database/data-folder-lock';
import { folderInUseMessage, openRuntime, type Runtime } from '../runtime';
import { UsersService } from './users.service';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      role: { type: 'string', multiple: true },
      name: { type: 'string' },
      password: { type: 'string' },
    },
  });
  const roles = (values.role ?? ['learner']) as Role[];
  if (!values.email || roles.some((role) => !ROLES.includes(role))) {
    console.error(
      `usage: npm run user:create -- --email <email> --role <${ROLES.join('|')}> [--name <name>] [--password <pw>]`,
    );
    return 2;
  }

  const config = loadConfig();
  // No delivery thread for a command's few seconds: the instances deliver what it emits.
  const loaded = { ...config, demoUsers: false, events: { ...config.events, delivery: 'inline' as const } };
  let runtime: Runtime;
  try {
    runtime = await openRuntime(loaded, 'npm run user:create');
  } catch (error) {
    if (!(error instanceof DataFolderInUse)) throw error;
    const body = JSON.stringify({
      email: values.email,
      displayName: values.name ?? values.email.split('@')[0],
      roles,
      password: values.password ?? '<a password of 10 or more characters>',
    });
    console.error(
      folderInUseMessage(
        error,
        `with an admin's access token in $TOKEN,\n  curl -X POST http://127.0.0.1:${loaded.http.port}/v1/users ` +
          `-H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '${body}'`,
      ),
    );
    return 75; // EX_TEMPFAIL
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(runtime.config), { logger: ['error'] });
  try {
    const password = values.password ?? randomBytes(15).toString('base64url');
    const user = await app.get(UsersService).create(SYSTEM_CALLER, {
      email: values.email.trim().toLowerCase(),
      displayName: values.name ?? values.email.split('@')[0],
      roles,
      password,
    });
    process.stdout.write(`Created ${user.roles.join(',')} ${user.email} (${user.id})\n`);
    if (!values.password) process.stdout.write(`Password (shown once): ${password}\n`);
    return 0;
  } finally {
    await app.close();
    await runtime.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
