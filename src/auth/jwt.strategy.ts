import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { decode, type JwtPayload } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import type { Principal } from './access.types';
import { jwtKeys } from './jwt-keys';
import { ACCESS_TOKEN_TYPE } from './token.service';
import { PrincipalService } from './principal.service';

type KeyCallback = (error: Error | null, key?: string | Buffer) => void;

/**
 * Verifies bearer tokens locally. Each issuer is bound to exactly one
 * algorithm and key: our own tokens (typ `at+jwt`) with the configured
 * algorithm, and optionally an external identity provider's tokens with keys
 * from its JWKS. A token naming one issuer with another's algorithm is refused
 * before any signature check, which closes algorithm-confusion attacks.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly principals: PrincipalService,
  ) {
    const { auth } = config;
    const { verifyKey } = jwtKeys(auth);
    const jwks = auth.external
      ? new JwksClient({ jwksUri: auth.external.jwksUrl, cache: true, rateLimit: true, timeout: 5_000 })
      : undefined;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: [auth.algorithm, ...(auth.external ? [auth.external.algorithm] : [])],
      issuer: [auth.issuer, ...(auth.external ? [auth.external.issuer] : [])],
      audience: [auth.audience, ...(auth.external ? [auth.external.audience] : [])],
      jsonWebTokenOptions: { clockTolerance: auth.clockToleranceSeconds },
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: KeyCallback) => {
        const token = decode(rawToken, { complete: true });
        if (!token || typeof token.payload === 'string') return done(new Error('malformed token'));
        const { header, payload } = token;
        if (payload.iss === auth.issuer) {
          if (header.alg !== auth.algorithm || header.typ !== ACCESS_TOKEN_TYPE)
            return done(new Error('wrong token type'));
          // passport-jwt hands the key to jsonwebtoken untouched; its types only omit KeyObject.
          return done(null, verifyKey as unknown as Buffer);
        }
        if (auth.external && jwks && payload.iss === auth.external.issuer && header.alg === auth.external.algorithm) {
          jwks.getSigningKey(header.kid).then(
            (key) => done(null, key.getPublicKey()),
            (error: Error) => done(error),
          );
          return;
        }
        return done(new Error('unknown issuer'));
      },
    });
  }

  /** Runs after the signature, issuer, audience, expiry and nbf checks passed. */
  async validate(payload: JwtPayload): Promise<Principal | false> {
    const { auth } = this.config;
    if (typeof payload.exp !== 'number' || typeof payload.sub !== 'string') return false;
    // RFC 8725 §3.10 asks issuers to be checked; jsonwebtoken checks exp and nbf, not iat.
    // A token issued in the future beyond the clock tolerance was not made by a sane issuer.
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + auth.clockToleranceSeconds) return false;
    if (auth.external && payload.iss === auth.external.issuer) {
      if (!audienceIncludes(payload, auth.external.audience)) return false;
      return (await this.principals.forExternalUser(payload.sub)) ?? false;
    }
    if (!audienceIncludes(payload, auth.audience)) return false;
    // Our tokens never live longer than the configured maximum, whatever they claim.
    if (typeof payload.iat !== 'number' || payload.exp - payload.iat > auth.accessTokenTtlSeconds) return false;
    if (typeof payload.client_id === 'string') {
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      return (await this.principals.forClient(payload.sub, scopes)) ?? false;
    }
    return (await this.principals.forUser(payload.sub)) ?? false;
  }
}

function audienceIncludes(payload: JwtPayload, audience: string): boolean {
  return Array.isArray(payload.aud) ? payload.aud.includes(audience) : payload.aud === audience;
}
