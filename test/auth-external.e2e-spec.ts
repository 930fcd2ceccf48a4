import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/app';
import { bearer, createUser } from './support/identity';

const EXTERNAL_ISSUER = 'https://lms.test.example';
const EXTERNAL_AUDIENCE = 'assessment-api-from-lms';

/** Tokens from an external identity provider (an LMS), verified with keys from its JWKS. */
describe('external identity provider tokens (e2e)', () => {
  let t: TestApp;
  let jwks: Server;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'lms-key-1';

  function lmsToken(claims: object = {}, options: { algorithm?: 'RS256' | 'HS256'; key?: string | Buffer } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return sign(
      { iss: EXTERNAL_ISSUER, aud: EXTERNAL_AUDIENCE, iat: now, exp: now + 300, ...claims },
      options.key ?? privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { algorithm: options.algorithm ?? 'RS256', keyid: kid },
    );
  }

  beforeAll(async () => {
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    t = await createTestApp({
      JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      JWT_EXTERNAL_ISSUER: EXTERNAL_ISSUER,
      JWT_EXTERNAL_AUDIENCE: EXTERNAL_AUDIENCE,
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('maps a valid LMS token to the user with that external id', async () => {
    const user = await createUser(t, ['learner'], { externalId: 'lms-user-77' });
    const res = await request(t.server)
      .get('/v1/users/me')
      .set(bearer(lmsToken({ sub: 'lms-user-77' })))
      .expect(200);
    expect(res.body.id).toBe(user.id);
  });

  it('refuses an LMS token for a person it does not know', async () => {
    await request(t.server)
      .get('/v1/users/me')
      .set(bearer(lmsToken({ sub: 'nobody-here' })))
      .expect(401);
  });

  it('refuses an LMS token with our audience, or signed with HS256, or by another key', async () => {
    await createUser(t, ['learner'], { externalId: 'lms-user-78' });
    await request(t.server)
      .get('/v1/users/me')
      .set(bearer(lmsToken({ sub: 'lms-user-78', aud: 'assessment-api' })))
      .expect(401);
    await request(t.server)
      .get('/v1/users/me')
      .set(
        bearer(lmsToken({ sub: 'lms-user-78' }, { algorithm: 'HS256', key: 'a-shared-secret-guess-0123456789abcdef' })),
      )
      .expect(401);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    await request(t.server)
      .get('/v1/users/me')
      .set(bearer(lmsToken({ sub: 'lms-user-78' }, { key: stranger })))
      .expect(401);
  });

  it('still accepts its own tokens', async () => {
    const user = await createUser(t, ['learner']);
    await request(t.server).get('/v1/users/me').set(bearer(user.token)).expect(200);
  });
});
