import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface EmbeddedProcess {
  url: string;
  /** Stops the server; resolves once it has exited (after any dump). */
  stop(): Promise<void>;
}

/** Starts test/support/embedded-server.cjs and waits for its URL. */
export function startEmbeddedProcess(args: string[] = []): Promise<EmbeddedProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'embedded-server.cjs'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^READY (\S+)$/m.exec(output);
      if (match) resolve({ url: match[1], stop: () => stopChild(child, exited) });
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited early with code ${code}`)));
    child.once('error', reject);
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
}
