import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AnswerKeyFormat, ImportSource } from './incoming-module';

/** A module file and the answer key found beside it. */
export interface ModuleFiles {
  markdownPath: string;
  answerKey?: { path: string; format: AnswerKeyFormat };
}

/** `seeds/modules` of the working directory: where `npm run seed` and the first start look. */
export const seedModulesDir = () => join(process.cwd(), 'seeds', 'modules');

/** `<name>.answers.yaml` or `<name>.answers.json` beside `<name>.md`; both at once is ambiguous. */
export function answerKeyBeside(markdownPath: string): ModuleFiles['answerKey'] {
  const stem = markdownPath.replace(/\.md$/i, '');
  const found = (['yaml', 'json'] as const)
    .map((format) => ({ path: `${stem}.answers.${format}`, format }))
    .filter((candidate) => existsSync(candidate.path));
  if (found.length > 1) {
    throw new Error(`${basename(markdownPath)} has both a YAML and a JSON answer key beside it; keep one`);
  }
  return found[0];
}

/** Every `*.md` in `dir`, in name order (so module 5 comes before module 10 when names are zero-padded). */
export function findModuleFiles(dir: string): ModuleFiles[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.toLowerCase().endsWith('.md'))
    .sort()
    .map((name) => {
      const markdownPath = join(dir, name);
      const answerKey = answerKeyBeside(markdownPath);
      return answerKey ? { markdownPath, answerKey } : { markdownPath };
    });
}

export function readImportSource(files: ModuleFiles): ImportSource {
  const markdown = readFileSync(files.markdownPath, 'utf8');
  if (!files.answerKey) return { markdown };
  return { markdown, answerKey: { text: readFileSync(files.answerKey.path, 'utf8'), format: files.answerKey.format } };
}
