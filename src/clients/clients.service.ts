import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Caller } from '../auth/access.types';
import { hashSecret } from '../auth/passwords';
import { PrincipalService } from '../auth/principal.service';
import { isUuid } from '../auth/user-ref';
import { ResourceNotFound } from '../common/errors/domain-error';
import { decodeCursor, type Page, type PageQueryDto, toPage } from '../common/http/pagination';
import {
  type ClientResponseDto,
  type CreateClientDto,
  type CreatedClientResponseDto,
  toClientResponse,
} from './dto/client.dto';
import { MachineClient } from './machine-client.entity';

@Injectable()
export class ClientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly principals: PrincipalService,
  ) {}

  async create(caller: Caller, dto: CreateClientDto): Promise<CreatedClientResponseDto> {
    const clientId = `mc_${randomBytes(12).toString('base64url')}`;
    const clientSecret = `mcs_${randomBytes(32).toString('base64url')}`;
    const secretHash = await hashSecret(clientSecret);
    return this.dataSource.transaction(async (manager) => {
      const client = await manager.save(
        manager.create(MachineClient, {
          clientId,
          secretHash,
          name: dto.name,
          scopes: dto.scopes,
          createdBy: caller.principal.kind === 'user' ? caller.principal.id : null,
          revokedAt: null,
        }),
      );
      const response = toClientResponse(client);
      await this.audit.record(manager, caller, {
        action: 'client.created',
        targetType: 'client',
        targetId: client.id,
        after: { ...response },
      });
      return { ...response, clientSecret };
    });
  }

  async list(query: PageQueryDto): Promise<Page<ClientResponseDto>> {
    const after = decodeCursor(query.cursor);
    const builder = this.dataSource
      .getRepository(MachineClient)
      .createQueryBuilder('c')
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .take(query.limit + 1);
    if (after) builder.where('(c.created_at, c.id) < (:createdAt, :id)', after);
    return toPage(await builder.getMany(), query.limit, toClientResponse);
  }

  /** Revoking is final and idempotent; tokens already issued stop working at once on this instance. */
  async revoke(caller: Caller, id: string): Promise<ClientResponseDto> {
    if (!isUuid(id)) throw new ResourceNotFound('No such client');
    return this.dataSource.transaction(async (manager) => {
      const client = await manager.findOne(MachineClient, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!client) throw new ResourceNotFound('No such client');
      if (client.revokedAt) return toClientResponse(client);
      const before = toClientResponse(client);
      client.revokedAt = new Date();
      const after = toClientResponse(await manager.save(client));
      await this.audit.record(manager, caller, {
        action: 'client.revoked',
        targetType: 'client',
        targetId: client.id,
        before: { ...before },
        after: { ...after },
      });
      this.principals.invalidate('client', client.id);
      return after;
    });
  }
}
