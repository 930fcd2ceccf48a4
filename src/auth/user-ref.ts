import { ResourceNotFound } from '../common/errors/domain-error';
import type { Principal } from './access.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `me` stands for the calling person; anything else must be a user id. Unknown: 404. */
export function resolveUserRef(principal: Principal, ref: string): string {
  if (ref === 'me') {
    if (principal.kind !== 'user') throw new ResourceNotFound('A machine client is not a user; name the user by id');
    return principal.id;
  }
  if (!UUID.test(ref)) throw new ResourceNotFound('No such user');
  return ref.toLowerCase();
}

export const isUuid = (value: string) => UUID.test(value);
