import { DataSource } from 'typeorm';
import { HousekeepingService } from '../src/common/housekeeping/housekeeping.service';
import { createTestApp, type TestApp } from './support/app';

describe('housekeeping (e2e)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_FAILURE_WINDOW_SECONDS: '900' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('deletes expired idempotency keys and ended sign-in windows, and nothing still in force', async () => {
    await db.query(
      `INSERT INTO idempotency_keys (owner, key, request_hash, state, expires_at)
       SELECT 'user:test', 'old-' || i, repeat('0', 64), 'completed', now() - interval '1 minute'
         FROM generate_series(1, 30) i
       UNION ALL
       SELECT 'user:test', 'fresh-' || i, repeat('0', 64), 'completed', now() + interval '1 hour'
         FROM generate_series(1, 5) i`,
    );
    await db.query(
      `INSERT INTO login_failures (key, failures, window_started_at)
       VALUES ('account:ended@example.com', 3, now() - interval '16 minutes'),
              ('address:10.0.0.1', 9, now() - interval '1 day'),
              ('account:current@example.com', 2, now() - interval '5 minutes')`,
    );

    const purged = await t.app.get(HousekeepingService).purgeExpired();

    expect(purged).toEqual({ idempotencyKeys: 30, loginFailures: 2 });
    const keys: { key: string }[] = await db.query(`SELECT key FROM idempotency_keys WHERE owner = 'user:test'`);
    expect(keys.map((row) => row.key).sort()).toEqual(['fresh-1', 'fresh-2', 'fresh-3', 'fresh-4', 'fresh-5']);
    const failures: { key: string }[] = await db.query('SELECT key FROM login_failures');
    expect(failures.map((row) => row.key)).toEqual(['account:current@example.com']);
    expect(await t.app.get(HousekeepingService).purgeExpired()).toEqual({ idempotencyKeys: 0, loginFailures: 0 });
  });
});
