import { createHash } from 'node:crypto';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

/** Where the data source's options say whether named statements are allowed (see `namedQuery`). */
export const NAMED_STATEMENTS_OPTION = 'assessmentNamedStatements';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const names = new Map<string, string>();

/** One name per statement text, from its hash: the same text is the same prepared statement on every connection. */
function statementName(label: string, text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `${label}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
    names.set(text, name);
  }
  return name;
}

export function namedStatementsEnabled(dataSource: DataSource): boolean {
  const extra = (dataSource.options as { extra?: Record<string, unknown> }).extra;
  return extra?.[NAMED_STATEMENTS_OPTION] !== false;
}

/**
 * Runs one of the hot paths' fixed statements as a named prepared statement:
 * PostgreSQL parses and plans it once per connection instead of on every call
 * (for the progress read's statement, 0.3–0.4 ms against 1–3.5 ms per call on
 * the bench's database; BENCHMARKS.md). Only for statements whose text is
 * fixed (a handful per process, each kept by every pooled connection);
 * anything built from variable lists stays with `manager.query`.
 *
 * Behind a pooler that cannot carry prepared statements across transactions
 * (PgBouncer before 1.21 in transaction mode), DB_NAMED_STATEMENTS=false sends
 * them unnamed like every other statement. The statement goes to the
 * manager's connection (its transaction's, when it has one), and a failure
 * is TypeORM's QueryFailedError as with `manager.query`.
 */
export async function namedQuery<T>(
  manager: EntityManager,
  label: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  if (!namedStatementsEnabled(manager.dataSource)) return manager.query<T[]>(text, values);
  const runner = manager.queryRunner ?? manager.dataSource.createQueryRunner();
  const owned = !manager.queryRunner;
  try {
    const client = (await runner.connect()) as PgClient;
    const result = await client.query({ name: statementName(label, text), text, values });
    return result.rows as T[];
  } catch (error) {
    if (error instanceof Error && 'code' in error) throw new QueryFailedError(text, values, error);
    throw error;
  } finally {
    if (owned) await runner.release();
  }
}
