import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { AppConfig } from '../config/config';

/**
 * The configured keys as KeyObjects, made once. Given a string, jsonwebtoken
 * first tries to parse it as a PEM key on every call and falls back to a
 * secret when that throws: about 0.3 ms per HS256 verify on a small machine,
 * against a few microseconds with a KeyObject.
 */
export function jwtKeys(auth: AppConfig['auth']): { signingKey: KeyObject; verifyKey: KeyObject } {
  if (auth.algorithm.startsWith('HS')) {
    return {
      signingKey: createSecretKey(Buffer.from(auth.signingKey)),
      verifyKey: createSecretKey(Buffer.from(auth.verifyKey)),
    };
  }
  return { signingKey: createPrivateKey(auth.signingKey), verifyKey: createPublicKey(auth.verifyKey) };
}
