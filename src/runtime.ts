import { join } from 'node:path';
import { withLocalSecret } from './auth/local-secret';
import type { AppConfig } from './config/config';
import { DataFolderInUse, lockDataFolder, type LockOptions } from './database/data-folder-lock';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres';

export interface Runtime {
  /** The config with the database URL and the signing key resolved. */
  config: AppConfig;
  embedded?: EmbeddedPostgres;
  /** Stops the embedded database and releases the data folder. */
  close(): Promise<void>;
}

/**
 * What the API and every CLI do before they build the application: resolve
 * the signing secret (JWT_SECRET, or the one kept in DATA_DIR), and without
 * DATABASE_URL lock the data folder for this process alone and start the
 * embedded database in it, with a pool of one connection. PGlite is a single
 * session, and its socket server interleaves the protocol messages of
 * concurrent connections (a Parse of one between the Parse and Bind of
 * another), so more than one connection can mix up queries.
 *
 * `command` names this process in the message a second one gets ("the API",
 * "npm run import"). Throws DataFolderInUse when the folder is taken.
 */
export async function openRuntime(config: AppConfig, command: string, lockOptions?: LockOptions): Promise<Runtime> {
  if (config.database.url) return { config: withLocalSecret(config), close: async () => {} };

  const folder = await lockDataFolder(config.database.dataDir, command, lockOptions);
  try {
    const resolved = withLocalSecret(config);
    const embedded = await startEmbeddedPostgres({ dataDir: join(config.database.dataDir, 'pgdata') });
    return {
      config: { ...resolved, database: { ...resolved.database, url: embedded.url, poolSize: 1 } },
      embedded,
      async close() {
        try {
          await embedded.stop();
        } finally {
          await folder.release();
        }
      },
    };
  } catch (error) {
    await folder.release();
    throw error;
  }
}

/**
 * The words a second process prints when the data folder is taken; `viaApi`
 * says how to do the same job through the running API, where there is a way.
 */
export function folderInUseMessage(error: DataFolderInUse, viaApi?: string): string {
  return [
    `${error.message}.`,
    'Only one process may open an embedded data folder: stop it first, or point DATABASE_URL at a PostgreSQL server.',
    ...(viaApi ? [`Or do this through the running API: ${viaApi}`] : []),
  ].join('\n');
}
