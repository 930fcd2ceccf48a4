import type { ChildProcess } from 'node:child_process';

/**
 * The next message of `type` a bench child process sends, for any message
 * protocol with a `type` field; rejects if the child exits first. `who` names
 * the child in that error.
 */
export function childMessage<M extends { type: string }, T extends M['type']>(
  child: ChildProcess,
  type: T,
  who: string,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as Extract<M, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${who} exited with code ${String(code)} while the bench waited for "${type}"`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
