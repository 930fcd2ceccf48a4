import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Caller } from '../auth/access.types';
import { isUuid } from '../auth/user-ref';
import { ConflictError, type FieldFault, ResourceNotFound, ValidationFailed } from '../common/errors/domain-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { urlFormProblem, webhookUrlProblem } from '../events/webhook-url';
import {
  type CreatePlatformDto,
  type PlatformDto,
  type PlatformListDto,
  toPlatformDto,
  type UpdatePlatformDto,
} from './dto/platform.dto';
import { LtiPlatform } from './entities/lti-platform.entity';

/** Registered platforms at most: each is a set of keys to trust. */
const MAX_PLATFORMS = 200;

/**
 * The LMSs registered to launch the tool. Their URLs follow the webhook URL
 * rules (https in production, public addresses only for those the service
 * itself calls: the token and JWKS URLs); the authorization URL is only where
 * browsers are sent.
 */
@Injectable()
export class LtiPlatformsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async create(caller: Caller, dto: CreatePlatformDto): Promise<PlatformDto> {
    await this.assertUrls(dto);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('lti platforms', 0))`);
      const [{ count }] = await manager.query<{ count: number }[]>(`SELECT count(*)::int AS count FROM lti_platforms`);
      if (count >= MAX_PLATFORMS) {
        throw new ValidationFailed([
          { field: 'issuer', messages: [`at most ${MAX_PLATFORMS} platforms may be registered`] },
        ]);
      }
      await this.assertUnregistered(manager, dto.issuer, dto.clientId);
      const platform = await manager.save(
        manager.create(LtiPlatform, { ...dto, tokenAudience: dto.tokenAudience ?? null }),
      );
      const view = toPlatformDto(platform);
      await this.audit.record(manager, caller, {
        action: 'lti.platform_registered',
        targetType: 'lti_platform',
        targetId: platform.id,
        after: { ...view },
      });
      return view;
    });
  }

  async list(): Promise<PlatformListDto> {
    const platforms = await this.dataSource
      .getRepository(LtiPlatform)
      .find({ order: { createdAt: 'DESC', id: 'DESC' }, take: MAX_PLATFORMS });
    return { items: platforms.map(toPlatformDto) };
  }

  async get(id: string): Promise<PlatformDto> {
    return toPlatformDto(await this.find(this.dataSource.manager, id));
  }

  async update(caller: Caller, id: string, dto: UpdatePlatformDto): Promise<PlatformDto> {
    await this.assertUrls(dto);
    return this.dataSource.transaction(async (manager) => {
      const platform = await this.find(manager, id, true);
      const before = toPlatformDto(platform);
      for (const field of ['name', 'deploymentIds', 'authorizationUrl', 'tokenUrl', 'jwksUrl'] as const) {
        if (dto[field] !== undefined) Object.assign(platform, { [field]: dto[field] });
      }
      if (dto.tokenAudience !== undefined) platform.tokenAudience = dto.tokenAudience;
      if (dto.requiresClientStorage !== undefined) platform.requiresClientStorage = dto.requiresClientStorage;
      const after = toPlatformDto(await manager.save(platform));
      await this.audit.record(manager, caller, {
        action: 'lti.platform_updated',
        targetType: 'lti_platform',
        targetId: id,
        before: { ...before },
        after: { ...after },
      });
      return after;
    });
  }

  /** Forgets the platform and what its launches made here (identities, links); users and cohorts stay. */
  async remove(caller: Caller, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const platform = await this.find(manager, id, true);
      await manager.delete(LtiPlatform, { id });
      await this.audit.record(manager, caller, {
        action: 'lti.platform_deleted',
        targetType: 'lti_platform',
        targetId: id,
        before: { ...toPlatformDto(platform) },
      });
    });
  }

  private async find(manager: EntityManager, id: string, lock = false): Promise<LtiPlatform> {
    const platform = isUuid(id)
      ? await manager.findOne(LtiPlatform, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' } } : {}) })
      : null;
    if (!platform) throw new ResourceNotFound('No such platform');
    return platform;
  }

  private async assertUnregistered(manager: EntityManager, issuer: string, clientId: string): Promise<void> {
    const taken = await manager.exists(LtiPlatform, { where: { issuer, clientId } });
    if (taken) throw new ConflictError('A platform with this issuer and client id is already registered');
  }

  private async assertUrls(dto: Partial<CreatePlatformDto>): Promise<void> {
    const production = this.config.env === 'production';
    const faults: FieldFault[] = [];
    const check = async (field: keyof CreatePlatformDto, calledByUs: boolean) => {
      const value = dto[field];
      if (typeof value !== 'string') return;
      const problem = calledByUs ? await webhookUrlProblem(value, production) : urlFormProblem(value, production);
      if (problem) faults.push({ field, messages: [`${field} ${problem}`] });
    };
    await check('authorizationUrl', false);
    await check('tokenUrl', true);
    await check('jwksUrl', true);
    if (faults.length > 0) throw new ValidationFailed(faults);
  }
}
