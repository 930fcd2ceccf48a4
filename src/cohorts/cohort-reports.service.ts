import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Caller } from '../auth/access.types';
import { isUuid } from '../auth/user-ref';
import { Clock } from '../common/clock';
import { ReportReads } from '../database/replica/report-reads.service';
import { ResourceNotFound, ValidationFailed } from '../common/errors/domain-error';
import { decodeOffsetCursor, encodeOffsetCursor } from '../common/http/pagination';
import { SingleFlight } from '../common/single-flight';
import type { GradingMethod } from '../content/import/answer-key';
import { Quiz } from '../content/entities/quiz.entity';
import { CohortsService } from './cohorts.service';
import type { CohortProgressDto, CohortProgressQueryDto } from './dto/report.dto';
import type { Cohort } from './entities/cohort.entity';
import {
  PROGRESS_CSV_COLUMNS,
  progressReport,
  progressRowsStatement,
  type ReportScope,
  type RowRecord,
  toProgressRow,
  toProgressCsvRecord,
} from './reports/cohort-progress.report';
import { csvStream, openCursor } from './reports/csv-stream';
import type { ItemAnalysis } from './reports/item-analysis';
import { cachedItemAggregate, itemAnalysisStamp, storeItemAggregate } from './reports/item-analysis-cache';
import { aggregateItems, type ItemAggregate, itemAnalysisOf } from './reports/item-analysis.sql';
import { RESPONSES_CSV_COLUMNS, RESPONSES_SQL, type ResponseRecord } from './reports/responses.report';

/** What a page of rows was read with; a cursor carries it, so that the next page is of the same list. */
function filterDigest(scope: ReportScope, query: CohortProgressQueryDto): string {
  const read = [scope.moduleId, query.status ?? null, query.q ?? null, query.sort, query.order, query.stuckDays];
  return createHash('sha256').update(JSON.stringify(read)).digest('base64url').slice(0, 16);
}

/** How long after a person's dashboard read its item analyses are prepared: while they read it, after its own requests. */
const PREPARE_AFTER_MS = 2_000;
/** A cohort's module prepared once in this long per instance: each preparation reads the stamp over the cohort. */
const PREPARE_EVERY_MS = 30_000;

