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

  it('deletes expired idempotency keys, ended sign-in windows and old events, and nothing still in force', async () => {
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

    // Events past the 30 days kept: three delivered or never sent go, one still being delivered stays.
    await db.query(
      `WITH endpoint AS (
         INSERT INTO webhook_endpoints (url, event_types, secret_ciphertext, created_by)
         VALUES ('http://127.0.0.1:9/hook', ARRAY['module.imported'], 'v1.x.x.x', 'user:test') RETURNING id),
       old AS (
         INSERT INTO events (type, occurred_at, data)
         SELECT 'module.imported', now() - interval '31 days', jsonb_build_object('n', i) FROM generate_series(1, 4) i
         RETURNING id, seq, data)
       INSERT INTO webhook_deliveries (endpoint_id, event_id, event_seq, state)
       SELECT endpoint.id, old.id, old.seq, CASE WHEN old.data->>'n' = '4' THEN 'pending' ELSE 'delivered' END
         FROM endpoint, old WHERE old.data->>'n' IN ('1', '4')`,
    );
    await db.query(`INSERT INTO events (type, data) VALUES ('module.imported', '{"n": "fresh"}')`);
    // Page sessions: one past its end, one unused past the idle limit (120 minutes), one in use.
    await db.query(
      `WITH person AS (
         INSERT INTO users (email, display_name, roles) VALUES ('sessions@example.com', 'S', '{learner}') RETURNING id)
       INSERT INTO web_sessions (token_hash, user_id, csrf_token, via, last_seen_at, expires_at)
       SELECT v.hash, person.id, 'x', 'password', now() - v.idle, now() + v.left_
         FROM person, (VALUES ('ended', interval '1 minute', interval '-1 minute'),
                              ('idle', interval '121 minutes', interval '1 hour'),
                              ('live', interval '1 minute', interval '1 hour')) AS v(hash, idle, left_)`,
    );

    // LTI: a login never finished and a deep linking request never answered, past their end; one of each still open.
    await db.query(
      `WITH platform AS (
         INSERT INTO lti_platforms (name, issuer, client_id, deployment_ids, authorization_url, token_url, jwks_url)
         VALUES ('P', 'https://lms.example.edu', 'c', '{1}', 'https://lms.example.edu/a', 'https://lms.example.edu/t',
                 'https://lms.example.edu/k') RETURNING id),
       person AS (
         INSERT INTO users (email, display_name, roles) VALUES ('lti@example.com', 'L', '{instructor}') RETURNING id),
       logins AS (
         INSERT INTO lti_logins (state_hash, nonce, platform_id, target_link_uri, expires_at)
         SELECT v.hash, 'n', platform.id, 'https://quiz.example.edu/lti/launch', now() + v.left_
           FROM platform, (VALUES ('ended', interval '-1 minute'), ('open', interval '5 minutes')) AS v(hash, left_))
       INSERT INTO lti_deep_links (token_hash, platform_id, deployment_id, user_id, return_url, expires_at)
       SELECT v.hash, platform.id, '1', person.id, 'https://lms.example.edu/r', now() + v.left_
         FROM platform, person, (VALUES ('ended', interval '-1 minute'), ('open', interval '5 minutes')) AS v(hash, left_)`,
    );

    const purged = await t.app.get(HousekeepingService).purgeExpired();

    expect(purged).toEqual({ idempotencyKeys: 30, loginFailures: 2, events: 3, webSessions: 2, ltiRequests: 2 });
    expect(await db.query('SELECT state_hash FROM lti_logins')).toEqual([{ state_hash: 'open' }]);
    expect(await db.query('SELECT token_hash FROM lti_deep_links')).toEqual([{ token_hash: 'open' }]);
    expect(await db.query('SELECT token_hash FROM web_sessions')).toEqual([{ token_hash: 'live' }]);
    const events: { n: string }[] = await db.query(`SELECT data->>'n' AS n FROM events ORDER BY n`);
    expect(events).toEqual([{ n: '4' }, { n: 'fresh' }]);
    const keys: { key: string }[] = await db.query(`SELECT key FROM idempotency_keys WHERE owner = 'user:test'`);
    expect(keys.map((row) => row.key).sort()).toEqual(['fresh-1', 'fresh-2', 'fresh-3', 'fresh-4', 'fresh-5']);
    const failures: { key: string }[] = await db.query('SELECT key FROM login_failures');
    expect(failures.map((row) => row.key)).toEqual(['account:current@example.com']);
    expect(await t.app.get(HousekeepingService).purgeExpired()).toEqual({
      idempotencyKeys: 0,
      loginFailures: 0,
      events: 0,
      webSessions: 0,
      ltiRequests: 0,
    });
  });
});
