import { api } from '../api.js';
import { h, showPage } from '../dom.js';
import {
  type Cohort,
  type CohortProgress,
  type ModulePage,
  type ModuleQuizRef,
  type ModuleSummary,
  type ProgressSummary,
  REPORT_SORTS,
  REPORT_STATUSES,
  type ReportSort,
  type ReportStatus,
} from '../teach-types.js';
import {
  cohortPath,
  dateText,
  percent,
  REPORT_STATUS_WORDS,
  rowStatus,
  shareBar,
  SORT_WORDS,
  svg,
} from './teach-common.js';

const PAGE_SIZES = [10, 25, 50, 100];
const DEFAULT_PAGE_SIZE = 25;

/** What the learners' table shows; kept in the URL (not the cursor), so a reload shows the same list. */
interface TableState {
  status: ReportStatus | '';
  q: string;
  sort: ReportSort;
  order: 'asc' | 'desc';
  limit: number;
}

function stateFromUrl(params: URLSearchParams): TableState {
  const status = params.get('status') ?? '';
  const sort = params.get('sort') ?? 'name';
  const limit = Number(params.get('limit'));
  return {
    status: (REPORT_STATUSES as readonly string[]).includes(status) ? (status as ReportStatus) : '',
    q: (params.get('q') ?? '').slice(0, 100),
    sort: (REPORT_SORTS as readonly string[]).includes(sort) ? (sort as ReportSort) : 'name',
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
    limit: Number.isInteger(limit) && limit >= 1 && limit <= 100 ? limit : DEFAULT_PAGE_SIZE,
  };
}

function progressPath(cohortId: string, module: string | null, state: TableState, cursor: string | null): string {
  const query = new URLSearchParams();
  if (module) query.set('module', module);
  if (state.status) query.set('status', state.status);
  if (state.q.trim()) query.set('q', state.q.trim());
  query.set('sort', state.sort);
  query.set('order', state.order);
  query.set('limit', String(state.limit));
  if (cursor) query.set('cursor', cursor);
  return `/v1/cohorts/${encodeURIComponent(cohortId)}/progress?${query.toString()}`;
}

/** Counts by status as one stacked bar (the three base statuses add up to the learners), figures as text too. */
function statusBar(summary: ProgressSummary): HTMLElement {
  const parts: { key: 'not_started' | 'in_progress' | 'completed'; label: string }[] = [
    { key: 'not_started', label: 'Not started' },
    { key: 'in_progress', label: 'In progress' },
    { key: 'completed', label: 'Completed' },
  ];
  const total = summary.learners;
  const words = parts.map((p) => `${p.label}: ${summary.counts[p.key]}`).join(', ');
  const chart = svg('svg', {
    class: 'teach-status-bar',
    viewBox: '0 0 400 32',
    role: 'img',
    'aria-label': `Learners by status, of ${total}: ${words}`,
    preserveAspectRatio: 'none',
  });
  let x = 0;
  for (const p of parts) {
    const width = total ? (summary.counts[p.key] / total) * 400 : 0;
    if (width > 0) {
      chart.append(svg('rect', { x, y: 0, width, height: 32, class: `seg-${p.key}` }));
    }
    x += width;
  }
  if (!total) chart.append(svg('rect', { x: 0, y: 0, width: 400, height: 32, class: 'seg-empty' }));
  const legend = h(
    'ul',
    { class: 'teach-legend' },
    ...parts.map((p) =>
      h(
        'li',
        {},
        h('span', { class: `swatch seg-${p.key}`, 'aria-hidden': 'true' }),
        `${p.label}: ${summary.counts[p.key]} (${percent(total ? summary.counts[p.key] / total : 0)})`,
      ),
    ),
    h('li', {}, `Of whom failed (no attempts left): ${summary.counts.failed}`),
    h('li', {}, `Of whom stuck (in progress, no activity for 7 days): ${summary.counts.stuck}`),
  );
  return h('div', { class: 'teach-status' }, chart, legend);
}

const binLabel = (i: number) => (i === 9 ? '90–100%' : `${i * 10}–${i * 10 + 9}%`);

