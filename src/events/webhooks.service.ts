import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Caller } from '../auth/access.types';
import { isUuid } from '../auth/user-ref';
import { ResourceNotFound, ValidationFailed } from '../common/errors/domain-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import {
  type CreateWebhookDto,
  type DeliveryDto,
  type ReplayDto,
  type UpdateWebhookDto,
  toWebhookResponse,
  type WebhookResponseDto,
  type WebhookWithSecretDto,
} from './dto/webhook.dto';
import { EventsService } from './events.service';
import { newSigningSecret, SecretBox } from './webhook-secrets';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { webhookUrlProblem } from './webhook-url';

/** How long the secret replaced by a rotation keeps signing beside the new one. */
const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** Registered endpoints at most: each event fans out to every subscribed one, inside the writer's transaction. */
const MAX_ENDPOINTS = 100;

/** Webhook endpoints: registration, secrets, and what was delivered to them. */
@Injectable()
export class WebhooksService {
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly events: EventsService,
  ) {
    this.box = new SecretBox(config.events.secretKey ?? '');
  }

  async create(caller: Caller, dto: CreateWebhookDto): Promise<WebhookWithSecretDto> {
    await this.assertUrl(dto.url);
    const secret = newSigningSecret();
    return this.dataSource.transaction(async (manager) => {
      // Serialises registrations, so the cap holds with several at once.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('webhook endpoints', 0))`);
      const [{ count }] = await manager.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM webhook_endpoints WHERE kind = 'webhook'`,
      );
      if (count >= MAX_ENDPOINTS) {
        throw new ValidationFailed([
          { field: 'url', messages: [`at most ${MAX_ENDPOINTS} endpoints may be registered`] },
        ]);
      }
      const endpoint = await manager.save(
        manager.create(WebhookEndpoint, {
          kind: 'webhook',
          url: dto.url,
          description: dto.description ?? '',
          eventTypes: dto.eventTypes,
          secretCiphertext: this.box.seal(secret),
          previousSecretCiphertext: null,
          previousSecretExpiresAt: null,
          failingSince: null,
          disabledAt: null,
          createdBy: `${caller.principal.kind}:${caller.principal.id}`,
        }),
      );
      const response = toWebhookResponse(endpoint);
      await this.audit.record(manager, caller, {
        action: 'webhook.created',
        targetType: 'webhook',
        targetId: endpoint.id,
        after: { ...response },
      });
      return { ...response, secret };
    });
  }

  async list(): Promise<{ items: WebhookResponseDto[] }> {
    const endpoints = await this.dataSource
      .getRepository(WebhookEndpoint)
      .find({ where: { kind: 'webhook' }, order: { createdAt: 'DESC', id: 'DESC' } });
    return { items: endpoints.map(toWebhookResponse) };
  }

  async get(id: string): Promise<WebhookResponseDto> {
    return toWebhookResponse(await this.find(this.dataSource.manager, id));
  }

  async update(caller: Caller, id: string, dto: UpdateWebhookDto): Promise<WebhookResponseDto> {
    if (dto.url !== undefined) await this.assertUrl(dto.url);
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await this.find(manager, id, true);
      const before = toWebhookResponse(endpoint);
      if (dto.url !== undefined) endpoint.url = dto.url;
      if (dto.eventTypes !== undefined) endpoint.eventTypes = dto.eventTypes;
      if (dto.description !== undefined) endpoint.description = dto.description;
      if (dto.enabled === false && !endpoint.disabledAt) endpoint.disabledAt = new Date();
      if (dto.enabled === true && endpoint.disabledAt)
        Object.assign(endpoint, { disabledAt: null, failingSince: null });
      const after = toWebhookResponse(await manager.save(endpoint));
      await this.audit.record(manager, caller, {
        action: 'webhook.updated',
        targetType: 'webhook',
        targetId: id,
        before: { ...before },
        after: { ...after },
      });
      return after;
    });
  }

  /** Deletes the endpoint and its deliveries (pending ones are not sent). */
  async remove(caller: Caller, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const endpoint = await this.find(manager, id, true);
      await manager.delete(WebhookEndpoint, { id });
      await this.audit.record(manager, caller, {
        action: 'webhook.deleted',
        targetType: 'webhook',
        targetId: id,
        before: { ...toWebhookResponse(endpoint) },
      });
    });
  }

  /** A new secret, shown once; the old one keeps signing beside it for 24 hours. */
  async rotateSecret(caller: Caller, id: string): Promise<WebhookWithSecretDto> {
    const secret = newSigningSecret();
    return this.dataSource.transaction(async (manager) => {
      await this.find(manager, id, true);
      // The current secret becomes the previous one without leaving the database.
      await manager.query(
        `UPDATE webhook_endpoints
            SET previous_secret_ciphertext = secret_ciphertext, secret_ciphertext = $2,
                previous_secret_expires_at = now() + make_interval(secs => $3), updated_at = now()
          WHERE id = $1`,
        [id, this.box.seal(secret), ROTATION_OVERLAP_MS / 1000],
      );
      const response = toWebhookResponse(await this.find(manager, id));
      await this.audit.record(manager, caller, {
        action: 'webhook.secret_rotated',
        targetType: 'webhook',
        targetId: id,
      });
      return { ...response, secret };
    });
  }

  /** Queues a `webhook.test` event for this endpoint alone (no endpoint subscribes to the type). */
  async sendTest(caller: Caller, id: string): Promise<{ queued: number }> {
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await this.find(manager, id);
      const {
        ids: [eventId],
      } = await this.events.emit(manager, {
        type: 'webhook.test',
        data: {
          endpointId: endpoint.id,
          message: `A test event, sent at the request of ${caller.principal.kind} ${caller.principal.id}`,
        },
      });
      await manager.query(
        `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_seq, ordering_key)
         SELECT $1, id, seq, ordering_key FROM events WHERE id = $2`,
        [endpoint.id, eventId],
      );
      return { queued: 1 };
    });
  }

  async deliveries(id: string): Promise<{ items: DeliveryDto[] }> {
    await this.find(this.dataSource.manager, id);
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT d.id, d.event_id, e.type, d.state, d.attempts, d.last_status, d.last_response, d.last_attempt_at,
              CASE WHEN d.state = 'pending' THEN d.next_attempt_at END AS next_attempt_at, d.delivered_at, d.created_at
         FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
        WHERE d.endpoint_id = $1
        ORDER BY d.created_at DESC, d.id DESC
        LIMIT 100`,
      [id],
    );
    const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
    return {
      items: rows.map((row) => ({
        id: row.id as string,
        eventId: row.event_id as string,
        eventType: row.type as string,
        state: row.state as DeliveryDto['state'],
        attempts: row.attempts as number,
        lastStatus: row.last_status as number | null,
        lastResponse: row.last_response as string | null,
        lastAttemptAt: iso(row.last_attempt_at),
        nextAttemptAt: iso(row.next_attempt_at),
        deliveredAt: iso(row.delivered_at),
        createdAt: iso(row.created_at)!,
      })),
    };
  }

  /** Sends a delivery again now (a failed one too), keeping its webhook-id. */
  async retry(caller: Caller, id: string, deliveryId: string): Promise<{ queued: number }> {
    if (!isUuid(deliveryId)) throw new ResourceNotFound('No such delivery');
    return this.dataSource.transaction(async (manager) => {
      await this.find(manager, id);
      const rows = await manager.query<unknown[]>(
        `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), leased_until = NULL
          WHERE id = $1 AND endpoint_id = $2
          RETURNING id`,
        [deliveryId, id],
      );
      if (rows.length === 0) throw new ResourceNotFound('No such delivery of this endpoint');
      await this.audit.record(manager, caller, {
        action: 'webhook.delivery_retried',
        targetType: 'webhook',
        targetId: id,
        after: { deliveryId },
      });
      return { queued: 1 };
    });
  }

  /**
   * Queues again every event since `since` of the types the endpoint takes,
   * those it was never sent included (same webhook-ids: receivers de-duplicate).
   */
  async replay(caller: Caller, id: string, dto: ReplayDto): Promise<{ queued: number }> {
    const since = new Date(dto.since);
    const oldest = Date.now() - this.config.events.retentionDays * 86_400_000;
    if (since.getTime() < oldest) {
      throw new ValidationFailed([
        {
          field: 'since',
          messages: [`must lie within the last ${this.config.events.retentionDays} days (events are kept that long)`],
        },
      ]);
    }
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await this.find(manager, id);
      const rows = await manager.query<unknown[]>(
        `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_seq, ordering_key)
         SELECT $1, e.id, e.seq, e.ordering_key FROM events e
          WHERE e.occurred_at >= $2 AND e.type = ANY ($3::text[])
         ON CONFLICT (endpoint_id, event_id) DO UPDATE
           SET state = 'pending', next_attempt_at = now(), leased_until = NULL
         RETURNING id`,
        [id, since, endpoint.eventTypes],
      );
      await this.audit.record(manager, caller, {
        action: 'webhook.replayed',
        targetType: 'webhook',
        targetId: id,
        after: { since: since.toISOString(), queued: rows.length },
      });
      return { queued: rows.length };
    });
  }

  private async find(manager: EntityManager, id: string, lock = false): Promise<WebhookEndpoint> {
    if (!isUuid(id)) throw new ResourceNotFound('No such webhook endpoint');
    // The LRS of XAPI_LRS_URL shares the table and is managed by the environment alone.
    const endpoint = await manager.findOne(WebhookEndpoint, {
      where: { id, kind: 'webhook' },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!endpoint) throw new ResourceNotFound('No such webhook endpoint');
    return endpoint;
  }

  private async assertUrl(url: string): Promise<void> {
    const problem = await webhookUrlProblem(url, this.config.env === 'production');
    if (problem) throw new ValidationFailed([{ field: 'url', messages: [problem] }]);
  }
}
