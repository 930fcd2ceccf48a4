import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { User } from '../src/users/user.entity';
import { createTestApp, type TestApp } from './support/app';
import { bearer, createClient, createUser, passwordGrant, refreshGrant, type TestUser } from './support/identity';

const ISSUER = 'assessment-api';
const AUDIENCE = 'assessment-api';

describe('token endpoint (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' });
  });
  afterAll(() => t.close());

  it('signs a person in with a form-encoded password grant', async () => {
    const user = await createUser(t, ['learner']);
    const res = await passwordGrant(t, user.email.toUpperCase(), user.password).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(res.body.refresh_token).toMatch(/^rt_/);
    const header = JSON.parse(Buffer.from(res.body.access_token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    const claims = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: user.id, roles: ['learner'] });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(900);
    const me = await request(t.server).get('/v1/users/me').set(bearer(res.body.access_token)).expect(200);
    expect(me.body.id).toBe(user.id);
  });

  it('refuses a wrong password with invalid_grant, in problem form', async () => {
    const user = await createUser(t, ['learner']);
    const res = await passwordGrant(t, user.email, 'not-the-password').expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, error: 'invalid_grant' });
    await passwordGrant(t, 'nobody@test.example', 'whatever-password').expect(400);
  });

  it('rotates refresh tokens, and reuse of an old one revokes the whole family', async () => {
    const user = await createUser(t, ['learner']);
    const first = (await passwordGrant(t, user.email, user.password).expect(200)).body.refresh_token as string;
    const second = (await refreshGrant(t, first).expect(200)).body.refresh_token as string;
    expect(second).not.toBe(first);

    const reuse = await refreshGrant(t, first).expect(400);
    expect(reuse.body.error).toBe('invalid_grant');
    // The legitimate holder's newer token died with the family.
    await refreshGrant(t, second).expect(400);

    // A fresh sign-in starts a new family that works.
    const fresh = (await passwordGrant(t, user.email, user.password).expect(200)).body.refresh_token as string;
    await refreshGrant(t, fresh).expect(200);
  });

  it('lets only one of two concurrent uses of a refresh token succeed', async () => {
    const user = await createUser(t, ['learner']);
    const token = (await passwordGrant(t, user.email, user.password).expect(200)).body.refresh_token as string;
    const results = await Promise.all([refreshGrant(t, token), refreshGrant(t, token)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    // The loser's reuse revoked the family, the winner's new token with it.
    const winner = results.find((r) => r.status === 200)!.body.refresh_token as string;
    await refreshGrant(t, winner).expect(400);
  });

  it('limits failed sign-ins per account with 429 and Retry-After, even for the right password', async () => {
    const user = await createUser(t, ['learner']);
    for (let i = 0; i < 3; i++) await passwordGrant(t, user.email, 'wrong-password').expect(400);
    const limited = await passwordGrant(t, user.email, 'wrong-password').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, type: '/problems/too-many-requests' });
    await passwordGrant(t, user.email, user.password).expect(429);
    // Another account from the same address is not affected.
    const other = await createUser(t, ['learner']);
    await passwordGrant(t, other.email, other.password).expect(200);
  });

  it('issues client-credentials tokens with HTTP Basic or body credentials, narrowed to a requested scope', async () => {
    const admin = await createUser(t, ['admin']);
    const created = await request(t.server)
      .post('/v1/clients')
      .set(bearer(admin.token))
      .send({ name: 'LMS', scopes: ['users:read', 'progress:read'] })
      .expect(201);
    const { clientId, clientSecret } = created.body;
    expect(clientSecret).toMatch(/^mcs_/);
    const listed = await request(t.server).get('/v1/clients').set(bearer(admin.token)).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(clientSecret);

    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const viaBasic = await request(t.server)
      .post('/v1/auth/token')
      .set('Authorization', `Basic ${basic}`)
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'progress:read' })
      .expect(200);
    expect(viaBasic.body).toMatchObject({ scope: 'progress:read' });
    expect(viaBasic.body.refresh_token).toBeUndefined();

    const viaBody = await request(t.server)
      .post('/v1/auth/token')
      .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })
      .expect(200);
    expect(viaBody.body.scope).toBe('users:read progress:read');

    const wrongScope = await request(t.server)
      .post('/v1/auth/token')
      .send({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: 'users:write',
      })
      .expect(400);
    expect(wrongScope.body.error).toBe('invalid_scope');

    const wrongSecret = await request(t.server)
      .post('/v1/auth/token')
      .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'mcs_wrong' })
      .expect(401);
    expect(wrongSecret.body.error).toBe('invalid_client');
  });

  it('refuses a request body with unknown fields or an unknown grant', async () => {
    const res = await request(t.server).post('/v1/auth/token').send({ grant_type: 'implicit' }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'grant_type', messages: [expect.any(String)] }]);
  });
});

