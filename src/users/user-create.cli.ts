/**
 * Creates a user from the command line, e.g. the first admin:
 *   npm run user:create -- --email ada@example.com --role admin [--name "Ada"] [--password …]
 * Without --password a strong one is generated and printed once.
 * Uses DATABASE_URL, or the embedded database in DATA_DIR (stop the API first).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { ROLES, type Role, SYSTEM_CALLER } from '../auth/access.types';
import { loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
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

  const { config, embedded } = await resolveDatabase({ ...loadConfig(), demoUsers: false });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
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
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
