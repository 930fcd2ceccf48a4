import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SYSTEM_CALLER } from '../auth/access.types';
import { Clock } from '../common/clock';
import { PeriodicJob } from '../common/periodic-job';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { AttemptsService } from './attempts.service';
import { Attempt } from './entities/attempt.entity';
import { loadQuiz } from './quiz-context';

/**
 * Closes attempts whose deadline and grace period have passed, scoring the
 * answers saved so far, with the deadline as finish time. Rows are claimed
 * with FOR UPDATE SKIP LOCKED, so any number of API instances can sweep at
 * once without closing an attempt twice or waiting on each other.
 */
@Injectable()
export class AttemptSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AttemptSweeper');
  private readonly job = new PeriodicJob(this.logger, 'sweeping overdue attempts failed', () =>
    this.closeOverdueAttempts(),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attempts: AttemptsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap() {
    this.job.start(this.config.attempts.sweepIntervalMs);
  }

  /** Before the database closes (onApplicationShutdown): a sweep in flight still has its connection. */
  beforeApplicationShutdown() {
    return this.job.stop();
  }

  /**
   * Closes up to `batchSize` overdue attempts, each in its own transaction, so
   * one that fails (and is logged) does not hold back the others.
   */
  async closeOverdueAttempts(batchSize = 100): Promise<number> {
    const failed: string[] = [];
    let closed = 0;
    while (closed + failed.length < batchSize) {
      let claimed: Attempt | null;
      let working: string | undefined;
      try {
        claimed = await this.dataSource.transaction(async (manager) => {
          const attempt = await manager
            .getRepository(Attempt)
            .createQueryBuilder('a')
            .where("a.state = 'in_progress' AND a.closes_at < :now", { now: this.clock.now() })
            .andWhere(failed.length ? 'a.id NOT IN (:...failed)' : 'TRUE', { failed })
            .orderBy('a.closes_at')
            .limit(1)
            .setLock('pessimistic_write')
            .setOnLocked('skip_locked')
            .getOne();
          if (!attempt) return null;
          working = attempt.id;
          const quiz = await loadQuiz(manager, attempt.quizId);
          await this.attempts.finish(manager, SYSTEM_CALLER, attempt, quiz, attempt.deadlineAt ?? this.clock.now());
          // In the same transaction: one event per attempt closed, however many instances sweep.
          await this.audit.record(manager, SYSTEM_CALLER, {
            action: 'attempt.closed_overdue',
            targetType: 'attempt',
            targetId: attempt.id,
            after: { state: attempt.state, submittedAt: attempt.submittedAt, scoreRaw: attempt.scoreRaw },
          });
          return attempt;
        });
      } catch (error) {
        this.logger.error({ err: error, attemptId: working }, 'closing an overdue attempt failed; skipping it');
        if (!working) break;
        failed.push(working);
        continue;
      }
      if (!claimed) break;
      closed += 1;
    }
    if (closed > 0) this.logger.log({ closed }, 'closed overdue attempts');
    return closed;
  }
}
