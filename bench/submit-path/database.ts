/** The bench's databases: made afresh each run, seeded, and checked at the end. */
import { Client } from 'pg';
import type { QuestionDefinition, ResponseValue } from '../../src/content/question.types';
import type { SeedReport } from './protocol';

export async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: 'assessment-bench' });
  await client.connect();
  return client;
}

/** Drops and creates `name`, or clones it from `template`. Names are checked plain identifiers (settings.ts). */
export async function recreateDatabase(admin: Client, name: string, template?: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
}

/**
 * Learners, inserted in one statement. The app's UsersService would hash a
 * password with argon2id for each (about 50 ms apiece); the bench's learners
 * sign in with tokens only, like people who come through an LMS.
 */
export async function seedLearners(db: Client, count: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (email, display_name, roles)
     SELECT 'learner-' || i || '@bench.example', 'Bench learner ' || i, ARRAY['learner']
       FROM generate_series(1, $1::int) AS i
     RETURNING id`,
    [count],
  );
  return rows.map((row) => row.id);
}

/** What the load needs to know of the seeded quiz. */
export interface QuizFixture {
  quizId: string;
  moduleId: string;
  moduleSlug: string;
  /** Live questions of the quiz: every attempt pins this many versions. */
  questionCount: number;
  /** The body of the PUT …/responses request: the six knowledge-check questions, answered right. */
  saveBody: string;
  answered: number;
  /** The raw score those answers earn. */
  expectedRaw: number;
}

export async function loadFixture(db: Client, seed: SeedReport): Promise<QuizFixture> {
  const { rows: quizzes } = await db.query<{ id: string }>('SELECT id FROM quizzes WHERE module_id = $1', [
    seed.moduleId,
  ]);
  const quizId = quizzes[0]?.id;
  if (!quizId) throw new Error('Module 5 has no quiz');
  const { rows: questions } = await db.query<{ id: string; definition: QuestionDefinition; kc: number | null }>(
    `SELECT v.id, v.definition, q.knowledge_check_number AS kc
       FROM questions q JOIN question_versions v ON v.id = q.current_version_id
      WHERE q.quiz_id = $1 AND q.retired_at IS NULL
      ORDER BY q.position`,
    [quizId],
  );
  const knowledgeCheck = questions.filter((question) => question.kc !== null);
  if (knowledgeCheck.length !== 6) throw new Error(`Module 5 has ${knowledgeCheck.length} knowledge-check questions`);
  const responses = knowledgeCheck.map((question) => ({
    questionVersionId: question.id,
    response: keyResponse(question.definition),
  }));
  return {
    quizId,
    moduleId: seed.moduleId,
    moduleSlug: seed.slug,
    questionCount: questions.length,
    saveBody: JSON.stringify({ responses }),
    answered: responses.length,
    expectedRaw: knowledgeCheck.reduce((sum, question) => sum + question.definition.points, 0),
  };
}

/** The response that scores full marks (as test/support/content.ts keyResponse). */
function keyResponse(definition: QuestionDefinition): ResponseValue {
  switch (definition.type) {
    case 'single_choice':
      return { type: 'single_choice', choiceId: definition.correct };
    case 'multiple_choice':
      return { type: 'multiple_choice', choiceIds: [...definition.correct] };
    case 'true_false':
      return { type: 'true_false', value: definition.correct };
    case 'short_text':
      return {
        type: 'short_text',
        text: definition.accepted[0] ?? definition.keywordGroups?.map((group) => group[0]).join(' ') ?? '',
      };
    case 'numeric':
      return { type: 'numeric', value: definition.answer };
    case 'ordering':
      return { type: 'ordering', order: [...definition.correctOrder] };
    case 'matching':
      return { type: 'matching', pairs: { ...definition.pairs } };
    case 'essay':
      return { type: 'essay', text: 'An answer for a person to grade.' };
  }
}

/** Waits until no statement runs on `database`: requests in flight when the load stopped have finished. */
export async function waitUntilIdle(admin: Client, database: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietChecks = 0;
  while (quietChecks < 3) {
    const { rows } = await admin.query<{ busy: number }>(
      `SELECT count(*)::int AS busy FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'`,
      [database],
    );
    quietChecks = rows[0].busy === 0 ? quietChecks + 1 : 0;
    if (Date.now() > deadline) throw new Error(`${database} is still busy ${timeoutMs} ms after the load stopped`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Attempt ids whose submit was sent, and those whose submit was answered 2xx, over a server's whole run. */
export interface SubmitLedger {
  sent: Set<string>;
  acknowledged: Set<string>;
}

export interface InvariantReport {
  ok: boolean;
  finished: number;
  acknowledged: number;
  /** Submits sent but unanswered when autocannon stopped (end of warm-up, end of run). */
  inFlight: number;
  /** Of those, the ones the server committed anyway. */
  committedInFlight: number;
  inProgress: number;
  problems: string[];
}

/**
 * Every acknowledged submit is a finished, scored attempt, and every finished
 * attempt had a submit sent: finished rows = acknowledged submits + submits
 * the server completed after autocannon stopped listening. Each finished
 * attempt has a scored row per pinned question, the six saved answers, and
 * the score they earn; attempt numbers are gapless with at most one attempt
 * in progress per learner; each learner's module progress row counts their
 * attempts.
 */
export async function checkInvariant(db: Client, ledger: SubmitLedger, fixture: QuizFixture): Promise<InvariantReport> {
  const { rows: finishedRows } = await db.query<{ id: string }>(`SELECT id FROM attempts WHERE state <> 'in_progress'`);
  const finished = new Set(finishedRows.map((row) => row.id));
  const {
    rows: [counts],
  } = await db.query<Record<string, number>>(
    `SELECT count(*) FILTER (WHERE a.state = 'in_progress')::int AS in_progress,
            count(*) FILTER (WHERE a.state <> 'in_progress'
                               AND (a.score_max IS NULL OR a.submitted_at IS NULL))::int AS unscored,
            count(*) FILTER (WHERE a.state <> 'in_progress' AND a.score_raw <> $1)::int AS wrong_score,
            count(*) FILTER (WHERE a.state <> 'in_progress'
                               AND r.scored <> jsonb_array_length(a.question_order))::int AS missing_scores,
            count(*) FILTER (WHERE a.state <> 'in_progress' AND r.answered <> $2)::int AS missing_answers
       FROM attempts a
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE max_score IS NOT NULL) AS scored,
                count(*) FILTER (WHERE response IS NOT NULL) AS answered
           FROM attempt_responses WHERE attempt_id = a.id) r`,
    [fixture.expectedRaw, fixture.answered],
  );
  const {
    rows: [numbering],
  } = await db.query<{ gaps: number; doubly_open: number }>(
    `SELECT count(*) FILTER (WHERE n <> top)::int AS gaps, count(*) FILTER (WHERE open > 1)::int AS doubly_open
       FROM (SELECT count(*) AS n, max(number) AS top, count(*) FILTER (WHERE state = 'in_progress') AS open
               FROM attempts GROUP BY user_id, quiz_id) per_learner`,
  );

  // Start and submit keep the learner's module progress row in step, in their transactions.
  const {
    rows: [progress],
  } = await db.query<{ missing: number; stale: number }>(
    `SELECT count(*) FILTER (WHERE p.user_id IS NULL)::int AS missing,
            count(*) FILTER (WHERE p.attempts_used <> per_learner.n)::int AS stale
       FROM (SELECT user_id, quiz_id, count(*) AS n FROM attempts GROUP BY user_id, quiz_id) per_learner
       JOIN quizzes q ON q.id = per_learner.quiz_id
       LEFT JOIN module_progress p ON p.user_id = per_learner.user_id AND p.module_id = q.module_id`,
  );

  const lost = [...ledger.acknowledged].filter((id) => !finished.has(id));
  const unasked = [...finished].filter((id) => !ledger.sent.has(id));
  const inFlight = [...ledger.sent].filter((id) => !ledger.acknowledged.has(id));
  const committedInFlight = inFlight.filter((id) => finished.has(id)).length;
  const problems = [
    lost.length && `${lost.length} acknowledged submits have no finished attempt`,
    unasked.length && `${unasked.length} attempts were finished without a submit`,
    counts.unscored && `${counts.unscored} finished attempts have no score`,
    counts.wrong_score && `${counts.wrong_score} finished attempts do not score ${fixture.expectedRaw}`,
    counts.missing_scores && `${counts.missing_scores} finished attempts miss scored attempt_responses rows`,
    counts.missing_answers && `${counts.missing_answers} finished attempts miss saved answers`,
    numbering.gaps && `${numbering.gaps} learners have gaps in their attempt numbers`,
    numbering.doubly_open && `${numbering.doubly_open} learners have two attempts in progress`,
    progress.missing && `${progress.missing} learners with attempts have no module progress row`,
    progress.stale && `${progress.stale} module progress rows count another number of attempts`,
  ].filter((problem): problem is string => typeof problem === 'string');
  return {
    ok: problems.length === 0 && finished.size === ledger.acknowledged.size + committedInFlight,
    finished: finished.size,
    acknowledged: ledger.acknowledged.size,
    inFlight: inFlight.length,
    committedInFlight,
    inProgress: counts.in_progress,
    problems,
  };
}
