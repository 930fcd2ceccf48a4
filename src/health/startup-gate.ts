import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { PROBLEM_CONTENT_TYPE, problemBody, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../common/errors/problem';

export interface StartupGate {
  /** The listening server (for tests). */
  server: Server;
  /** What /health/ready says while the gate is up. */
  setReason(reason: string): void;
  close(): Promise<void>;
}

/**
 * Holds the port while the service waits for its database, so that an
 * orchestrator sees it alive (/health/live 200) but not ready (/health/ready
 * 503 saying why), and callers get a 503 problem with Retry-After rather than
 * a refused connection. Closed just before the application listens.
 */
export async function openStartupGate(port: number, host: string): Promise<StartupGate> {
  let reason = 'starting';
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/health/live') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    const requestId = randomUUID();
    const body = problemBody({
      status: 503,
      detail: `The service is starting: ${reason}`,
      instance: path,
      requestId,
      extensions: path === '/health/ready' ? { checks: { database: { status: 'down', message: reason } } } : {},
    });
    response
      .writeHead(503, {
        'content-type': PROBLEM_CONTENT_TYPE,
        'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS),
        'x-request-id': requestId,
        connection: 'close',
      })
      .end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    setReason(next) {
      reason = next;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
