export const ROLES = ['learner', 'instructor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a machine client may be granted. */
export const SCOPES = [
  'users:read',
  'users:write',
  'cohorts:read',
  'cohorts:write',
  'progress:read',
  'attempts:write',
  'content:write',
  'webhooks:write',
] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: a person with roles, or a machine client with scopes. */
export type Principal =
  { kind: 'user'; id: string; roles: Role[] } | { kind: 'client'; id: string; clientId: string; scopes: Scope[] };

/** The caller of a service method: who, and the request for the audit trail. */
export interface Caller {
  principal: Principal;
  requestId: string;
  /**
   * The guard accepted this person's token without looking them up, on a
   * route that reads them in its own transaction (`@DefersCallerLookup()`):
   * until it has, `principal.roles` is empty and the person may no longer exist.
   */
  lookupDeferred?: true;
}

/** Work done by the system itself (CLI, seeders, sweepers). */
export const SYSTEM_CALLER: Caller = {
  principal: { kind: 'client', id: '00000000-0000-0000-0000-000000000000', clientId: 'system', scopes: [] },
  requestId: 'system',
};

export const isAdmin = (principal: Principal) => principal.kind === 'user' && principal.roles.includes('admin');
export const hasScope = (principal: Principal, scope: Scope) =>
  principal.kind === 'client' && principal.scopes.includes(scope);
