import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { type Caller, SYSTEM_CALLER } from '../auth/access.types';
import { CohortsService } from '../cohorts/cohorts.service';
import type { MemberRole } from '../cohorts/entities/cohort-member.entity';
import { DomainError, UpstreamFailed } from '../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import type { LtiRosterSyncReportDto } from './dto/roster-sync.dto';
import type { LtiPlatform } from './entities/lti-platform.entity';
import { memberRoleOf } from './lti-claims';
import { LtiPlatformCalls } from './lti-platform-calls';
import { type NrpsMember, PlatformCallError } from './platform-clients';

/** A cohort whose roster cannot come from an LMS: no course of a platform, or no NRPS offered for it. */
export class NoLtiRoster extends DomainError {
  readonly code = 'no-lti-roster';
  readonly status = 409;
  readonly title = 'No Roster in the LMS';
}

/** The platform's course a cohort's roster is read from. */
interface RosterSource {
  cohortId: string;
  platform: LtiPlatform;
  contextId: string;
  membershipsUrl: string;
}

interface SourceRow {
  cohort_id: string;
  platform_id: string;
  context_id: string;
  memberships_url: string | null;
}

interface EventUser {
  id: string;
  externalId: string | null;
}

/** The longest `sub` a launch accepts (lti_identities.sub); a member with a longer id could never launch. */
const MAX_SUB_LENGTH = 255;

/**
 * Cohort rosters kept in step with the LMS course by LTI Names and Role Provisioning Services 2.0:
 * members matched by the platform's user id (`lti_identities`), as launches match them. Only the
 * memberships of people linked to that platform are touched; members added here by hand stay.
 */
