import { createHash, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { sign } from 'jsonwebtoken';
import { type EntityManager, IsNull } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import type { Principal } from './access.types';
import { jwtKeys } from './jwt-keys';
import { RefreshToken } from './refresh-token.entity';

/** RFC 9068: access tokens say what they are in the `typ` header. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
const REFRESH_TOKEN_PREFIX = 'rt_';

export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

export type RefreshOutcome =
  { ok: true; userId: string; familyId: string } | { ok: false; reason: 'unknown' | 'expired' | 'reused' | 'revoked' };

@Injectable()
export class TokenService {
  private readonly signingKey: KeyObject;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.signingKey = jwtKeys(config.auth).signingKey;
  }

  /** A short-lived JWT: issuer, audience, subject, and roles (people) or scope (clients). */
  signAccessToken(principal: Principal): { token: string; expiresIn: number } {
    const { auth } = this.config;
    const claims =
      principal.kind === 'user'
        ? { roles: principal.roles }
        : { client_id: principal.clientId, scope: principal.scopes.join(' ') };
    const token = sign(claims, this.signingKey, {
      algorithm: auth.algorithm,
      header: { alg: auth.algorithm, typ: ACCESS_TOKEN_TYPE },
      issuer: auth.issuer,
      audience: auth.audience,
      subject: principal.id,
      expiresIn: auth.accessTokenTtlSeconds,
      jwtid: randomUUID(),
    });
    return { token, expiresIn: auth.accessTokenTtlSeconds };
  }

  /** Starts a new family (sign-in) or continues one (rotation). Returns the opaque token. */
  async issueRefreshToken(manager: EntityManager, userId: string, familyId: string = randomUUID()): Promise<string> {
    const token = REFRESH_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.auth.refreshTokenTtlDays * 86_400_000);
    await manager.insert(RefreshToken, { tokenHash: hashToken(token), familyId, userId, expiresAt });
    return token;
  }

  /**
   * Marks a refresh token used, atomically, so two concurrent uses cannot both
   * succeed. A token that was already used or revoked has leaked: the whole
   * family is revoked, and the legitimate holder must sign in again.
   */
  async consumeRefreshToken(manager: EntityManager, token: string): Promise<RefreshOutcome> {
    const tokenHash = hashToken(token);
    const consumed: { user_id: string; family_id: string; expires_at: Date }[] = await manager.query(
      // Wrapped in a CTE because TypeORM answers a bare UPDATE with [rows, count], not rows.
      `WITH consumed AS (
         UPDATE refresh_tokens SET used_at = now()
          WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL
          RETURNING user_id, family_id, expires_at)
       SELECT * FROM consumed`,
      [tokenHash],
    );
    const row = consumed[0];
    if (row) {
      if (row.expires_at.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
      return { ok: true, userId: row.user_id, familyId: row.family_id };
    }
    const known = await manager.findOne(RefreshToken, { where: { tokenHash } });
    if (!known) return { ok: false, reason: 'unknown' };
    await this.revokeFamily(manager, known.familyId);
    return { ok: false, reason: known.revokedAt ? 'revoked' : 'reused' };
  }

  async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Used when a user is deleted: none of their sessions may continue. */
  /** Every way the person stays signed in ends: refresh tokens are revoked, page sessions deleted. */
  async revokeAllForUser(manager: EntityManager, userId: string): Promise<void> {
    await manager.update(RefreshToken, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    await manager.query('DELETE FROM web_sessions WHERE user_id = $1', [userId]);
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
