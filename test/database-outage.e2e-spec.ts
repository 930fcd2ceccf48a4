import request from 'supertest';
import { DataSource } from 'typeorm';
import { createLogger } from '../src/common/logging/logger';
import { DatabaseUnreachable, waitForDatabase } from '../src/database/wait-for-database';
import { openStartupGate } from '../src/health/startup-gate';
import { createTestApp, TestApp } from './support/app';
import { bearer, createUser, TestUser } from './support/identity';
import { createTestDatabase, TestDatabase } from './support/database';
import { startTcpProxy } from './support/tcp-proxy';

const silent = createLogger('silent');

function expectUnavailable(res: request.Response) {
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.body).toMatchObject({ status: 503, title: 'Service Unavailable', requestId: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|at .*\.(js|ts):\d+/);
}

describe('database outage (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ DB_POOL_SIZE: '2', DB_ACQUIRE_TIMEOUT_MS: '400' }, { proxy: true });
    admin = await createUser(t, ['admin']);
  });
  afterAll(() => t.close());
  afterEach(() => t.proxy!.restore());

  it('answers 503 with Retry-After, not 500, while the database cannot be reached, and recovers by itself', async () => {
    await request(t.server).get('/v1/modules').set(bearer(admin.token)).expect(200);
    await t.proxy!.cut();

    expectUnavailable(await request(t.server).get('/v1/modules').set(bearer(admin.token)));
    expectUnavailable(await request(t.server).get('/v1/users').set(bearer(admin.token)));
    expectUnavailable(
      await request(t.server)
        .post('/v1/auth/token')
        .type('form')
        .send({ grant_type: 'password', username: admin.email, password: admin.password }),
    );
    await request(t.server).get('/health/live').expect(200);
    await request(t.server).get('/health/ready').expect(503);

    await t.proxy!.restore();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await request(t.server).get('/v1/users').set(bearer(admin.token))).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    await request(t.server).get('/health/ready').expect(200);
  });

  it('answers 503, not 401, when the caller behind a valid token cannot be looked up', async () => {
    // Not yet seen by this instance, so its principal is not cached: the guard must read the database.
    const learner = await createUser(t, ['learner']);
    await t.proxy!.cut();
    expectUnavailable(await request(t.server).get('/v1/users/me').set(bearer(learner.token)));
    await t.proxy!.restore();
    await request(t.server).get('/v1/users/me').set(bearer(learner.token)).expect(200);
  });

  it('answers 503 when the database host does not answer at all, after DB_ACQUIRE_TIMEOUT_MS', async () => {
    t.proxy!.stall();
    const started = Date.now();
    expectUnavailable(await request(t.server).get('/v1/modules').set(bearer(admin.token)));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 503 instead of hanging when every pooled connection stays busy', async () => {
    const held = [t.app.get(DataSource).createQueryRunner(), t.app.get(DataSource).createQueryRunner()];
    try {
      for (const runner of held) await runner.connect();
      const started = Date.now();
      expectUnavailable(await request(t.server).get('/v1/users').set(bearer(admin.token)));
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const runner of held) await runner.release();
    }
    await request(t.server).get('/v1/users').set(bearer(admin.token)).expect(200);
  });
});

describe('starting while the database is down', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('holds the port live but not ready, says why, and goes on once the database answers', async () => {
    const proxy = await startTcpProxy(database.url);
    await proxy.cut();
    const gate = await openStartupGate(0, '127.0.0.1');
    try {
      const failures: string[] = [];
      const waiting = waitForDatabase(proxy.url, {
        timeoutSeconds: 30,
        logger: silent,
        onFailure: ({ attempt, reason }) => {
          failures.push(reason);
          gate.setReason(`waiting for the database (try ${attempt}: ${reason})`);
        },
      });
      while (failures.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));

      const server = gate.server;
      await request(server).get('/health/live').expect(200, { status: 'ok' });
      const ready = await request(server).get('/health/ready').expect(503);
      expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(ready.body.checks.database).toEqual({ status: 'down', message: expect.stringMatching(/ECONNREFUSED/) });
      expect(ready.body.detail).toMatch(/waiting for the database \(try \d+/);
      const other = await request(server).post('/v1/auth/token').send({ grant_type: 'password' }).expect(503);
      expect(other.headers['retry-after']).toBe('5');
      expect(other.body).toMatchObject({ status: 503, instance: '/v1/auth/token' });

      await proxy.restore();
      await expect(waiting).resolves.toBeUndefined();
    } finally {
      await gate.close();
      await proxy.close();
    }
  });

  it('gives up after DB_CONNECT_TIMEOUT_S with a message naming it', async () => {
    const proxy = await startTcpProxy(database.url);
    await proxy.cut();
    try {
      const error = await waitForDatabase(proxy.url, { timeoutSeconds: 1, logger: silent }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnreachable);
      expect((error as Error).message).toMatch(/within 1 s \(DB_CONNECT_TIMEOUT_S\)/);
    } finally {
      await proxy.close();
    }
  });
});
