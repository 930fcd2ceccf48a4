import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { namedQuery } from '../database/named-query';
import type { EventType } from './event-types';

export interface NewEvent {
  type: EventType;
  /** The learner it is about: adds `user` (id, external id) and `cohortIds`, and orders it among theirs. */
  learnerId?: string;
  /** The module it is about: adds `module` (id, slug). */
  moduleId?: string;
  data: Record<string, unknown>;
}

/**
 * The SQL that takes the event lock of the learner `uuidExpression` names, held to commit.
 * Taken in id order wherever several are taken at once.
 */
export function learnerLock(uuidExpression: string): string {
  return `pg_advisory_xact_lock(hashtextextended('events user:' || ${uuidExpression}::text, 0))`;
}

export interface Emitted {
  /** The events' ids, in the order given. */
  ids: string[];
  /** Deliveries queued to subscribed endpoints. */
  queued: number;
}

/**
 * Writes events into the outbox (`events`) and their deliveries to each
 * subscribed webhook endpoint, in the caller's transaction: an event exists
 * exactly when the change it describes committed, and is never lost once it
 * did. The WebhookDispatcher delivers them afterwards, outside any request.
 */
@Injectable()
export class EventsService {
  emit(manager: EntityManager, event: NewEvent): Promise<Emitted> {
    return this.emitAll(manager, [event]);
  }

  /**
   * Any number of events in one statement, in the order given. The advisory
   * locks (one per learner, taken in id order, held to commit) make a
   * learner's transactions that emit take their seq one after another, so seq
   * order is commit order for each learner: the dispatcher never sends a later
   * event while an earlier one is still uncommitted.
   */
  async emitAll(manager: EntityManager, events: NewEvent[]): Promise<Emitted> {
    if (events.length === 0) return { ids: [], queued: 0 };
    const input = events.map((event, n) => ({
      n,
      type: event.type,
      learner_id: event.learnerId ?? null,
      module_id: event.moduleId ?? null,
      data: event.data,
    }));
    const [result] = await namedQuery<Emitted>(
      manager,
      'emit_events',
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(n int, type text, learner_id uuid, module_id uuid, data jsonb)
       ),
       ordered AS (
         SELECT ${learnerLock('l.learner_id')}
           FROM (SELECT DISTINCT learner_id FROM input WHERE learner_id IS NOT NULL ORDER BY learner_id) l
       ),
       event AS (
         INSERT INTO events (type, ordering_key, data)
         SELECT i.type, 'user:' || i.learner_id,
                CASE WHEN u.id IS NULL THEN '{}'::jsonb
                     ELSE jsonb_build_object('user', jsonb_build_object('id', u.id, 'externalId', u.external_id),
                                             'cohortIds', coalesce(c.ids, '[]'::jsonb)) END
                || CASE WHEN mo.id IS NULL THEN '{}'::jsonb
                        ELSE jsonb_build_object('module', jsonb_build_object('id', mo.id, 'slug', mo.slug)) END
                || i.data
           FROM input i
           CROSS JOIN (SELECT count(*) FROM ordered) locked
           LEFT JOIN users u ON u.id = i.learner_id
           LEFT JOIN LATERAL (
             SELECT jsonb_agg(m.cohort_id ORDER BY m.cohort_id) AS ids FROM cohort_members m
              WHERE m.user_id = i.learner_id AND m.role = 'learner' AND m.status = 'active') c ON true
           LEFT JOIN modules mo ON mo.id = i.module_id
          ORDER BY i.n
         RETURNING id, seq, type, ordering_key
       ),
       queued AS (
         INSERT INTO webhook_deliveries (endpoint_id, event_id, event_seq, ordering_key)
         SELECT w.id, e.id, e.seq, e.ordering_key
           FROM event e JOIN webhook_endpoints w ON w.disabled_at IS NULL AND e.type = ANY (w.event_types)
          -- The score passback takes only the events of learners who came in by an LTI launch.
          WHERE w.kind <> 'lti_ags'
             OR EXISTS (SELECT 1 FROM lti_identities li WHERE li.user_id = substr(e.ordering_key, 6)::uuid)
         RETURNING 1
       )
       SELECT (SELECT coalesce(jsonb_agg(id ORDER BY seq), '[]'::jsonb) FROM event) AS ids,
              (SELECT count(*)::int FROM queued) AS queued`,
      [JSON.stringify(input)],
    );
    return result;
  }
}
