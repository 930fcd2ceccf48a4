import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Caller } from '../auth/access.types';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { SecretBox } from '../events/webhook-secrets';

const ALGORITHM = 'RS256';
/**
 * A retired key stays published this long: longer than anything it signed lives (client assertions and deep
 * linking responses, 5 minutes) plus the time platforms cache a JWKS.
 */
const PUBLISHED_AFTER_RETIREMENT_HOURS = 24;
/** How long an instance signs with the key it loaded before looking again (a rotation elsewhere takes over). */
const SIGNING_KEY_CACHE_MS = 60_000;

interface SigningKey {
  kid: string;
  key: Awaited<ReturnType<typeof importPKCS8>>;
  loadedAt: number;
}

/**
 * The tool's own RSA keys: made on first need, private halves sealed in the
 * database (a dump alone reveals none), public halves served as a JWKS.
 * Rotation makes a new signing key and keeps the old one published until
 * what it signed has expired.
 */
@Injectable()
export class LtiKeysService {
  private readonly box: SecretBox;
  private signing?: Promise<SigningKey>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly audit: AuditService,
  ) {
    this.box = new SecretBox(config.lti.keySecret ?? config.events.secretKey ?? '', 'lti tool private keys');
  }

  /** The public keys a platform may see tokens signed with, the signing key first. */
  async published(): Promise<JWK[]> {
    const read = () =>
      this.dataSource.query<{ public_jwk: JWK }[]>(
        `SELECT public_jwk FROM lti_keys
          WHERE retired_at IS NULL OR retired_at > now() - make_interval(hours => $1)
          ORDER BY retired_at DESC NULLS FIRST, created_at DESC`,
        [PUBLISHED_AFTER_RETIREMENT_HOURS],
      );
    let rows = await read();
    if (rows.length === 0) {
      // A tool that never signed anything yet: the platform may fetch the keys before the first launch.
      await this.signingKey();
      rows = await read();
    }
    return rows.map((row) => row.public_jwk);
  }

  /**
   * A JWT signed with the current key: `kid` in the header, `iat`, `exp` and
   * `aud` set here, a random `jti` unless the payload has one.
   */
  async sign(
    payload: Record<string, unknown>,
    options: { audience: string | string[]; expiresInSeconds: number },
  ): Promise<string> {
    const { kid, key } = await this.signingKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID(), ...payload })
      .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + options.expiresInSeconds)
      .setAudience(options.audience)
      .sign(key);
  }

  /** A new signing key; the old one stays published for a day. Returns the new key's id. */
  async rotate(caller: Caller): Promise<{ kid: string }> {
    const created = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('lti keys', 0))`);
      await manager.query('UPDATE lti_keys SET retired_at = now() WHERE retired_at IS NULL');
      const kid = await this.insertKey(manager);
      await this.audit.record(manager, caller, { action: 'lti.key_rotated', targetType: 'lti_key', targetId: kid });
      return kid;
    });
    this.signing = undefined;
    return { kid: created };
  }

  private signingKey(): Promise<SigningKey> {
    const current = this.signing;
    if (current) {
      return current.then((key) => (Date.now() - key.loadedAt < SIGNING_KEY_CACHE_MS ? key : this.reload()));
    }
    return this.reload();
  }

  private reload(): Promise<SigningKey> {
    const loading = this.loadOrCreate();
    this.signing = loading;
    loading.catch(() => {
      if (this.signing === loading) this.signing = undefined;
    });
    return loading;
  }

  private async loadOrCreate(): Promise<SigningKey> {
    const select = `SELECT kid, private_key_ciphertext FROM lti_keys WHERE retired_at IS NULL
                     ORDER BY created_at DESC LIMIT 1`;
    let [row] = await this.dataSource.query<{ kid: string; private_key_ciphertext: string }[]>(select);
    if (!row) {
      // The first instance to need a key makes it; the others wait on the lock and read it.
      [row] = await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('lti keys', 0))`);
        const found = await manager.query<{ kid: string; private_key_ciphertext: string }[]>(select);
        if (found.length > 0) return found;
        await this.insertKey(manager);
        return manager.query<{ kid: string; private_key_ciphertext: string }[]>(select);
      });
    }
    const key = await importPKCS8(this.box.open(row.private_key_ciphertext), ALGORITHM);
    return { kid: row.kid, key, loadedAt: Date.now() };
  }

  private async insertKey(manager: { query: DataSource['query'] }): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALGORITHM, { modulusLength: 2048, extractable: true });
    const kid = randomUUID();
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' };
    await manager.query(`INSERT INTO lti_keys (kid, public_jwk, private_key_ciphertext) VALUES ($1, $2, $3)`, [
      kid,
      JSON.stringify(jwk),
      this.box.seal(await exportPKCS8(privateKey)),
    ]);
    return kid;
  }
}
