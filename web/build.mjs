// Builds the pages' client: web/src/app.ts and everything it imports, bundled into one module,
// dist/web/app.js (with its source map), which the shell (web/static/index.html) loads.
//
// One file instead of a module per source file: the browser fetched the 34 modules of the
// client in three rounds (each module's imports are only known once it has arrived) and
// compiled each apart; bundled, the dashboard of the 10,000-learner cohort showed its data
// 40–60 ms sooner in the browser tests (BENCHMARKS.md, issue 16). esbuild strips the types
// and does not check them: `npm run typecheck` does (web/tsconfig.json).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'web');

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'web', 'src', 'app.ts')],
  outfile: join(outdir, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
