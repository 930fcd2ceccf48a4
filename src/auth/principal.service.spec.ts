import type { DataSource } from 'typeorm';
import { PrincipalService } from './principal.service';

/** A users table of its own: every id exists, and each lookup is counted. */
function fakeUsers() {
  const lookups: string[] = [];
  const dataSource = {
    getRepository: () => ({
      findOne: ({ where }: { where: { id: string } }) => {
        lookups.push(where.id);
        return Promise.resolve({ id: where.id, roles: ['learner'] });
      },
    }),
  } as unknown as DataSource;
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
});
