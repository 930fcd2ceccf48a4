import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Statement } from '@xapi/xapi';
import { DataSource, IsNull } from 'typeorm';
import { type Caller, isAdmin } from '../../auth/access.types';
import { LearnerAccessService } from '../../auth/learner-access.service';
import { resolveUserRef } from '../../auth/user-ref';
import { ResourceNotFound, ValidationFailed } from '../../common/errors/domain-error';
import type { PageQueryDto } from '../../common/http/pagination';
import { User } from '../../users/user.entity';
import type { XapiStatementListDto } from './xapi-statement.dto';
import { XapiSources } from './xapi-sources';
import { XAPI_EVENT_TYPES } from './xapi-statements';

interface EventRow {
  id: string;
  seq: string;
  type: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/** Where a page starts: the event's seq, and how many of its statements came before. */
interface StatementPosition {
  seq: string;
  skip: number;
}

/**
 * A learner's statements for an LRS that pulls: those of their events still kept (events are
 * pruned after EVENT_RETENTION_DAYS), oldest first, built as the push builds them.
 */
@Injectable()
export class XapiStatementsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: LearnerAccessService,
    private readonly sources: XapiSources,
  ) {}

  async list(caller: Caller, userRef: string, query: PageQueryDto): Promise<XapiStatementListDto> {
    const userId = resolveUserRef(caller.principal, userRef);
    const self = caller.principal.kind === 'user' && caller.principal.id === userId;
    if (
      !(await this.access.canAccess(caller.principal, userId, 'progress:read')) ||
      (!self && !(await this.dataSource.getRepository(User).exists({ where: { id: userId, deletedAt: IsNull() } })))
    ) {
      throw new ResourceNotFound('No such user');
    }
    const start = decodePosition(query.cursor);
    const items: Statement[] = [];
    let after = start ? (BigInt(start.seq) - 1n).toString() : '0';
    let next: StatementPosition | null = null;
    // Events make 0 to ~50 statements each: read them a page at a time until one statement past the page shows.
    page: for (;;) {
      const events = await this.dataSource.query<EventRow[]>(
        `SELECT id, seq, type, occurred_at, data FROM events
          WHERE ordering_key = 'user:' || $1::text AND seq > $2 AND type = ANY ($3::text[])
          ORDER BY seq LIMIT $4`,
        [userId, after, [...XAPI_EVENT_TYPES], query.limit],
      );
      const built = await this.sources.statementsOf(
        events.map((e) => ({ id: e.id, type: e.type, occurredAt: e.occurred_at, data: e.data })),
      );
      for (const [n, statements] of built.entries()) {
        const from = start && events[n].seq === start.seq ? start.skip : 0;
        for (let i = from; i < statements.length; i++) {
          if (items.length === query.limit) {
            next = { seq: events[n].seq, skip: i };
            break page;
          }
          items.push(statements[i]);
        }
      }
      if (events.length < query.limit) break;
      after = events[events.length - 1].seq;
    }
    // Invariant 4: a learner reading their own statements gets no answer keys (the review policy
    // decides when they may see them; the LRS and the learner's instructors see everything).
    const keysHidden = self && !isAdmin(caller.principal);
    return {
      items: items.map((s) => (keysHidden ? withoutKey(s) : s)) as unknown as XapiStatementListDto['items'],
      nextCursor: next ? encodePosition(next) : null,
    };
  }
}

function withoutKey(statement: Statement): Statement {
  const object = statement.object as { definition?: { correctResponsesPattern?: unknown } };
  if (!object.definition || !('correctResponsesPattern' in object.definition)) return statement;
  const { correctResponsesPattern: _key, ...definition } = object.definition;
  return { ...statement, object: { ...statement.object, definition } as Statement['object'] };
}

function encodePosition(position: StatementPosition): string {
  return Buffer.from(JSON.stringify([position.seq, position.skip])).toString('base64url');
}

function decodePosition(cursor: string | undefined): StatementPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [seq, skip] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (
      typeof seq === 'string' &&
      /^[1-9]\d{0,17}$/.test(seq) &&
      Number.isInteger(skip) &&
      (skip as number) >= 0 &&
      (skip as number) < 100_000
    ) {
      return { seq, skip: skip as number };
    }
  } catch {
    // Falls through to the validation problem.
  }
  throw new ValidationFailed([{ field: 'cursor', messages: ['cursor is not one this API issued'] }]);
}
