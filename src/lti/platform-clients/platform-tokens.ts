import { randomUUID } from 'node:crypto';
import { boundedOptions, callPlatform, failureOf, PlatformCallError, type PlatformAnswer } from './platform-http';
import type { PlatformCallOptions, PlatformRef, ToolSigner } from './types';

/** RFC 7523 §2.2: the client authenticates with a JWT. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** RFC 7523 §3: the assertion's `exp` limits when it can be used; five minutes covers a slow token endpoint. */
const ASSERTION_LIFETIME_SECONDS = 300;
/** A token is used until this long before it expires, so a call does not reach the platform with a dead one. */
const EXPIRY_MARGIN_SECONDS = 60;
/** RFC 6749 §5.1: `expires_in` is only recommended; without one, assume an hour (what LMSs grant). */
const DEFAULT_LIFETIME_SECONDS = 3_600;

interface CachedToken {
  accessToken: string;
  /** Epoch milliseconds after which the token is not handed out. */
  usableUntil: number;
}

/**
 * Access tokens for a platform's services (AGS, NRPS): the OAuth 2 client credentials grant with
 * a JWT client assertion signed by the tool's key, as the IMS Security Framework 1.0 ("Using JSON
 * Web Tokens with OAuth 2.0 Client Credentials Grant") and RFC 7523 say. Tokens are cached per (platform, scopes) until shortly before they expire, and
 * callers asking at once share one request.
 */
export class PlatformTokens {
  private readonly cached = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private readonly options: ReturnType<typeof boundedOptions>;

  constructor(
    private readonly signer: ToolSigner,
    options: PlatformCallOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = boundedOptions(options);
  }

  /** A bearer token for these scopes; throws a PlatformCallError carrying the outcome when none can be had. */
  async token(platform: PlatformRef, scopes: string[]): Promise<string> {
    const sorted = [...new Set(scopes)].sort();
    const key = cacheKey(platform.id, sorted);
    const cached = this.cached.get(key);
    if (cached && cached.usableUntil > this.now()) return cached.accessToken;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.request(platform, sorted)
        .then((token) => {
          if (token.usableUntil > this.now()) this.cached.set(key, token);
          return token;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return (await pending).accessToken;
  }

  /**
   * Drops the platform's cached tokens (a service answered 401: the token was revoked or expired
   * early). Given the token that was refused, drops only that one, so callers that were refused at
   * once do not throw away the fresh token the first of them already got.
   */
  forget(platformId: string, refusedToken?: string): void {
    const prefix = cacheKey(platformId, []);
    for (const [key, cached] of this.cached) {
      if (key.startsWith(prefix) && (refusedToken === undefined || cached.accessToken === refusedToken)) {
        this.cached.delete(key);
      }
    }
  }

  private async request(platform: PlatformRef, scopes: string[]): Promise<CachedToken> {
    const assertion = await this.signer.sign(
      {
        iss: platform.clientId,
        sub: platform.clientId,
        iat: Math.floor(this.now() / 1000),
        jti: randomUUID(),
      },
      { audience: platform.tokenAudience || platform.tokenUrl, expiresInSeconds: ASSERTION_LIFETIME_SECONDS },
    );
    const started = this.now();
    const answer = await callPlatform(
      platform.tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: CLIENT_ASSERTION_TYPE,
          client_assertion: assertion,
          scope: scopes.join(' '),
        }).toString(),
      },
      this.options,
    );
    if (answer.status < 200 || answer.status >= 300) throw failureOf(answer);
    let body: Record<string, unknown> | null;
    try {
      body = JSON.parse(answer.body) as Record<string, unknown> | null;
    } catch {
      throw withoutBody(answer, 'token answer is not JSON');
    }
    const accessToken = body?.access_token;
    // The excerpt of a token answer never holds its body: it may carry a token, and excerpts are stored.
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw withoutBody(answer, 'token answer without access_token');
    }
    // RFC 6749 §7.1: the token type is case-insensitive; only bearer tokens are understood here.
    if (typeof body?.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer') {
      throw withoutBody(answer, 'token answer is not a Bearer token');
    }
    // A number, though some platforms send it as a string of digits.
    const lifetime = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
    const expiresIn =
      typeof lifetime === 'number' && Number.isFinite(lifetime) && lifetime > 0 ? lifetime : DEFAULT_LIFETIME_SECONDS;
    return { accessToken, usableUntil: started + (expiresIn - EXPIRY_MARGIN_SECONDS) * 1000 };
  }
}

function cacheKey(platformId: string, sortedScopes: string[]): string {
  return `${platformId}\n${sortedScopes.join(' ')}`;
}

function withoutBody(answer: PlatformAnswer, what: string): PlatformCallError {
  return new PlatformCallError({ kind: 'final', status: answer.status, excerpt: what });
}
