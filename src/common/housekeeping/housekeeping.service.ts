import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.constants';
import { PeriodicJob } from '../periodic-job';

/** Rows deleted per statement, so a large backlog never holds long locks or one huge transaction. */
const BATCH = 5_000;

export interface Purged {
  idempotencyKeys: number;
  loginFailures: number;
  /** Events past EVENT_RETENTION_DAYS, with their deliveries; an event still being delivered stays. */
  events: number;
  /** Page sessions past their end or left unused past SESSION_IDLE_MINUTES. */
  webSessions: number;
  /** LTI logins never finished and deep linking requests never answered, past their end. */
  ltiRequests: number;
}

/**
 * Deletes rows that no longer mean anything: idempotency keys past their
 * retention, and sign-in failure counts whose window has ended (the next
 * failure would start a new window anyway), and events (with their webhook
 * deliveries) past their retention. Without it these tables only grow.
 * Safe on any number of instances at once: each delete is idempotent.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private readonly job = new PeriodicJob(this.logger, 'housekeeping failed', () => this.purgeExpired());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    this.job.start(this.config.housekeeping.intervalMs);
  }

  /** Before the database closes (onApplicationShutdown): a run in flight still has its connection. */
  beforeApplicationShutdown() {
    return this.job.stop();
  }

  async purgeExpired(): Promise<Purged> {
    const idempotencyKeys = await this.deleteInBatches(
      `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT ${BATCH}))`,
      [],
    );
    const loginFailures = await this.deleteInBatches(
      `DELETE FROM login_failures WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM login_failures
          WHERE window_started_at <= now() - make_interval(secs => $1) LIMIT ${BATCH}))`,
      [this.config.auth.login.windowSeconds],
    );
    const events = await this.deleteInBatches(
      `DELETE FROM events WHERE id = ANY (ARRAY(
         SELECT e.id FROM events e
          WHERE e.occurred_at < now() - make_interval(days => $1)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.state = 'pending')
          LIMIT ${BATCH}))`,
      [this.config.events.retentionDays],
    );
    const webSessions = await this.deleteInBatches(
      `DELETE FROM web_sessions WHERE id = ANY (ARRAY(
         SELECT id FROM web_sessions
          WHERE expires_at < now() OR last_seen_at < now() - make_interval(mins => $1) LIMIT ${BATCH}))`,
      [this.config.auth.session.idleMinutes],
    );
    const ltiRequests =
      (await this.deleteInBatches(
        `DELETE FROM lti_logins WHERE state_hash = ANY (ARRAY(
           SELECT state_hash FROM lti_logins WHERE expires_at < now() LIMIT ${BATCH}))`,
        [],
      )) +
      (await this.deleteInBatches(
        `DELETE FROM lti_deep_links WHERE token_hash = ANY (ARRAY(
           SELECT token_hash FROM lti_deep_links WHERE expires_at < now() LIMIT ${BATCH}))`,
        [],
      ));
    const purged = { idempotencyKeys, loginFailures, events, webSessions, ltiRequests };
    if (Object.values(purged).some((count) => count > 0)) this.logger.log(purged, 'deleted expired rows');
    return purged;
  }

  private async deleteInBatches(sql: string, parameters: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      // TypeORM answers a DELETE through query() with [rows, affected].
      const [, affected] = await this.dataSource.query<[unknown[], number]>(sql, parameters);
      total += affected;
      if (affected < BATCH) return total;
    }
  }
}
