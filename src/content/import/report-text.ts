import type { ImportProblem } from './import-problem';
import type { ImportReport } from './import-report';

/** `file:line: error code: message`, the way compilers print, so editors can jump to it. */
export function formatProblem(problem: ImportProblem, files: { module: string; answerKey?: string }): string {
  const file = problem.source === 'module' ? files.module : (files.answerKey ?? 'answer key');
  const where = problem.line === null ? file : `${file}:${problem.line}`;
  const path = problem.path ? ` (${problem.path})` : '';
  return `${where}: ${problem.severity} ${problem.code}${path}: ${problem.message}`;
}

/** A short account of an import for a terminal. */
export function formatReport(report: ImportReport, files: { module: string; answerKey?: string }): string {
  const { module, changes } = report;
  const lines = [
    `${report.dryRun ? '[dry run] ' : ''}Module ${module.number} ${module.slug}: ${report.status}` +
      ` (${changes.added.length} added, ${changes.changed.length} changed, ${changes.retired.length} retired, ${changes.unchanged} unchanged)`,
  ];
  const list = (label: string, items: ImportReport['changes']['added']) => {
    for (const item of items) {
      const fields = item.fields ? ` [${item.fields.join(', ')}]` : '';
      lines.push(`  ${label} ${item.kind} ${item.key}${fields}`);
    }
  };
  // A new module's items are all new: count them by kind rather than list them.
  if (report.status === 'created') lines.push(`  added ${countByKind(changes.added)}`);
  else list('+', changes.added);
  list('~', changes.changed);
  list('-', changes.retired);
  if (report.ungradedKnowledgeCheck.length > 0) {
    lines.push(`  knowledge-check questions imported as essays: ${report.ungradedKnowledgeCheck.join(', ')}`);
  }
  for (const warning of report.warnings) lines.push(`  ${formatProblem(warning, files)}`);
  return lines.join('\n');
}

function countByKind(items: ImportReport['changes']['added']): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
}
