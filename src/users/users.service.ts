import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { EventsService } from '../events/events.service';
import { AuditService } from '../audit/audit.service';
import type { Caller, Role } from '../auth/access.types';
import { LearnerAccessService } from '../auth/learner-access.service';
import { hashSecret, verifySecret } from '../auth/passwords';
import { PrincipalService } from '../auth/principal.service';
import { TokenService } from '../auth/token.service';
import { resolveUserRef } from '../auth/user-ref';
import { ConflictError, type FieldFault, ResourceNotFound, ValidationFailed } from '../common/errors/domain-error';
import { decodeCursor, type Page, toPage } from '../common/http/pagination';
import {
  type CreateUserDto,
  type ListUsersQueryDto,
  toUserResponse,
  type UpdateMeDto,
  type UpdateUserDto,
  type UpsertUserByExternalIdDto,
  type UpsertUserResponseDto,
  type UserResponseDto,
} from './dto/user.dto';
import { User } from './user.entity';

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: LearnerAccessService,
    private readonly audit: AuditService,
    private readonly principals: PrincipalService,
    private readonly tokens: TokenService,
    private readonly events: EventsService,
  ) {}

  async create(caller: Caller, dto: CreateUserDto): Promise<UserResponseDto> {
    assertClientMayWrite(caller, dto);
    const passwordHash = dto.password ? await hashSecret(dto.password) : null;
    return this.dataSource.transaction(async (manager) => {
      await this.assertUnique(manager, dto.email, dto.externalId);
      const user = await manager.save(
        manager.create(User, {
          email: dto.email,
          displayName: dto.displayName,
          roles: dto.roles,
          externalId: dto.externalId ?? null,
          passwordHash,
        }),
      );
      const after = toUserResponse(user);
      await this.audit.record(manager, caller, {
        action: 'user.created',
        targetType: 'user',
        targetId: user.id,
        after: { ...after },
      });
      return after;
    });
  }

  async get(caller: Caller, ref: string): Promise<UserResponseDto> {
    const id = resolveUserRef(caller.principal, ref);
    if (!(await this.access.canAccess(caller.principal, id, 'profile:read')))
      throw new ResourceNotFound('No such user');
    const user = await this.dataSource.getRepository(User).findOne({ where: { id, deletedAt: IsNull() } });
    if (!user) throw new ResourceNotFound('No such user');
    return toUserResponse(user);
  }

  async list(query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    const after = decodeCursor(query.cursor);
    const builder = this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.deleted_at IS NULL')
      .orderBy('u.created_at', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .take(query.limit + 1);
    if (query.role) builder.andWhere(':role = ANY(u.roles)', { role: query.role });
    if (query.email) builder.andWhere('u.email = :email', { email: query.email });
    if (after) builder.andWhere('(u.created_at, u.id) < (:createdAt, :id)', after);
    return toPage(await builder.getMany(), query.limit, toUserResponse);
  }

  async update(caller: Caller, id: string, dto: UpdateUserDto): Promise<UserResponseDto> {
    const userId = resolveUserRef(caller.principal, id);
    if (!(await this.access.canAccess(caller.principal, userId, 'profile:write')))
      throw new ResourceNotFound('No such user');
    assertClientMayWrite(caller, dto);
    await this.assertClientMayTouch(caller, userId);
    const passwordHash = dto.password ? await hashSecret(dto.password) : undefined;
    const { password: _password, ...changes } = dto;
    return this.change(caller, userId, 'user.updated', { ...changes, ...(passwordHash ? { passwordHash } : {}) });
  }

  async updateMe(caller: Caller, dto: UpdateMeDto): Promise<UserResponseDto> {
    const userId = resolveUserRef(caller.principal, 'me');
    let passwordHash: string | undefined;
    if (dto.password) {
      const current = await this.dataSource
        .getRepository(User)
        .findOne({ select: { id: true, passwordHash: true }, where: { id: userId, deletedAt: IsNull() } });
      const ok =
        !!current?.passwordHash &&
        !!dto.currentPassword &&
        (await verifySecret(current.passwordHash, dto.currentPassword));
      if (!ok)
        throw new ValidationFailed([{ field: 'currentPassword', messages: ['currentPassword is wrong or missing'] }]);
      passwordHash = await hashSecret(dto.password);
    }
    const changes = {
      ...(dto.displayName ? { displayName: dto.displayName } : {}),
      ...(passwordHash ? { passwordHash } : {}),
    };
    return this.change(caller, userId, 'user.updated', changes);
  }

  /** LMS roster sync: create the person, or bring their record in line. Idempotent. */
  async upsertByExternalId(
    caller: Caller,
    externalId: string,
    dto: UpsertUserByExternalIdDto,
  ): Promise<UpsertUserResponseDto> {
    if (!/^[\x21-\x7e]{1,255}$/.test(externalId)) {
      throw new ValidationFailed([
        { field: 'externalId', messages: ['externalId must be 1-255 printable ASCII characters without spaces'] },
      ]);
    }
    assertClientMayWrite(caller, dto);
    return this.dataSource.transaction(async (manager) => {
      // Serialises concurrent upserts of one external id, so a race cannot make two users.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`user-external-id:${externalId}`]);
      const existing = await manager.findOne(User, { where: { externalId, deletedAt: IsNull() } });
      if (existing) await this.assertClientMayTouch(caller, existing.id, manager);
      if (!existing) {
        await this.assertUnique(manager, dto.email, externalId);
        const user = await manager.save(
          manager.create(User, {
            externalId,
            email: dto.email,
            displayName: dto.displayName,
            roles: dto.roles ?? ['learner'],
            passwordHash: null,
          }),
        );
        const after = toUserResponse(user);
        await this.audit.record(manager, caller, {
          action: 'user.created',
          targetType: 'user',
          targetId: user.id,
          after: { ...after },
        });
        return { user: after, created: true };
      }
      const user = await this.applyChanges(manager, caller, existing, 'user.updated', {
        email: dto.email,
        displayName: dto.displayName,
        ...(dto.roles ? { roles: dto.roles } : {}),
      });
      return { user, created: false };
    });
  }

  /** Who may delete (or erase) a person: the route's roles and scopes, and the object checks here. */
  async assertMayDelete(caller: Caller, id: string): Promise<string> {
    const userId = resolveUserRef(caller.principal, id);
    if (!(await this.access.canAccess(caller.principal, userId, 'profile:write')))
      throw new ResourceNotFound('No such user');
    await this.assertClientMayTouch(caller, userId);
    return userId;
  }

  async remove(caller: Caller, id: string): Promise<void> {
    const userId = await this.assertMayDelete(caller, id);
    await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(User, {
        where: { id: userId, deletedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new ResourceNotFound('No such user');
      await manager.softDelete(User, { id: user.id });
      await this.tokens.revokeAllForUser(manager, user.id);
      await this.audit.record(manager, caller, {
        action: 'user.deleted',
        targetType: 'user',
        targetId: user.id,
        before: { ...toUserResponse(user) },
      });
      // The row stays (soft-deleted), so the event carries the person's ids and cohorts like any other.
      await this.events.emit(manager, { type: 'user.deleted', learnerId: user.id, data: {} });
      this.principals.invalidate('user', user.id, user.externalId);
    });
  }

  private async change(
    caller: Caller,
    userId: string,
    action: string,
    changes: Partial<Pick<User, 'email' | 'displayName' | 'roles' | 'externalId' | 'passwordHash'>>,
  ): Promise<UserResponseDto> {
    return this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(User, {
        where: { id: userId, deletedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new ResourceNotFound('No such user');
      return this.applyChanges(manager, caller, user, action, changes);
    });
  }

  private async applyChanges(
    manager: EntityManager,
    caller: Caller,
    user: User,
    action: string,
    changes: Partial<Pick<User, 'email' | 'displayName' | 'roles' | 'externalId' | 'passwordHash'>>,
  ): Promise<UserResponseDto> {
    const before = toUserResponse(user);
    if (
      (changes.email && changes.email !== user.email) ||
      (changes.externalId && changes.externalId !== user.externalId)
    ) {
      await this.assertUnique(
        manager,
        changes.email !== user.email ? changes.email : undefined,
        changes.externalId !== user.externalId ? (changes.externalId ?? undefined) : undefined,
      );
    }
    const passwordChanged = changes.passwordHash !== undefined;
    Object.assign(user, changes);
    const saved = await manager.save(user);
    // A new password ends every session a stolen refresh token could continue.
    if (passwordChanged) await this.tokens.revokeAllForUser(manager, user.id);
    const after = toUserResponse(saved);
    if (
      JSON.stringify({ ...before, updatedAt: '' }) === JSON.stringify({ ...after, updatedAt: '' }) &&
      !passwordChanged
    )
      return before;
    await this.audit.record(manager, caller, {
      action,
      targetType: 'user',
      targetId: user.id,
      before: { ...before },
      after: { ...after, ...(passwordChanged ? { passwordChanged: true } : {}) },
    });
    this.principals.invalidate('user', user.id, before.externalId);
    return after;
  }

  /** Machine clients manage people, never administrators: an admin is not there for them (404). */
  private async assertClientMayTouch(caller: Caller, userId: string, manager: EntityManager = this.dataSource.manager) {
    if (caller.principal.kind !== 'client') return;
    const target = await manager.findOne(User, {
      select: { id: true, roles: true },
      where: { id: userId, deletedAt: IsNull() },
    });
    if (target?.roles.includes('admin')) throw new ResourceNotFound('No such user');
  }

  private async assertUnique(manager: EntityManager, email?: string, externalId?: string) {
    if (email && (await manager.exists(User, { where: { email, deletedAt: IsNull() } }))) {
      throw new ConflictError('A user with this email already exists');
    }
    if (externalId && (await manager.exists(User, { where: { externalId, deletedAt: IsNull() } }))) {
      throw new ConflictError('A user with this external id already exists');
    }
  }
}

/**
 * A machine client (an LMS) syncs people; it may not make administrators or
 * set passwords, so a leaked client secret cannot become an admin account.
 */
function assertClientMayWrite(caller: Caller, dto: { roles?: Role[]; password?: string }) {
  if (caller.principal.kind !== 'client' || caller.principal.clientId === 'system') return;
  const faults: FieldFault[] = [];
  if (dto.roles?.includes('admin'))
    faults.push({ field: 'roles', messages: ['a machine client cannot grant the admin role'] });
  if (dto.password !== undefined)
    faults.push({ field: 'password', messages: ['a machine client cannot set passwords'] });
  if (faults.length > 0) throw new ValidationFailed(faults);
}
