import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventType } from './event-types';

export interface NewEvent {
  type: EventType;
  /** The learner it is about: adds `user` (id, external id) and `cohortIds`, and orders it among theirs. */
  learnerId?: string;
  /** The module it is about: adds `module` (id, slug). */
  moduleId?: string;
  data: Record<string, unknown>;
  /** Only these endpoints get it (a test event); otherwise every enabled endpoint subscribed to the type. */
  endpointIds?: string[];
}

/**
 * Writes events into the outbox (`events`) and their deliveries to each
 * subscribed webhook endpoint, in the caller's transaction: an event exists
 * exactly when the change it describes committed, and is never lost once it
 * did. The WebhookDispatcher delivers them afterwards, outside any request.
 */
@Injectable()
export class EventsService {
  /** Returns how many deliveries were queued. */
  async emit(manager: EntityManager, event: NewEvent): Promise<number> {
    const orderingKey = event.learnerId ? `user:${event.learnerId}` : null;
    // One statement. The advisory lock (held to commit) makes a learner's transactions that emit
    // take their seq one after another, so seq order is commit order for each learner: the
    // dispatcher never sends a later event while an earlier one is still uncommitted.
    const [{ queued }] = await manager.query<{ queued: number }[]>(
      `WITH ordered AS (
         SELECT pg_advisory_xact_lock(hashtextextended('events ' || $2::text, 0)) WHERE $2::text IS NOT NULL
       ),
       subject AS (
         SELECT (SELECT count(*) FROM ordered) AS locked,
                (SELECT jsonb_build_object('id', u.id, 'externalId', u.external_id) FROM users u WHERE u.id = $3::uuid)
                  AS user_ref,
                (SELECT coalesce(jsonb_agg(m.cohort_id ORDER BY m.cohort_id), '[]'::jsonb) FROM cohort_members m
                  WHERE m.user_id = $3::uuid AND m.role = 'learner' AND m.status = 'active') AS cohort_ids,
                (SELECT jsonb_build_object('id', mo.id, 'slug', mo.slug) FROM modules mo WHERE mo.id = $4::uuid)
                  AS module_ref
       ),
       event AS (
         INSERT INTO events (type, ordering_key, data)
         SELECT $1, $2,
                CASE WHEN s.user_ref IS NULL THEN '{}'::jsonb
                     ELSE jsonb_build_object('user', s.user_ref, 'cohortIds', s.cohort_ids) END
                || CASE WHEN s.module_ref IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('module', s.module_ref) END
                || $5::jsonb
           FROM subject s
         RETURNING id, seq, type, ordering_key
       ),
       queued AS (
         INSERT INTO webhook_deliveries (endpoint_id, event_id, event_seq, ordering_key)
         SELECT w.id, e.id, e.seq, e.ordering_key
           FROM event e
           JOIN webhook_endpoints w ON w.disabled_at IS NULL
            AND (CASE WHEN $6::uuid[] IS NULL THEN e.type = ANY (w.event_types) ELSE w.id = ANY ($6::uuid[]) END)
         RETURNING 1
       )
       SELECT count(*)::int AS queued FROM queued`,
      [
        event.type,
        orderingKey,
        event.learnerId ?? null,
        event.moduleId ?? null,
        JSON.stringify(event.data),
        event.endpointIds ?? null,
      ],
    );
    return queued;
  }
}
