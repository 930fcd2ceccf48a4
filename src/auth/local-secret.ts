import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/config';

/** Where the generated secret lives, inside DATA_DIR. */
export const LOCAL_SECRET_FILE = 'jwt-secret';

/**
 * The HS256 secret of an install that did not set JWT_SECRET (never production:
 * the config refuses that). Generated at random on first start and kept in the
 * data folder, readable by its owner only, so no secret ships in the code and
 * restarts keep everyone signed in. Deleting the file signs everyone out.
 */
export function withLocalSecret(config: AppConfig): AppConfig {
  let resolved = config;
  if (config.auth.signingKey === undefined || config.auth.verifyKey === undefined) {
    const secret = readOrCreateSecret(config.database.dataDir, LOCAL_SECRET_FILE);
    resolved = { ...resolved, auth: { ...resolved.auth, signingKey: secret, verifyKey: secret } };
  }
  // The same for the key that encrypts webhook secrets at rest (WEBHOOK_SECRET_KEY).
  if (config.events.secretKey === undefined) {
    const key = readOrCreateSecret(config.database.dataDir, LOCAL_WEBHOOK_KEY_FILE);
    resolved = { ...resolved, events: { ...resolved.events, secretKey: key } };
  }
  return resolved;
}

/** Where the generated webhook encryption key lives, inside DATA_DIR. */
export const LOCAL_WEBHOOK_KEY_FILE = 'webhook-key';

function readOrCreateSecret(dataDir: string, name: string): string {
  const folder = resolve(dataDir);
  const file = join(folder, name);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  try {
    // `wx`: of two processes starting together, one creates it and the other reads it.
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(48).toString('base64url')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(
      `${file} can be read by other users (mode ${mode.toString(8)}): run chmod 600 on it, ` +
        'or delete it to have a new secret made (which signs everyone out)',
    );
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret: delete it to have a new one made`);
  return secret;
}
