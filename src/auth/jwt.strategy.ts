import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { decode, type JwtPayload } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import type { Principal } from './access.types';
import { markCallerLookupDeferred } from './current-caller.decorator';
import { jwtKeys } from './jwt-keys';
import { ACCESS_TOKEN_TYPE } from './token.service';
import { PrincipalService } from './principal.service';
import { isUuid } from './user-ref';

type KeyCallback = (error: Error | null, key?: string | Buffer) => void;

/** Who a verified token names: a person of ours, a person of the external identity provider, or a machine client. */
type VerifiedToken =
  { kind: 'user'; sub: string } | { kind: 'external'; sub: string } | { kind: 'client'; sub: string; scopes: string[] };

/** Set by the guard on a request whose route may read the caller's roles itself (`@DefersCallerLookup()`). */
const DEFERRABLE = Symbol('caller lookup deferrable');

export function allowCallerLookupDeferral(request: FastifyRequest): void {
  (request as unknown as Record<symbol, boolean>)[DEFERRABLE] = true;
}

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
      passReqToCallback: true,
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

  /**
   * Runs after the signature, issuer, audience, expiry and nbf checks passed: the principal the token
   * names (looked up, or cached), or false. On a route that reads the caller's roles in its own first
   * statement (`@DefersCallerLookup()`, allowed by the guard), a person of ours who is not cached is
   * not looked up here: the route does it, and refuses (401) one who no longer exists.
   */
  async validate(request: FastifyRequest, payload: JwtPayload): Promise<Principal | false> {
    const token = this.claimsOf(payload);
    if (!token) return false;
    if (token.kind === 'external') return (await this.principals.forExternalUser(token.sub)) ?? false;
    if (token.kind === 'client') return (await this.principals.forClient(token.sub, token.scopes)) ?? false;
    const deferrable = (request as unknown as Record<symbol, boolean>)[DEFERRABLE] === true;
    if (
      deferrable &&
      isUuid(token.sub) &&
      token.sub === token.sub.toLowerCase() &&
      this.principals.cachedUser(token.sub) === undefined
    ) {
      markCallerLookupDeferred(request);
      return { kind: 'user', id: token.sub, roles: [] };
    }
    return (await this.principals.forUser(token.sub)) ?? false;
  }

  private claimsOf(payload: JwtPayload): VerifiedToken | false {
    const { auth } = this.config;
    if (typeof payload.exp !== 'number' || typeof payload.sub !== 'string') return false;
    // RFC 8725 §3.10 asks issuers to be checked; jsonwebtoken checks exp and nbf, not iat.
    // A token issued in the future beyond the clock tolerance was not made by a sane issuer.
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + auth.clockToleranceSeconds) return false;
    if (auth.external && payload.iss === auth.external.issuer) {
      return audienceIncludes(payload, auth.external.audience) && { kind: 'external', sub: payload.sub };
    }
    if (!audienceIncludes(payload, auth.audience)) return false;
    // Our tokens never live longer than the configured maximum, whatever they claim.
    if (typeof payload.iat !== 'number' || payload.exp - payload.iat > auth.accessTokenTtlSeconds) return false;
    if (typeof payload.client_id === 'string') {
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      return { kind: 'client', sub: payload.sub, scopes };
    }
    return { kind: 'user', sub: payload.sub };
  }
}

function audienceIncludes(payload: JwtPayload, audience: string): boolean {
  return Array.isArray(payload.aud) ? payload.aud.includes(audience) : payload.aud === audience;
}
