import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFolderInUse, lockDataFolder } from './data-folder-lock';

const STALE_MS = 2_000;

describe('lockDataFolder', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'folder-lock-')), 'data');
  });
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  it('says who holds the folder, at once, while that process lives', async () => {
    const held = await lockDataFolder(dataDir, 'the API', { staleMs: STALE_MS });
    // The holder file as another live process on this machine would have written it.
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(
        join(dataDir, 'holder.json'),
        JSON.stringify({ pid: other.pid, hostname: hostname(), command: 'the API', since: new Date().toISOString() }),
      );
      const started = Date.now();
      const refused = await lockDataFolder(dataDir, 'npm run user:create', { staleMs: STALE_MS }).catch(
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DataFolderInUse);
      expect((refused as DataFolderInUse).message).toBe(
        `the API (pid ${other.pid}) is using the embedded database in ${dataDir}`,
      );
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      other.kill();
      await held.release();
    }
  });

  it('refuses while the lock is kept fresh, even when the holder cannot be asked', async () => {
    const held = await lockDataFolder(dataDir, 'the API', { staleMs: STALE_MS });
    try {
      rmSync(join(dataDir, 'holder.json'));
      await expect(lockDataFolder(dataDir, 'npm run seed', { staleMs: STALE_MS })).rejects.toBeInstanceOf(
        DataFolderInUse,
      );
    } finally {
      await held.release();
    }
  });

  it('takes over the lock a crashed process left behind', async () => {
    // What a SIGKILLed holder leaves: the lock folder, no longer refreshed, and its holder file.
    mkdirSync(join(dataDir, 'lock'), { recursive: true });
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(join(dataDir, 'lock'), longAgo, longAgo);
    writeFileSync(
      join(dataDir, 'holder.json'),
      JSON.stringify({ pid: 2 ** 22 + 1, hostname: hostname(), command: 'the API', since: longAgo.toISOString() }),
    );
    const taken = await lockDataFolder(dataDir, 'the API', { staleMs: STALE_MS });
    expect(JSON.parse(readFileSync(join(dataDir, 'holder.json'), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'the API',
    });
    await taken.release();
  });

  it('is free again once released', async () => {
    const first = await lockDataFolder(dataDir, 'npm run import', { staleMs: STALE_MS });
    await first.release();
    const second = await lockDataFolder(dataDir, 'the API', { staleMs: STALE_MS });
    await second.release();
  });
});
