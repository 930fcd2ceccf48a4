import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { JWK } from 'jose';

/**
 * One of the tool's RSA key pairs. The newest unretired key signs (client
 * assertions, deep linking responses); every key is published at /lti/jwks
 * until its last tokens have expired after it was retired.
 */
@Entity('lti_keys')
export class LtiKey {
  /** The `kid` of its JWK and of the tokens it signs. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  /** The public half as a JWK (`kty`, `n`, `e`, `kid`, `alg`, `use`). */
  @Column({ type: 'jsonb' })
  publicJwk: JWK;

  /** The private half (PKCS #8), encrypted with LTI_KEY_ENCRYPTION_KEY; never leaves the service. */
  @Column({ type: 'text', select: false })
  privateKeyCiphertext: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** When a newer key took over signing; null for the signing key. */
  @Column({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