@Injectable()
export class LtiRosterService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('LtiRoster');
  /** Syncs started by launches, still running, by context (awaited at shutdown). */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cohorts: CohortsService,
    private readonly calls: LtiPlatformCalls,
    private readonly audit: AuditService,
    private readonly events: EventsService,
  ) {}

  /** On demand: admins, and instructors who teach the cohort. */
  async syncCohort(caller: Caller, cohortId: string): Promise<LtiRosterSyncReportDto> {
    const cohort = await this.cohorts.findFor(caller.principal, cohortId, 'manage');
    const [row] = await this.dataSource.query<SourceRow[]>(
      `SELECT cohort_id, platform_id, context_id, memberships_url FROM lti_contexts
        WHERE cohort_id = $1 ORDER BY memberships_url IS NULL, updated_at DESC LIMIT 1`,
      [cohort.id],
    );
    if (!row) throw new NoLtiRoster('This cohort is not a course of an LMS: no LTI launch made or named it');
    if (!row.memberships_url) {
      throw new NoLtiRoster(
        'The LMS has not offered its roster (Names and Role Provisioning Services) for this course: no launch named a memberships URL',
      );
    }
    return this.sync(caller, await this.sourceOf(row, row.memberships_url), 'request');
  }

  /**
   * After an instructor's launch has committed: the course's roster, when the platform offers it.
   * Fire and forget: the launch never waits for it, and a failure is only logged.
   */
  syncAfterLaunch(platformId: string, deploymentId: string, contextId: string, userId: string): void {
    const key = `${platformId}\n${deploymentId}\n${contextId}`;
    // Instructors launching at once: the sync already under way serves them all.
    if (this.running.has(key)) return;
    const run = this.syncContext(platformId, deploymentId, contextId, userId)
      .catch((error: unknown) => {
        const why = error instanceof DomainError ? error.message : String(error);
        this.logger.warn(`Roster sync of context ${contextId} (platform ${platformId}) after a launch failed: ${why}`);
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
  }

  /** Before the database closes (onApplicationShutdown): syncs in flight finish on their connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async syncContext(platformId: string, deploymentId: string, contextId: string, userId: string) {
    const [row] = await this.dataSource.query<SourceRow[]>(
      `SELECT cohort_id, platform_id, context_id, memberships_url FROM lti_contexts
        WHERE platform_id = $1 AND deployment_id = $2 AND context_id = $3`,
      [platformId, deploymentId, contextId],
    );
    if (!row?.memberships_url) return;
    await this.sync(
      { ...SYSTEM_CALLER, requestId: `lti-launch:${userId}` },
      await this.sourceOf(row, row.memberships_url),
      'launch',
    );
  }

  private async sourceOf(row: SourceRow, membershipsUrl: string): Promise<RosterSource> {
    const platform = await this.dataSource
      .getRepository<LtiPlatform>('LtiPlatform')
      .findOneByOrFail({ id: row.platform_id });
    return { cohortId: row.cohort_id, platform, contextId: row.context_id, membershipsUrl };
  }

  /** The platform's list read whole first (nothing written if that fails), then the roster in one transaction. */
  private async sync(caller: Caller, source: RosterSource, trigger: 'request' | 'launch') {
    let members: NrpsMember[];
    try {
      members = await this.calls.nrps.members(source.platform, source.membershipsUrl);
    } catch (error) {
      if (!(error instanceof PlatformCallError)) throw error;
      const { status, excerpt } = error.outcome;
      throw new UpstreamFailed(
        `The LMS did not give the course’s roster (${status === null ? 'no answer' : `status ${status}`}); nothing changed`,
        { platformStatus: status, platformAnswer: excerpt },
      );
    }
    return this.dataSource.transaction((manager) => this.apply(manager, caller, source, members, trigger));
  }

  private async apply(
    manager: EntityManager,
    caller: Caller,
    source: RosterSource,
    members: NrpsMember[],
    trigger: 'request' | 'launch',
  ): Promise<LtiRosterSyncReportDto> {
    const { cohortId, platform } = source;
    // Syncs of one cohort happen one at a time (NO KEY: launches adding members only check the key).
    await manager.query('SELECT id FROM cohorts WHERE id = $1 FOR NO KEY UPDATE', [cohortId]);
    // One entry per platform user id (the last wins); an id no launch could carry is left out.
    const bySub = new Map(
      members.filter((member) => member.userId.length <= MAX_SUB_LENGTH).map((member) => [member.userId, member]),
    );
    const linked = await manager.query<{ sub: string; user_id: string; external_id: string | null }[]>(
      `SELECT i.sub, u.id AS user_id, u.external_id FROM lti_identities i
         JOIN users u ON u.id = i.user_id AND u.deleted_at IS NULL
        WHERE i.platform_id = $1 AND i.sub = ANY($2::text[])`,
      [platform.id, [...bySub.keys()]],
    );
    const userOf = new Map<string, EventUser>(
      linked.map((row) => [row.sub, { id: row.user_id, externalId: row.external_id }]),
    );
    // Only members who are in the course get a user here; an unknown Inactive or Deleted one has nothing to keep.
    const newcomers = [...bySub.values()].filter((member) => member.status === 'Active' && !userOf.has(member.userId));
    const createdUsers = await this.createUsers(manager, caller, source, newcomers, userOf);

    const current = await manager.query<
      { user_id: string; role: MemberRole; status: string; external_id: string | null; linked: boolean }[]
    >(
      `SELECT m.user_id, m.role, m.status, u.external_id,
              EXISTS (SELECT 1 FROM lti_identities i WHERE i.platform_id = $2 AND i.user_id = m.user_id) AS linked
         FROM cohort_members m JOIN users u ON u.id = m.user_id
        WHERE m.cohort_id = $1`,
      [cohortId, platform.id],
    );
    const currentOf = new Map(current.map((row) => [row.user_id, row]));
    const report: LtiRosterSyncReportDto = {
      added: 0,
      reactivated: 0,
      deactivated: 0,
      roleChanged: 0,
      unchanged: 0,
      createdUsers: createdUsers.length,
      platformTotal: members.length,
    };
    const listed = new Set<string>();
    const upserts: { user_id: string; role: MemberRole }[] = [];
    const deactivate: string[] = [];
    const joined: EventUser[] = [];
    const left: EventUser[] = [];
    for (const member of bySub.values()) {
      const user = userOf.get(member.userId);
      if (!user || listed.has(user.id)) {
        report.unchanged += 1;
        continue;
      }
      listed.add(user.id);
      const was = currentOf.get(user.id);
      const role = memberRoleOf(member.roles);
      if (member.status !== 'Active') {
        // Inactive and Deleted both keep the row, inactive, as a removal here does.
        if (was?.status === 'active') {
          report.deactivated += 1;
          deactivate.push(user.id);
          left.push(user);
        } else report.unchanged += 1;
      } else if (!was || was.status !== 'active') {
        report[was ? 'reactivated' : 'added'] += 1;
        upserts.push({ user_id: user.id, role });
        joined.push(user);
      } else if (was.role !== role) {
        report.roleChanged += 1;
        upserts.push({ user_id: user.id, role });
      } else report.unchanged += 1;
    }
    // People of this platform the course no longer lists have left it; members added by hand are not the LMS's.
    for (const row of current) {
      if (row.linked && row.status === 'active' && !listed.has(row.user_id)) {
        report.deactivated += 1;
        deactivate.push(row.user_id);
        left.push({ id: row.user_id, externalId: row.external_id });
      }
    }
    if (upserts.length > 0) {
      await manager.query(
        `INSERT INTO cohort_members (cohort_id, user_id, role, status)
         SELECT $1, r.user_id, r.role, 'active' FROM jsonb_to_recordset($2::jsonb) AS r(user_id uuid, role varchar)
         ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = EXCLUDED.role, status = 'active', updated_at = now()`,
        [cohortId, JSON.stringify(upserts)],
      );
    }
    if (deactivate.length > 0) {
      await manager.query(
        `UPDATE cohort_members SET status = 'inactive', updated_at = now()
          WHERE cohort_id = $1 AND status = 'active' AND user_id = ANY($2::uuid[])`,
        [cohortId, deactivate],
      );
    }
    const changed = report.added + report.reactivated + report.deactivated + report.roleChanged;
    if (changed > 0) {
      await this.audit.record(manager, caller, {
        action: 'cohort.roster_synced',
        targetType: 'cohort',
        targetId: cohortId,
        after: {
          via: 'lti',
          trigger,
          platformId: platform.id,
          contextId: source.contextId,
          added: report.added,
          reactivated: report.reactivated,
          deactivated: report.deactivated,
          roleChanged: report.roleChanged,
          createdUsers: report.createdUsers,
          platformTotal: report.platformTotal,
        },
      });
    }
    if (joined.length + left.length > 0) {
      await this.events.emit(manager, {
        type: 'cohort.roster_changed',
        data: { cohortId, added: joined, removed: left },
      });
    }
    return report;
  }

  /**
   * Users for members seen for the first time, made as a launch makes them: the platform's e-mail
   * when no one here has it (else a made-up one under `.invalid`), its user id as external id when
   * free, never an admin; each linked to the platform in lti_identities. Returns the users made.
   */
  private async createUsers(
    manager: EntityManager,
    caller: Caller,
    source: RosterSource,
    newcomers: NrpsMember[],
    userOf: Map<string, EventUser>,
  ): Promise<EventUser[]> {
    if (newcomers.length === 0) return [];
    const wanted = newcomers.map((member) => platformEmail(member.email));
    const takenEmails = new Set(
      (
        await manager.query<{ email: string }[]>(
          `SELECT email FROM users WHERE email = ANY($1::text[]) AND deleted_at IS NULL`,
          [wanted.filter((email): email is string => email !== null)],
        )
      ).map((row) => row.email),
    );
    const takenExternalIds = new Set(
      (
        await manager.query<{ external_id: string }[]>(
          `SELECT external_id FROM users WHERE external_id = ANY($1::text[]) AND deleted_at IS NULL`,
          [newcomers.map((member) => member.userId)],
        )
      ).map((row) => row.external_id),
    );
    const rows = newcomers.map((member, n) => {
      const email = wanted[n] && !takenEmails.has(wanted[n]) ? wanted[n] : madeUpEmail();
      // Two newcomers with one e-mail: the first has it.
      takenEmails.add(email);
      return {
        sub: member.userId,
        external_id: takenExternalIds.has(member.userId) ? null : member.userId,
        email,
        display_name: displayNameOf(member),
        role: memberRoleOf(member.roles),
      };
    });
    const inserted = await manager.query<{ id: string; email: string; external_id: string | null }[]>(
      `INSERT INTO users (external_id, email, display_name, roles)
       SELECT r.external_id, r.email, r.display_name, ARRAY[r.role]
         FROM jsonb_to_recordset($1::jsonb) AS r(external_id varchar, email varchar, display_name varchar, role text)
       RETURNING id, email, external_id`,
      [JSON.stringify(rows)],
    );
    const byEmail = new Map(inserted.map((row) => [row.email, row]));
    const made = rows.map((row) => ({ sub: row.sub, user: byEmail.get(row.email)! }));
    // A launch of the same person may have linked them meanwhile: its link stands, and the user made here goes.
    const linkedSubs = await manager.query<{ sub: string }[]>(
      `INSERT INTO lti_identities (platform_id, sub, user_id)
       SELECT $1, r.sub, r.user_id FROM jsonb_to_recordset($2::jsonb) AS r(sub varchar, user_id uuid)
       ON CONFLICT (platform_id, sub) DO UPDATE SET user_id = EXCLUDED.user_id
        WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = lti_identities.user_id AND u.deleted_at IS NOT NULL)
       RETURNING sub`,
      [source.platform.id, JSON.stringify(made.map(({ sub, user }) => ({ sub, user_id: user.id })))],
    );
    const linkedNow = new Set(linkedSubs.map((row) => row.sub));
    const lost = made.filter(({ sub }) => !linkedNow.has(sub));
    if (lost.length > 0) {
      await manager.query(`DELETE FROM users WHERE id = ANY($1::uuid[])`, [lost.map(({ user }) => user.id)]);
      const relinked = await manager.query<{ sub: string; user_id: string; external_id: string | null }[]>(
        `SELECT i.sub, u.id AS user_id, u.external_id FROM lti_identities i JOIN users u ON u.id = i.user_id
          WHERE i.platform_id = $1 AND i.sub = ANY($2::text[])`,
        [source.platform.id, lost.map(({ sub }) => sub)],
      );
      for (const row of relinked) userOf.set(row.sub, { id: row.user_id, externalId: row.external_id });
    }
    const kept = made.filter(({ sub }) => linkedNow.has(sub));
    for (const { sub, user } of kept) userOf.set(sub, { id: user.id, externalId: user.external_id });
    if (kept.length === 0) return [];
    // One audit entry for the batch, naming every user made.
    await this.audit.record(manager, caller, {
      action: 'users.created_from_roster',
      targetType: 'cohort',
      targetId: source.cohortId,
      after: {
        via: 'lti',
        platformId: source.platform.id,
        users: kept.map(({ user }) => ({ id: user.id, externalId: user.external_id })),
      },
    });
    return kept.map(({ user }) => ({ id: user.id, externalId: user.external_id }));
  }
}

/** The member's e-mail as a launch would take it: lower-cased, one `@`, within the column. */
function platformEmail(email: string | undefined): string | null {
  const wanted = email?.toLowerCase();
  return wanted && wanted.length <= 320 && /^[^\s@]+@[^\s@]+$/.test(wanted) ? wanted : null;
}

/** An address under `.invalid` (RFC 2606), which mails nowhere. */
const madeUpEmail = () => `lti-${randomBytes(10).toString('hex')}@lti.invalid`;

function displayNameOf(member: NrpsMember): string {
  const name = member.name ?? ([member.givenName, member.familyName].filter(Boolean).join(' ') || null);
  return name && name.length <= 200 ? name : (name?.slice(0, 200) ?? 'Learner from the LMS');
}
