import { api } from '../api.js';
import { h, showPage } from '../dom.js';
import { statusInWords } from '../status.js';
import type { CourseProgress } from '../types.js';

export async function renderLearn(): Promise<void> {
  const progress = await api<CourseProgress>('GET', '/v1/users/me/progress');
  const list = h(
    'ul',
    { class: 'modules' },
    ...progress.modules.map((m) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: `/learn/modules/${encodeURIComponent(m.module.slug)}` },
          `Module ${m.module.number}: ${m.module.title}`,
        ),
        h('span', {}, ` — ${statusInWords(m.status)}, ${Math.round(m.percentage)}%`),
      ),
    ),
  );
  showPage('My modules', h('h1', {}, 'My modules'), progress.modules.length ? list : h('p', {}, 'No modules yet.'));
}
