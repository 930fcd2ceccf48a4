import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';

export interface ThrottleKeys {
  account: string;
  address: string;
}

/**
 * Limits password sign-ins per account and per client address in a fixed
 * window, counted in PostgreSQL so all instances share the count. Each attempt
 * is counted before the password is checked (one atomic upsert), so a burst
 * of parallel guesses cannot slip past the limit; a success clears the
 * account's count and gives the address its attempt back.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Counts one attempt; returns the seconds to wait when over a limit, else null. */
  async attempt(keys: ThrottleKeys): Promise<number | null> {
    const { maxFailuresPerAccount, maxFailuresPerAddress, windowSeconds } = this.config.auth.login;
    const rows: { key: string; failures: number; retry_after: number }[] = await this.dataSource.query(
      `INSERT INTO login_failures (key, failures, window_started_at)
         SELECT unnest($1::varchar[]), 1, now()
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_failures.window_started_at <= now() - make_interval(secs => $2)
                         THEN 1 ELSE login_failures.failures + 1 END,
         window_started_at = CASE WHEN login_failures.window_started_at <= now() - make_interval(secs => $2)
                                  THEN now() ELSE login_failures.window_started_at END
       RETURNING key, failures,
         ceil(extract(epoch FROM window_started_at + make_interval(secs => $2) - now()))::int AS retry_after`,
      [[accountKey(keys), addressKey(keys)], windowSeconds],
    );
    const limits: Record<string, number> = {
      [accountKey(keys)]: maxFailuresPerAccount,
      [addressKey(keys)]: maxFailuresPerAddress,
    };
    const over = rows.filter((row) => row.failures > limits[row.key]);
    return over.length > 0 ? Math.max(1, ...over.map((row) => row.retry_after)) : null;
  }

  async succeeded(keys: ThrottleKeys): Promise<void> {
    await this.dataSource.query(
      `WITH cleared AS (DELETE FROM login_failures WHERE key = $1)
       UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = $2`,
      [accountKey(keys), addressKey(keys)],
    );
  }
}

const accountKey = (keys: ThrottleKeys) => `account:${keys.account.toLowerCase()}`;
const addressKey = (keys: ThrottleKeys) => `address:${keys.address}`;
