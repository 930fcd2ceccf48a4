import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

/**
 * Keeps DATABASE_URL when set; otherwise starts the embedded database in
 * DATA_DIR and points the config at it, with a pool of one connection.
 * PGlite is a single session, and its socket server interleaves the protocol
 * messages of concurrent connections (a Parse of one between the Parse and
 * Bind of another), so more than one connection can mix up queries.
 */
export async function resolveDatabase(config: AppConfig): Promise<{ config: AppConfig; embedded?: EmbeddedPostgres }> {
  if (config.database.url) return { config };
  const embedded = await startEmbeddedPostgres({ dataDir: join(config.database.dataDir, 'pgdata') });
  return { config: { ...config, database: { ...config.database, url: embedded.url, poolSize: 1 } }, embedded };
}
