import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { isUuid } from '../../auth/user-ref';
import { ValidationFailed } from '../errors/domain-error';
import { Optional } from './optional';

export const MAX_PAGE_SIZE = 100;

export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor', maxLength: 512 })
  @Optional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset position after the last row of a page: (createdAt, id), newest first. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

/**
 * Times a cursor may hold: what PostgreSQL's timestamptz and our rows can be.
 * JavaScript dates reach years -271821 and +275760, beyond PostgreSQL's range.
 */
const EARLIEST_CURSOR_TIME = Date.UTC(1970, 0, 1);
const LATEST_CURSOR_TIME = Date.UTC(9999, 11, 31);
/** Larger than any list we serve; keeps an offset far inside PostgreSQL's bigint and JavaScript's safe integers. */
export const MAX_CURSOR_OFFSET = 1_000_000_000;

export function decodeCursor(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !isUuid(id)) throw new Error();
    const date = new Date(createdAt);
    const time = date.getTime();
    if (!(time >= EARLIEST_CURSOR_TIME && time <= LATEST_CURSOR_TIME)) throw new Error();
    return { createdAt: date, id };
  } catch {
    throw new ValidationFailed([{ field: 'cursor', messages: ['cursor is not one this API issued'] }]);
  }
}

/** Takes `limit + 1` rows and turns them into a page with the next cursor. */
export function toPage<E extends KeysetPosition, T>(rows: E[], limit: number, map: (row: E) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/**
 * For reports sorted on any column: the cursor is an opaque offset. `filter`
 * (a digest of the filter and sort the page was read with) binds the cursor
 * to them: an offset into one filtered list means nothing in another.
 */
export function encodeOffsetCursor(offset: number, filter?: string): string {
  return Buffer.from(JSON.stringify(filter === undefined ? { offset } : { offset, filter })).toString('base64url');
}

export function decodeOffsetCursor(cursor: string | undefined, filter?: string): number {
  if (cursor === undefined) return 0;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      offset: unknown;
      filter?: unknown;
    };
    const { offset } = decoded;
    if (
      typeof offset === 'number' &&
      Number.isInteger(offset) &&
      offset >= 0 &&
      offset <= MAX_CURSOR_OFFSET &&
      decoded.filter === filter
    ) {
      return offset;
    }
  } catch {
    // Falls through to the validation problem.
  }
  throw new ValidationFailed([{ field: 'cursor', messages: ['cursor is not one this API issued'] }]);
}
