import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { InstructorRoster } from '../auth/learner-access.service';

/**
 * Who an instructor teaches: the active learners of the cohorts where they
 * are an active instructor. One query for any number of learners.
 */
@Injectable()
export class CohortInstructorRoster implements InstructorRoster {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async learnersTaughtBy(instructorId: string, learnerIds: string[], manager?: EntityManager): Promise<Set<string>> {
    if (!instructorId || learnerIds.length === 0) return new Set();
    const rows: { user_id: string }[] = await (manager ?? this.dataSource.manager).query(
      `SELECT DISTINCT learner.user_id
         FROM cohort_members teacher
         JOIN cohorts c ON c.id = teacher.cohort_id AND NOT c.archived
         JOIN cohort_members learner ON learner.cohort_id = teacher.cohort_id
        WHERE teacher.user_id = $1 AND teacher.role = 'instructor' AND teacher.status = 'active'
          AND learner.role = 'learner' AND learner.status = 'active'
          AND learner.user_id = ANY($2::uuid[])`,
      [instructorId, learnerIds],
    );
    return new Set(rows.map((row) => row.user_id));
  }
}
