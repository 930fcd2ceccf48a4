import { rate, round4 } from '../common/round';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { EventsService } from '../events/events.service';
import { AuditService } from '../audit/audit.service';
import { type Caller, hasScope, isAdmin, type Principal } from '../auth/access.types';
import { isUuid } from '../auth/user-ref';
import { DomainError, ResourceNotFound, ValidationFailed } from '../common/errors/domain-error';
import { decodeOffsetCursor, encodeOffsetCursor, type Page } from '../common/http/pagination';
import { User } from '../users/user.entity';
import {
  type AddMemberDto,
  type CohortDto,
  type CohortOverviewDto,
  type CreateCohortDto,
  type ListCohortsQueryDto,
  type ListMembersQueryDto,
  type MemberDto,
  type RosterDto,
  type RosterReportDto,
  toCohortDto,
  type UpdateCohortDto,
} from './dto/cohort.dto';
import { CohortMember, type MemberRole } from './entities/cohort-member.entity';
import { Cohort } from './entities/cohort.entity';
import { REPORTED_MEMBERS } from './reports/reported-members';

export class UnknownRosterMembers extends DomainError {
  readonly code = 'unknown-roster-members';
  readonly status = 422;
  readonly title = 'Unknown Roster Members';
}

export type CohortUse = 'read' | 'manage';

