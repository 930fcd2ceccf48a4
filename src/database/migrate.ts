import type { DataSource, Migration } from 'typeorm';

/** Arbitrary but fixed: every instance takes the same lock before migrating. */
const MIGRATION_LOCK_ID = 7_345_201;

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so several API
 * instances starting at once migrate one after another instead of racing.
 * The lock holds one pooled connection while another migrates.
 */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  // A one-connection pool (the embedded database, one process per folder) has no one to race.
  if (poolSize(dataSource) < 2) return dataSource.runMigrations({ transaction: 'each' });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}

/** SQL the entities need that the migrations have not applied; empty when in step. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sqlInMemory = await dataSource.driver.createSchemaBuilder().log();
  return sqlInMemory.upQueries.map((query) => query.query);
}

function poolSize(dataSource: DataSource): number {
  const extra = (dataSource.options as { extra?: { max?: number } }).extra;
  return extra?.max ?? 10;
}
