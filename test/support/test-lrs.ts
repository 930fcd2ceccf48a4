import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';

export interface LrsRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The statements of the batch, as received. */
  statements: Record<string, unknown>[];
  status: number;
}

/**
 * An LRS on loopback that keeps statements by id as xAPI 1.0.3 says of POST /statements: a
 * statement whose id it has changes nothing, and a different one under a known id is 409.
 * `failAfterStoring(n)` makes it answer 500 to the next n batches after storing them, as an LRS
 * that crashed before answering would.
 */
export interface TestLrs {
  url: string;
  requests: LrsRequest[];
  stored: Map<string, Record<string, unknown>>;
  failAfterStoring(batches: number): void;
  close(): Promise<void>;
}

export async function startTestLrs(): Promise<TestLrs> {
  const requests: LrsRequest[] = [];
  const stored = new Map<string, Record<string, unknown>>();
  let failures = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let statements: Record<string, unknown>[] = [];
      let status: number;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        statements = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
        const conflicting = statements.filter(
          (s) => stored.has(s.id as string) && !isDeepStrictEqual(stored.get(s.id as string), s),
        );
        const ids = statements.map((s) => s.id);
        if (request.method !== 'POST' || request.url !== '/lrs/statements') status = 404;
        else if (new Set(ids).size !== ids.length) status = 400;
        else if (conflicting.length > 0) status = 409;
        else {
          for (const statement of statements)
            if (!stored.has(statement.id as string)) stored.set(statement.id as string, statement);
          status = failures > 0 ? (failures--, 500) : 200;
        }
      } catch {
        status = 400;
      }
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        statements,
        status,
      });
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(status === 200 ? JSON.stringify(statements.map((s) => s.id)) : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/lrs`,
    requests,
    stored,
    failAfterStoring: (batches) => (failures = batches),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
