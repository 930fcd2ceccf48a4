import { generateKeyPairSync } from 'node:crypto';
import { sign, verify } from 'jsonwebtoken';
import type { AppConfig } from '../config/config';
import { jwtKeys } from './jwt-keys';

function auth(overrides: Partial<AppConfig['auth']>): AppConfig['auth'] {
  return {
    algorithm: 'HS256',
    signingKey: 's'.repeat(32),
    verifyKey: 's'.repeat(32),
    ...overrides,
  } as AppConfig['auth'];
}

describe('jwtKeys', () => {
  it('turns an HS256 secret into a secret key that signs and verifies', () => {
    const keys = jwtKeys(auth({}));
    expect(keys.verifyKey.type).toBe('secret');
    const token = sign({ sub: 'u' }, keys.signingKey, { algorithm: 'HS256' });
    expect(verify(token, keys.verifyKey, { algorithms: ['HS256'] })).toMatchObject({ sub: 'u' });
    // Interchangeable with the plain string the config holds.
    expect(verify(token, 's'.repeat(32), { algorithms: ['HS256'] })).toMatchObject({ sub: 'u' });
    expect(() => verify(token, jwtKeys(auth({ verifyKey: 't'.repeat(32) })).verifyKey)).toThrow('invalid signature');
  });

  it('turns RS256 PEM keys into a private and a public key', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keys = jwtKeys(
      auth({
        algorithm: 'RS256',
        signingKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        verifyKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    );
    expect([keys.signingKey.type, keys.verifyKey.type]).toEqual(['private', 'public']);
    const token = sign({ sub: 'u' }, keys.signingKey, { algorithm: 'RS256' });
    expect(verify(token, keys.verifyKey, { algorithms: ['RS256'] })).toMatchObject({ sub: 'u' });
  });
});
