import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AttemptsService } from '../attempts/attempts.service';
import { AuditService } from '../audit/audit.service';
import { type Caller, hasScope, isAdmin } from '../auth/access.types';
import { PrincipalService } from '../auth/principal.service';
import { isUuid, resolveUserRef } from '../auth/user-ref';
import { ResourceNotFound } from '../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import type { PersonalDataExportDto } from './dto/personal-data.dto';

/** Profile keys that audit events may have copied; erasure removes them from the events about the person. */
const PERSONAL_AUDIT_KEYS = ['email', 'displayName', 'externalId'];

/**
 * A learner's personal data: everything held about them, as one document,
 * and its erasure. What erasure removes and what it keeps (and why) is stated
 * in README, "Personal data".
 */
@Injectable()
export class PersonalDataService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly principals: PrincipalService,
    private readonly attempts: AttemptsService,
  ) {}

  /**
   * The person themself, admins, and clients with users:read or users:write (learners and
   * instructors only); anyone else gets 404.
   */
  async export(caller: Caller, ref: string): Promise<PersonalDataExportDto> {
    const userId = resolveUserRef(caller.principal, ref);
    const { principal } = caller;
    const allowed =
      principal.kind === 'client'
        ? hasScope(principal, 'users:read') || hasScope(principal, 'users:write')
        : isAdmin(principal) || principal.id === userId;
    if (!allowed || !isUuid(userId)) throw new ResourceNotFound('No such user');
    const document = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [user] = await manager.query<Record<string, unknown>[]>(
        `SELECT id, external_id AS "externalId", email, display_name AS "displayName", roles,
                created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt"
           FROM users WHERE id = $1 AND erased_at IS NULL`,
        [userId],
      );
      // A machine client never reaches an administrator's account (as for profile changes): their export
      // is the whole record of what they did, not something an LMS syncing learners needs.
      const clientReachesAdmin =
        principal.kind === 'client' && (user?.roles as string[] | undefined)?.includes('admin');
      if (!user || clientReachesAdmin) throw new ResourceNotFound('No such user');
      const rows = (sql: string, parameters: unknown[] = [userId]) =>
        manager.query<Record<string, unknown>[]>(sql, parameters);
      const exported: PersonalDataExportDto = {
        exportedAt: new Date().toISOString(),
        user: user as unknown as PersonalDataExportDto['user'],
        cohortMemberships: await rows(
          `SELECT m.cohort_id AS "cohortId", c.name AS "cohortName", m.role, m.status,
                  m.created_at AS "createdAt", m.updated_at AS "updatedAt"
             FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id WHERE m.user_id = $1 ORDER BY m.created_at`,
        ),
        attempts: await rows(
          `SELECT a.id, a.quiz_id AS "quizId", a.number, a.state, a.started_at AS "startedAt",
                  a.deadline_at AS "deadlineAt", a.submitted_at AS "submittedAt",
                  a.score_raw AS "scoreRaw", a.score_max AS "scoreMax", a.score_scaled AS "scoreScaled", a.passed,
                  coalesce((SELECT jsonb_agg(jsonb_build_object(
                      'questionVersionId', r.question_version_id, 'response', r.response,
                      'autoScore', r.auto_score, 'manualScore', r.manual_score, 'maxScore', r.max_score,
                      'correctness', r.correctness, 'gradedBy', r.graded_by, 'gradedAt', r.graded_at,
                      'gradeReason', r.grade_reason) ORDER BY r.question_version_id)
                     FROM attempt_responses r WHERE r.attempt_id = a.id), '[]'::jsonb) AS responses
             FROM attempts a WHERE a.user_id = $1 ORDER BY a.started_at, a.number`,
        ),
        stepMarks: await rows(
          `SELECT step_id AS "stepId", module_id AS "moduleId", done, marked_by AS "markedBy",
                  marked_at AS "markedAt", evidence
             FROM step_marks WHERE user_id = $1 ORDER BY marked_at`,
        ),
        checklistMarks: await rows(
          `SELECT item_id AS "itemId", module_id AS "moduleId", done, marked_by AS "markedBy",
                  marked_at AS "markedAt", evidence, verified_by AS "verifiedBy", verified_at AS "verifiedAt"
             FROM checklist_marks WHERE user_id = $1 ORDER BY marked_at`,
        ),
        moduleProgress: await rows(
          `SELECT module_id AS "moduleId", status, percentage, completed_at AS "completedAt",
                  last_activity_at AS "lastActivityAt"
             FROM module_progress WHERE user_id = $1 ORDER BY module_id`,
        ),
        accommodations: await rows(
          `SELECT quiz_id AS "quizId", extra_attempts AS "extraAttempts", time_multiplier AS "timeMultiplier",
                  extra_minutes AS "extraMinutes", due_at AS "dueAt", closes_at AS "closesAt", reason,
                  updated_at AS "updatedAt"
             FROM accommodations WHERE user_id = $1 ORDER BY quiz_id`,
        ),
        sessions: await rows(
          `SELECT family_id AS "familyId", created_at AS "createdAt", expires_at AS "expiresAt",
                  used_at AS "usedAt", revoked_at AS "revokedAt"
             FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at`,
        ),
        auditEvents: await rows(
          `SELECT id, actor_type AS "actorType", actor_id AS "actorId", action, target_type AS "targetType",
                  target_id AS "targetId", before,
                  -- A roster sync's event lists everyone it created: the export keeps this person's entry only.
                  CASE WHEN action = 'users.created_from_roster'
                       THEN jsonb_build_object('users', (SELECT jsonb_agg(x) FROM jsonb_array_elements(after->'users') x
                                                          WHERE x->>'id' = $1::text))
                       ELSE after END AS after,
                  reason, created_at AS "createdAt"
             FROM audit_events
            WHERE (actor_type = 'user' AND actor_id = $1::text) OR (target_type = 'user' AND target_id = $1::text)
               OR after->>'userId' = $1::text
               OR (action = 'users.created_from_roster' AND after->'users' @> jsonb_build_array(jsonb_build_object('id', $1::text)))
               OR (target_type = 'attempt' AND target_id IN (SELECT id::text FROM attempts WHERE user_id = $2::uuid))
            ORDER BY created_at`,
          // The id twice: as text for the audit columns, as uuid for the attempts index.
          [userId, userId],
        ),
        events: await rows(
          `SELECT id, type, occurred_at AS "occurredAt", data FROM events
            WHERE ordering_key = 'user:' || $1::text ORDER BY seq`,
        ),
      };
      await this.audit.record(manager, caller, { action: 'user.exported', targetType: 'user', targetId: userId });
      return exported;
    });
    // A learner's own export shows their attempts as the review policy lets them see them (after the
    // transaction: the embedded database has one connection): the right of access does not open the
    // answer key of a quiz they may take again.
    if (principal.kind === 'user' && !isAdmin(principal)) {
      const views = [];
      for (const attempt of document.attempts) views.push(await this.attempts.get(caller, attempt.id as string));
      document.attempts = views as unknown as Record<string, unknown>[];
      // Grades' before and after, and graders' reasons, can tell the key: the attempt views above say what may be seen.
      document.auditEvents = document.auditEvents.map((event) =>
        event.targetType === 'attempt' ? { ...event, before: null, after: null, reason: null } : event,
      );
    }
    return document;
  }

  /**
   * Erases a person: in one transaction, their personal fields are replaced
   * by a pseudonym, the free text they wrote is removed, their sessions and
   * sign-in counts deleted; attempts, scores and progress stay, without
   * identity, so cohort statistics and item analysis keep their counts.
   * An erased person is gone: a second erasure is 404.
   */
  async erase(caller: Caller, userId: string): Promise<void> {
    if (!isUuid(userId)) throw new ResourceNotFound('No such user');
    const erased = await this.dataSource.transaction(async (manager) => {
      const [user] = await manager.query<
        { id: string; email: string; external_id: string | null; deleted_at: Date | null }[]
      >('SELECT id, email, external_id, deleted_at FROM users WHERE id = $1 AND erased_at IS NULL FOR UPDATE', [
        userId,
      ]);
      if (!user) throw new ResourceNotFound('No such user');
      const counts = await this.scrub(manager, user.id, user.email);
      // Emitted after the scrub: the event names the person by id only, as everything now does.
      if (!user.deleted_at)
        await this.events.emit(manager, { type: 'user.deleted', learnerId: user.id, data: { erased: true } });
      await this.audit.record(manager, caller, {
        action: 'user.erased',
        targetType: 'user',
        targetId: user.id,
        after: counts,
      });
      return user;
    });
    // After the commit: a lookup in between would cache the person again.
    this.principals.invalidate('user', erased.id, erased.external_id);
  }

  private async scrub(manager: EntityManager, userId: string, email: string): Promise<Record<string, number>> {
    const affected = async (sql: string, parameters: unknown[]) =>
      (await manager.query<[unknown[], number]>(sql, parameters))[1];
    await manager.query(
      `UPDATE users
          SET email = 'erased+' || id || '@erased.invalid', display_name = 'Erased learner', external_id = NULL,
              password_hash = NULL, deleted_at = coalesce(deleted_at, now()), erased_at = now(), updated_at = now()
        WHERE id = $1`,
      [userId],
    );
    return {
      sessions: await affected('DELETE FROM refresh_tokens WHERE user_id = $1', [userId]),
      signInCounts: await affected('DELETE FROM login_failures WHERE key = $1', [`account:${email.toLowerCase()}`]),
      idempotencyKeys: await affected('DELETE FROM idempotency_keys WHERE owner = $1', [`user:${userId}`]),
      // An accommodation's reason may name a disability: the terms go, and so do the reasons in the audit trail.
      accommodations: await affected('DELETE FROM accommodations WHERE user_id = $1', [userId]),
      accommodationReasonsScrubbed: await affected(
        `UPDATE audit_events SET reason = NULL
          WHERE action IN ('accommodation.set', 'accommodation.removed') AND target_type = 'user' AND target_id = $1::text AND reason IS NOT NULL`,
        [userId],
      ),
      // Essays keep their grades and lose their words. Short answers stay: a regrade scores them again
      // from their text, so emptying them would change scores.
      answersEmptied: await affected(
        `UPDATE attempt_responses r SET response = jsonb_set(r.response, '{text}', '""')
           FROM attempts a WHERE a.id = r.attempt_id AND a.user_id = $1 AND r.response->>'type' = 'essay'`,
        [userId],
      ),
      evidenceRemoved:
        (await affected('UPDATE step_marks SET evidence = NULL WHERE user_id = $1 AND evidence IS NOT NULL', [
          userId,
        ])) +
        (await affected('UPDATE checklist_marks SET evidence = NULL WHERE user_id = $1 AND evidence IS NOT NULL', [
          userId,
        ])),
      auditEventsScrubbed: await affected(
        `UPDATE audit_events SET before = before - $2::text[], after = after - $2::text[]
          WHERE target_type = 'user' AND target_id = $1::text
            AND (before ?| $2::text[] OR after ?| $2::text[])`,
        [userId, PERSONAL_AUDIT_KEYS],
      ),
      // A roster sync that created them names them in one event about the cohort, by id and external id.
      rosterAuditScrubbed: await affected(
        `UPDATE audit_events a
            SET after = jsonb_set(a.after, '{users}', (
                  SELECT jsonb_agg(CASE WHEN x->>'id' = $1::text THEN jsonb_set(x, '{externalId}', 'null') ELSE x END)
                    FROM jsonb_array_elements(a.after->'users') x))
          WHERE a.action = 'users.created_from_roster'
            AND a.after->'users' @> jsonb_build_array(jsonb_build_object('id', $1::text))`,
        [userId],
      ),
      rosterEventsScrubbed: await affected(
        `UPDATE events e
            SET data = e.data || jsonb_build_object(
                  'added', (SELECT coalesce(jsonb_agg(CASE WHEN x->>'id' = $1::text
                                 THEN jsonb_set(x, '{externalId}', 'null') ELSE x END), '[]'::jsonb)
                              FROM jsonb_array_elements(e.data->'added') x),
                  'removed', (SELECT coalesce(jsonb_agg(CASE WHEN x->>'id' = $1::text
                                 THEN jsonb_set(x, '{externalId}', 'null') ELSE x END), '[]'::jsonb)
                                FROM jsonb_array_elements(e.data->'removed') x))
          WHERE e.type = 'cohort.roster_changed'
            AND (e.data->'added' @> jsonb_build_array(jsonb_build_object('id', $1::text))
                 OR e.data->'removed' @> jsonb_build_array(jsonb_build_object('id', $1::text)))`,
        [userId],
      ),
      eventsScrubbed: await affected(
        `UPDATE events SET data = jsonb_set(data, '{user,externalId}', 'null')
          WHERE ordering_key = 'user:' || $1::text AND data->'user'->>'externalId' IS NOT NULL`,
        [userId],
      ),
    };
  }
}
