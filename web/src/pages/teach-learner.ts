import { api } from '../api.js';
import { h, showPage } from '../dom.js';
import { attemptsInWords, statusInWords } from '../status.js';
import type { AttemptList, AttemptSummary, Cohort, ModulePage, UserSummary } from '../teach-types.js';
import type { ModuleProgress } from '../types.js';
import { cohortPath, dateText, percent } from './teach-common.js';

const STATE_WORDS: Record<AttemptSummary['state'], string> = {
  in_progress: 'In progress',
  submitted: 'Submitted',
  pending_grading: 'Waiting for grading',
  graded: 'Graded',
  abandoned: 'Abandoned',
};

function scoreText(a: AttemptSummary): string {
  if (!a.score) return '—';
  const { raw, max, scaled, passed, pending } = a.score;
  const parts = [raw !== null && max !== null ? `${raw} / ${max}` : null, scaled !== null ? percent(scaled) : null];
  const text = parts.filter(Boolean).join(', ') || '—';
  const flags = [
    passed === true ? 'passed' : passed === false ? 'not passed' : null,
    pending ? `${pending} to grade` : null,
  ];
  const f = flags.filter(Boolean).join(', ');
  return f ? `${text} (${f})` : text;
}

/** The module the page is about: ?module=, or the cohort's first. */
async function moduleOf(cohortId: string): Promise<string> {
  const named = new URLSearchParams(location.search).get('module');
  if (named) return named;
  const [cohort, modules] = await Promise.all([
    api<Cohort>('GET', `/v1/cohorts/${encodeURIComponent(cohortId)}`),
    api<ModulePage>('GET', '/v1/modules?limit=100'),
  ]);
  const first = modules.items
    .filter((m) => cohort.moduleIds.length === 0 || cohort.moduleIds.includes(m.id))
    .sort((a, b) => a.number - b.number)[0];
  if (!first) throw new Error('The cohort has no module');
  return first.slug;
}

/** /teach/cohorts/{id}/learners/{userId}: one learner's module progress and attempts. */
export async function renderTeachLearner(cohortId: string, userId: string): Promise<void> {
  const module = await moduleOf(cohortId);
  const user = encodeURIComponent(userId);
  const [person, progress, attempts] = await Promise.all([
    api<UserSummary>('GET', `/v1/users/${user}`),
    api<ModuleProgress & { lastActivityAt: string | null }>(
      'GET',
      `/v1/users/${user}/modules/${encodeURIComponent(module)}/progress`,
    ),
    api<AttemptList>('GET', `/v1/users/${user}/attempts`),
  ]);
  const kc = progress.knowledgeCheck;
  const quizAttempts = attempts.items.filter((a) => a.quizId === kc.quizId).sort((a, b) => a.number - b.number);
  const back = `${cohortPath(cohortId)}?module=${encodeURIComponent(progress.module.slug)}`;

  const attemptsTable = quizAttempts.length
    ? h(
        'table',
        { class: 'teach-table' },
        h('caption', {}, 'Attempts at the knowledge check'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Attempt'),
            h('th', { scope: 'col' }, 'State'),
            h('th', { scope: 'col' }, 'Started'),
            h('th', { scope: 'col' }, 'Submitted'),
            h('th', { scope: 'col' }, 'Score'),
          ),
        ),
        h(
          'tbody',
          {},
          ...quizAttempts.map((a) =>
            h(
              'tr',
              {},
              h(
                'th',
                { scope: 'row' },
                h('a', { href: `/teach/attempts/${encodeURIComponent(a.id)}` }, `Attempt ${a.number}`),
              ),
              h('td', {}, `${STATE_WORDS[a.state] ?? a.state}${a.late ? ' (late)' : ''}`),
              h('td', {}, dateText(a.startedAt)),
              h('td', {}, dateText(a.submittedAt)),
              h('td', {}, scoreText(a)),
            ),
          ),
        ),
      )
    : h('p', {}, 'No attempts yet.');

  showPage(
    `${person.displayName} · Module ${progress.module.number}`,
    h(
      'p',
      { class: 'teach-crumbs' },
      h('a', { href: '/teach' }, 'My cohorts'),
      ' › ',
      h('a', { href: back }, 'Cohort dashboard'),
    ),
    h('h1', {}, `${person.displayName}: Module ${progress.module.number}: ${progress.module.title}`),
    h('p', {}, person.email),
    h(
      'section',
      { 'aria-labelledby': 'prog-h' },
      h('h2', { id: 'prog-h' }, 'Progress'),
      h(
        'dl',
        { class: 'teach-figures' },
        h('dt', {}, 'Status'),
        h('dd', {}, statusInWords(progress.status)),
        h('dt', {}, 'Done'),
        h('dd', {}, `${Math.round(progress.percentage)}%`),
        h('dt', {}, 'Last activity'),
        h('dd', {}, dateText(progress.lastActivityAt)),
        h('dt', {}, 'Score that counts'),
        h('dd', {}, `${percent(kc.countedScore)}${kc.passed ? ' (passed)' : ''}`),
        h('dt', {}, 'Attempts'),
        h('dd', {}, attemptsInWords(kc.attemptsUsed, kc.attemptsLeft)),
      ),
      h('h3', {}, 'Still to do'),
      progress.unmet.length ? h('ul', {}, ...progress.unmet.map((u) => h('li', {}, u))) : h('p', {}, 'Nothing.'),
      h('h3', {}, 'Activities'),
      h(
        'ul',
        {},
        ...progress.activities.map((a) =>
          h('li', {}, `Activity ${a.number}: ${a.title} — ${a.stepsDone} of ${a.stepsTotal} steps done`),
        ),
      ),
      h('h3', {}, 'Checklist'),
      h(
        'ul',
        {},
        ...progress.checklist.map((c) =>
          h(
            'li',
            {},
            `${c.done ? 'Done' : 'Not done'}: ${c.text}${c.requiresVerification && !c.verified ? ' (to verify)' : ''}`,
          ),
        ),
      ),
    ),
    h('section', { 'aria-labelledby': 'att-h' }, h('h2', { id: 'att-h' }, 'Attempts'), attemptsTable),
  );
}
