import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedProcess } from './embedded-process';
import { EMBEDDED_TEMPLATE_ENV, templateDatabaseFor, withDatabase } from './test-env';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A migrated database of this test file's own, cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const template = process.env[EMBEDDED_TEMPLATE_ENV];
    if (!template) throw new Error('The e2e global setup did not run (no embedded template)');
    const embedded = await startEmbeddedProcess(['--load', template]);
    return { url: embedded.url, drop: () => embedded.stop() };
  }

  const name = `assessment_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, async (admin) => {
    // Concurrent clones of one template can collide briefly; try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabaseFor(serverUrl)}`);
        return;
      } catch (error) {
        if (attempt >= 10 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
