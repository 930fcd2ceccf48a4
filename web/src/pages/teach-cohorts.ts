import { api } from '../api.js';
import { h, showPage } from '../dom.js';
import type { CohortPage } from '../teach-types.js';
import { cohortPath, percent } from './teach-common.js';

/** /teach: the cohorts the instructor teaches (admins: all), each a link to its dashboard. */
export async function renderTeachCohorts(): Promise<void> {
  const cursor = new URLSearchParams(location.search).get('cursor');
  const query = new URLSearchParams({ limit: '50' });
  if (cursor) query.set('cursor', cursor);
  const page = await api<CohortPage>('GET', `/v1/cohorts?${query.toString()}`);

  const table = h(
    'table',
    { class: 'teach-table' },
    h('caption', {}, 'Cohorts and their modules'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Cohort'),
        h('th', { scope: 'col' }, 'Learners'),
        h('th', { scope: 'col' }, 'Module'),
        h('th', { scope: 'col' }, 'Completed'),
        h('th', { scope: 'col' }, 'Passed'),
        h('th', { scope: 'col' }, 'Mean score'),
      ),
    ),
    h(
      'tbody',
      {},
      ...page.items.flatMap((c) => {
        const modules = c.modules.length ? c.modules : [null];
        return modules.map((m, i) =>
          h(
            'tr',
            {},
            i === 0
              ? h(
                  'th',
                  { scope: 'row', rowspan: String(modules.length) },
                  // Naming the module lets the dashboard ask for its report at once.
                  h(
                    'a',
                    {
                      href: modules[0]
                        ? `${cohortPath(c.id)}?module=${encodeURIComponent(modules[0].slug)}`
                        : cohortPath(c.id),
                    },
                    c.name,
                  ),
                  c.archived ? ' (archived)' : null,
                )
              : null,
            i === 0 ? h('td', { rowspan: String(modules.length) }, String(c.learners)) : null,
            h('td', {}, m ? h('a', { href: `${cohortPath(c.id)}?module=${encodeURIComponent(m.slug)}` }, m.slug) : '—'),
            h('td', {}, m ? `${m.completed} (${percent(m.completionRate)})` : '—'),
            h('td', {}, m ? percent(m.passRate) : '—'),
            h('td', {}, m ? percent(m.meanScore) : '—'),
          ),
        );
      }),
    ),
  );

  showPage(
    'My cohorts',
    h('h1', {}, 'My cohorts'),
    page.items.length ? table : h('p', {}, 'You teach no cohort yet.'),
    h(
      'nav',
      { 'aria-label': 'Pages of cohorts' },
      cursor ? h('a', { href: '/teach' }, 'First page') : null,
      page.nextCursor ? h('a', { href: `/teach?cursor=${encodeURIComponent(page.nextCursor)}` }, 'Next page') : null,
    ),
  );
}
