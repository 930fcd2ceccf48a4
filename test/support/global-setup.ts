import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { runMigrations } from '../../src/database/migrate';
import { startEmbeddedProcess } from './embedded-process';
import { EMBEDDED_TEMPLATE_ENV, templateDatabaseFor, withDatabase } from './test-env';

/**
 * Migrates one template database; each e2e file then gets a copy of its own.
 * On a real server (DATABASE_URL) the copy is `CREATE DATABASE … TEMPLATE`;
 * on the embedded default it is a PGlite data directory dump loaded afresh.
 */
export default async function globalSetup() {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = templateDatabaseFor(url);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${template}`);
    } finally {
      await admin.end();
    }
    await migrate(withDatabase(url, template), 2);
    return;
  }
  const file = join(tmpdir(), `assessment-test-template-${process.pid}.tar`);
  const embedded = await startEmbeddedProcess(['--dump-on-exit', file]);
  try {
    await migrate(embedded.url, 1);
  } finally {
    await embedded.stop();
  }
  process.env[EMBEDDED_TEMPLATE_ENV] = file;
}

async function migrate(url: string, poolSize: number) {
  const dataSource = createDataSource({ url, poolSize });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
