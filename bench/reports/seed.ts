/**
 * The bench database: dropped and created each run, migrated by the API at its
 * start, Module 5 imported through the API, then a cohort of N learners seeded
 * with set-based SQL (generate_series, INSERT … SELECT) in one session:
 *
 * - users with external ids; a cohort with the N learners active, N/50 more
 *   inactive (with facts of their own, so the `status = 'active'` filter
 *   matters) and one instructor;
 * - per learner an engagement e ∈ [0, 1): 12 % never start; otherwise
 *   e ≥ 0.5 does all steps, else the first ⌊64 e⌋ in module order, and ticks
 *   the unlinked checklist items from e > 0.1, 0.35 and 0.5;
 * - 0–3 attempts (none below e = 0.2), the last one 3 % in progress, 4 %
 *   pending grading (essays ungraded), the rest graded; one response row per
 *   question of the quiz (42) per finished attempt, the answer chosen by the
 *   learner's ability against the question's difficulty (4 % blank), scored by
 *   the app's own scorers (see answers.ts); attempt totals from those rows;
 * - a module_progress row per learner with any fact, recomputed in SQL from
 *   the facts with the rule of src/progress/completion.ts (checklist all,
 *   knowledge check passed, the check weighing a quarter of the steps).
 *
 * `setseed` makes the draws the same every run.
 */
import { Client } from 'pg';
import type { QuestionDefinition } from '../../src/content/question.types';
import { answersFor } from './answers';

export interface ModuleFixture {
  moduleId: string;
  slug: string;
  quizId: string;
  passMark: number;
  questions: number;
  steps: number;
  checklistItems: number;
}

export interface SeededCohort {
  cohortId: string;
  instructorId: string;
  /** Rows per table, after seeding. */
  counts: Record<string, number>;
  /** Learners per module_progress status (active members only; no row = not started). */
  statuses: Record<string, number>;
  seconds: number;
}

export async function recreateDatabase(adminUrl: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
}

