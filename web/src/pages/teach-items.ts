import { api } from '../api.js';
import { h, showPage } from '../dom.js';
import type { Cohort, ItemAnalysis, ItemStatistics, QuizQuestions } from '../teach-types.js';
import { cohortPath, number2, percent, shareBar } from './teach-common.js';

const TYPE_WORDS: Record<string, string> = {
  single_choice: 'single choice',
  multiple_choice: 'multiple choice',
  true_false: 'true/false',
  short_text: 'short text',
  numeric: 'numeric',
  ordering: 'ordering',
  matching: 'matching',
  essay: 'essay',
};

const negative = (item: ItemStatistics) => item.discrimination !== null && item.discrimination < 0;

function itemRow(item: ItemStatistics, prompt: string | undefined): HTMLElement {
  const flagged = negative(item);
  const choices = item.choices?.length
    ? h(
        'ul',
        { class: 'teach-choices' },
        ...item.choices.map((c) =>
          h('li', {}, shareBar(c.share, percent(c.share)), ` ${percent(c.share)} `, h('span', {}, c.text)),
        ),
        item.blankShare !== null && item.blankShare > 0
          ? h('li', {}, shareBar(item.blankShare, percent(item.blankShare)), ` ${percent(item.blankShare)} left blank`)
          : null,
      )
    : item.blankShare !== null
      ? h('p', {}, `${percent(item.blankShare)} left blank`)
      : null;
  return h(
    'tr',
    { class: flagged ? 'teach-flagged' : undefined },
    h(
      'th',
      { scope: 'row' },
      h('span', { class: 'teach-key' }, item.questionKey),
      prompt ? h('span', { class: 'teach-prompt' }, prompt) : null,
      h('span', { class: 'teach-type' }, TYPE_WORDS[item.questionType] ?? item.questionType),
    ),
    h(
      'td',
      {},
      String(item.responses),
      item.shared ? null : h('span', { class: 'teach-type' }, `shown ${item.shown}×`),
    ),
    h(
      'td',
      {},
      item.facility === null
        ? '—'
        : h('span', {}, shareBar(item.facility, number2(item.facility)), ` ${number2(item.facility)}`),
    ),
    h(
      'td',
      {},
      number2(item.discrimination),
      flagged ? h('strong', { class: 'teach-flag' }, ' ⚑ Negative discrimination: review this question') : null,
    ),
    h('td', {}, choices ?? '—'),
  );
}

/** /teach/cohorts/{id}/quizzes/{quizId}/items: classical item analysis of a quiz over the cohort. */
export async function renderTeachItems(cohortId: string, quizId: string): Promise<void> {
  const module = new URLSearchParams(location.search).get('module');
  const [cohort, analysis, quiz] = await Promise.all([
    api<Cohort>('GET', `/v1/cohorts/${encodeURIComponent(cohortId)}`),
    api<ItemAnalysis>(
      'GET',
      `/v1/cohorts/${encodeURIComponent(cohortId)}/quizzes/${encodeURIComponent(quizId)}/item-analysis`,
    ),
    // Prompts, when the module is known (the dashboard's link names it); the analysis stands without them.
    module
      ? api<QuizQuestions>('GET', `/v1/modules/${encodeURIComponent(module)}/quiz`).catch(() => null)
      : Promise.resolve(null),
  ]);
  const prompts = new Map((quiz && quiz.id === analysis.quizId ? quiz.questions : []).map((q) => [q.id, q.prompt]));
  const flagged = analysis.items.filter(negative);
  const q = analysis.quiz;
  const back = `${cohortPath(cohortId)}${module ? `?module=${encodeURIComponent(module)}` : ''}`;

  showPage(
    `Item analysis · ${cohort.name}`,
    h(
      'p',
      { class: 'teach-crumbs' },
      h('a', { href: '/teach' }, 'My cohorts'),
      ' › ',
      h('a', { href: back }, 'Cohort dashboard'),
    ),
    h('h1', {}, `Item analysis: ${quiz?.title ?? 'knowledge check'} (${cohort.name})`),
    h(
      'section',
      { 'aria-labelledby': 'quiz-h' },
      h('h2', { id: 'quiz-h' }, 'The quiz'),
      h(
        'dl',
        { class: 'teach-figures' },
        h('dt', {}, 'Learners with a finished attempt'),
        h('dd', {}, String(analysis.learners)),
        h('dt', {}, 'Mean total'),
        h('dd', {}, `${number2(q.mean)} of ${q.maxScore}`),
        h('dt', {}, 'Standard deviation'),
        h('dd', {}, number2(q.standardDeviation)),
        h('dt', {}, 'Cronbach’s alpha'),
        h(
          'dd',
          {},
          q.cronbachAlpha === null ? `— (${q.alphaOmittedReason ?? 'not computed'})` : number2(q.cronbachAlpha),
        ),
        h('dt', {}, 'Questions in every attempt'),
        h('dd', {}, String(q.sharedQuestions)),
      ),
      h(
        'p',
        { class: flagged.length ? 'teach-flag' : undefined },
        flagged.length
          ? `${flagged.length} question(s) flagged for negative discrimination (learners who did worse overall did better on them): ${flagged.map((i) => i.questionKey).join(', ')}.`
          : 'No question has negative discrimination.',
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'items-h' },
      h('h2', { id: 'items-h' }, 'Questions'),
      h(
        'p',
        {},
        'Facility: mean score as a share of the maximum (1 = everyone right). Discrimination: the upper 27 % group’s mean minus the lower 27 %’s; below 0 is flagged.',
      ),
      h(
        'div',
        { class: 'teach-scroll' },
        h(
          'table',
          { class: 'teach-table teach-items' },
          h('caption', {}, 'Per question'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Question'),
              h('th', { scope: 'col' }, 'Responses'),
              h('th', { scope: 'col' }, 'Facility'),
              h('th', { scope: 'col' }, 'Discrimination'),
              h('th', { scope: 'col' }, 'Choices'),
            ),
          ),
          h('tbody', {}, ...analysis.items.map((item) => itemRow(item, prompts.get(item.questionId)))),
        ),
      ),
    ),
  );
}
