/**
 * The fault suite's course: Module 5 imported by `npm run seed` into a
 * scratch server, with unlimited attempts so learners can keep going for the
 * whole run, and learners inserted directly (signing in by token, as through
 * an LMS).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from 'pg';
import { startScratchPostgres, type ScratchPostgres } from './scratch-postgres';
import { TokenService } from '../../../src/auth/token.service';
import { loadConfig } from '../../../src/config/config';
import type { QuestionDefinition } from '../../../src/content/question.types';

const ROOT = resolve(__dirname, '../../..');
const MODULE5 = '05_Monitoring_Logging_and_Incident_Response';

export interface Course {
  quizId: string;
  moduleId: string;
  /** Every live question's current version and its key. */
  definitions: Map<string, QuestionDefinition>;
  stepIds: string[];
}

export interface Learner {
  id: string;
  token: string;
}

/** What every API instance of a run shares: the database and the signing secret. */
export function sharedEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64url'),
  };
}

/** Runs the seed script (which migrates first) against the database; Module 5 allows unlimited attempts. */
export function seedCourse(env: Record<string, string>): void {
  const folder = mkdtempSync(join(tmpdir(), 'assessment-faults-seed-'));
  try {
    const seeds = join(ROOT, 'seeds', 'modules');
    writeFileSync(join(folder, `${MODULE5}.md`), readFileSync(join(seeds, `${MODULE5}.md`)));
    const key = readFileSync(join(seeds, `${MODULE5}.answers.yaml`), 'utf8');
    const unlimited = key.replace(/^ {2}attemptsAllowed: \d+$/m, '  attemptsAllowed: unlimited');
    if (unlimited === key) throw new Error('the answer key of Module 5 no longer has `attemptsAllowed: <n>`');
    writeFileSync(join(folder, `${MODULE5}.answers.yaml`), unlimited);
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/src/content/seed.cli.js'), folder], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', DATA_DIR: folder, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`npm run seed failed: ${result.stderr}${result.stdout}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function loadCourse(db: Client): Promise<Course> {
  const {
    rows: [quiz],
  } = await db.query<{ id: string; module_id: string }>('SELECT id, module_id FROM quizzes LIMIT 1');
  if (!quiz) throw new Error('no quiz: was the course seeded?');
  const { rows: questions } = await db.query<{ id: string; definition: QuestionDefinition }>(
    `SELECT v.id, v.definition FROM questions q JOIN question_versions v ON v.id = q.current_version_id
      WHERE q.quiz_id = $1 AND q.retired_at IS NULL`,
    [quiz.id],
  );
  const { rows: steps } = await db.query<{ id: string }>(
    'SELECT id FROM activity_steps WHERE module_id = $1 ORDER BY id',
    [quiz.module_id],
  );
  return {
    quizId: quiz.id,
    moduleId: quiz.module_id,
    definitions: new Map(questions.map((question) => [question.id, question.definition])),
    stepIds: steps.map((step) => step.id),
  };
}

export async function createLearners(
  db: Client,
  env: Record<string, string>,
  count: number,
  role: 'learner' | 'admin' = 'learner',
): Promise<Learner[]> {
  const tag = randomBytes(4).toString('hex');
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (email, display_name, roles)
     SELECT $3 || '-' || $2 || '-' || i || '@faults.example', 'Fault ' || $3 || ' ' || i, ARRAY[$3]
       FROM generate_series(1, $1::int) AS i
     RETURNING id`,
    [count, tag, role],
  );
  const tokens = new TokenService(loadConfig({ NODE_ENV: 'development', ...env }));
  return rows.map(({ id }) => ({ id, token: tokens.signAccessToken({ kind: 'user', id, roles: [role] }).token }));
}

/** What every fault scenario starts from: a scratch server, the shared env, Module 5 seeded, a client on it. */
export interface FaultCourse {
  pg: ScratchPostgres;
  env: Record<string, string>;
  db: Client;
  course: Course;
  /** Ends the client (unless already ended) and removes the server. */
  close(): Promise<void>;
}

export async function openFaultCourse(): Promise<FaultCourse> {
  const pg = await startScratchPostgres();
  const env = sharedEnv(pg.url);
  seedCourse(env);
  const db = await pg.connect();
  let ended = false;
  db.once('end', () => (ended = true));
  return {
    pg,
    env,
    db,
    course: await loadCourse(db),
    async close() {
      if (!ended) await db.end();
      pg.destroy();
    },
  };
}
