import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { hasScope, isAdmin, type Principal, type Scope } from './access.types';

/**
 * Answers which learners an instructor teaches (cohorts provide the answer).
 * Takes the caller's EntityManager when asked inside a transaction, so the
 * question runs on the transaction's connection.
 */
export interface InstructorRoster {
  learnersTaughtBy(instructorId: string, learnerIds: string[], manager?: EntityManager): Promise<Set<string>>;
}
export const INSTRUCTOR_ROSTER = Symbol('INSTRUCTOR_ROSTER');

/** What the caller wants to do with a person's records. */
export type LearnerRecordUse = 'profile:read' | 'profile:write' | 'progress:read' | 'progress:write';

const CLIENT_SCOPES: Record<LearnerRecordUse, Scope[]> = {
  'profile:read': ['users:read', 'users:write'],
  'profile:write': ['users:write'],
  'progress:read': ['progress:read', 'attempts:write'],
  'progress:write': ['attempts:write'],
};

/**
 * Object-level access to a person's records, decided for a set of ids at once:
 * people see their own; admins everything; instructors their cohorts'
 * learners (profile and progress, reading; progress writing too); machine
 * clients any user, as far as their scopes go. Callers answer 404 for ids not
 * returned, as if they did not exist.
 */
@Injectable()
export class LearnerAccessService {
  constructor(@Inject(INSTRUCTOR_ROSTER) private readonly roster: InstructorRoster) {}

  async visible(
    principal: Principal,
    userIds: string[],
    use: LearnerRecordUse,
    manager?: EntityManager,
  ): Promise<Set<string>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Set();
    if (principal.kind === 'client') {
      return CLIENT_SCOPES[use].some((scope) => hasScope(principal, scope)) ? new Set(ids) : new Set();
    }
    if (isAdmin(principal)) return new Set(ids);
    const visible = new Set(ids.filter((id) => id === principal.id));
    if (principal.roles.includes('instructor') && use !== 'profile:write') {
      const others = ids.filter((id) => id !== principal.id);
      if (others.length > 0)
        for (const id of await this.roster.learnersTaughtBy(principal.id, others, manager)) visible.add(id);
    }
    return visible;
  }

  async canAccess(
    principal: Principal,
    userId: string,
    use: LearnerRecordUse,
    manager?: EntityManager,
  ): Promise<boolean> {
    return (await this.visible(principal, [userId], use, manager)).has(userId);
  }
}
