import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';

/**
 * A person's signed-in session in a browser (the pages), held by an HttpOnly
 * cookie. Only the token's hash is stored; the CSRF token is the session's
 * own and goes back in a header on every state-changing request. `via` says
 * how the session was opened (a password today, an LTI launch later).
 */
@Entity('web_sessions')
export class WebSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('web_sessions_token_hash_key', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Index('web_sessions_user_id_idx')
  @ForeignKey(() => User, { name: 'web_sessions_user_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 64 })
  csrfToken: string;

  @Column({ type: 'varchar', length: 16 })
  via: 'password' | 'lti';

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  @Index('web_sessions_expires_at_idx')
  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
