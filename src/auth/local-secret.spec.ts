import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config';
import { LOCAL_SECRET_FILE, LOCAL_WEBHOOK_KEY_FILE, withLocalSecret } from './local-secret';

describe('withLocalSecret', () => {
  const folders: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-secret-'));
    folders.push(dir);
    return join(dir, 'data');
  };
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('makes a random secret on first start, readable by its owner only, and keeps it', () => {
    const dataDir = folder();
    const first = withLocalSecret(loadConfig({ DATA_DIR: dataDir }));
    const file = join(dataDir, LOCAL_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.auth.signingKey).toBe(readFileSync(file, 'utf8').trim());
    expect(first.auth.signingKey?.length).toBeGreaterThanOrEqual(64);
    expect(first.auth.verifyKey).toBe(first.auth.signingKey);
    expect(withLocalSecret(loadConfig({ DATA_DIR: dataDir })).auth.signingKey).toBe(first.auth.signingKey);
  });

  it('gives two installs two different secrets', () => {
    const one = withLocalSecret(loadConfig({ DATA_DIR: folder() })).auth.signingKey;
    const two = withLocalSecret(loadConfig({ DATA_DIR: folder() })).auth.signingKey;
    expect(one).not.toBe(two);
  });

  it('leaves a configured JWT_SECRET and WEBHOOK_SECRET_KEY alone and writes nothing', () => {
    const dataDir = folder();
    const config = withLocalSecret(
      loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'k'.repeat(40), WEBHOOK_SECRET_KEY: 'w'.repeat(40) }),
    );
    expect(config.auth.signingKey).toBe('k'.repeat(40));
    expect(config.events.secretKey).toBe('w'.repeat(40));
    expect(() => statSync(join(dataDir, LOCAL_SECRET_FILE))).toThrow();
    expect(() => statSync(join(dataDir, LOCAL_WEBHOOK_KEY_FILE))).toThrow();
  });

  it('keeps a webhook encryption key of its own beside the signing secret, owner-only', () => {
    const dataDir = folder();
    const first = withLocalSecret(loadConfig({ DATA_DIR: dataDir }));
    expect(first.events.secretKey).toMatch(/^[\w-]{64}$/);
    expect(first.events.secretKey).not.toBe(first.auth.signingKey);
    expect(statSync(join(dataDir, LOCAL_WEBHOOK_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(withLocalSecret(loadConfig({ DATA_DIR: dataDir })).events.secretKey).toBe(first.events.secretKey);
  });

  it('refuses a secret file that other users can read', () => {
    const dataDir = folder();
    withLocalSecret(loadConfig({ DATA_DIR: dataDir }));
    chmodSync(join(dataDir, LOCAL_SECRET_FILE), 0o644);
    expect(() => withLocalSecret(loadConfig({ DATA_DIR: dataDir }))).toThrow(/can be read by other users/);
  });
});
