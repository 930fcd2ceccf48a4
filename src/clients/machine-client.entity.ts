import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Scope } from '../auth/access.types';

/** An LMS or other integration that signs in with client credentials. */
@Entity('machine_clients')
export class MachineClient {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Public identifier sent as `client_id`. */
  @Index('machine_clients_client_id_key', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  /** argon2id of the secret, which is shown once at creation. */
  @Column({ type: 'text', select: false })
  secretHash: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', array: true })
  scopes: Scope[];

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  /** Milliseconds, as a JavaScript Date holds them: list cursors carry it and must compare equal. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
