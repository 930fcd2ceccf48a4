import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../auth/access.types';
import { AuditEvent } from './audit-event.entity';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
}

/** Nine parameters each. */
const EVENTS_PER_INSERT = 1_000;

/**
 * Writes audit events. Takes the transaction's EntityManager on purpose: an
 * audit event commits or rolls back with the change it describes.
 */
@Injectable()
export class AuditService {
  async record(manager: EntityManager, caller: Caller, entry: AuditEntry): Promise<void> {
    await this.recordAll(manager, caller, [entry]);
  }

  /**
   * Several events of one change (one per learner of an import, say): one
   * INSERT per thousand events, well inside PostgreSQL's 65,535 parameters
   * per statement.
   */
  async recordAll(manager: EntityManager, caller: Caller, entries: AuditEntry[]): Promise<void> {
    const { principal } = caller;
    const actorType = principal.kind === 'client' && principal.clientId === 'system' ? 'system' : principal.kind;
    const actorId = principal.kind === 'client' ? principal.clientId : principal.id;
    for (let start = 0; start < entries.length; start += EVENTS_PER_INSERT) {
      // TypeORM writes the new rows of one save in one INSERT.
      await manager.save(
        entries.slice(start, start + EVENTS_PER_INSERT).map((entry) =>
          manager.create(AuditEvent, {
            actorType,
            actorId,
            action: entry.action,
            targetType: entry.targetType,
            targetId: entry.targetId,
            before: entry.before ?? null,
            after: entry.after ?? null,
            reason: entry.reason ?? null,
            requestId: caller.requestId,
          }),
        ),
      );
    }
  }
}
