import { boundedOptions, failureOf, malformed, nextLink, parseJson, PlatformCallError } from './platform-http';
import type { PlatformTokens } from './platform-tokens';
import { callService } from './service-call';
import { MEDIA_TYPES, SCOPES, type NrpsMember, type PlatformCallOptions, type PlatformRef } from './types';

/** Caps on one roster read, so a hostile platform cannot make it loop or fill memory. */
export const DEFAULT_MAX_PAGES = 200;
export const DEFAULT_MAX_MEMBERS = 50_000;
const STATUSES = new Set(['Active', 'Inactive', 'Deleted']);

/**
 * One member of a membership container in our spelling, or null when it has no `user_id` or
 * `roles` (NRPS 2.0 requires both). An absent status is Active (NRPS 2.0); an unknown one is kept
 * out, as the roster must not guess.
 */
export function toNrpsMember(raw: unknown): NrpsMember | null {
  const member = raw as Record<string, unknown> | null;
  if (typeof member !== 'object' || member === null) return null;
  if (typeof member.user_id !== 'string' || member.user_id === '') return null;
  const roles: unknown = member.roles;
  if (!Array.isArray(roles) || !roles.every((role): role is string => typeof role === 'string')) return null;
  const status = member.status ?? 'Active';
  if (typeof status !== 'string' || !STATUSES.has(status)) return null;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const result: NrpsMember = {
    userId: member.user_id,
    status: status as NrpsMember['status'],
    roles,
  };
  const name = text(member.name);
  const email = text(member.email);
  const givenName = text(member.given_name);
  const familyName = text(member.family_name);
  if (name) result.name = name;
  if (email) result.email = email;
  if (givenName) result.givenName = givenName;
  if (familyName) result.familyName = familyName;
  return result;
}

/** LTI Names and Role Provisioning Services 2.0 client: a context's roster. */
export class NrpsClient {
  private readonly options: ReturnType<typeof boundedOptions>;

  constructor(
    private readonly tokens: PlatformTokens,
    options: PlatformCallOptions = {},
  ) {
    this.options = boundedOptions(options);
  }

  /**
   * Every member of the context, page after page by `Link: rel="next"`. Bounded: more pages or
   * members than the caps, or a next link seen before, is a final PlatformCallError rather than a
   * partial roster (a sync from a partial roster would take people out of the cohort).
   */
  async members(
    platform: PlatformRef,
    contextMembershipsUrl: string,
    options: { maxPages?: number; maxMembers?: number } = {},
  ): Promise<NrpsMember[]> {
    const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    const maxMembers = options.maxMembers ?? DEFAULT_MAX_MEMBERS;
    const members: NrpsMember[] = [];
    const seen = new Set<string>();
    let next: string | null = contextMembershipsUrl;
    while (next) {
      if (seen.has(next)) throw stopped(`the next link repeats ${next}`);
      if (seen.size >= maxPages) throw stopped(`more than ${maxPages} pages`);
      seen.add(next);
      const answer = await callService(
        this.tokens,
        platform,
        [SCOPES.contextMembershipReadOnly],
        next,
        { method: 'GET', headers: { accept: MEDIA_TYPES.membershipContainer } },
        this.options,
      );
      if (answer.status < 200 || answer.status >= 300) throw failureOf(answer);
      const container = parseJson(answer, 'membership container') as { members?: unknown } | null;
      if (!Array.isArray(container?.members)) throw malformed(answer, 'membership container without members');
      for (const raw of container.members as unknown[]) {
        const member = toNrpsMember(raw);
        if (!member) continue;
        if (members.length >= maxMembers) throw stopped(`more than ${maxMembers} members`);
        members.push(member);
      }
      next = nextLink(answer.headers.link, next);
    }
    return members;
  }
}

function stopped(why: string): PlatformCallError {
  return new PlatformCallError({ kind: 'final', status: null, excerpt: `memberships: ${why}` });
}
