import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ENDPOINT_KINDS = ['webhook', 'xapi', 'lti_ags'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/**
 * A destination of the delivery queue: a receiver of signed webhook deliveries (Standard
 * Webhooks), the LRS of XAPI_LRS_URL (one at most, kept from the environment at start), or the
 * LTI score passback (one, made at start: its deliveries go to each platform the learner came from).
 */
@Entity('webhook_endpoints')
@Index('webhook_endpoints_one_xapi_key', ['kind'], { unique: true, where: "kind = 'xapi'" })
@Index('webhook_endpoints_one_lti_ags_key', ['kind'], { unique: true, where: "kind = 'lti_ags'" })
export class WebhookEndpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `webhook`: managed through /v1/webhooks; `xapi` and `lti_ags`: kept by the service, never listed there. */
  @Column({ type: 'varchar', length: 16, default: 'webhook' })
  kind: EndpointKind;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  description: string;

  /** The event types it receives (EVENT_TYPES); `webhook.test` always. */
  @Column({ type: 'text', array: true })
  eventTypes: string[];

  /**
   * The signing secret (`whsec_…`), or for the LRS its basic-auth credentials (JSON), encrypted at
   * rest with WEBHOOK_SECRET_KEY (webhook-secrets.ts).
   */
  @Column({ type: 'text', select: false })
  secretCiphertext: string;

  /** After a rotation, the old secret keeps signing beside the new one until this time. */
  @Column({ type: 'text', nullable: true, select: false })
  previousSecretCiphertext: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  /** When deliveries to it began failing without a success since; null while it is healthy. */
  @Column({ type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  /** Set by an admin (PATCH `enabled: false`) or after 5 days of failures; disabled endpoints get nothing. */
  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ type: 'varchar', length: 80 })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
