import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { User } from '../users/user.entity';
import { APP_CONFIG } from '../config/config.constants';
import type { Principal } from './access.types';
import { PrincipalService } from './principal.service';
import type { SessionDto } from './dto/session.dto';
import type { WebSession } from './web-session.entity';

/** The cookie that carries a page session. */
export const SESSION_COOKIE = 'session';

/** last_seen_at is written at most this often per session: a page's requests do not each write. */
const TOUCH_EVERY_MS = 60_000;

export interface OpenedSession {
  /** Goes into the cookie, never stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ResolvedSession {
  id: string;
  principal: Principal & { kind: 'user' };
  csrfToken: string;
  expiresAt: Date;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Server-side sessions for the pages: an opaque token in an HttpOnly cookie,
 * its hash in `web_sessions`, a CSRF token of the session's own. A session
 * ends at sign-out, after SESSION_IDLE_MINUTES unused, SESSION_TTL_HOURS after
 * it opened, or when its user's password changes or the user is deleted
 * (TokenService.revokeAllForUser). Opening one is the same for a
 * password sign-in and (later) an LTI launch: `open(userId, via)`.
 */
@Injectable()
export class WebSessionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly principals: PrincipalService,
  ) {}

  /** A new session for the user; it lasts SESSION_TTL_HOURS, or `ttlMinutes` when given (an LTI launch's). */
  async open(userId: string, via: WebSession['via'], ttlMinutes?: number): Promise<OpenedSession> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const [row] = await this.dataSource.query<{ expires_at: Date }[]>(
      `INSERT INTO web_sessions (token_hash, user_id, csrf_token, via, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, now(), now() + make_interval(mins => $5))
       RETURNING expires_at`,
      [hash(token), userId, csrfToken, via, ttlMinutes ?? this.config.auth.session.ttlHours * 60],
    );
    return { token, csrfToken, expiresAt: row.expires_at };
  }

  /** The live session the cookie's token names, with its user as a principal; null when there is none. */
  async resolve(token: string | undefined): Promise<ResolvedSession | null> {
    if (!token || token.length > 128) return null;
    const [row] = await this.dataSource.query<
      { id: string; user_id: string; csrf_token: string; expires_at: Date; last_seen_at: Date }[]
    >(
      `SELECT id, user_id, csrf_token, expires_at, last_seen_at FROM web_sessions
        WHERE token_hash = $1 AND expires_at > now()
          AND last_seen_at > now() - make_interval(mins => $2)`,
      [hash(token), this.config.auth.session.idleMinutes],
    );
    if (!row) return null;
    const principal = await this.principals.forUser(row.user_id);
    if (!principal || principal.kind !== 'user') return null;
    if (Date.now() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
      await this.dataSource.query('UPDATE web_sessions SET last_seen_at = now() WHERE id = $1', [row.id]);
    }
    return { id: row.id, principal, csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  /** The session as GET /v1/auth/session answers it (and as the pages' shell carries it): who, and the CSRF token. */
  async view(userId: string, csrfToken: string, expiresAt: Date): Promise<SessionDto> {
    const user = await this.dataSource.getRepository(User).findOneOrFail({
      select: { id: true, email: true, displayName: true, roles: true },
      where: { id: userId },
    });
    return {
      user: { id: user.id, email: user.email, name: user.displayName, roles: user.roles },
      csrfToken,
      expiresAt: expiresAt.toISOString(),
    };
  }

  async close(sessionId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM web_sessions WHERE id = $1', [sessionId]);
  }
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(sent: string | undefined, expected: string): boolean {
  if (typeof sent !== 'string' || sent.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
}
