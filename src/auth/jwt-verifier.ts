import { Inject, Injectable } from '@nestjs/common';
import { decode, type JwtPayload, type Secret, verify, type VerifyOptions } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import type { Principal } from './access.types';
import { jwtKeys } from './jwt-keys';
import { ACCESS_TOKEN_TYPE } from './token.service';
import { PrincipalService } from './principal.service';

/** `Authorization: Bearer <token>`, read as passport-jwt's `fromAuthHeaderAsBearerToken` read it. */
const AUTH_HEADER = /(\S+)\s+(\S+)/;

export function bearerToken(header: string | undefined): string | undefined {
  const match = typeof header === 'string' ? AUTH_HEADER.exec(header) : null;
  return match && match[1].toLowerCase() === 'bearer' ? match[2] : undefined;
}

/** A verified token: a person of ours, a person of the external identity provider, or a machine client. */
export type VerifiedToken =
  { kind: 'user'; sub: string } | { kind: 'external'; sub: string } | { kind: 'client'; sub: string; scopes: string[] };

/**
 * Verifies bearer tokens locally. Each issuer is bound to exactly one
 * algorithm and key: our own tokens (typ `at+jwt`) with the configured
 * algorithm, and optionally an external identity provider's tokens with keys
 * from its JWKS. A token naming one issuer with another's algorithm is refused
 * before any signature check, which closes algorithm-confusion attacks.
 *
 * Called by the global guard directly (it was a passport-jwt strategy: the
 * same checks, without passport's per-request machinery).
 */
@Injectable()
export class JwtVerifier {
  private readonly verifyKey: Secret;
  private readonly jwks?: JwksClient;
  private readonly options: VerifyOptions;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly principals: PrincipalService,
  ) {
    const { auth } = config;
    this.verifyKey = jwtKeys(auth).verifyKey;
    this.jwks = auth.external
      ? new JwksClient({ jwksUri: auth.external.jwksUrl, cache: true, rateLimit: true, timeout: 5_000 })
      : undefined;
    this.options = {
      clockTolerance: auth.clockToleranceSeconds,
      audience: [auth.audience, ...(auth.external ? [auth.external.audience] : [])],
      issuer: [auth.issuer, ...(auth.external ? [auth.external.issuer] : [])],
      algorithms: [auth.algorithm, ...(auth.external ? [auth.external.algorithm] : [])],
      ignoreExpiration: false,
    };
  }

  /**
   * The principal a bearer token names, or false when the token is missing,
   * not verified or names no one (any of which is a 401). A failed lookup of
   * who it names is thrown.
   */
  async principalOf(rawToken: string | undefined): Promise<Principal | false> {
    const token = await this.verify(rawToken);
    return token ? this.principalFor(token) : false;
  }

  /** Who a token names, once its signature and claims are checked; false when it is not one we accept. */
  async verify(rawToken: string | undefined): Promise<VerifiedToken | false> {
    if (!rawToken) return false;
    const key = await this.keyFor(rawToken);
    if (!key) return false;
    let payload: JwtPayload;
    try {
      const verified = verify(rawToken, key, this.options);
      if (typeof verified === 'string') return false;
      payload = verified;
    } catch {
      return false;
    }
    return this.claimsOf(payload);
  }

  /** The principal a verified token names, looked up (or cached): false when it no longer exists. */
  async principalFor(token: VerifiedToken): Promise<Principal | false> {
    if (token.kind === 'external') return (await this.principals.forExternalUser(token.sub)) ?? false;
    if (token.kind === 'client') return (await this.principals.forClient(token.sub, token.scopes)) ?? false;
    return (await this.principals.forUser(token.sub)) ?? false;
  }

  /** The key the token's issuer signs with, if the token's header matches that issuer's algorithm (and type). */
  private async keyFor(rawToken: string): Promise<Secret | undefined> {
    const { auth } = this.config;
    const token = decode(rawToken, { complete: true });
    if (!token || typeof token.payload === 'string') return undefined;
    const { header, payload } = token;
    if (payload.iss === auth.issuer) {
      return header.alg === auth.algorithm && header.typ === ACCESS_TOKEN_TYPE ? this.verifyKey : undefined;
    }
    if (auth.external && this.jwks && payload.iss === auth.external.issuer && header.alg === auth.external.algorithm) {
      try {
        return (await this.jwks.getSigningKey(header.kid)).getPublicKey();
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Runs after the signature, issuer, audience, expiry and nbf checks passed. */
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
