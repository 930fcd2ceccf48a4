import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { SYSTEM_CALLER, type Role, type Scope } from '../../src/auth/access.types';
import { TokenService } from '../../src/auth/token.service';
import { ClientsService } from '../../src/clients/clients.service';
import { UsersService } from '../../src/users/users.service';
import type { TestApp } from './app';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  /** A valid access token, signed the way the token endpoint signs them. */
  token: string;
}

export interface TestClient {
  id: string;
  clientId: string;
  secret: string;
  token: string;
}

/** A user made through the service (as an admin would), with a password and a token. */
export async function createUser(
  t: TestApp,
  roles: Role[] = ['learner'],
  extra: { externalId?: string } = {},
): Promise<TestUser> {
  const email = `${roles[0]}-${randomBytes(5).toString('hex')}@test.example`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const user = await t.app
    .get(UsersService)
    .create(SYSTEM_CALLER, { email, displayName: `Test ${roles.join('/')}`, roles, password, ...extra });
  const token = t.app.get(TokenService).signAccessToken({ kind: 'user', id: user.id, roles }).token;
  return { id: user.id, email, password, token };
}

export async function createClient(t: TestApp, scopes: Scope[]): Promise<TestClient> {
  const client = await t.app.get(ClientsService).create(SYSTEM_CALLER, { name: `client ${scopes.join(' ')}`, scopes });
  const token = t.app
    .get(TokenService)
    .signAccessToken({ kind: 'client', id: client.id, clientId: client.clientId, scopes }).token;
  return { id: client.id, clientId: client.clientId, secret: client.clientSecret, token };
}

export function passwordGrant(t: TestApp, username: string, password: string) {
  return request(t.server).post('/v1/auth/token').type('form').send({ grant_type: 'password', username, password });
}

export function refreshGrant(t: TestApp, refreshToken: string) {
  return request(t.server).post('/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: refreshToken });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Follows `nextCursor` from the first page to the last; every page must hold at most `limit` items. */
export async function allPages<T>(t: TestApp, path: string, token: string, limit: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: request.Response = await request(t.server)
      .get(path)
      .query({ limit, ...(cursor ? { cursor } : {}) })
      .set(bearer(token))
      .expect(200);
    const body = page.body as { items: T[]; nextCursor: string | null };
    expect(body.items.length).toBeLessThanOrEqual(limit);
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}
