import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Not } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { EventsService } from '../../events/events.service';
import { ProgressService } from '../../progress/progress.service';
import type { Caller } from '../../auth/access.types';
import { CourseModule } from '../entities/course-module.entity';
import { applyImportPlan } from './apply-import-plan';
import { loadCurrentModule } from './current-module';
import { type ImportProblem, ModuleImportRejected } from './import-problem';
import { planModuleImport } from './import-plan';
import { importCounts, type ImportReport, toImportReport } from './import-report';
import { type ImportSource, type IncomingModule, prepareModuleImport } from './incoming-module';

export interface ImportOptions {
  /** Compute and report the changes without writing them. */
  dryRun?: boolean;
}

/**
 * Imports a module file (and its answer key): parse and check both, then, in
 * one transaction, compare with what is stored and write only the difference.
 * Re-importing an unchanged file writes nothing.
 */
@Injectable()
export class ModuleImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly progress: ProgressService,
    private readonly events: EventsService,
  ) {}

  /** Throws ModuleImportRejected (422) listing every problem when either file has an error. */
  async importModule(caller: Caller, source: ImportSource, options: ImportOptions = {}): Promise<ImportReport> {
    const prepared = prepareModuleImport(source);
    if (!prepared.ok) throw new ModuleImportRejected(prepared.problems);
    const { incoming } = prepared;
    const dryRun = options.dryRun ?? false;
    return this.dataSource.transaction(async (manager) => {
      // Imports of one module run one after another, so parallel imports of a file make one module and one version each.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`module-import:${incoming.module.slug}`]);
      const current = await loadCurrentModule(manager, incoming.module.slug);
      const plan = planModuleImport(current, incoming);
      const warnings = [...prepared.warnings, ...(await this.numberTaken(manager, incoming))];
      let moduleId = current?.id ?? null;
      if (dryRun || plan.status === 'unchanged') return toImportReport(moduleId, incoming, plan, dryRun, warnings);

      moduleId = await applyImportPlan(manager, plan, incoming, current, new Date());
      const report = toImportReport(moduleId, incoming, plan, dryRun, warnings);
      // Steps, items, the completion rule or the quiz settings may have changed: every learner's
      // progress row in the module is recomputed before the import commits (a thousand at a time).
      const learners = await manager.query<{ user_id: string }[]>(
        'SELECT user_id FROM module_progress WHERE module_id = $1 ORDER BY user_id',
        [moduleId],
      );
      await this.progress.refreshLearners(
        manager,
        caller,
        moduleId,
        learners.map((learner) => learner.user_id),
      );
      await this.audit.record(manager, caller, {
        action: 'module.imported',
        targetType: 'module',
        targetId: moduleId,
        after: { slug: incoming.module.slug, ...importCounts(report) },
      });
      const { status, added, changed, retired } = importCounts(report);
      await this.events.emit(manager, { type: 'module.imported', moduleId, data: { status, added, changed, retired } });
      return report;
    });
  }

  /** The slug (number and title) is a module's identity; a second module with the same number is likely a renamed title. */
  private async numberTaken(manager: EntityManager, incoming: IncomingModule): Promise<ImportProblem[]> {
    const { number, slug } = incoming.module;
    const others = await manager.find(CourseModule, { select: { slug: true }, where: { number, slug: Not(slug) } });
    return others.map((other) => ({
      source: 'module',
      severity: 'warning',
      code: 'module-number-taken',
      message: `Module ${number} is also stored as "${other.slug}". A module is known by its number and title together, so a renamed title imports as a new module; the other one stays as it was.`,
      line: 1,
    }));
  }
}
