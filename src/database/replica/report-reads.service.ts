import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.constants';
import { MetricsService } from '../../metrics/metrics.service';
import { createDataSource } from '../data-source';
import { noteDataAge } from './data-age';
import {
  chooseReportSource,
  type FallbackReason,
  isReplicaFailure,
  REPLICA_LAG_SQL,
  type ReplicaReading,
} from './report-source';

/** A lag reading serves every report for this long: the check is one cheap statement, not one per report. */
const READING_TTL_MS = 500;
/** An unreachable replica is asked again after this long, so that reports do not each wait on a dead host. */
const UNREACHABLE_TTL_MS = 2_000;
/** The lag check's own limit; past it the replica counts as unreachable. */
const CHECK_TIMEOUT_MS = 1_000;
/** At most one warning per reason in this window; the counter has every fallback. */
const WARN_EVERY_MS = 30_000;

/**
 * Runs the instructors' report reads on the read replica (REPLICA_DATABASE_URL) while it answers and keeps
 * within REPLICA_MAX_LAG_S, and on the primary otherwise: a reading of the lag is shared for a moment, a
 * fallback is logged (rate-limited) and counted, and a read the replica fails (connection lost, recovery
 * conflict) is run again on the primary once. Without a replica it is the primary, as before.
 *
 * Its own DataSource rather than TypeORM's `replication` option: that sends every SELECT outside a
 * transaction to the replicas by default, learners' reads of their own writes included, and knows nothing of
 * lag or fallback. Only the calls made through `read` go here.
 */
@Injectable()
export class ReportReads implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Replica');
  private readonly replica?: DataSource;
  private readonly maxLagSeconds: number;
  private connecting?: Promise<void>;
  private reading?: { at: number; ttl: number; value: Promise<ReplicaReading> };
  private readonly warned = new Map<FallbackReason, { at: number; suppressed: number }>();
  private readonly fallbacks?: Counter<'reason'>;
  private readonly lag?: Gauge;
  private readonly up?: Gauge;
  /** Why the last check found the replica unreachable, for the warning. */
  private checkError?: unknown;

  constructor(
    @InjectDataSource() private readonly primary: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
  ) {
    const replica = config.database.replica;
    this.maxLagSeconds = replica?.maxLagSeconds ?? 0;
    if (!replica) return;
    this.replica = createDataSource({
      url: replica.url,
      poolSize: config.database.poolSize,
      applicationName: 'assessment-api-reports',
      // A replica that does not answer soon is passed over: the primary is there.
      acquireTimeoutMs: Math.min(config.database.acquireTimeoutMs, 2_000),
      poolIdleMs: config.database.poolIdleMs,
      statementTimeoutMs: config.database.statementTimeoutMs,
      namedStatements: config.database.namedStatements,
    });
    const registers = [metrics.registry];
    this.fallbacks = new Counter({
      name: 'assessment_replica_fallbacks_total',
      help: 'Report reads served by the primary instead of the replica, by reason (unreachable, lag, error)',
      labelNames: ['reason'] as const,
      registers,
    });
    for (const reason of ['unreachable', 'lag', 'error'] as const) this.fallbacks.labels(reason).inc(0);
    this.lag = new Gauge({
      name: 'assessment_replica_lag_seconds',
      help: 'The read replica’s replay lag at the last check',
      registers,
    });
    this.up = new Gauge({
      name: 'assessment_replica_up',
      help: '1 when the read replica answered the last check, 0 when it did not',
      registers,
    });
  }

  onModuleInit() {
    // Connected in the background: a replica that is down must not hold up the start (the primary answers).
    if (this.replica) void this.connect().catch(() => undefined);
  }

  async onApplicationShutdown() {
    await this.connecting?.catch(() => undefined);
    if (this.replica?.isInitialized) await this.replica.destroy();
  }

  /** Runs `work` against the replica when it may serve reports (and says how old its answer is), else the primary. */
  async read<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
    if (!this.replica) return work(this.primary);
    const source = chooseReportSource(await this.currentReading(), this.maxLagSeconds);
    if (source.use === 'primary') {
      this.fellBack(source.reason, source.reason === 'unreachable' ? this.checkError : undefined);
      return work(this.primary);
    }
    let result: T;
    try {
      result = await work(this.replica);
    } catch (error) {
      if (!isReplicaFailure(error)) throw error;
      // Look again before the next report rather than trusting the last reading.
      this.reading = undefined;
      this.fellBack('error', error);
      return work(this.primary);
    }
    noteDataAge(source.dataAgeSeconds);
    return result;
  }

  private currentReading(): Promise<ReplicaReading> {
    const now = Date.now();
    if (this.reading && now - this.reading.at < this.reading.ttl) return this.reading.value;
    const entry = { at: now, ttl: READING_TTL_MS, value: this.check() };
    this.reading = entry;
    void entry.value.then((reading) => {
      if (!reading.reachable) entry.ttl = UNREACHABLE_TTL_MS;
    });
    return entry.value;
  }

  private async check(): Promise<ReplicaReading> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the replica did not answer the lag check in time')), CHECK_TIMEOUT_MS);
    });
    try {
      const reading = await Promise.race([this.measureLag(), timeout]);
      this.up?.set(1);
      if (reading.lagSeconds !== null) this.lag?.set(reading.lagSeconds);
      return reading;
    } catch (error) {
      this.checkError = error;
      this.up?.set(0);
      return { reachable: false };
    } finally {
      clearTimeout(timer);
    }
  }

  private async measureLag(): Promise<ReplicaReading & { reachable: true }> {
    await this.connect();
    const [row] = await this.replica!.query<{ lag: number | null }[]>(REPLICA_LAG_SQL);
    return { reachable: true, lagSeconds: row?.lag ?? null };
  }

  /** Opens the replica's pool; a failed attempt is tried again by the next check. */
  private connect(): Promise<void> {
    const replica = this.replica!;
    if (replica.isInitialized) return Promise.resolve();
    this.connecting ??= replica
      .initialize()
      .then(() => undefined)
      .finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private fellBack(reason: FallbackReason, error?: unknown) {
    this.fallbacks?.labels(reason).inc();
    const now = Date.now();
    const last = this.warned.get(reason);
    if (last && now - last.at < WARN_EVERY_MS) {
      last.suppressed++;
      return;
    }
    this.warned.set(reason, { at: now, suppressed: 0 });
    this.logger.warn(
      { reason, maxLagSeconds: this.maxLagSeconds, suppressedSinceLast: last?.suppressed ?? 0, err: error },
      'report read from the primary instead of the replica',
    );
  }
}
