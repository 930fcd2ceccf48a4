import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Role } from '../auth/access.types';

@Entity('users')
@Index('users_email_key', ['email'], { unique: true, where: 'deleted_at IS NULL' })
@Index('users_external_id_key', ['externalId'], {
  unique: true,
  where: 'deleted_at IS NULL AND external_id IS NOT NULL',
})
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The LMS's id for this person. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId: string | null;

  /** Stored lower-cased, so uniqueness ignores case. */
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'text', array: true })
  roles: Role[];

  /** argon2id; null for people who sign in only through an LMS or identity provider. */
  @Column({ type: 'text', nullable: true, select: false })
  passwordHash: string | null;

  /** Milliseconds, as a JavaScript Date holds them: list cursors carry it and must compare equal. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;

  /** When the person's data was erased (DELETE …?erase=true): the row stays, pseudonymous, for statistics. */
  @Column({ type: 'timestamptz', nullable: true })
  erasedAt: Date | null;
}
