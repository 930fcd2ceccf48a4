/**
 * A small HTTP load balancer on loopback: each request goes to the next API
 * instance in turn (not each connection), so one learner's start, save,
 * submit and read-backs land on different instances. Adds `x-upstream: <n>`
 * to each answer so the bench can tell which instance served it.
 *
 *   node dist/bench/cluster/round-robin.js <port> [<port> …]   (forked; reports its port over IPC)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const ports = process.argv.slice(2).map(Number);
if (ports.length === 0 || ports.some((port) => !Number.isInteger(port))) {
  throw new Error('usage: round-robin.js <port> [<port> …]');
}
const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: 128 }));
let next = 0;

const server = http.createServer((request, response) => {
  const index = next++ % ports.length;
  const upstream = http.request(
    {
      host: '127.0.0.1',
      port: ports[index],
      method: request.method,
      path: request.url,
      headers: request.headers,
      agent: agents[index],
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-upstream': String(index) });
      answer.pipe(response);
    },
  );
  // An instance that is gone answers 502, which the bench counts as an error.
  upstream.on('error', () => {
    if (!response.headersSent) response.writeHead(502, { 'x-upstream': String(index) });
    response.end();
  });
  request.pipe(upstream);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
