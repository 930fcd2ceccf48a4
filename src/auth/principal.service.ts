import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { MachineClient } from '../clients/machine-client.entity';
import { User } from '../users/user.entity';
import { namedQuery } from '../database/named-query';
import type { Principal, Role } from './access.types';

const TTL_MS = 10_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  value: Principal | null;
  expiresAt: number;
}

/**
 * Turns verified token claims into a principal, checking that the user still
 * exists (and taking their current roles) or that the client is not revoked.
 * Answers are cached briefly so that a request costs no query in the common
 * case; changes made through this instance invalidate at once, changes made
 * through another instance take effect within TTL_MS.
 */
@Injectable()
export class PrincipalService {
  private readonly cache = new Map<string, Entry>();
  /** When expired entries are next dropped: at most once per TTL, so the cache holds about one TTL of callers. */
  private nextSweep = Date.now() + TTL_MS;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  forUser(userId: string): Promise<Principal | null> {
    return this.cached(`user:${userId}`, async () => {
      // Every learner's first request in a TTL asks this: one named statement, not a repository's query builder.
      const [user] = await namedQuery<{ id: string; roles: Role[] }>(
        this.dataSource.manager,
        'principal_user',
        'SELECT id, roles FROM users WHERE id = $1 AND deleted_at IS NULL',
        [userId],
      );
      return user ? userPrincipal(user.id, user.roles) : null;
    });
  }

  /** What the cache holds for a user: undefined when it does not know (or no longer). */
  cachedUser(userId: string): Principal | null | undefined {
    const hit = this.cache.get(`user:${userId}`);
    return hit && hit.expiresAt > Date.now() ? hit.value : undefined;
  }

  /**
   * Takes a user's roles read by a route itself (null: no such user, or deleted), as
   * `forUser` would have read them; see `@DefersCallerLookup()`.
   */
  rememberUser(userId: string, roles: Role[] | null): Principal | null {
    const value = userPrincipal(userId, roles);
    this.store(`user:${userId}`, value, Date.now());
    return value;
  }

  forExternalUser(externalId: string): Promise<Principal | null> {
    return this.cached(`external:${externalId}`, async () => {
      const user = await this.dataSource
        .getRepository(User)
        .findOne({ select: { id: true, roles: true }, where: { externalId, deletedAt: IsNull() } });
      return user ? { kind: 'user', id: user.id, roles: user.roles } : null;
    });
  }

  /** The token's scopes, narrowed to those the client still holds. */
  async forClient(id: string, tokenScopes: string[]): Promise<Principal | null> {
    const client = await this.cached(`client:${id}`, async () => {
      const found = await this.dataSource
        .getRepository(MachineClient)
        .findOne({ select: { id: true, clientId: true, scopes: true }, where: { id, revokedAt: IsNull() } });
      return found ? { kind: 'client' as const, id: found.id, clientId: found.clientId, scopes: found.scopes } : null;
    });
    if (!client || client.kind !== 'client') return null;
    return { ...client, scopes: client.scopes.filter((scope) => tokenScopes.includes(scope)) };
  }

  /** Forget what is known of a user or client after it changed. */
  invalidate(kind: 'user' | 'client', id: string, externalId?: string | null) {
    this.cache.delete(`${kind}:${id}`);
    if (externalId) this.cache.delete(`external:${externalId}`);
  }

  private async cached(key: string, load: () => Promise<Principal | null>): Promise<Principal | null> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = await load();
    this.store(key, value, now);
    return value;
  }

  private store(key: string, value: Principal | null, now: number) {
    if (now >= this.nextSweep) this.dropExpired(now);
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { value, expiresAt: now + TTL_MS });
  }

  private dropExpired(now: number) {
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
    this.nextSweep = now + TTL_MS;
  }

  /** Entries held, expired or not (for tests and diagnostics). */
  get size(): number {
    return this.cache.size;
  }
}

function userPrincipal(id: string, roles: Role[] | null): Principal | null {
  return roles ? { kind: 'user', id, roles } : null;
}
