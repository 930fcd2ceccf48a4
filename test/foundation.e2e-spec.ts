import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import request from 'supertest';
import { createTestApp, TestApp } from './support/app';

describe('foundation (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => t.close());

  it('answers an unknown route with a 404 problem carrying the request id', async () => {
    const res = await request(t.server).get('/nope').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, instance: '/nope' });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('keeps a sane X-Request-Id from the caller and replaces one that is not', async () => {
    const kept = await request(t.server).get('/health/live').set('X-Request-Id', 'abc-123.x').expect(200);
    expect(kept.headers['x-request-id']).toBe('abc-123.x');
    const replaced = await request(t.server).get('/nope').set('X-Request-Id', 'bad id\twith spaces').expect(404);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.body.requestId).toBe(replaced.headers['x-request-id']);
  });

  it('answers a malformed JSON body with a 400 problem, not a 500', async () => {
    const res = await request(t.server)
      .post('/health/live')
      .set('content-type', 'application/json')
      .send('{"broken":')
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(res.body.requestId).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('refuses a body over the configured limit with 413', async () => {
    const res = await request(t.server)
      .post('/health/live')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ text: 'x'.repeat(4096) }))
      .expect(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(413);
  });

  it('sets security headers', async () => {
    const res = await request(t.server).get('/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('reports liveness and readiness', async () => {
    await request(t.server).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(t.server).get('/health/ready').expect(200);
    expect(ready.body.details.database.status).toBe('up');
  });

  it('counts requests by route template in Prometheus metrics', async () => {
    await request(t.server).get('/health/live').expect(200);
    await request(t.server).get('/definitely/not/here').expect(404);
    const res = await request(t.server).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/health\/live",status_code="200"\} \d+/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/health\/live"/);
    // Unmatched URLs share one label value, so a scanner cannot blow up the series count.
    expect(res.text).not.toContain('/definitely/not/here');
  });

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const doc = await request(t.server).get('/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.paths['/health/ready']).toBeDefined();
    const ui = await request(t.server).get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });
});

describe('metrics token (e2e)', () => {
  let t: TestApp;
  const token = 'metrics-token-for-tests-0123456789';

  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: token });
  });
  afterAll(() => t.close());

  it('wants the configured bearer token when one is set', async () => {
    const denied = await request(t.server).get('/metrics').expect(401);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    await request(t.server).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
    await request(t.server).get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
  });
});

describe('readiness without a database (e2e)', () => {
  it('answers 503 when the database is unreachable, and stays live', async () => {
    const t = await createTestApp();
    try {
      await t.database.drop();
      const res = await request(t.server).get('/health/ready').expect(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.checks.database.status).toBe('down');
      await request(t.server).get('/health/live').expect(200);
    } finally {
      await t.app.close();
    }
  });
});

describe('errors the HTTP layer answers itself are problems too (e2e)', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp();
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    port = (t.server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  /** Writes raw bytes and reads what comes back until the server closes or a response is complete. */
  const raw = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', (error) => (text ? resolve(text) : reject(error)));
      socket.write(bytes);
    });
  const problemOf = (response: string) => {
    const [head, body] = response.split('\r\n\r\n');
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    return JSON.parse(body) as Record<string, unknown>;
  };

  it('431 for headers larger than the server accepts', async () => {
    const response = await raw(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    expect(problemOf(response)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });

  it('400 for a request that is not HTTP', async () => {
    const response = await raw('HELLO THERE\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(problemOf(response)).toMatchObject({ status: 400, requestId: expect.any(String) });
  });

  it('400 for a URL that does not decode', async () => {
    const res = await request(t.server).get('/v1/modules/%E0%A4%A').expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, detail: expect.stringMatching(/percent-encoded/) });
  });

  it('415 for a body of a media type no route takes', async () => {
    const res = await request(t.server).post('/v1/auth/token').set('content-type', 'text/xml').send('<a/>').expect(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
