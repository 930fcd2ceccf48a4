import type { DataSource } from 'typeorm';
import { NAMED_STATEMENTS_OPTION } from '../database/named-query';
import { PrincipalService } from './principal.service';

/** A users table of its own: every id exists, and each lookup is counted. */
function fakeUsers() {
  const lookups: string[] = [];
  const dataSource = { options: { extra: { [NAMED_STATEMENTS_OPTION]: false } } } as unknown as DataSource;
  Object.assign(dataSource, {
    manager: {
      dataSource,
      query: (_text: string, [id]: [string]) => {
        lookups.push(id);
        return Promise.resolve([{ id, roles: ['learner'] }]);
      },
    },
  });
  return { dataSource, lookups };
}

describe('PrincipalService cache', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a repeated caller from the cache until the entry expires', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { dataSource, lookups } = fakeUsers();
    const principals = new PrincipalService(dataSource);
    await principals.forUser('a');
    await principals.forUser('a');
    expect(lookups).toEqual(['a']);
    jest.setSystemTime(1_000_000 + 10_001);
    await principals.forUser('a');
    expect(lookups).toEqual(['a', 'a']);
  });

  it('drops expired entries, so it holds about one TTL of callers rather than every caller seen', async () => {
    jest.useFakeTimers({ now: 2_000_000 });
    const { dataSource } = fakeUsers();
    const principals = new PrincipalService(dataSource);
    for (let i = 0; i < 500; i++) await principals.forUser(`early-${i}`);
    expect(principals.size).toBe(500);
    jest.setSystemTime(2_000_000 + 10_001);
    for (let i = 0; i < 3; i++) await principals.forUser(`late-${i}`);
    expect(principals.size).toBe(3);
  });

  it('forgets an invalidated user at once', async () => {
    const { dataSource, lookups } = fakeUsers();
    const principals = new PrincipalService(dataSource);
    await principals.forUser('a');
    principals.invalidate('user', 'a');
    await principals.forUser('a');
    expect(lookups).toEqual(['a', 'a']);
  });

  it('takes the roles a route read itself, as a lookup would have cached them', async () => {
    jest.useFakeTimers({ now: 3_000_000 });
    const { dataSource, lookups } = fakeUsers();
    const principals = new PrincipalService(dataSource);
    expect(principals.cachedUser('a')).toBeUndefined();
    expect(principals.rememberUser('a', ['admin'])).toEqual({ kind: 'user', id: 'a', roles: ['admin'] });
    expect(principals.rememberUser('gone', null)).toBeNull();
    expect(await principals.forUser('a')).toEqual({ kind: 'user', id: 'a', roles: ['admin'] });
    expect(await principals.forUser('gone')).toBeNull();
    expect(lookups).toEqual([]);
    jest.setSystemTime(3_000_000 + 10_001);
    expect(principals.cachedUser('a')).toBeUndefined();
  });
});
