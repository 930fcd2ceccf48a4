/**
 * The webhook receiver of the submit-path bench: a plain node:http server on
 * loopback, in its own process (forked by webhooks.ts), that checks every
 * delivery's Standard Webhooks signature with the `standardwebhooks` package,
 * answers 200 at once (401 when the signature fails) and records, per
 * delivery, when it came and the event's time (the body's `timestamp`, the
 * event's occurred_at: the same machine's clock).
 *
 *   node dist/bench/submit-path/webhook-receiver.js
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One delivery as received: the event's id and type, its time and when it arrived (epoch ms). */
export interface Received {
  id: string;
  type: string;
  occurredAt: number;
  receivedAt: number;
}

export type ReceiverMessage =
  | { type: 'listening'; port: number }
  | { type: 'ready' }
  | { type: 'received'; deliveries: Received[]; signatureFailures: number; requests: number };

export type ReceiverCommand =
  /** The endpoint's signing secret, known once it is registered. */
  | { type: 'secret'; secret: string }
  /** Reply with every delivery received since the last ask, and forget them. */
  | { type: 'take' };

const send = (message: ReceiverMessage) => process.send?.(message);

function main(): void {
  let webhook: Webhook | undefined;
  let deliveries: Received[] = [];
  let signatureFailures = 0;
  let requests = 0;

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const receivedAt = Date.now();
      requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        if (!webhook) throw new Error('no secret yet');
        const payload = webhook.verify(body, request.headers as Record<string, string>) as {
          type: string;
          timestamp: string;
        };
        deliveries.push({
          id: String(request.headers['webhook-id']),
          type: payload.type,
          occurredAt: Date.parse(payload.timestamp),
          receivedAt,
        });
        response.writeHead(200, { 'content-length': '0' }).end();
      } catch {
        // 401 is final for the dispatcher: a failure here is counted, never hidden by a retry.
        signatureFailures++;
        response.writeHead(401, { 'content-length': '0' }).end();
      }
    });
  });
  // Undici keeps connections alive; never close one first under the dispatcher.
  server.keepAliveTimeout = 60_000;

  process.on('message', (message: ReceiverCommand) => {
    if (message.type === 'secret') {
      webhook = new Webhook(message.secret);
      send({ type: 'ready' });
    } else if (message.type === 'take') {
      send({ type: 'received', deliveries, signatureFailures, requests });
      deliveries = [];
      signatureFailures = 0;
      requests = 0;
    }
  });
  process.on('disconnect', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server.address() as AddressInfo).port }));
}

main();
