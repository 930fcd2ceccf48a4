import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { lock } from 'proper-lockfile';

/**
 * One process per embedded data folder. PGlite does not lock its folder, and
 * two processes writing one folder lose each other's writes, so the API and
 * every CLI take this lock before they open it.
 *
 * The lock is proper-lockfile's: an atomic `mkdir` of `DATA_DIR/lock`, whose
 * modification time the holder refreshes every few seconds. A crashed holder
 * stops refreshing it, and after STALE_MS the next process takes it over, so a
 * crash never leaves the folder locked for good. Beside it, `holder.json` says
 * who holds it, for the message a second process prints.
 */
export const STALE_MS = 10_000;

export interface DataFolderHolder {
  pid: number;
  hostname: string;
  /** What holds the folder: "the API", "npm run import", ... */
  command: string;
  since: string;
}

export class DataFolderInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataFolderHolder | undefined,
  ) {
    const who = holder ? `${holder.command} (pid ${holder.pid}${holderElsewhere(holder)})` : 'another process';
    super(`${who} is using the embedded database in ${dataDir}`);
    this.name = 'DataFolderInUse';
  }
}

export interface DataFolderLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Called if another process took the lock over (this one stalled past STALE_MS): stop writing. */
  onCompromised?: (error: Error) => void;
  /** For tests: how long an abandoned lock lasts (proper-lockfile's minimum is 2 s). */
  staleMs?: number;
}

export async function lockDataFolder(
  dataDir: string,
  command: string,
  options: LockOptions = {},
): Promise<DataFolderLock> {
  const folder = resolve(dataDir);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const staleMs = options.staleMs ?? STALE_MS;
  const settings = {
    lockfilePath: join(folder, 'lock'),
    stale: staleMs,
    update: Math.max(1_000, Math.floor(staleMs / 2)),
    realpath: false,
    onCompromised:
      options.onCompromised ??
      ((error: Error) => {
        throw error;
      }),
  };

  let unlock: () => Promise<void>;
  try {
    unlock = await lock(folder, { ...settings, retries: 0 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ELOCKED') throw error;
    const holder = readHolder(folder);
    // A live holder on this machine: say so at once. Otherwise (it crashed, or runs
    // elsewhere on a shared volume) wait until the lock would count as abandoned.
    if (holder && isAlive(holder)) throw new DataFolderInUse(dataDir, holder);
    try {
      unlock = await lock(folder, {
        ...settings,
        retries: { retries: Math.ceil((staleMs + 2_000) / 500), factor: 1, minTimeout: 500, maxTimeout: 500 },
      });
    } catch (again) {
      if ((again as { code?: string }).code === 'ELOCKED') throw new DataFolderInUse(dataDir, readHolder(folder));
      throw again;
    }
  }

  const holderFile = join(folder, 'holder.json');
  const holder: DataFolderHolder = { pid: process.pid, hostname: hostname(), command, since: new Date().toISOString() };
  writeFileSync(holderFile, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      rmSync(holderFile, { force: true });
      await unlock();
    },
  };
}

function readHolder(folder: string): DataFolderHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(folder, 'holder.json'), 'utf8')) as Partial<DataFolderHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return undefined;
    return {
      pid: parsed.pid,
      hostname: parsed.hostname,
      command: typeof parsed.command === 'string' ? parsed.command : 'another process',
      since: typeof parsed.since === 'string' ? parsed.since : '',
    };
  } catch {
    return undefined;
  }
}

/** Only a process on this machine can be asked; our own pid means a previous life of ours (a container restart). */
function isAlive(holder: DataFolderHolder): boolean {
  if (holder.hostname !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

function holderElsewhere(holder: DataFolderHolder): string {
  return holder.hostname === hostname() ? '' : ` on ${holder.hostname}`;
}
