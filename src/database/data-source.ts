import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index';
import { entities } from './entities';
import { NAMED_STATEMENTS_OPTION } from './named-query';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** How long to wait for a pooled connection, or for a new one to open. */
  acquireTimeoutMs?: number;
  /** Idle time after which a pooled connection is closed (pg's default: 10 s). */
  poolIdleMs?: number;
  /** PostgreSQL's statement_timeout on every connection. */
  statementTimeoutMs?: number;
  /** The hot paths' fixed statements as named prepared statements (named-query.ts); default on. */
  namedStatements?: boolean;
}

/**
 * The one description of the database, used by the app (TypeOrmModule) and by
 * the migration scripts. Schema changes go through migrations only.
 */
export function buildDataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: settings.applicationName ?? 'assessment-api',
    extra: {
      max: settings.poolSize ?? 10,
      // Past this, a request that finds every connection busy (or the server away) fails: 503, not a hang.
      connectionTimeoutMillis: settings.acquireTimeoutMs ?? 5_000,
      // A new connection starts cold (its first statements plan and run slower): keep them through pauses.
      idleTimeoutMillis: settings.poolIdleMs ?? 300_000,
      // A statement that runs away must not hold a pooled connection forever.
      statement_timeout: settings.statementTimeoutMs ?? 30_000,
      keepAlive: true,
      idle_in_transaction_session_timeout: 60_000,
      // Read by namedQuery, ignored by pg.
      [NAMED_STATEMENTS_OPTION]: settings.namedStatements ?? true,
    },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(buildDataSourceOptions(settings));
}
