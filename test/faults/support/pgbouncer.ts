/**
 * Debian's PgBouncer (`pgbouncer` package) in front of a scratch server, in
 * transaction pooling mode, in a temporary folder of its own. It will not run
 * as root, so as root it runs as the `postgres` user, like the servers.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type ScratchPostgres } from './scratch-postgres';

export interface ScratchPgBouncer {
  /** postgres://… of the database through PgBouncer. */
  readonly url: string;
  /** The pgbouncer process (the cluster bench counts its CPU). */
  readonly pid: number;
  destroy(): void;
}

function pgbouncerBinary(): string {
  const found = [process.env.PGBOUNCER, '/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find(
    (path) => path && existsSync(path),
  );
  if (!found) throw new Error('no pgbouncer found: install Debian’s pgbouncer package, or set PGBOUNCER');
  return found;
}

/**
 * `poolSize` server connections at most for the database, whatever the number of clients; the startup
 * parameters the API's driver sends that PgBouncer cannot track (statement_timeout,
 * idle_in_transaction_session_timeout) are ignored, so the server's own settings (ALTER DATABASE … SET)
 * must supply them (README, "Running at scale").
 */
export async function startPgBouncer(server: ScratchPostgres, database = 'faults', poolSize = 4) {
  const binary = pgbouncerBinary();
  const asRoot = process.getuid?.() === 0;
  const folder = mkdtempSync(join(tmpdir(), 'assessment-faults-pgbouncer-'));
  const port = await freePort();
  const ini = join(folder, 'pgbouncer.ini');
  const pidFile = join(folder, 'pgbouncer.pid');
  writeFileSync(join(folder, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `${database} = host=127.0.0.1 port=${server.port} dbname=${database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(folder, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 200',
      'ignore_startup_parameters = statement_timeout, idle_in_transaction_session_timeout',
      `logfile = ${join(folder, 'pgbouncer.log')}`,
      `pidfile = ${pidFile}`,
      '',
    ].join('\n'),
  );
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const path of [folder, ini, join(folder, 'users.txt')]) chownSync(path, uid, gid);
  }
  const command = asRoot ? 'runuser' : binary;
  const argv = asRoot ? ['-u', 'postgres', '--', binary, '-d', ini] : ['-d', ini];
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`pgbouncer failed to start: ${result.stderr || result.stdout}`);
  for (let tries = 0; tries < 100 && !existsSync(pidFile); tries++) await new Promise((wake) => setTimeout(wake, 50));
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    pid,
    destroy() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      rmSync(folder, { recursive: true, force: true });
    },
  } satisfies ScratchPgBouncer;
}
