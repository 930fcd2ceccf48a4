import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.constants';
import { SecretBox } from '../webhook-secrets';
import { webhookUrlProblem } from '../webhook-url';
import { XAPI_EVENT_TYPES } from './xapi-statements';

export interface LrsCredentials {
  username: string;
  password: string;
}

/**
 * The LRS of XAPI_LRS_URL as one more destination of the delivery queue: an endpoint row of kind
 * `xapi`, kept equal to the environment at every start (its credentials sealed like signing
 * secrets), so leasing, per-learner order, retries, disabling and metrics are the webhooks'
 * own. Without XAPI_LRS_URL the row is deleted, and nothing about xAPI is queued.
 */
@Injectable()
export class XapiDestination implements OnApplicationBootstrap {
  private readonly logger = new Logger('XapiDestination');
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.events.secretKey ?? '');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sync();
  }

  /** Makes the `xapi` endpoint row say what the environment says. Throws (the start fails) on a refused URL. */
  async sync(): Promise<void> {
    const lrs = this.config.xapi.lrs;
    if (!lrs) {
      await this.dataSource.query(`DELETE FROM webhook_endpoints WHERE kind = 'xapi'`);
      return;
    }
    const problem = await webhookUrlProblem(lrs.url, this.config.env === 'production');
    if (problem) throw new Error(`XAPI_LRS_URL ${problem}; the service does not start with it`);
    await this.dataSource.transaction(async (manager) => {
      // Instances starting together make one row, not a unique violation.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('xapi endpoint', 0))`);
      const [current] = await manager.query<
        { id: string; url: string; secret_ciphertext: string; event_types: string[] }[]
      >(`SELECT id, url, secret_ciphertext, event_types FROM webhook_endpoints WHERE kind = 'xapi'`);
      const sealed = this.box.seal(JSON.stringify({ username: lrs.username, password: lrs.password }));
      if (!current) {
        await manager.query(
          `INSERT INTO webhook_endpoints (kind, url, description, event_types, secret_ciphertext, created_by)
           VALUES ('xapi', $1, 'xAPI LRS (XAPI_LRS_URL)', $2, $3, 'system:xapi')`,
          [lrs.url, [...XAPI_EVENT_TYPES], sealed],
        );
        this.logger.log({ url: lrs.url }, 'xAPI statements go to the LRS');
        return;
      }
      if (
        current.url === lrs.url &&
        this.sameCredentials(current.secret_ciphertext, lrs) &&
        current.event_types.join() === XAPI_EVENT_TYPES.join()
      ) {
        return;
      }
      // A changed LRS (or new credentials) is tried afresh, even one disabled after failing for days.
      await manager.query(
        `UPDATE webhook_endpoints
            SET url = $2, secret_ciphertext = $3, event_types = $4, disabled_at = NULL, failing_since = NULL,
                updated_at = now()
          WHERE id = $1`,
        [current.id, lrs.url, sealed, [...XAPI_EVENT_TYPES]],
      );
      this.logger.log({ url: lrs.url }, 'xAPI LRS settings changed');
    });
  }

  credentials(sealed: string): LrsCredentials {
    return JSON.parse(this.box.open(sealed)) as LrsCredentials;
  }

  private sameCredentials(sealed: string, lrs: LrsCredentials): boolean {
    try {
      const stored = this.credentials(sealed);
      return stored.username === lrs.username && stored.password === lrs.password;
    } catch {
      return false; // sealed under another key: replace it
    }
  }
}
