import { isUuid } from '../auth/user-ref';
import { ValidationFailed } from '../common/errors/domain-error';

/** Keyset position after the last module of a page: (number, id), in ascending order. */
export interface ModulePosition {
  number: number;
  id: string;
}

export function encodeModuleCursor(position: ModulePosition): string {
  return Buffer.from(JSON.stringify([position.number, position.id])).toString('base64url');
}

export function decodeModuleCursor(cursor: string | undefined): ModulePosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [number, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    // Module numbers are PostgreSQL integers: anything larger is no cursor of ours.
    if (!Number.isInteger(number) || typeof id !== 'string' || !isUuid(id)) throw new Error();
    if ((number as number) < 0 || (number as number) > 2_147_483_647) throw new Error();
    return { number: number as number, id };
  } catch {
    throw new ValidationFailed([{ field: 'cursor', messages: ['cursor is not one this API issued'] }]);
  }
}
