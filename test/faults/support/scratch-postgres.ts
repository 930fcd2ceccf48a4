/**
 * A PostgreSQL server of the fault suite's own, in a temporary folder, that
 * the suite may stop and start at will: the server the rest of CI runs on is
 * never touched. Uses the machine's PostgreSQL binaries (PG_BINDIR, or the
 * newest /usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as
 * root, so as root the server runs as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface ScratchPostgres {
  /** postgres://… of the suite's database on this server. */
  readonly url: string;
  readonly port: number;
  /** Stops the server; `immediate` is a crash as far as clients can tell (no checkpoint, WAL replayed at start). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** A client on the suite's database, for checks against what the API acknowledged. */
  connect(): Promise<Client>;
  /** Stops the server if it runs and removes its folder. */
  destroy(): void;
}

function binDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  const found = versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) throw new Error('no PostgreSQL binaries found: set PG_BINDIR to the folder holding initdb and pg_ctl');
  return found;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface ServerFolder {
  folder: string;
  dataDir: string;
  logFile: string;
  /** Runs one of the PostgreSQL programs (as `postgres` when root); throws with its output and the log's tail. */
  run(program: string, args: string[]): void;
}

/** A temporary folder for one server, owned by the user the server runs as. */
function serverFolder(prefix: string): ServerFolder {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const folder = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(folder, 'data');
  const logFile = join(folder, 'postgres.log');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(folder, uid, gid);
  }
  const run = (program: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(bin, program);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args;
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`${program} ${args.join(' ')} failed: ${result.stderr || result.stdout}${log}`);
    }
  };
  return { folder, dataDir, logFile, run };
}

function scratchServer(at: ServerFolder, port: number, database: string): ScratchPostgres {
  const { folder, dataDir, logFile, run } = at;
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${folder} -c max_connections=100`;
  let running = false;
  const server: ScratchPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    start() {
      run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options]);
      running = true;
    },
    stop(mode = 'fast') {
      run('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
      running = false;
    },
    async connect() {
      const client = new Client({ connectionString: server.url, application_name: 'fault-suite' });
      await client.connect();
      return client;
    },
    destroy() {
      try {
        if (running) server.stop('immediate');
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
  return server;
}

/** Creates, starts and opens a database on a new server; about 2 s. */
export async function startScratchPostgres(database = 'faults'): Promise<ScratchPostgres> {
  const at = serverFolder('assessment-faults-pg-');
  const port = await freePort();
  at.run('initdb', [
    '-D',
    at.dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--no-instructions',
  ]);
  const server = scratchServer(at, port, database);
  server.start();
  const admin = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  return server;
}

/**
 * A streaming replica of a running scratch server, on a port of its own: a base backup that streams the WAL
 * written while it is taken (`pg_basebackup -X stream`) and writes the standby's settings (`-R`:
 * standby.signal and primary_conninfo), then started as a hot standby that answers reads. The primary's
 * defaults are enough: wal_level=replica, max_wal_senders=10, and initdb's trust pg_hba has `replication`
 * lines for 127.0.0.1. Its `url` names the same database as the primary's.
 */
export async function startScratchReplica(primary: ScratchPostgres, database = 'faults'): Promise<ScratchPostgres> {
  const at = serverFolder('assessment-faults-replica-');
  const port = await freePort();
  at.run('pg_basebackup', [
    ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
    ...['-D', at.dataDir, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync'],
  ]);
  // On by default; said here because the tests need a standby that answers reads.
  appendFileSync(join(at.dataDir, 'postgresql.auto.conf'), 'hot_standby = on\n');
  const server = scratchServer(at, port, database);
  server.start();
  return server;
}
