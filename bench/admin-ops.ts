/**
 * What an administrator's change costs on a large cohort: re-importing Module 5
 * with a corrected step (every learner's progress row in the module is
 * recomputed in the import's transaction) and with a corrected answer key
 * followed by a regrade (every finished attempt scored again). Both hold their
 * learners' locks until they commit, so their duration is how long those
 * learners' own writes in the module wait.
 *
 *   BENCH_KEEP=1 BENCH_LEARNERS=10000 BENCH_ONLY=item npm run bench:reports   # keeps assessment_bench_reports
 *   npm run bench:admin   # = npm run build && tsc -p tsconfig.bench.json && node dist/bench/admin-ops.js
 *
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/assessment_bench_reports).
 * It changes that database (it leaves Module 5 as the seeds have it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { GradingService } from '../src/attempts/grading.service';
import { SYSTEM_CALLER } from '../src/auth/access.types';
import { loadConfig } from '../src/config/config';
import { ModuleImportService } from '../src/content/import/module-import.service';

const SEED = join(__dirname, '..', '..', 'seeds', 'modules', '05_Monitoring_Logging_and_Incident_Response');

/** Runs `work` and reports its wall time and the process's peak RSS above where it started. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; rssMiB: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - started, rssMiB: (peak - base) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assessment_bench_reports',
    JWT_SECRET: 'admin-ops-bench-'.padEnd(48, 'x'),
    LOG_LEVEL: 'warn',
  });
  const { app } = await createApp(config);
  await app.init();
  try {
    const importer = app.get(ModuleImportService);
    const caller = { ...SYSTEM_CALLER, requestId: 'admin-ops-bench' };
    const markdown = readFileSync(`${SEED}.md`, 'utf8');
    const key = readFileSync(`${SEED}.answers.yaml`, 'utf8');
    const [{ learners }] = await app
      .get(DataSource)
      .query<{ learners: number }[]>('SELECT count(DISTINCT user_id)::int AS learners FROM module_progress');
    console.log(`${learners} learners with a progress row; revision of dist/ as built`);
    console.log('| change | duration ms | rows or attempts | peak RSS growth MiB |');
    console.log('| --- | ---: | ---: | ---: |');

    // A step's text corrected, and back: each import recomputes every progress row of the module.
    const edited = markdown.replace(
      '- **Purpose:** Log API calls and account activity',
      '- **Purpose:** Log API calls',
    );
    if (edited === markdown) throw new Error('the seed module no longer has the line this bench edits');
    for (const [what, text] of [
      ['import, a step corrected', edited],
      ['import, the step back', markdown],
    ] as const) {
      const { result, ms, rssMiB } = await measured(() =>
        importer.importModule(caller, { markdown: text, answerKey: { text: key, format: 'yaml' } }),
      );
      console.log(`| ${what} (${result.status}) | ${ms.toFixed(0)} | ${learners} | ${rssMiB.toFixed(0)} |`);
    }

    // The first question's key changed and back, each followed by a regrade of every finished attempt.
    const corrected = key.replace('correct: a', 'correct: b');
    for (const [what, text] of [
      ['regrade after a key change', corrected],
      ['regrade after the key back', key],
    ] as const) {
      const imported = await importer.importModule(caller, { markdown, answerKey: { text, format: 'yaml' } });
      const quizId = imported.module.id
        ? (
            await app
              .get(DataSource)
              .query<{ id: string }[]>('SELECT id FROM quizzes WHERE module_id = $1', [imported.module.id])
          )[0].id
        : null;
      if (!quizId) throw new Error('Module 5 has no quiz');
      const { result, ms, rssMiB } = await measured(() => app.get(GradingService).regrade(caller, quizId, false));
      console.log(
        `| ${what} | ${ms.toFixed(0)} | ${result.examined} examined, ${result.changes.length} changed | ${rssMiB.toFixed(0)} |`,
      );
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
