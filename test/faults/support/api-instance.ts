/**
 * The API as `npm start` runs it (node dist/src/main.js: build first), in a
 * child process of its own, so a test can send it SIGTERM or SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './scratch-postgres';

/** The folder holding package.json: this file runs from test/faults/support (jest) and dist/test/… (the cluster bench). */
function repositoryRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  throw new Error(`no package.json above ${from}`);
}

const MAIN = join(repositoryRoot(__dirname), 'dist/src/main.js');

export interface ApiInstance {
  readonly name: string;
  readonly url: string;
  readonly process: ChildProcess;
  /** The last lines the process wrote, for failure messages. */
  output(): string;
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Polls GET /health/ready until it answers 200; resolves with the milliseconds it took. */
  waitReady(timeoutMs?: number): Promise<number>;
  /** Sends SIGKILL if still running and removes the instance's data folder. */
  destroy(): Promise<void>;
}

export async function startApiInstance(name: string, env: Record<string, string>): Promise<ApiInstance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `assessment-faults-${name}-`));
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DEMO_USERS: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    at: Date.now(),
  }));
  const url = `http://127.0.0.1:${port}`;

  const instance: ApiInstance = {
    name,
    url,
    process: child,
    output: () => lines.join('\n'),
    exited,
    async waitReady(timeoutMs = 60_000) {
      const started = Date.now();
      let ended = false;
      void exited.then(() => (ended = true));
      while (Date.now() - started < timeoutMs) {
        if (ended) throw new Error(`${name} exited before it was ready:\n${instance.output()}`);
        try {
          const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
          await response.arrayBuffer();
          if (response.status === 200) return Date.now() - started;
        } catch {
          // Not listening yet, or stalled: try again.
        }
        await new Promise((wake) => setTimeout(wake, 100));
      }
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${instance.output()}`);
    },
    async destroy() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return instance;
}