@Injectable()
export class CohortReportsService implements BeforeApplicationShutdown {
  /** Item analyses being computed, by cohort, quiz and stamp: instructors opening the page at once share one. */
  private readonly computing = new SingleFlight<ItemAggregate>();
  /** When each cohort's module (`cohortId/moduleId`) was last prepared, by the clock. */
  private readonly prepared = new Map<string, number>();
  /** Preparations waiting for their moment or running: cancelled or awaited at shutdown. */
  private readonly preparing = new Set<{ timer: NodeJS.Timeout; done?: Promise<void> }>();
  private readonly logger = new Logger('CohortReports');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cohorts: CohortsService,
    private readonly clock: Clock,
    private readonly reads: ReportReads,
  ) {}

  /**
   * One page of learners and the cohort's summary: the report is one statement whatever the cohort's size.
   * Who may see the cohort is asked of the primary (a removed instructor is refused at once); the aggregates
   * are read where ReportReads says (the replica when it keeps up).
   */
  async progress(caller: Caller, cohortId: string, query: CohortProgressQueryDto): Promise<CohortProgressDto> {
    const scope = await this.progressScope(caller, cohortId, query);
    const filter = filterDigest(scope, query);
    const offset = decodeOffsetCursor(query.cursor, filter);
    const { rows, summary, activities } = await this.reads.read(({ manager }) =>
      progressReport(manager, scope, query, query.limit + 1, offset),
    );
    // A person on the dashboard goes on to its item analysis: have it kept by then (machine clients polling do not).
    if (caller.principal.kind === 'user' && !query.cursor) this.prepareItemAnalyses(scope.cohortId, scope.moduleId);
    return {
      cohortId: scope.cohortId,
      moduleId: scope.moduleId,
      summary: { ...summary, activities },
      items: rows.slice(0, query.limit),
      nextCursor: rows.length > query.limit ? encodeOffsetCursor(offset + query.limit, filter) : null,
    };
  }

  /** The whole progress table (filters and sort as the JSON report), as CSV, streamed through a cursor. */
  async progressCsv(caller: Caller, cohortId: string, query: CohortProgressQueryDto): Promise<Readable> {
    const scope = await this.progressScope(caller, cohortId, query);
    const { sql, parameters } = progressRowsStatement(scope, query);
    const rows = await this.reads.read((dataSource) => openCursor<RowRecord>(dataSource, sql, parameters));
    return csvStream(PROGRESS_CSV_COLUMNS, rows, (row) => toProgressCsvRecord(toProgressRow(row)));
  }

  /** Every response of the cohort's learners, as CSV, streamed through a cursor. */
  async responsesCsv(caller: Caller, cohortId: string): Promise<Readable> {
    const cohort = await this.cohorts.findFor(caller.principal, cohortId, 'read');
    const rows = await this.reads.read((dataSource) =>
      openCursor<ResponseRecord>(dataSource, RESPONSES_SQL, [cohort.id]),
    );
    return csvStream(RESPONSES_CSV_COLUMNS, rows, (row) => ({ ...row }));
  }

  /**
   * Classical item analysis of a quiz over the cohort's learners (formulas in
   * reports/item-analysis.ts), aggregated in the database, and kept per cohort and quiz with the
   * stamp of its inputs (reports/item-analysis-cache.ts): served from there while the stamp is the
   * same, computed again when it is not.
   */
  async itemAnalysis(
    caller: Caller,
    cohortId: string,
    quizId: string,
  ): Promise<ItemAnalysis & { cohortId: string; quizId: string }> {
    const cohort = await this.cohorts.findFor(caller.principal, cohortId, 'read');
    const quiz = isUuid(quizId) ? await this.dataSource.getRepository(Quiz).findOne({ where: { id: quizId } }) : null;
    if (!quiz || (cohort.moduleIds.length > 0 && !cohort.moduleIds.includes(quiz.moduleId))) {
      throw new ResourceNotFound('No such quiz in this cohort');
    }
    const aggregate = await this.itemAggregate(cohort.id, quiz.id, quiz.settings.gradingMethod);
    const analysis = await itemAnalysisOf(this.dataSource.manager, quiz.id, aggregate);
    return { cohortId: cohort.id, quizId: quiz.id, ...analysis };
  }

  /** The kept aggregate while its stamp holds; otherwise computed (once, whoever else asks meanwhile). */
  private async itemAggregate(cohortId: string, quizId: string, method: GradingMethod): Promise<ItemAggregate> {
    // The stamp, the kept aggregate and a computation all read where reports read (the replica when it keeps up):
    // each answer is of one snapshot; only the write of a new aggregate goes to the primary.
    const { stamp, cached } = await this.reads.read(({ manager }) =>
      cachedItemAggregate(manager, cohortId, quizId, method),
    );
    return (
      cached ??
      this.computing.run(`${cohortId}/${quizId}/${stamp}`, () => this.computeItemAggregate(cohortId, quizId, method))
    );
  }

  /**
   * In the background, a moment after the read, the item analysis of each quiz of the module over the
   * cohort (whose access the caller has passed), brought up to date if its inputs changed: nothing is
   * sent anywhere. Once per cohort's module in PREPARE_EVERY_MS: a person going back and forth on the
   * dashboard does not read the stamp each time (the item analysis itself always does).
   */
  private prepareItemAnalyses(cohortId: string, moduleId: string): void {
    const key = `${cohortId}/${moduleId}`;
    const now = this.clock.now().getTime();
    const last = this.prepared.get(key);
    if (last !== undefined && now - last < PREPARE_EVERY_MS) return;
    this.prepared.set(key, now);
    if (this.prepared.size > 10_000) {
      for (const [other, at] of this.prepared) if (now - at >= PREPARE_EVERY_MS) this.prepared.delete(other);
    }
    const prepare = async () => {
      const quizzes = await this.dataSource.getRepository(Quiz).find({ where: { moduleId } });
      for (const quiz of quizzes) await this.itemAggregate(cohortId, quiz.id, quiz.settings.gradingMethod);
    };
    const job: { timer: NodeJS.Timeout; done?: Promise<void> } = {
      timer: setTimeout(() => {
        job.done = prepare()
          .catch((error: unknown) => this.logger.warn(`Item analysis not prepared: ${String(error)}`))
          .finally(() => this.preparing.delete(job));
      }, PREPARE_AFTER_MS),
    };
    job.timer.unref();
    this.preparing.add(job);
  }

  /** Preparations not started are dropped; those running finish before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    const jobs = [...this.preparing];
    for (const job of jobs) clearTimeout(job.timer);
    await Promise.all(jobs.flatMap((job) => (job.done ? [job.done] : [])));
    this.preparing.clear();
  }

  /** The aggregate and its stamp from one snapshot (at least as recent as the caller's stamp), then kept. */
  private async computeItemAggregate(cohortId: string, quizId: string, method: GradingMethod) {
    const { stamp, aggregate } = await this.reads.read((dataSource) =>
      dataSource.transaction('REPEATABLE READ', async (manager) => {
        // Measured: on a 10,000-learner cohort the JIT spent ~0.5 s compiling this one-off aggregate; and
        // the attempts' arrays (about 12 MB at 10,000 learners) are kept in memory rather than spilled to disk.
        await manager.query("SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)");
        return {
          stamp: await itemAnalysisStamp(manager, cohortId, quizId, method),
          aggregate: await aggregateItems(manager, cohortId, quizId, method),
        };
      }),
    );
    // Written after the snapshot's transaction: an upsert inside it could fail on a concurrent one's.
    await storeItemAggregate(this.dataSource.manager, cohortId, quizId, stamp, aggregate);
    return aggregate;
  }

  /** The cohort (if the caller may read it), the module, and the moment "stuck" is measured from. */
  private async progressScope(caller: Caller, cohortId: string, query: CohortProgressQueryDto): Promise<ReportScope> {
    const cohort = await this.cohorts.findFor(caller.principal, cohortId, 'read');
    return {
      cohortId: cohort.id,
      moduleId: await this.moduleOf(cohort, query.module),
      now: this.clock.now(),
      stuckDays: query.stuckDays,
    };
  }

  /** The module a report is about: named (and within the cohort), or the cohort's only one. */
  async moduleOf(cohort: Cohort, ref: string | undefined): Promise<string> {
    if (ref === undefined) {
      if (cohort.moduleIds.length === 1) return cohort.moduleIds[0];
      const all = await this.dataSource.query<{ id: string }[]>('SELECT id FROM modules LIMIT 2');
      if (cohort.moduleIds.length === 0 && all.length === 1) return all[0].id;
      throw new ValidationFailed([{ field: 'module', messages: ['name the module: the cohort covers several'] }]);
    }
    const [module] = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM modules WHERE ${isUuid(ref) ? 'id = $1::uuid' : 'slug = $1'}`,
      [isUuid(ref) ? ref.toLowerCase() : ref],
    );
    if (!module || (cohort.moduleIds.length > 0 && !cohort.moduleIds.includes(module.id))) {
      throw new ResourceNotFound('No such module in this cohort');
    }
    return module.id;
  }
}
