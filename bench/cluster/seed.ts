/**
 * A database as the submit-path bench makes it: migrated by the app, Module 5
 * imported through its import service, learners inserted in one statement.
 */
import { once } from 'node:events';
import type { Client } from 'pg';
import { forkServer, nextMessage } from '../submit-path/children';
import { connect, loadFixture, type QuizFixture, recreateDatabase, seedLearners } from '../submit-path/database';
import { type BenchSettings, databaseOf, withDatabase } from '../submit-path/settings';

export interface Seeded {
  fixture: QuizFixture;
  learnerIds: string[];
}

/** `settings.database` afresh on `settings.serverUrl`; with `cloneBaseline`, copied for the baseline too. */
export async function prepareDatabase(settings: BenchSettings, cloneBaseline: boolean): Promise<Seeded> {
  const admin = await connect(settings.serverUrl);
  try {
    await recreateDatabase(admin, settings.database);
    const seeding = forkServer(settings, 'seed');
    const exited = once(seeding, 'exit');
    const { report } = await nextMessage(seeding, 'seeded');
    await exited;
    const db = await connect(withDatabase(settings.serverUrl, settings.database));
    let seeded: Seeded;
    try {
      const learnerIds = await seedLearners(db, settings.learners + 1);
      seeded = { learnerIds, fixture: await loadFixture(db, report) };
      await db.query('VACUUM ANALYZE');
    } finally {
      await db.end();
    }
    if (cloneBaseline) await recreateDatabase(admin, databaseOf(settings, 'baseline'), settings.database);
    return seeded;
  } finally {
    await admin.end();
  }
}

/** An admin (who may read every cohort) and a cohort of the first `size` learners on Module 5. */
export async function seedCohort(
  db: Client,
  fixture: QuizFixture,
  learnerIds: readonly string[],
  size: number,
): Promise<{ cohortId: string; adminId: string }> {
  const {
    rows: [admin],
  } = await db.query<{ id: string }>(
    `INSERT INTO users (email, display_name, roles) VALUES ('admin@cluster.example', 'Cluster admin', ARRAY['admin'])
     RETURNING id`,
  );
  const {
    rows: [cohort],
  } = await db.query<{ id: string }>(
    `INSERT INTO cohorts (name, module_ids) VALUES ('Cluster bench cohort', ARRAY[$1::uuid]) RETURNING id`,
    [fixture.moduleId],
  );
  // Learner 0 is the submit-path bench's probe learner; the load hands out 1, 2, 3, … so the cohort's move.
  await db.query(
    `INSERT INTO cohort_members (cohort_id, user_id, role, status)
     SELECT $1, id, 'learner', 'active' FROM unnest($2::uuid[]) AS id`,
    [cohort.id, learnerIds.slice(1, 1 + size)],
  );
  await db.query('ANALYZE cohort_members');
  return { cohortId: cohort.id, adminId: admin.id };
}
