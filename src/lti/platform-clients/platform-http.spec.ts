import { scoresUrl } from './ags-client';
import { toNrpsMember } from './nrps-client';
import { classify, httpsOrLoopback, nextLink, parseLinkHeader, retryAfter, withQuery } from './platform-http';

describe('scoresUrl', () => {
  it('adds /scores to the path', () => {
    expect(scoresUrl('https://lms.example.com/context/2923/lineitems/1')).toBe(
      'https://lms.example.com/context/2923/lineitems/1/scores',
    );
  });

  it('puts /scores before the query string, which it keeps', () => {
    expect(scoresUrl('https://lms.example.com/context/2923/lineitems/1?type_id=5&x=a%20b')).toBe(
      'https://lms.example.com/context/2923/lineitems/1/scores?type_id=5&x=a%20b',
    );
  });

  it('does not leave a trailing slash before /scores', () => {
    expect(scoresUrl('https://lms.example.com/lineitems/1/?a=1')).toBe(
      'https://lms.example.com/lineitems/1/scores?a=1',
    );
  });

  it('refuses a relative URL', () => {
    expect(() => scoresUrl('/lineitems/1')).toThrow();
  });
});

describe('Link header (RFC 8288)', () => {
  const base = 'https://lms.example.com/ctx/1/memberships';

  it('finds next among several links', () => {
    const header =
      '<https://lms.example.com/ctx/1/memberships?p=1>; rel="first", <https://lms.example.com/ctx/1/memberships?p=3>; rel="next"';
    expect(nextLink(header, base)).toBe('https://lms.example.com/ctx/1/memberships?p=3');
  });

  it('reads bare and multi-valued rel, any case, and resolves a relative target', () => {
    expect(nextLink('</ctx/1/memberships?p=2>; rel=next', base)).toBe('https://lms.example.com/ctx/1/memberships?p=2');
    expect(nextLink('<?p=2>; rel="prefetch NEXT"', base)).toBe('https://lms.example.com/ctx/1/memberships?p=2');
  });

  it('keeps commas inside the target and inside quoted parameters', () => {
    const header = '<https://x.example/a?ids=1,2>; title="a, b"; rel="next", <https://x.example/z>; rel="last"';
    expect(parseLinkHeader(header)).toEqual([
      { target: 'https://x.example/a?ids=1,2', rels: ['next'] },
      { target: 'https://x.example/z', rels: ['last'] },
    ]);
  });

  it('looks in every header when there are several', () => {
    expect(nextLink(['<https://x.example/d>; rel="differences"', '<https://x.example/n>; rel="next"'], base)).toBe(
      'https://x.example/n',
    );
  });

  it('is null without a next link', () => {
    expect(nextLink(undefined, base)).toBeNull();
    expect(nextLink('<https://x.example/d>; rel="differences"', base)).toBeNull();
    expect(nextLink('garbage', base)).toBeNull();
  });
});

describe('classify', () => {
  const answer = (status: number, headers: Record<string, string> = {}) => ({ status, headers, body: 'why' });

  it('sorts statuses as the webhook dispatcher does', () => {
    expect(classify(answer(204))).toEqual({ kind: 'ok', status: 204, excerpt: 'why' });
    for (const status of [408, 429, 500, 502, 503]) expect(classify(answer(status)).kind).toBe('retry');
    for (const status of [400, 401, 403, 404, 409, 415, 422]) expect(classify(answer(status)).kind).toBe('final');
  });

  it('keeps Retry-After in seconds', () => {
    expect(classify(answer(429, { 'retry-after': '120' }))).toEqual({
      kind: 'retry',
      status: 429,
      excerpt: 'why',
      retryAfterSeconds: 120,
    });
  });
});

describe('retryAfter', () => {
  it('reads a delay or an HTTP date, capped at a day', () => {
    expect(retryAfter('30')).toBe(30);
    expect(retryAfter('999999')).toBe(86_400);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfter(inAMinute)).toBeGreaterThan(55);
    expect(retryAfter(inAMinute)).toBeLessThanOrEqual(60);
  });

  it('is undefined when absent, past or unreadable', () => {
    expect(retryAfter(undefined)).toBeUndefined();
    expect(retryAfter('0')).toBeUndefined();
    expect(retryAfter('soon')).toBeUndefined();
    expect(retryAfter(new Date(Date.now() - 60_000).toUTCString())).toBeUndefined();
  });
});

describe('withQuery', () => {
  it('adds parameters to a URL that already has a query, encoded', () => {
    expect(withQuery('https://lms.example.com/li?type=x', { resource_link_id: 'a b&c', tag: undefined })).toBe(
      'https://lms.example.com/li?type=x&resource_link_id=a+b%26c',
    );
  });
});

describe('httpsOrLoopback', () => {
  it('allows https anywhere and http only to this machine', () => {
    expect(httpsOrLoopback(new URL('https://lms.example.com/token'))).toBe(true);
    expect(httpsOrLoopback(new URL('http://127.0.0.1:9999/token'))).toBe(true);
    expect(httpsOrLoopback(new URL('http://localhost/token'))).toBe(true);
    expect(httpsOrLoopback(new URL('http://[::1]:80/token'))).toBe(true);
    expect(httpsOrLoopback(new URL('http://lms.example.com/token'))).toBe(false);
    expect(httpsOrLoopback(new URL('ftp://lms.example.com/token'))).toBe(false);
    expect(httpsOrLoopback(new URL('https://user:secret@lms.example.com/token'))).toBe(false);
  });
});

describe('toNrpsMember', () => {
  it('maps the NRPS spelling to ours, an absent status being Active', () => {
    expect(
      toNrpsMember({
        user_id: 'u1',
        roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
        name: 'Ada Lovelace',
        given_name: 'Ada',
        family_name: 'Lovelace',
        email: 'ada@example.com',
        picture: 'https://example.com/ada.png',
      }),
    ).toEqual({
      userId: 'u1',
      status: 'Active',
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      name: 'Ada Lovelace',
      givenName: 'Ada',
      familyName: 'Lovelace',
      email: 'ada@example.com',
    });
  });

  it('keeps Inactive and Deleted', () => {
    expect(toNrpsMember({ user_id: 'u2', roles: [], status: 'Inactive' })?.status).toBe('Inactive');
    expect(toNrpsMember({ user_id: 'u3', roles: [], status: 'Deleted' })?.status).toBe('Deleted');
  });

  it('drops a member without user_id or roles, or with a status it does not know', () => {
    expect(toNrpsMember({ roles: [] })).toBeNull();
    expect(toNrpsMember({ user_id: 'u4' })).toBeNull();
    expect(toNrpsMember({ user_id: 'u5', roles: [1] })).toBeNull();
    expect(toNrpsMember({ user_id: 'u6', roles: [], status: 'Suspended' })).toBeNull();
    expect(toNrpsMember(null)).toBeNull();
  });
});
