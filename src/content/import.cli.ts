/**
 * Imports one module file:
 *   npm run import -- <module.md> [--answers <key.yaml|key.json>] [--no-answers] [--dry-run] [--json]
 * Without --answers, the answer key beside the file (`<name>.answers.yaml` or
 * `.json`) is used when there is one; --no-answers imports without any.
 * Prints the report (or, with --json, the report as the API returns it).
 * Exits 1 when the files have errors, listing each as `file:line: …`.
 */
import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SYSTEM_CALLER } from '../auth/access.types';
import { folderInUseExit, withImporter } from './import/cli-context';
import { ModuleImportRejected } from './import/import-problem';
import { answerKeyBeside, type ModuleFiles, readImportSource } from './import/module-files';
import { formatProblem, formatReport } from './import/report-text';

const USAGE = 'usage: npm run import -- <module.md> [--answers <file>] [--no-answers] [--dry-run] [--json]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      answers: { type: 'string' },
      'no-answers': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1 || (values.answers && values['no-answers'])) {
    console.error(USAGE);
    return 2;
  }
  // npm runs scripts from the package folder; paths are meant from where the command was typed.
  const from = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const markdownPath = from(positionals[0]);
  const files: ModuleFiles = { markdownPath };
  if (values.answers) {
    const path = from(values.answers);
    files.answerKey = { path, format: path.toLowerCase().endsWith('.json') ? 'json' : 'yaml' };
  } else if (!values['no-answers']) {
    files.answerKey = answerKeyBeside(markdownPath);
  }
  const names = { module: files.markdownPath, answerKey: files.answerKey?.path };
  const source = readImportSource(files);

  return withImporter('npm run import', async (importer) => {
    try {
      const report = await importer.importModule(SYSTEM_CALLER, source, { dryRun: values['dry-run'] });
      process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatReport(report, names)}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof ModuleImportRejected)) throw error;
      console.error(`Not imported: ${error.message}`);
      for (const problem of error.problems) console.error(formatProblem(problem, names));
      return 1;
    }
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
