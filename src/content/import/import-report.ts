import type { ImportProblem } from './import-problem';
import type { ImportChanges, ImportPlan, ImportStatus } from './import-plan';
import type { IncomingModule } from './incoming-module';

/** What an import did (or, in a dry run, would do). */
export interface ImportReport {
  /** `id` is null only in a dry run of a module not yet stored. */
  module: { id: string | null; slug: string; number: number; title: string };
  status: ImportStatus;
  dryRun: boolean;
  changes: ImportChanges;
  /** Knowledge-check question numbers imported as essays, for an instructor to grade. */
  ungradedKnowledgeCheck: number[];
  warnings: ImportProblem[];
}

export function toImportReport(
  moduleId: string | null,
  incoming: IncomingModule,
  plan: ImportPlan,
  dryRun: boolean,
  warnings: ImportProblem[],
): ImportReport {
  const { slug, number, title } = incoming.module;
  return {
    module: { id: moduleId, slug, number, title },
    status: plan.status,
    dryRun,
    changes: plan.changes,
    ungradedKnowledgeCheck: incoming.ungradedKnowledgeCheck,
    warnings,
  };
}

/** What the audit event keeps of an import: counts, not the lists. */
export function importCounts(report: ImportReport): Record<string, unknown> {
  return {
    status: report.status,
    added: report.changes.added.length,
    changed: report.changes.changed.length,
    retired: report.changes.retired.length,
    unchanged: report.changes.unchanged,
    ungradedKnowledgeCheck: report.ungradedKnowledgeCheck.length,
  };
}
