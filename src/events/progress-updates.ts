import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventsService, learnerLock, type NewEvent } from './events.service';

/** At most one `progress.updated` per learner and module in this many seconds. */
export const PROGRESS_UPDATE_WINDOW_SECONDS = 1;
const BATCH = 200;

/**
 * The statement that marks the (user_id, module_id) pairs `pairs` selects as
 * owing a `progress.updated`, for a change's own transaction: a CTE of the
 * statement that changes the progress, so marking costs no round trip.
 */
export function markProgressUpdates(pairs: string): string {
  return `INSERT INTO progress_update_queue (user_id, module_id, due_at)
          SELECT user_id, module_id, now() FROM (${pairs}) AS changed (user_id, module_id) ORDER BY 1, 2
          ON CONFLICT (user_id, module_id) DO UPDATE
            SET due_at = greatest(now(), progress_update_queue.last_emitted_at
                                         + make_interval(secs => ${PROGRESS_UPDATE_WINDOW_SECONDS}))
            WHERE progress_update_queue.due_at IS NULL`;
}

/**
 * `progress.updated`, coalesced: a change to a learner's module progress
 * marks the pair as owing an event, in the change's transaction; `emitDue`
 * (run by the webhook dispatcher's loop, in any instance) writes one event per
 * marked pair with the progress as it then stands, at most one per pair per
 * window. A burst of ticks becomes one event carrying the last state, and the
 * last change is always followed by an event that shows it.
 */
@Injectable()
export class ProgressUpdates {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventsService,
  ) {}

  /** Writes the events now due; returns how many. */
  async emitDue(): Promise<number> {
    const candidates = await this.dataSource.query<{ user_id: string }[]>(
      `SELECT DISTINCT user_id FROM (
         SELECT user_id FROM progress_update_queue WHERE due_at <= now() ORDER BY due_at LIMIT $1) due`,
      [BATCH],
    );
    if (candidates.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      // The learners' event locks first, then the rows (skipping any a change holds): a change takes
      // its learner's lock before or after marking, and either way neither side waits for the other
      // while holding what the other needs.
      const userIds = candidates.map((row) => row.user_id);
      await manager.query(
        `SELECT count(${learnerLock('u')}) FROM (SELECT unnest($1::uuid[]) AS u ORDER BY 1) learners`,
        [userIds],
      );
      const due = await manager.query<Record<string, unknown>[]>(
        `WITH claimed AS (
           UPDATE progress_update_queue q SET due_at = NULL, last_emitted_at = now()
            WHERE (q.user_id, q.module_id) IN (
              SELECT user_id, module_id FROM progress_update_queue
               WHERE user_id = ANY($1::uuid[]) AND due_at <= now()
               FOR UPDATE SKIP LOCKED)
           RETURNING q.user_id, q.module_id)
         SELECT c.user_id AS "userId", c.module_id AS "moduleId", p.status, p.percentage,
                p.steps_done AS "stepsDone", p.steps_total AS "stepsTotal", p.items_done AS "itemsDone",
                p.items_total AS "itemsTotal", p.attempts_used AS "attemptsUsed",
                p.counted_score AS "countedScore", p.passed, p.completed_at AS "completedAt",
                p.last_activity_at AS "lastActivityAt"
           FROM claimed c JOIN module_progress p ON p.user_id = c.user_id AND p.module_id = c.module_id
          ORDER BY c.user_id, c.module_id`,
        [userIds],
      );
      const events: NewEvent[] = due.map(({ userId, moduleId, completedAt, lastActivityAt, ...progress }) => ({
        type: 'progress.updated',
        learnerId: userId as string,
        moduleId: moduleId as string,
        data: {
          ...progress,
          completedAt: (completedAt as Date | null)?.toISOString() ?? null,
          lastActivityAt: (lastActivityAt as Date | null)?.toISOString() ?? null,
        },
      }));
      await this.events.emitAll(manager, events);
      return events.length;
    });
  }
}
