/**
 * Imports every module in seeds/modules (or the folder given), each
 * `<name>.md` with `<name>.answers.yaml` or `.answers.json` beside it when
 * present:   npm run seed [-- <folder>] [--dry-run]
 * Re-running it is safe: unchanged modules are left as they are.
 * Exits 1 when any module was not imported.
 */
import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SYSTEM_CALLER } from '../auth/access.types';
import { folderInUseExit, withImporter } from './import/cli-context';
import { ModuleImportRejected } from './import/import-problem';
import { findModuleFiles, readImportSource, seedModulesDir } from './import/module-files';
import { formatProblem, formatReport } from './import/report-text';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false } },
  });
  if (positionals.length > 1) {
    console.error('usage: npm run seed [-- <folder>] [--dry-run]');
    return 2;
  }
  const dir = positionals[0] ? resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]) : seedModulesDir();
  const modules = findModuleFiles(dir);
  if (modules.length === 0) {
    console.error(`No module files (*.md) in ${dir}`);
    return 1;
  }

  return withImporter('npm run seed', async (importer) => {
    let failed = 0;
    for (const files of modules) {
      const names = { module: files.markdownPath, answerKey: files.answerKey?.path };
      try {
        const source = readImportSource(files);
        const report = await importer.importModule(SYSTEM_CALLER, source, { dryRun: values['dry-run'] });
        process.stdout.write(`${formatReport(report, names)}\n`);
      } catch (error) {
        if (!(error instanceof ModuleImportRejected)) throw error;
        failed++;
        console.error(`${files.markdownPath}: not imported: ${error.message}`);
        for (const problem of error.problems) console.error(`  ${formatProblem(problem, names)}`);
      }
    }
    process.stdout.write(`${modules.length - failed} of ${modules.length} module file(s) imported\n`);
    return failed === 0 ? 0 : 1;
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const folderInUse = folderInUseExit(error);
    if (folderInUse !== undefined) process.exit(folderInUse);
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
