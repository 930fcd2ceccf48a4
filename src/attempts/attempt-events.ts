import type { EventType } from '../events/event-types';
import type { NewEvent } from '../events/events.service';
import { toAttemptScore } from './attempt-view';
import type { Attempt } from './entities/attempt.entity';

/** An event about an attempt (AttemptEventDto), beside the learner and module EventsService adds. */
export function attemptEvent(
  type: EventType,
  attempt: Attempt,
  moduleId: string,
  extra: Record<string, unknown> = {},
): NewEvent {
  return {
    type,
    learnerId: attempt.userId,
    moduleId,
    data: {
      quizId: attempt.quizId,
      attemptId: attempt.id,
      attemptNumber: attempt.number,
      state: attempt.state,
      startedAt: attempt.startedAt.toISOString(),
      submittedAt: attempt.submittedAt?.toISOString() ?? null,
      score: toAttemptScore(attempt),
      ...extra,
    },
  };
}
