import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who changed what, from what to what, and in which request. Append-only. */
@Entity('audit_events')
@Index('audit_events_target_idx', ['targetType', 'targetId', 'createdAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `user`, `client` or `system`. */
  @Column({ type: 'varchar', length: 16 })
  actorType: string;

  @Column({ type: 'varchar', length: 64 })
  actorId: string;

  /** Dotted verb, e.g. `user.created`, `client.revoked`, `grade.overridden`. */
  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ type: 'varchar', length: 32 })
  targetType: string;

  @Column({ type: 'varchar', length: 64 })
  targetId: string;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'varchar', length: 128 })
  requestId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
