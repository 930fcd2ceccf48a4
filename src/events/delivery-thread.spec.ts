import { loadConfig } from '../config/config';
import { THREAD_POOL_SIZE, threadConfig } from './delivery-thread';

describe('the delivery thread’s configuration', () => {
  const parent = loadConfig({
    DATABASE_URL: 'postgres://app@db/assessment',
    REPLICA_DATABASE_URL: 'postgres://app@replica/assessment',
    DB_POOL_SIZE: '20',
  });

  it('delivers inline there, on a small pool of its own and the primary only', () => {
    expect(parent.events.delivery).toBe('thread');
    const config = threadConfig(parent);
    expect(config.events.delivery).toBe('inline');
    expect(config.events.pollIntervalMs).toBe(parent.events.pollIntervalMs);
    expect(config.database.poolSize).toBe(THREAD_POOL_SIZE);
    expect(config.database.url).toBe(parent.database.url);
    expect(config.database.replica).toBeUndefined();
  });

  it('runs no other background work (the request thread does) and seeds nothing', () => {
    const config = threadConfig(parent);
    expect(config.attempts.sweepIntervalMs).toBe(0);
    expect(config.housekeeping.intervalMs).toBe(0);
    expect(config.demoUsers).toBe(false);
  });

  it('can be handed to a worker thread as it is (structured clone)', () => {
    expect(structuredClone(threadConfig(parent))).toEqual(threadConfig(parent));
  });

  it('never takes more connections than the parent was given', () => {
    expect(threadConfig({ ...parent, database: { ...parent.database, poolSize: 2 } }).database.poolSize).toBe(2);
  });
});
