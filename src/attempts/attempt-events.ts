import type { EntityManager } from 'typeorm';
import type { EventType } from '../events/event-types';
import type { EventsService } from '../events/events.service';
import { toAttemptScore } from './attempt-view';
import type { Attempt } from './entities/attempt.entity';

/** The `data` of an attempt's events (AttemptEventDto), beside the learner and module EventsService adds. */
export function attemptEventData(attempt: Attempt): Record<string, unknown> {
  return {
    quizId: attempt.quizId,
    attemptId: attempt.id,
    attemptNumber: attempt.number,
    state: attempt.state,
    startedAt: attempt.startedAt.toISOString(),
    submittedAt: attempt.submittedAt?.toISOString() ?? null,
    score: toAttemptScore(attempt),
  };
}

export function emitAttemptEvent(
  events: EventsService,
  manager: EntityManager,
  type: EventType,
  attempt: Attempt,
  moduleId: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  return events.emit(manager, {
    type,
    learnerId: attempt.userId,
    moduleId,
    data: { ...attemptEventData(attempt), ...extra },
  });
}