@Injectable()
export class CohortsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventsService,
  ) {}

  /**
   * The cohort, if the caller may use it: admins and clients (by scope) any,
   * instructors those they actively teach. Anything else is 404 (invariant 8).
   */
  async findFor(
    principal: Principal,
    cohortId: string,
    use: CohortUse,
    manager: EntityManager = this.dataSource.manager,
  ) {
    if (!isUuid(cohortId)) throw new ResourceNotFound('No such cohort');
    const cohort = await manager.findOne(Cohort, { where: { id: cohortId } });
    if (!cohort || !(await this.mayUse(manager, principal, cohort.id, use)))
      throw new ResourceNotFound('No such cohort');
    return cohort;
  }

  async create(caller: Caller, dto: CreateCohortDto): Promise<CohortDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.assertModulesExist(manager, dto.moduleIds ?? []);
      const cohort = await manager.save(
        manager.create(Cohort, {
          name: dto.name,
          moduleIds: dto.moduleIds ?? [],
          startsAt: dto.startsAt ? new Date(dto.startsAt) : null,
          endsAt: dto.endsAt ? new Date(dto.endsAt) : null,
          archived: false,
        }),
      );
      // An instructor who creates a cohort teaches it.
      const { principal } = caller;
      if (principal.kind === 'user' && principal.roles.includes('instructor') && !isAdmin(principal)) {
        await manager.insert(CohortMember, {
          cohortId: cohort.id,
          userId: principal.id,
          role: 'instructor',
          status: 'active',
        });
      }
      const after = toCohortDto(cohort);
      await this.audit.record(manager, caller, {
        action: 'cohort.created',
        targetType: 'cohort',
        targetId: cohort.id,
        after: { ...after },
      });
      return after;
    });
  }

  async get(caller: Caller, cohortId: string): Promise<CohortDto> {
    return toCohortDto(await this.findFor(caller.principal, cohortId, 'read'));
  }

  async update(caller: Caller, cohortId: string, dto: UpdateCohortDto): Promise<CohortDto> {
    return this.dataSource.transaction(async (manager) => {
      const cohort = await this.findFor(caller.principal, cohortId, 'manage', manager);
      const before = toCohortDto(cohort);
      if (dto.moduleIds) await this.assertModulesExist(manager, dto.moduleIds);
      Object.assign(cohort, {
        ...(dto.name !== undefined ? { name: dto.name } : {}),
        ...(dto.moduleIds !== undefined ? { moduleIds: dto.moduleIds } : {}),
        ...(dto.startsAt !== undefined ? { startsAt: dto.startsAt ? new Date(dto.startsAt) : null } : {}),
        ...(dto.endsAt !== undefined ? { endsAt: dto.endsAt ? new Date(dto.endsAt) : null } : {}),
        ...(dto.archived !== undefined ? { archived: dto.archived } : {}),
      });
      const after = toCohortDto(await manager.save(cohort));
      await this.audit.record(manager, caller, {
        action: 'cohort.updated',
        targetType: 'cohort',
        targetId: cohort.id,
        before: { ...before },
        after: { ...after },
      });
      return after;
    });
  }

  /** Cohorts the caller may see, newest first, each with its summary numbers per module. */
  async list(caller: Caller, query: ListCohortsQueryDto): Promise<Page<CohortOverviewDto>> {
    const { principal } = caller;
    const offset = decodeOffsetCursor(query.cursor);
    const onlyTaught = query.role === 'instructor' || (principal.kind === 'user' && !isAdmin(principal));
    const userId = principal.kind === 'user' ? principal.id : null;
    if (onlyTaught && !userId)
      throw new ValidationFailed([{ field: 'role', messages: ['a machine client teaches no cohort'] }]);
    const cohorts = await this.dataSource.query<(Record<string, unknown> & { id: string })[]>(
      `SELECT c.* FROM cohorts c
        WHERE ($1::boolean OR NOT c.archived)
          AND (NOT $2::boolean OR EXISTS (
                SELECT 1 FROM cohort_members m
                 WHERE m.cohort_id = c.id AND m.user_id = $3 AND m.role = 'instructor' AND m.status = 'active'))
        ORDER BY c.created_at DESC, c.id DESC LIMIT $4 OFFSET $5`,
      [query.archived ?? false, onlyTaught, userId, query.limit + 1, offset],
    );
    const page = cohorts.slice(0, query.limit);
    const summaries = await this.summaries(page.map((row) => row.id));
    const items = page.map((row) => {
      const cohort = this.dataSource.getRepository(Cohort).create({
        id: row.id,
        name: row.name as string,
        moduleIds: row.module_ids as string[],
        startsAt: row.starts_at as Date | null,
        endsAt: row.ends_at as Date | null,
        archived: row.archived as boolean,
        createdAt: row.created_at as Date,
        updatedAt: row.updated_at as Date,
      });
      const summary = summaries.get(row.id);
      return { ...toCohortDto(cohort), learners: summary?.learners ?? 0, modules: summary?.modules ?? [] };
    });
    return { items, nextCursor: cohorts.length > query.limit ? encodeOffsetCursor(offset + query.limit) : null };
  }

  /**
   * Replaces the roster: every listed person active with the listed role,
   * everyone else inactive. Unknown external ids are created from their name
   * and email when the caller may write users; otherwise nothing is written
   * and the unknown ids are listed. Idempotent.
   */
  async syncRoster(caller: Caller, cohortId: string, dto: RosterDto): Promise<RosterReportDto> {
    const duplicates = findDuplicates(dto.members.map((member) => member.externalId));
    if (duplicates.length > 0) {
      throw new ValidationFailed([
        { field: 'members', messages: [`external ids listed twice: ${duplicates.slice(0, 20).join(', ')}`] },
      ]);
    }
    return this.dataSource.transaction(async (manager) => {
      const cohort = await this.findFor(caller.principal, cohortId, 'manage', manager);
      // Roster changes to one cohort happen one at a time.
      await manager.query('SELECT id FROM cohorts WHERE id = $1 FOR UPDATE', [cohort.id]);
      const externalIds = dto.members.map((member) => member.externalId);
      const known = await manager.query<{ id: string; external_id: string }[]>(
        'SELECT id, external_id FROM users WHERE external_id = ANY($1::varchar[]) AND deleted_at IS NULL',
        [externalIds],
      );
      const userIdOf = new Map(known.map((row) => [row.external_id, row.id]));
      const created = await this.createUnknownUsers(manager, caller, cohort.id, dto, userIdOf);

      const current = await manager.query<
        { user_id: string; role: MemberRole; status: string; external_id: string | null }[]
      >(
        `SELECT m.user_id, m.role, m.status, u.external_id FROM cohort_members m JOIN users u ON u.id = m.user_id
          WHERE m.cohort_id = $1`,
        [cohort.id],
      );
      const currentOf = new Map(current.map((row) => [row.user_id, row]));
      const report: RosterReportDto = {
        added: [],
        reactivated: [],
        deactivated: [],
        roleChanged: [],
        unchanged: 0,
        createdUsers: created,
      };
      const listed = new Set<string>();
      const joined: { id: string; externalId: string | null }[] = [];
      const left: { id: string; externalId: string | null }[] = [];
      const rows = dto.members.map((member) => {
        const userId = userIdOf.get(member.externalId)!;
        const role = member.role ?? 'learner';
        listed.add(userId);
        const was = currentOf.get(userId);
        if (!was || was.status !== 'active') joined.push({ id: userId, externalId: member.externalId });
        if (!was) report.added.push(member.externalId);
        else if (was.status !== 'active') report.reactivated.push(member.externalId);
        else if (was.role !== role) report.roleChanged.push(member.externalId);
        else report.unchanged += 1;
        return { user_id: userId, role };
      });
      for (const row of current) {
        if (row.status === 'active' && !listed.has(row.user_id)) {
          report.deactivated.push(row.external_id ?? row.user_id);
          left.push({ id: row.user_id, externalId: row.external_id });
        }
      }
      await manager.query(
        `INSERT INTO cohort_members (cohort_id, user_id, role, status)
         SELECT $1, r.user_id, r.role, 'active' FROM jsonb_to_recordset($2::jsonb) AS r(user_id uuid, role varchar)
         ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = EXCLUDED.role, status = 'active', updated_at = now()
         WHERE cohort_members.role IS DISTINCT FROM EXCLUDED.role OR cohort_members.status <> 'active'`,
        [cohort.id, JSON.stringify(rows)],
      );
      await manager.query(
        `UPDATE cohort_members SET status = 'inactive', updated_at = now()
          WHERE cohort_id = $1 AND status = 'active' AND NOT (user_id = ANY($2::uuid[]))`,
        [cohort.id, [...listed]],
      );
      const changed =
        report.added.length + report.reactivated.length + report.deactivated.length + report.roleChanged.length;
      if (changed > 0) {
        await this.audit.record(manager, caller, {
          action: 'cohort.roster_synced',
          targetType: 'cohort',
          targetId: cohort.id,
          after: {
            added: report.added.length,
            reactivated: report.reactivated.length,
            deactivated: report.deactivated.length,
            roleChanged: report.roleChanged.length,
            createdUsers: created.length,
          },
        });
      }
      if (joined.length + left.length > 0) await this.emitRosterChange(manager, cohort.id, joined, left);
      return report;
    });
  }

  async addMember(caller: Caller, cohortId: string, dto: AddMemberDto): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      const cohort = await this.findFor(caller.principal, cohortId, 'manage', manager);
      const user = await manager.findOne(User, {
        where: dto.userId ? { id: dto.userId } : { externalId: dto.externalId },
      });
      if (!user || user.deletedAt) throw new ResourceNotFound('No such user');
      const role = dto.role ?? 'learner';
      await manager.query(
        `INSERT INTO cohort_members (cohort_id, user_id, role, status) VALUES ($1, $2, $3, 'active')
         ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = EXCLUDED.role, status = 'active', updated_at = now()`,
        [cohort.id, user.id, role],
      );
      await this.audit.record(manager, caller, {
        action: 'cohort.member_added',
        targetType: 'cohort',
        targetId: cohort.id,
        after: { userId: user.id, role },
      });
      await this.emitRosterChange(manager, cohort.id, [{ id: user.id, externalId: user.externalId }], []);
      return {
        userId: user.id,
        externalId: user.externalId,
        displayName: user.displayName,
        email: user.email,
        role,
        status: 'active',
      };
    });
  }

  /** Removal keeps the membership as inactive, like an LMS roster does. */
  async removeMember(caller: Caller, cohortId: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const cohort = await this.findFor(caller.principal, cohortId, 'manage', manager);
      const removed: { user_id: string; external_id: string | null }[] = isUuid(userId)
        ? await manager.query(
            `WITH removed AS (UPDATE cohort_members SET status = 'inactive', updated_at = now()
                WHERE cohort_id = $1 AND user_id = $2 AND status = 'active' RETURNING user_id)
             SELECT r.user_id, u.external_id FROM removed r JOIN users u ON u.id = r.user_id`,
            [cohort.id, userId],
          )
        : [];
      if (removed.length === 0) throw new ResourceNotFound('No such active member');
      await this.audit.record(manager, caller, {
        action: 'cohort.member_removed',
        targetType: 'cohort',
        targetId: cohort.id,
        after: { userId },
      });
      await this.emitRosterChange(manager, cohort.id, [], [{ id: userId, externalId: removed[0].external_id }]);
    });
  }

  private emitRosterChange(
    manager: EntityManager,
    cohortId: string,
    added: { id: string; externalId: string | null }[],
    removed: { id: string; externalId: string | null }[],
  ) {
    return this.events.emit(manager, { type: 'cohort.roster_changed', data: { cohortId, added, removed } });
  }

  async members(caller: Caller, cohortId: string, query: ListMembersQueryDto): Promise<Page<MemberDto>> {
    const cohort = await this.findFor(caller.principal, cohortId, 'read');
    const offset = decodeOffsetCursor(query.cursor);
    const rows = await this.dataSource.query<
      {
        user_id: string;
        external_id: string | null;
        display_name: string;
        email: string;
        role: MemberRole;
        status: 'active' | 'inactive';
      }[]
    >(
      `SELECT m.user_id, u.external_id, u.display_name, u.email, m.role, m.status
         FROM cohort_members m JOIN users u ON u.id = m.user_id
        WHERE m.cohort_id = $1 AND ($2::varchar IS NULL OR m.role = $2) AND ($3::varchar IS NULL OR m.status = $3)
        ORDER BY u.display_name, m.user_id LIMIT $4 OFFSET $5`,
      [cohort.id, query.role ?? null, query.status ?? null, query.limit + 1, offset],
    );
    const items = rows.slice(0, query.limit).map((row) => ({
      userId: row.user_id,
      externalId: row.external_id,
      displayName: row.display_name,
      email: row.email,
      role: row.role,
      status: row.status,
    }));
    return { items, nextCursor: rows.length > query.limit ? encodeOffsetCursor(offset + query.limit) : null };
  }

  private async createUnknownUsers(
    manager: EntityManager,
    caller: Caller,
    cohortId: string,
    dto: RosterDto,
    userIdOf: Map<string, string>,
  ): Promise<string[]> {
    const unknown = dto.members.filter((member) => !userIdOf.has(member.externalId));
    if (unknown.length === 0) return [];
    const mayCreate = isAdmin(caller.principal) || hasScope(caller.principal, 'users:write');
    const creatable = unknown.filter((member) => member.email && member.displayName);
    if (!mayCreate || creatable.length < unknown.length) {
      const missing = mayCreate ? unknown.filter((member) => !member.email || !member.displayName) : unknown;
      throw new UnknownRosterMembers(
        mayCreate
          ? 'Some external ids are unknown and lack the email and displayName to create them'
          : 'Some external ids are unknown, and creating users needs users:write',
        { unknownExternalIds: missing.slice(0, 1000).map((member) => member.externalId) },
      );
    }
    // An email already taken (or listed twice) would fail the insert as a bare conflict; name the rows instead.
    const emails = creatable.map((member) => member.email!);
    const taken = new Set(
      (
        await manager.query<{ email: string }[]>(
          'SELECT email FROM users WHERE email = ANY($1::varchar[]) AND deleted_at IS NULL',
          [emails],
        )
      ).map((row) => row.email),
    );
    const repeated = new Set(findDuplicates(emails));
    const clashing = creatable.filter((member) => taken.has(member.email!) || repeated.has(member.email!));
    if (clashing.length > 0) {
      throw new UnknownRosterMembers('Some new members have an email another user has (or that is listed twice)', {
        emailInUseExternalIds: clashing.slice(0, 1000).map((member) => member.externalId),
      });
    }
    const inserted = await manager.query<{ id: string; external_id: string }[]>(
      `INSERT INTO users (external_id, email, display_name, roles)
       SELECT r.external_id, r.email, r.display_name, ARRAY['learner']
         FROM jsonb_to_recordset($1::jsonb) AS r(external_id varchar, email varchar, display_name varchar)
       RETURNING id, external_id`,
      [
        JSON.stringify(
          creatable.map((m) => ({ external_id: m.externalId, email: m.email, display_name: m.displayName })),
        ),
      ],
    );
    for (const row of inserted) userIdOf.set(row.external_id, row.id);
    // One event for the batch, naming every user it created.
    await this.audit.record(manager, caller, {
      action: 'users.created_from_roster',
      targetType: 'cohort',
      targetId: cohortId,
      after: { users: inserted.map((row) => ({ id: row.id, externalId: row.external_id })) },
    });
    return inserted.map((row) => row.external_id);
  }

  private async summaries(cohortIds: string[]) {
    const result = new Map<string, { learners: number; modules: CohortOverviewDto['modules'] }>();
    if (cohortIds.length === 0) return result;
    const rows = await this.dataSource.query<
      {
        cohort_id: string;
        module_id: string;
        slug: string;
        learners: number;
        completed: number;
        passed: number;
        mean_score: number | null;
      }[]
    >(
      `WITH scope AS (
         SELECT c.id AS cohort_id, m.id AS module_id, m.slug, m.number
           FROM cohorts c JOIN modules m ON cardinality(c.module_ids) = 0 OR m.id = ANY(c.module_ids)
          WHERE c.id = ANY($1::uuid[])),
       learners AS (
         SELECT m.cohort_id, m.user_id FROM ${REPORTED_MEMBERS}
          WHERE m.cohort_id = ANY($1::uuid[]) AND m.role = 'learner' AND m.status = 'active')
       SELECT s.cohort_id, s.module_id, s.slug,
              count(l.user_id)::int AS learners,
              count(*) FILTER (WHERE p.status = 'completed')::int AS completed,
              count(*) FILTER (WHERE p.passed)::int AS passed,
              avg(p.counted_score) AS mean_score
         FROM scope s
         LEFT JOIN learners l ON l.cohort_id = s.cohort_id
         LEFT JOIN module_progress p ON p.user_id = l.user_id AND p.module_id = s.module_id
        GROUP BY s.cohort_id, s.module_id, s.slug, s.number
        ORDER BY s.number`,
      [cohortIds],
    );
    const learnerCounts = await this.dataSource.query<{ cohort_id: string; learners: number }[]>(
      `SELECT m.cohort_id, count(*)::int AS learners
         FROM ${REPORTED_MEMBERS}
        WHERE m.cohort_id = ANY($1::uuid[]) AND m.role = 'learner' AND m.status = 'active' GROUP BY m.cohort_id`,
      [cohortIds],
    );
    for (const id of cohortIds) result.set(id, { learners: 0, modules: [] });
    for (const row of learnerCounts) result.get(row.cohort_id)!.learners = row.learners;
    for (const row of rows) {
      const learners = row.learners;
      result.get(row.cohort_id)!.modules.push({
        moduleId: row.module_id,
        slug: row.slug,
        completed: row.completed,
        completionRate: rate(row.completed, learners),
        passRate: rate(row.passed, learners),
        meanScore: row.mean_score === null ? null : round4(Number(row.mean_score)),
      });
    }
    return result;
  }

  private async mayUse(
    manager: EntityManager,
    principal: Principal,
    cohortId: string,
    use: CohortUse,
  ): Promise<boolean> {
    if (principal.kind === 'client') {
      return hasScope(principal, 'cohorts:write') || (use === 'read' && hasScope(principal, 'cohorts:read'));
    }
    if (isAdmin(principal)) return true;
    if (!principal.roles.includes('instructor')) return false;
    return manager.exists(CohortMember, {
      where: { cohortId, userId: principal.id, role: 'instructor', status: 'active' },
    });
  }

  private async assertModulesExist(manager: EntityManager, moduleIds: string[]) {
    if (moduleIds.length === 0) return;
    const found = await manager.query<{ id: string }[]>('SELECT id FROM modules WHERE id = ANY($1::uuid[])', [
      moduleIds,
    ]);
    if (found.length !== moduleIds.length)
      throw new ValidationFailed([{ field: 'moduleIds', messages: ['every module must exist'] }]);
  }
}

function findDuplicates(values: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(values.filter((value) => (seen.has(value) ? true : (seen.add(value), false))))];
}
