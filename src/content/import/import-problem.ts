import { DomainError } from '../../common/errors/domain-error';
import type { ModuleProblem } from '../module.types';
import type { AnswerKeyProblem } from './answer-key';

/** A problem found in either file of an import, named by the file it is in. */
export interface ImportProblem {
  source: 'module' | 'answer-key';
  severity: 'error' | 'warning';
  /** Stable kebab-case code, e.g. `duplicate-activity-number`, `unknown-field`. */
  code: string;
  message: string;
  /** 1-based line in that file; null when the problem is about the file as a whole. */
  line: number | null;
  /** Answer key only: where in the file, e.g. `questions[3].correct`. */
  path?: string;
}

export const fromModuleProblem = (problem: ModuleProblem): ImportProblem => ({
  source: 'module',
  severity: problem.severity,
  code: problem.code,
  message: problem.message,
  line: problem.line,
});

export const fromAnswerKeyProblem = (problem: AnswerKeyProblem): ImportProblem => ({
  source: 'answer-key',
  severity: problem.severity,
  code: problem.code,
  message: problem.message,
  line: problem.line ?? null,
  ...(problem.path ? { path: problem.path } : {}),
});

export const isError = (problem: ImportProblem) => problem.severity === 'error';

/** The module file first, then the answer key; each by line. */
export function sortProblems(problems: ImportProblem[]): ImportProblem[] {
  const order = (p: ImportProblem) => [p.source === 'module' ? 0 : 1, p.line ?? 0];
  return [...problems].sort((a, b) => {
    const [sa, la] = order(a);
    const [sb, lb] = order(b);
    return sa - sb || la - lb;
  });
}

/** A module or answer key with errors: nothing was written. */
export class ModuleImportRejected extends DomainError {
  readonly code = 'module-import-rejected';
  readonly status = 422;
  readonly title = 'Module Import Rejected';

  constructor(readonly problems: ImportProblem[]) {
    const errors = problems.filter(isError).length;
    super(`The module or its answer key has ${errors} error${errors === 1 ? '' : 's'}; nothing was imported`, {
      problems,
    });
  }
}
