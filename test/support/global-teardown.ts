import { rmSync } from 'node:fs';
import { EMBEDDED_TEMPLATE_ENV } from './test-env';

export default function globalTeardown() {
  const file = process.env[EMBEDDED_TEMPLATE_ENV];
  if (file) rmSync(file, { force: true });
}