/** A user straight in the table (no password: the bench signs its tokens). */
export async function insertUser(db: Client, role: 'admin' | 'instructor', externalId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (external_id, email, display_name, roles) VALUES ($1, $2, $3, ARRAY[$4]) RETURNING id`,
    [externalId, `${externalId}@bench.example`, `Bench ${role}`, role],
  );
  return rows[0].id;
}

export async function loadModule(db: Client, slug: string): Promise<ModuleFixture> {
  const { rows } = await db.query<{ module_id: string; quiz_id: string; pass_mark: number }>(
    `SELECT m.id AS module_id, q.id AS quiz_id, (q.settings ->> 'passMark')::float8 AS pass_mark
       FROM modules m JOIN quizzes q ON q.module_id = m.id WHERE m.slug = $1`,
    [slug],
  );
  if (rows.length !== 1) throw new Error(`module ${slug} not found after import`);
  const { module_id: moduleId, quiz_id: quizId, pass_mark: passMark } = rows[0];
  const [counts] = (
    await db.query<{ questions: number; steps: number; items: number }>(
      `SELECT (SELECT count(*)::int FROM questions WHERE quiz_id = $2 AND retired_at IS NULL) AS questions,
              (SELECT count(*)::int FROM activity_steps WHERE module_id = $1 AND retired_at IS NULL) AS steps,
              (SELECT count(*)::int FROM checklist_items WHERE module_id = $1 AND retired_at IS NULL) AS items`,
      [moduleId, quizId],
    )
  ).rows;
  return {
    moduleId,
    slug,
    quizId,
    passMark,
    questions: counts.questions,
    steps: counts.steps,
    checklistItems: counts.items,
  };
}

/** Seeds one cohort of `learners` active learners (plus 2 % inactive) on the module. */
export async function seedCohort(
  db: Client,
  fixture: ModuleFixture,
  learners: number,
  now: Date,
): Promise<SeededCohort> {
  const started = performance.now();
  const { moduleId, quizId } = fixture;
  const instructorId = await insertUser(db, 'instructor', `bench-instructor-${learners}`);
  await db.query('SELECT setseed(0.42)');

  // Module structure: steps in module order, unlinked checklist items, questions and their answers.
  await db.query(
    `CREATE TEMP TABLE step AS
     SELECT row_number() OVER (ORDER BY a.number, s.number)::int AS ord, s.id, s.activity_id
       FROM activity_steps s JOIN activities a ON a.id = s.activity_id
      WHERE s.module_id = $1 AND s.retired_at IS NULL AND a.retired_at IS NULL`,
    [moduleId],
  );
  await db.query(
    `CREATE TEMP TABLE item AS
     SELECT row_number() OVER (ORDER BY position)::int AS ord, id FROM checklist_items
      WHERE module_id = $1 AND retired_at IS NULL AND activity_id IS NULL`,
    [moduleId],
  );
  const { rows: versions } = await db.query<{ id: string; definition: QuestionDefinition }>(
    `SELECT v.id, v.definition FROM questions q JOIN question_versions v ON v.id = q.current_version_id
      WHERE q.quiz_id = $1 AND q.retired_at IS NULL ORDER BY q.position`,
    [quizId],
  );
  const answers = versions.flatMap((v) => answersFor(v.id, v.definition));
  await db.query(
    `CREATE TEMP TABLE answer AS
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
       "questionVersionId" uuid, "questionType" text, "answerClass" text, index int, response jsonb,
       "autoScore" float8, "manualScore" float8, "maxScore" float8, correctness text, feedback jsonb)`,
    [JSON.stringify(answers)],
  );
  await db.query(
    `CREATE TEMP TABLE qinfo AS
     SELECT "questionVersionId" AS qv, -0.25 + 0.5 * random() AS difficulty,
            count(*) FILTER (WHERE "answerClass" = 'right')::int AS n_right,
            count(*) FILTER (WHERE "answerClass" = 'partial')::int AS n_partial,
            count(*) FILTER (WHERE "answerClass" = 'wrong')::int AS n_wrong
       FROM answer GROUP BY 1`,
  );

  // One plan row per learner (active ones first, then 2 % inactive).
  const total = learners + Math.ceil(learners / 50);
  await db.query(
    `CREATE TEMP TABLE learner AS
     WITH draw AS MATERIALIZED (
       SELECT g, gen_random_uuid() AS user_id, random() AS r_kind, random() AS e, random() AS r_theta,
              random() AS r_att, random() AS r_state, $2::timestamptz - random() ^ 2 * interval '45 days' AS first_at
         FROM generate_series(1, $1::int) g)
     SELECT g, user_id, first_at, g > $3::int AS inactive,
            r_kind < 0.12 AS idle,
            CASE WHEN r_kind < 0.12 THEN 0 WHEN e >= 0.5 THEN (SELECT count(*) FROM step)::int
                 ELSE floor(e * 64)::int END AS steps,
            r_kind >= 0.12 AND e > 0.1 AS tick1, r_kind >= 0.12 AND e > 0.35 AS tick2,
            r_kind >= 0.12 AND e > 0.5 AS tick3,
            CASE WHEN r_kind < 0.12 OR e < 0.2 THEN 0 WHEN r_att < 0.5 THEN 1 WHEN r_att < 0.8 THEN 2 ELSE 3 END
              AS attempts,
            0.3 + 0.65 * r_theta AS theta,
            CASE WHEN r_state < 0.03 THEN 'in_progress' WHEN r_state < 0.07 THEN 'pending_grading' ELSE 'graded' END
              AS last_state
       FROM draw`,
    [total, now, learners],
  );
  const first = ['Ada', 'Ben', 'Chloé', 'Dev', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kai', 'Lea', 'Mo'];
  const last = ['Okafor', 'Nguyen', 'Smith', 'García', 'Müller', 'Kowalski', 'Rossi', 'Tanaka', 'Dubois', 'Silva'];
  await db.query(
    `INSERT INTO users (id, external_id, email, display_name, roles, created_at, updated_at)
     SELECT user_id, 'bench-' || lpad(g::text, 6, '0'), 'learner-' || g || '@bench.example',
            ($1::text[])[1 + (g * 7) % cardinality($1::text[])] || ' ' ||
            ($2::text[])[1 + (g * 13) % cardinality($2::text[])] || ' ' || substr(md5(g::text), 1, 6),
            '{learner}', first_at, first_at
       FROM learner`,
    [first, last],
  );
  const { rows: cohort } = await db.query<{ id: string }>(
    `INSERT INTO cohorts (name, module_ids, starts_at) VALUES ($1, ARRAY[$2::uuid], $3) RETURNING id`,
    [`Bench cohort of ${learners}`, moduleId, new Date(now.getTime() - 61 * 86_400_000)],
  );
  const cohortId = cohort[0].id;
  await db.query(
    `INSERT INTO cohort_members (cohort_id, user_id, role, status)
     SELECT $1::uuid, user_id, 'learner', CASE WHEN inactive THEN 'inactive' ELSE 'active' END FROM learner
     UNION ALL SELECT $1::uuid, $2::uuid, 'instructor', 'active'`,
    [cohortId, instructorId],
  );

  // Steps done in module order; 10 % of those part-way also un-ticked the next one (done = false).
  await db.query(
    `INSERT INTO step_marks (user_id, step_id, module_id, done, marked_by, marked_at)
     SELECT l.user_id, s.id, $1, s.ord <= l.steps, 'user:' || l.user_id,
            least($2::timestamptz, l.first_at + s.ord * interval '40 minutes' * (0.5 + random()))
       FROM learner l JOIN step s ON s.ord <= l.steps OR (s.ord = l.steps + 1 AND NOT l.idle AND random() < 0.1)`,
    [moduleId, now],
  );
  await db.query(
    `INSERT INTO checklist_marks (user_id, item_id, module_id, done, marked_by, marked_at)
     SELECT l.user_id, i.id, $1, true, 'user:' || l.user_id,
            least($2::timestamptz, l.first_at + i.ord * interval '9 hours')
       FROM learner l JOIN item i ON (i.ord = 1 AND l.tick1) OR (i.ord = 2 AND l.tick2) OR (i.ord = 3 AND l.tick3)`,
    [moduleId, now],
  );

  // Attempts: earlier ones graded, the last as drawn; ability grows a little with each attempt.
  await db.query(
    `CREATE TEMP TABLE att AS
     SELECT gen_random_uuid() AS id, l.user_id, k AS number, l.theta + 0.07 * (k - 1) AS ability,
            CASE WHEN k < l.attempts THEN 'graded' ELSE l.last_state END AS state,
            least($1::timestamptz - interval '2 hours', l.first_at + k * interval '1 day' + random() * interval '1 day')
              AS started_at
       FROM learner l CROSS JOIN LATERAL generate_series(1, l.attempts) k`,
    [now],
  );
  // One response per question of every finished attempt, staged so that attempts are written once with
  // their totals (no UPDATE, so no dead rows); essays graded by the instructor unless the attempt is pending.
  await db.query(
    `CREATE TEMP TABLE resp AS
     WITH d AS MATERIALIZED (
       SELECT a.id AS attempt_id, a.state, a.started_at + interval '25 minutes' AS submitted_at, q.qv,
              q.n_right, q.n_partial, q.n_wrong,
              greatest(0.03, least(0.97, a.ability - q.difficulty)) AS p_right,
              random() AS r1, random() AS r2, random() AS r3
         FROM att a CROSS JOIN qinfo q WHERE a.state <> 'in_progress'),
     c AS (
       SELECT d.*, CASE WHEN r1 < 0.04 THEN 'blank' WHEN r1 < 0.04 + 0.96 * p_right THEN 'right'
                        WHEN r2 < 0.4 THEN 'partial' ELSE 'wrong' END AS cls
         FROM d)
     SELECT c.attempt_id, c.qv AS question_version_id, an.response, an."autoScore" AS auto_score,
            g.manual AS manual_score, an."maxScore" AS max_score,
            CASE WHEN g.manual IS NULL THEN an.correctness WHEN g.manual >= an."maxScore" THEN 'correct'
                 WHEN g.manual <= 0 THEN 'incorrect' ELSE 'partial' END AS correctness,
            an.feedback, CASE WHEN g.manual IS NOT NULL THEN $1::uuid END AS graded_by,
            CASE WHEN g.manual IS NOT NULL THEN c.submitted_at + interval '2 days' END AS graded_at,
            c.submitted_at AS updated_at
       FROM c
       JOIN answer an ON an."questionVersionId" = c.qv AND an."answerClass" = c.cls
        AND an.index = floor(c.r3 * CASE c.cls WHEN 'right' THEN c.n_right WHEN 'partial' THEN c.n_partial
                                              WHEN 'wrong' THEN c.n_wrong ELSE 1 END)::int
       CROSS JOIN LATERAL (SELECT CASE WHEN c.state = 'graded' THEN an."manualScore" END AS manual) g`,
    [instructorId],
  );
  // One transaction for the attempts and their responses: the responses' trigger (migration ItemAnalysisCache) then
  // leaves attempts written in the same transaction as they are, instead of updating every one of them.
  await db.query('BEGIN');
  try {
    await db.query(
      `INSERT INTO attempts (id, quiz_id, user_id, number, state, started_at, submitted_at, question_order,
                             choice_order, score_raw, score_max, score_scaled, passed, pending_count,
                             created_at, updated_at)
       SELECT a.id, $1, a.user_id, a.number, a.state, a.started_at,
              CASE WHEN a.state <> 'in_progress' THEN a.started_at + interval '25 minutes' END,
              $2::jsonb, '{}'::jsonb, s.raw, s.max,
              round(least(1, s.raw / nullif(s.max, 0))::numeric, 4)::float8,
              CASE WHEN s.pending > 0 THEN NULL ELSE s.raw / s.max + 1e-9 >= $3 END,
              coalesce(s.pending, 0), a.started_at, a.started_at
         FROM att a
         LEFT JOIN (SELECT attempt_id, round(sum(coalesce(manual_score, auto_score, 0))::numeric, 4)::float8 AS raw,
                           round(sum(max_score)::numeric, 4)::float8 AS max,
                           count(*) FILTER (WHERE correctness = 'pending')::int AS pending
                      FROM resp GROUP BY attempt_id) s ON s.attempt_id = a.id`,
      [quizId, JSON.stringify(versions.map((v) => v.id)), fixture.passMark],
    );
    // Where the schema records which version scored a response (a column added after issue 8), the shown one did.
    const { rows: scoredColumn } = await db.query(
      `SELECT 1 FROM information_schema.columns
        WHERE table_name = 'attempt_responses' AND column_name = 'scored_version_id'`,
    );
    const scored = scoredColumn.length > 0;
    await db.query(
      `INSERT INTO attempt_responses (attempt_id, question_version_id, response, auto_score, manual_score, max_score,
                                      correctness, feedback, graded_by, graded_at, updated_at
                                      ${scored ? ', scored_version_id' : ''})
       SELECT attempt_id, question_version_id, response, auto_score, manual_score, max_score,
              correctness, feedback, graded_by, graded_at, updated_at
              ${scored ? ', CASE WHEN coalesce(manual_score, auto_score) IS NOT NULL THEN question_version_id END' : ''}
         FROM resp ORDER BY updated_at, attempt_id, question_version_id`,
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }

  // module_progress from the facts, as ProgressService.refresh would write it.
  await db.query(
    `WITH steps_total AS (SELECT count(*)::int AS n FROM step),
     per_activity AS (SELECT activity_id, count(*) AS n FROM step GROUP BY 1),
     sm AS (
       SELECT user_id, count(*) FILTER (WHERE done)::int AS steps_done, max(marked_at) AS last_at
         FROM step_marks WHERE module_id = $1 GROUP BY 1),
     act AS (
       SELECT x.user_id, count(*)::int AS activities_done, array_agg(x.activity_id) AS activity_ids
         FROM (SELECT sm.user_id, s.activity_id, count(*) AS n FROM step_marks sm JOIN step s ON s.id = sm.step_id
                WHERE sm.done GROUP BY 1, 2) x
         JOIN per_activity p ON p.activity_id = x.activity_id AND p.n = x.n
        GROUP BY 1),
     cm AS (
       SELECT user_id, count(*) FILTER (WHERE done)::int AS ticks, max(marked_at) AS last_at
         FROM checklist_marks WHERE module_id = $1 GROUP BY 1),
     at AS (
       SELECT user_id, count(*)::int AS attempts_used,
              round((max(score_scaled) FILTER (WHERE state = 'graded'))::numeric, 4)::float8 AS counted,
              max(greatest(started_at, submitted_at)) AS last_at
         FROM attempts GROUP BY 1),
     f AS (
       SELECT l.user_id, coalesce(sm.steps_done, 0) AS steps_done, coalesce(act.activities_done, 0) AS activities_done,
              coalesce(act.activity_ids, '{}') AS activity_ids,
              coalesce(cm.ticks, 0) AS ticks, coalesce(at.attempts_used, 0) AS attempts_used, at.counted,
              greatest(sm.last_at, cm.last_at, at.last_at) AS last_at
         FROM learner l
         LEFT JOIN sm ON sm.user_id = l.user_id
         LEFT JOIN act ON act.user_id = l.user_id
         LEFT JOIN cm ON cm.user_id = l.user_id
         LEFT JOIN at ON at.user_id = l.user_id),
     r AS (
       SELECT f.*, counted + 1e-9 >= $3 AS passed,
              steps_done = (SELECT n FROM steps_total) AND ticks = (SELECT count(*) FROM item)
                AND coalesce(counted + 1e-9 >= $3, false) AS completed
         FROM f WHERE last_at IS NOT NULL)
     INSERT INTO module_progress (user_id, module_id, status, percentage, steps_done, steps_total, items_done,
                                  items_total, activities_done, attempts_used, counted_score, passed, completed_at,
                                  last_activity_at, updated_at)
     SELECT user_id, $1, CASE WHEN completed THEN 'completed' ELSE 'in_progress' END,
            CASE WHEN completed THEN 100 ELSE least(99, floor(100.0 *
              (steps_done + ticks + CASE WHEN passed THEN greatest(1, (SELECT n FROM steps_total) / 4.0) ELSE 0 END)
              / ((SELECT n FROM steps_total) + (SELECT count(*) FROM item)
                 + greatest(1, (SELECT n FROM steps_total) / 4.0))))::int END,
            steps_done, (SELECT n FROM steps_total), activities_done + ticks, $2, activity_ids, attempts_used, counted,
            passed, CASE WHEN completed THEN last_at END, last_at, last_at
       FROM r`,
    [moduleId, fixture.checklistItems, fixture.passMark],
  );
  await db.query('VACUUM ANALYZE');

  const { rows: tables } = await db.query<{ name: string; n: number }>(
    `SELECT 'users' AS name, count(*)::int AS n FROM users UNION ALL
     SELECT 'cohort_members', count(*)::int FROM cohort_members UNION ALL
     SELECT 'step_marks', count(*)::int FROM step_marks UNION ALL
     SELECT 'checklist_marks', count(*)::int FROM checklist_marks UNION ALL
     SELECT 'attempts', count(*)::int FROM attempts UNION ALL
     SELECT 'attempt_responses', count(*)::int FROM attempt_responses UNION ALL
     SELECT 'module_progress', count(*)::int FROM module_progress`,
  );
  const { rows: statuses } = await db.query<{ status: string; n: number }>(
    `SELECT coalesce(p.status, 'not_started') AS status, count(*)::int AS n
       FROM cohort_members m LEFT JOIN module_progress p ON p.user_id = m.user_id AND p.module_id = $2
      WHERE m.cohort_id = $1 AND m.role = 'learner' AND m.status = 'active' GROUP BY 1 ORDER BY 1`,
    [cohortId, moduleId],
  );
  for (const table of ['step', 'item', 'answer', 'qinfo', 'learner', 'att', 'resp'])
    await db.query(`DROP TABLE ${table}`);
  return {
    cohortId,
    instructorId,
    counts: Object.fromEntries(tables.map((t) => [t.name, t.n])),
    statuses: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
    seconds: (performance.now() - started) / 1000,
  };
}
