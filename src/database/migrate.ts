import { type DataSource, type Migration, MigrationExecutor } from 'typeorm';

/** Arbitrary but fixed: every instance takes the same lock before migrating. */
const MIGRATION_LOCK_ID = 7_345_201;

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so several API
 * instances starting at once migrate one after another instead of racing.
 * The lock is a transaction's (pg_advisory_xact_lock) and the migrations run
 * in that one transaction: behind PgBouncer in transaction mode a session
 * lock could be taken on one server connection and released on another, and
 * stay held. A failing migration rolls back every one of the run.
 */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  // A one-connection pool (the embedded database, one process per folder) has no one to race.
  if (poolSize(dataSource) < 2) return dataSource.runMigrations({ transaction: 'each' });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    const executor = new MigrationExecutor(dataSource, runner);
    // The transaction is ours: the executor runs every migration inside it and leaves commit to us.
    executor.transaction = 'all';
    const applied = await executor.executePendingMigrations();
    await runner.commitTransaction();
    return applied;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
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
