import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import e2eGlobalSetup from '../../support/global-setup';
import { EMBEDDED_TEMPLATE_ENV } from '../../support/test-env';
import { ARTIFACTS_DIR } from './artifacts';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Builds the web client (the server serves dist/web/ under /assets/) and the
 * database template the e2e files use; a fresh test-artifacts/ for this run.
 */
export default async function browserGlobalSetup() {
  rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
  // As `npm run build:web` does: the client bundled into dist/web/app.js.
  execFileSync(process.execPath, [join(ROOT, 'web', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  // In a run of every project the e2e setup has already made the embedded template; one is enough.
  if (!process.env.DATABASE_URL && process.env[EMBEDDED_TEMPLATE_ENV]) return;
  await e2eGlobalSetup();
}