describe('bad access tokens (e2e)', () => {
  let t: TestApp;
  let user: TestUser;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  /** A token as the server would sign it, with some claims or header fields changed. */
  function forge(options: { claims?: object; header?: object; key?: string; algorithm?: 'RS256' | 'HS256' } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const algorithm = options.algorithm ?? 'RS256';
    return sign(
      { iss: ISSUER, aud: AUDIENCE, sub: user.id, roles: ['learner'], iat: now, exp: now + 600, ...options.claims },
      options.key ?? privatePem,
      { algorithm, header: { alg: algorithm, typ: 'at+jwt', ...options.header } },
    );
  }

  beforeAll(async () => {
    // Asymmetric keys, so that "HS256 signed with the public key" is a real attack to refuse.
    t = await createTestApp({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: privatePem, JWT_PUBLIC_KEY: publicPem });
    user = await createUser(t, ['learner']);
  });
  afterAll(() => t.close());

  async function expectRefusedAndNothingWritten(token: string) {
    const res = await request(t.server)
      .patch('/v1/users/me')
      .set(bearer(token))
      .send({ displayName: 'Changed by a bad token' })
      .expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toMatchObject({ status: 401, type: '/problems/unauthorized' });
    expect(await userName(t, user.id)).toBe('Test learner');
  }

  it('accepts a well-formed token (control)', async () => {
    await request(t.server).get('/v1/users/me').set(bearer(forge())).expect(200);
  });

  it('accepts a token issued a moment ahead of our clock, within the tolerance', async () => {
    const ahead = Math.floor(Date.now() / 1000) + 2;
    await request(t.server)
      .get('/v1/users/me')
      .set(bearer(forge({ claims: { iat: ahead, exp: ahead + 600 } })))
      .expect(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => string][] = [
    [
      'alg none',
      () =>
        `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: user.id, iat: now(), exp: now() + 600 })}.`,
    ],
    ['HS256 signed with the public key', () => forge({ algorithm: 'HS256', key: publicPem })],
    ['expired', () => forge({ claims: { iat: now() - 1200, exp: now() - 600 } })],
    ['nbf in the future', () => forge({ claims: { nbf: now() + 600 } })],
    ['wrong issuer', () => forge({ claims: { iss: 'someone-else' } })],
    ['wrong audience', () => forge({ claims: { aud: 'another-api' } })],
    ['no typ header', () => forge({ header: { typ: 'JWT' } })],
    ['lifetime longer than allowed', () => forge({ claims: { exp: now() + 86_400 } })],
    ['issued an hour in the future (RFC 8725)', () => forge({ claims: { iat: now() + 3_600, exp: now() + 3_900 } })],
    ['garbage', () => 'not.a.jwt'],
    [
      'signed by another key',
      () =>
        forge({
          key: generateKeyPairSync('rsa', { modulusLength: 2048 })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        }),
    ],
  ];
  it.each(cases)('refuses %s with 401 and writes nothing', async (_name, make) => {
    await expectRefusedAndNothingWritten(make());
  });

  it('refuses a refresh token used as an access token', async () => {
    const signedIn = await passwordGrant(t, user.email, user.password).expect(200);
    await expectRefusedAndNothingWritten(signedIn.body.refresh_token);
  });

  it('refuses the token of a deleted user', async () => {
    const admin = await createUser(t, ['admin']);
    const doomed = await createUser(t, ['learner']);
    await request(t.server).get('/v1/users/me').set(bearer(doomed.token)).expect(200);
    await request(t.server).delete(`/v1/users/${doomed.id}`).set(bearer(admin.token)).expect(204);
    await request(t.server).get('/v1/users/me').set(bearer(doomed.token)).expect(401);
    await passwordGrant(t, doomed.email, doomed.password).expect(400);
  });

  it('refuses the token of a revoked client', async () => {
    const admin = await createUser(t, ['admin']);
    const client = await createClient(t, ['users:read']);
    await request(t.server).get(`/v1/users/${user.id}`).set(bearer(client.token)).expect(200);
    await request(t.server).post(`/v1/clients/${client.id}/revoke`).set(bearer(admin.token)).expect(200);
    await request(t.server).get(`/v1/users/${user.id}`).set(bearer(client.token)).expect(401);
    await request(t.server)
      .post('/v1/auth/token')
      .send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret })
      .expect(401);
  });
});

function b64(value: object) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function userName(t: TestApp, id: string): Promise<string> {
  const user = await t.app.get(DataSource).getRepository(User).findOneByOrFail({ id });
  return user.displayName;
}
