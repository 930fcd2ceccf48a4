import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { OutboxEvent } from './outbox-event.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One event for one endpoint: written with the event, then tried until delivered or given up. */
@Entity('webhook_deliveries')
@Index('webhook_deliveries_endpoint_event_key', ['endpointId', 'eventId'], { unique: true })
// The claim walks the pending deliveries in event order and stops at its batch: without this it read, and sorted,
// every pending delivery of the endpoint on each round (154 ms at 47,000 pending against 1.4 ms; BENCHMARKS.md).
@Index('webhook_deliveries_pending_seq_idx', ['eventSeq'], { where: "state = 'pending'" })
// The claim looks for an earlier pending delivery of the same endpoint and learner: keeps their order.
@Index('webhook_deliveries_order_idx', ['endpointId', 'orderingKey', 'eventSeq'], { where: "state = 'pending'" })
@Index('webhook_deliveries_endpoint_created_idx', ['endpointId', 'createdAt'])
// Pruning old events deletes their deliveries by event.
@Index('webhook_deliveries_event_id_idx', ['eventId'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => WebhookEndpoint, { name: 'webhook_deliveries_endpoint_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  endpointId: string;

  @ForeignKey(() => OutboxEvent, { name: 'webhook_deliveries_event_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  eventId: string;

  /** The event's seq and ordering key, copied so the claim needs no join. */
  @Column({ type: 'bigint' })
  eventSeq: string;

  @Column({ type: 'varchar', length: 80, nullable: true })
  orderingKey: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  state: DeliveryState;

  /** Tries made so far. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** While a worker is sending it; a worker that died lets the lease run out and another takes it. */
  @Column({ type: 'timestamptz', nullable: true })
  leasedUntil: Date | null;

  @Column({ type: 'integer', nullable: true })
  lastStatus: number | null;

  /** The first bytes of the receiver's last answer, or what went wrong on the way. */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  lastResponse: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
