import { Column, Entity, Generated, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Something that happened, written in the transaction of the change itself
 * (a transactional outbox): it exists exactly when the change committed.
 * Deliveries read it afterwards; nothing is held in memory.
 */
@Entity('events')
@Index('events_occurred_at_idx', ['occurredAt'])
@Index('events_seq_key', ['seq'], { unique: true })
// A learner's events in order: their xAPI statements and personal-data export read them so.
@Index('events_ordering_key_seq_idx', ['orderingKey', 'seq'])
export class OutboxEvent {
  /** Also the `webhook-id` of every delivery of it, so receivers can de-duplicate. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Order of writing. Events of one learner are written one transaction at a time (see EventsService). */
  @Column({ type: 'bigint' })
  @Generated('increment')
  seq: string;

  /** One of EVENT_TYPES, e.g. `attempt.submitted`. */
  @Column({ type: 'varchar', length: 64 })
  type: string;

  /** `user:<id>` for events about a learner, delivered in order per endpoint; null for the others. */
  @Column({ type: 'varchar', length: 80, nullable: true })
  orderingKey: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  /** The `data` of the delivered body, with the ids an LMS keys on. */
  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;
}