/** The score histogram: 10 bins of counted scores, as SVG bars and as a table. */
function histogram(bins: number[]): HTMLElement {
  const max = Math.max(1, ...bins);
  const width = 400;
  const height = 160;
  const top = 16;
  const bottom = 22;
  const slot = width / bins.length;
  const described = bins.map((n, i) => `${binLabel(i)}: ${n}`).join(', ');
  const chart = svg('svg', {
    class: 'teach-histogram',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Score histogram, learners per score range: ${described}`,
  });
  bins.forEach((n, i) => {
    const barHeight = ((height - top - bottom) * n) / max;
    const y = height - bottom - barHeight;
    const bar = svg('rect', {
      class: 'bar',
      x: i * slot + 4,
      y,
      width: slot - 8,
      height: barHeight,
      'data-count': n,
    });
    bar.append(svg('title', {}, `${binLabel(i)}: ${n}`));
    chart.append(bar);
    chart.append(svg('text', { x: i * slot + slot / 2, y: y - 3, 'text-anchor': 'middle', class: 'count' }, String(n)));
    chart.append(
      svg('text', { x: i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle', class: 'axis' }, `${i * 10}`),
    );
  });
  chart.append(svg('line', { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: 'baseline' }));
  const table = h(
    'table',
    { class: 'teach-table teach-histogram-table' },
    h('caption', {}, 'Learners per score range (counted scores)'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Score'), h('th', { scope: 'col' }, 'Learners'))),
    h('tbody', {}, ...bins.map((n, i) => h('tr', {}, h('th', { scope: 'row' }, binLabel(i)), h('td', {}, String(n))))),
  );
  return h('div', { class: 'teach-histogram-box' }, chart, h('details', {}, h('summary', {}, 'As a table'), table));
}

function activitiesTable(summary: ProgressSummary): HTMLElement {
  if (!summary.activities.length) return h('p', {}, 'The module has no activities.');
  return h(
    'table',
    { class: 'teach-table' },
    h('caption', {}, 'Per activity: learners with every step done'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Activity'),
        h('th', { scope: 'col' }, 'Completed'),
        h('th', { scope: 'col' }, 'Rate'),
      ),
    ),
    h(
      'tbody',
      {},
      ...summary.activities.map((a) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, `${a.number}. ${a.title}`),
          h('td', {}, String(a.completed)),
          h('td', {}, shareBar(a.rate, percent(a.rate)), ` ${percent(a.rate)}`),
        ),
      ),
    ),
  );
}

function select(id: string, label: string, options: [string, string][], value: string): HTMLElement[] {
  const el = h(
    'select',
    { id, name: id },
    ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
  return [h('label', { for: id }, label), el];
}

/** /teach/cohorts/{id}: a module's progress at a glance and the learners' table, paged by the API's cursor. */
export async function renderTeachCohort(cohortId: string): Promise<void> {
  const params = new URLSearchParams(location.search);
  let moduleRef = params.get('module');
  const state = stateFromUrl(params);
  const ref = encodeURIComponent(cohortId);

  const cohortAsked = api<Cohort>('GET', `/v1/cohorts/${ref}`);
  const modulesAsked = api<ModulePage>('GET', '/v1/modules?limit=100');
  const inCohort = (cohort: Cohort, modules: ModulePage) =>
    modules.items
      .filter((m) => cohort.moduleIds.length === 0 || cohort.moduleIds.includes(m.id))
      .sort((a, b) => a.number - b.number);
  // With the module named (every link to this page names it) the report is asked for at once. Without, the API
  // needs one for a cohort of several modules: the cohort says whether, and the first of them is shown.
  const progressAsked = moduleRef
    ? api<CohortProgress>('GET', progressPath(cohortId, moduleRef, state, null))
    : cohortAsked.then(async (cohort) => {
        if (cohort.moduleIds.length > 1) moduleRef = inCohort(cohort, await modulesAsked)[0]?.slug ?? null;
        return api<CohortProgress>('GET', progressPath(cohortId, moduleRef, state, null));
      });
  const [cohort, modules, progress] = await Promise.all([cohortAsked, modulesAsked, progressAsked]);
  const cohortModules = inCohort(cohort, modules);
  const module: ModuleSummary | undefined = cohortModules.find((m) => m.id === progress.moduleId);
  const moduleSlug = module?.slug ?? progress.moduleId;
  const moduleName = module ? `Module ${module.number}: ${module.title}` : 'Module';
  const summary = progress.summary;
  const moduleQuery = `module=${encodeURIComponent(moduleSlug)}`;

  // The learners' table.
  const liveStatus = h('p', { 'aria-live': 'polite', class: 'teach-table-status' });
  const tbody = h('tbody', {});
  const caption = h('caption', {}, 'Learners');
  const previous = h('button', { type: 'button' }, 'Previous page') as HTMLButtonElement;
  const next = h('button', { type: 'button' }, 'Next page') as HTMLButtonElement;
  const error = h('p', { class: 'error', role: 'alert' });
  /** Cursors of the pages shown so far: cursors[i] opens page i + 1 (null: the first). */
  let cursors: (string | null)[] = [null];
  let nextCursor: string | null = progress.nextCursor;
  let request = 0;

  const showRows = (page: CohortProgress) => {
    nextCursor = page.nextCursor;
    const pageNo = cursors.length;
    const from = (pageNo - 1) * state.limit + 1;
    tbody.replaceChildren(
      ...page.items.map((row) =>
        h(
          'tr',
          {},
          h(
            'th',
            { scope: 'row' },
            h(
              'a',
              { href: `${cohortPath(cohortId)}/learners/${encodeURIComponent(row.userId)}?${moduleQuery}` },
              row.displayName,
            ),
          ),
          h('td', {}, rowStatus(row)),
          h('td', {}, `${Math.round(row.percentage)}%`),
          h('td', {}, row.countedScore === null ? '—' : `${percent(row.countedScore)}${row.passed ? ' (passed)' : ''}`),
          h('td', {}, dateText(row.lastActivityAt)),
        ),
      ),
    );
    if (!page.items.length) {
      tbody.append(h('tr', {}, h('td', { colspan: '5' }, 'No learner matches.')));
    }
    const shown = page.items.length ? `learners ${from}–${from + page.items.length - 1}` : 'no learners';
    const filtered = [
      state.status ? REPORT_STATUS_WORDS[state.status].toLowerCase() : null,
      state.q.trim() ? `matching “${state.q.trim()}”` : null,
    ].filter(Boolean);
    caption.textContent = `Learners${filtered.length ? ` (${filtered.join(', ')})` : ''}, page ${pageNo}`;
    const order = `sorted by ${SORT_WORDS[state.sort].toLowerCase()}, ${state.order === 'asc' ? 'ascending' : 'descending'}`;
    liveStatus.textContent = `Page ${pageNo}: ${shown}${filtered.length ? `, ${filtered.join(', ')}` : ''}; ${order}.`;
    previous.disabled = pageNo === 1;
    next.disabled = nextCursor === null;
  };

  const load = async (cursor: string | null) => {
    const mine = ++request;
    error.textContent = '';
    try {
      const page = await api<CohortProgress>('GET', progressPath(cohortId, moduleRef, state, cursor));
      if (mine === request) showRows(page);
    } catch (err: unknown) {
      if (mine === request) error.textContent = `Could not load the learners: ${(err as Error).message}`;
    }
  };

  const restart = () => {
    cursors = [null];
    const url = new URLSearchParams();
    if (moduleRef) url.set('module', moduleRef);
    if (state.status) url.set('status', state.status);
    if (state.q.trim()) url.set('q', state.q.trim());
    if (state.sort !== 'name') url.set('sort', state.sort);
    if (state.order !== 'asc') url.set('order', state.order);
    if (state.limit !== DEFAULT_PAGE_SIZE) url.set('limit', String(state.limit));
    const search = url.toString();
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
    void load(null);
  };

  next.addEventListener('click', () => {
    if (nextCursor === null) return;
    cursors.push(nextCursor);
    void load(nextCursor);
  });
  previous.addEventListener('click', () => {
    if (cursors.length < 2) return;
    cursors.pop();
    void load(cursors[cursors.length - 1]);
  });

  const search = h('input', {
    type: 'search',
    id: 'learner-search',
    name: 'q',
    maxlength: '100',
    value: state.q,
    autocomplete: 'off',
  }) as HTMLInputElement;
  const pageSizes = PAGE_SIZES.includes(state.limit) ? PAGE_SIZES : [...PAGE_SIZES, state.limit].sort((a, b) => a - b);
  const controls = h(
    'form',
    { class: 'teach-controls', role: 'search', 'aria-label': 'Learners' },
    h(
      'div',
      {},
      h('label', { for: 'learner-search' }, 'Search by name or email'),
      search,
      h('button', { type: 'submit' }, 'Search'),
    ),
    h(
      'div',
      {},
      ...select(
        'status-filter',
        'Status',
        [['', 'All learners'], ...REPORT_STATUSES.map((s): [string, string] => [s, REPORT_STATUS_WORDS[s]])],
        state.status,
      ),
    ),
    h(
      'div',
      {},
      ...select(
        'sort-by',
        'Sort by',
        REPORT_SORTS.map((s): [string, string] => [s, SORT_WORDS[s]]),
        state.sort,
      ),
    ),
    h(
      'div',
      {},
      ...select(
        'sort-order',
        'Order',
        [
          ['asc', 'Ascending'],
          ['desc', 'Descending'],
        ],
        state.order,
      ),
    ),
    h(
      'div',
      {},
      ...select(
        'page-size',
        'Rows per page',
        pageSizes.map((n): [string, string] => [String(n), String(n)]),
        String(state.limit),
      ),
    ),
  );
  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    state.q = search.value.slice(0, 100);
    restart();
  });
  controls.addEventListener('change', (event) => {
    const target = event.target as HTMLSelectElement;
    if (target.id === 'status-filter') state.status = target.value as ReportStatus | '';
    else if (target.id === 'sort-by') state.sort = target.value as ReportSort;
    else if (target.id === 'sort-order') state.order = target.value === 'desc' ? 'desc' : 'asc';
    else if (target.id === 'page-size') state.limit = Number(target.value);
    else return;
    restart();
  });

  const table = h(
    'table',
    { class: 'teach-table teach-learners' },
    caption,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Name'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Percentage'),
        h('th', { scope: 'col' }, 'Score'),
        h('th', { scope: 'col' }, 'Last activity'),
      ),
    ),
    tbody,
  );
  showRows(progress);

  // Reports: CSV downloads (the session cookie goes with a plain link) and item analysis once the quiz is known.
  const itemAnalysis = h('li', {}, 'Item analysis: looking up the knowledge check…');
  const csvBase = `/v1/cohorts/${ref}`;
  const reports = h(
    'ul',
    { class: 'teach-reports' },
    h('li', {}, h('a', { href: `${csvBase}/progress.csv?${moduleQuery}`, download: 'progress.csv' }, 'Progress (CSV)')),
    h('li', {}, h('a', { href: `${csvBase}/responses.csv`, download: 'responses.csv' }, 'Every response (CSV)')),
    itemAnalysis,
    h('li', {}, h('a', { href: `${cohortPath(cohortId)}/gradebook` }, 'Grades sent to the LMS (LTI)')),
  );
  void api<ModuleQuizRef>('GET', `/v1/modules/${encodeURIComponent(moduleSlug)}`)
    .then((detail) => {
      itemAnalysis.replaceChildren(
        detail.knowledgeCheck
          ? h(
              'a',
              {
                href: `${cohortPath(cohortId)}/quizzes/${encodeURIComponent(detail.knowledgeCheck.quizId)}/items?${moduleQuery}`,
              },
              'Item analysis of the knowledge check',
            )
          : 'Item analysis: this module has no knowledge check.',
      );
    })
    .catch(() => itemAnalysis.replaceChildren('Item analysis: the knowledge check could not be looked up.'));

  const moduleNav =
    cohortModules.length > 1
      ? h(
          'nav',
          { 'aria-label': 'Modules of the cohort', class: 'teach-modules' },
          h(
            'ul',
            {},
            ...cohortModules.map((m) =>
              h(
                'li',
                {},
                h(
                  'a',
                  {
                    href: `${cohortPath(cohortId)}?module=${encodeURIComponent(m.slug)}`,
                    'aria-current': m.id === progress.moduleId ? 'page' : undefined,
                  },
                  `Module ${m.number}: ${m.title}`,
                ),
              ),
            ),
          ),
        )
      : null;

  showPage(
    `${cohort.name} · ${moduleName}`,
    h('p', { class: 'teach-crumbs' }, h('a', { href: '/teach' }, 'My cohorts')),
    h('h1', {}, `${cohort.name}: ${moduleName}`),
    ...(moduleNav ? [moduleNav] : []),
    h(
      'section',
      { 'aria-labelledby': 'glance-h' },
      h('h2', { id: 'glance-h' }, 'At a glance'),
      statusBar(summary),
      h(
        'dl',
        { class: 'teach-figures' },
        h('dt', {}, 'Learners'),
        h('dd', {}, String(summary.learners)),
        h('dt', {}, 'Completion rate'),
        h('dd', {}, percent(summary.completionRate)),
        h('dt', {}, 'Pass rate'),
        h('dd', {}, percent(summary.passRate)),
        h('dt', {}, 'Mean score'),
        h('dd', {}, percent(summary.meanScore)),
        h('dt', {}, 'Median score'),
        h('dd', {}, percent(summary.medianScore)),
      ),
    ),
    h('section', { 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, 'Scores'), histogram(summary.histogram)),
    h('section', { 'aria-labelledby': 'act-h' }, h('h2', { id: 'act-h' }, 'Activities'), activitiesTable(summary)),
    h('section', { 'aria-labelledby': 'rep-h' }, h('h2', { id: 'rep-h' }, 'Downloads and analysis'), reports),
    h(
      'section',
      { 'aria-labelledby': 'learners-h' },
      h('h2', { id: 'learners-h' }, 'Learners'),
      controls,
      liveStatus,
      error,
      h('div', { class: 'teach-scroll' }, table),
      h('nav', { 'aria-label': 'Pages of learners', class: 'teach-pager' }, previous, next),
    ),
  );
}
