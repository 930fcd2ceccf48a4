import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Folder that keeps the data across restarts; omit for an in-memory database. */
  dataDir?: string;
  /** A tarball from `dumpDataDir()` to start from (an in-memory clone of a template). */
  loadDataDir?: Blob;
  /** TCP port on 127.0.0.1; 0 lets the OS choose. */
  port?: number;
  /** Client connections the socket server multiplexes onto the single PGlite session. */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** A `postgres://` URL the ordinary `pg` driver can use. */
  url: string;
  db: PGlite;
  stop(): Promise<void>;
}

/**
 * Starts PGlite in-process and serves it over the PostgreSQL wire protocol on
 * loopback, so the app talks to it exactly as it talks to a real server.
 * The socket serves one database whatever name a client asks for.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
  }
  const db = await PGlite.create({ dataDir, loadDataDir: options.loadDataDir });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 20,
  });
  await server.start();
  const connection = server.getServerConn();
  let stopped = false;

  return {
    url: `postgres://postgres@${connection}/postgres`,
    db,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
