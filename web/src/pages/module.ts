import { api } from '../api.js';
import { h, insertSanitisedServerHtml, showPage } from '../dom.js';
import { attemptsInWords, statusInWords } from '../status.js';
import type { ModuleDetail, ModuleProgress, Section } from '../types.js';

function sectionHtml(html: string | undefined, markdown: string): HTMLElement {
  const box = h('div', { class: 'section-text' });
  if (html !== undefined) insertSanitisedServerHtml(box, html);
  else box.textContent = markdown;
  return box;
}

function renderSection(s: Section): HTMLElement {
  return h(
    'section',
    {},
    h('h3', {}, `${s.number}. ${s.title}`),
    sectionHtml(s.html, s.markdown),
    ...s.subsections.map((sub) => h('div', {}, h('h4', {}, sub.title), sectionHtml(sub.html, sub.markdown))),
  );
}

function markBox(
  id: string,
  text: string,
  done: boolean,
  url: string,
  onSaved: (p: ModuleProgress) => void,
): HTMLElement {
  const box = h('input', { type: 'checkbox', id, checked: done }) as HTMLInputElement;
  const note = h('span', { class: 'error', role: 'status' });
  box.addEventListener('change', () => {
    note.textContent = '';
    api<ModuleProgress>('PUT', url, { done: box.checked })
      .then(onSaved)
      .catch((err: unknown) => {
        box.checked = !box.checked;
        note.textContent = ` Not saved: ${(err as Error).message}`;
      });
  });
  return h('li', {}, box, h('label', { for: id, class: 'inline' }, text), note);
}

export async function renderModule(slug: string): Promise<void> {
  const ref = encodeURIComponent(slug);
  const [detail, progress] = await Promise.all([
    api<ModuleDetail>('GET', `/v1/modules/${ref}`),
    api<ModuleProgress>('GET', `/v1/users/me/modules/${ref}/progress`),
  ]);
  const summary = h('p', { 'aria-live': 'polite' });
  const unmet = h('ul', {});
  const update = (p: ModuleProgress): void => {
    summary.textContent = `${statusInWords(p.status)}, ${Math.round(p.percentage)}% done.`;
    unmet.replaceChildren(...p.unmet.map((u) => h('li', {}, u)));
  };
  update(progress);

  const kc = progress.knowledgeCheck;
  const quiz = kc.quizId
    ? h(
        'section',
        { class: 'box', 'aria-labelledby': 'kc-h' },
        h('h2', { id: 'kc-h' }, 'Knowledge check'),
        h('p', {}, attemptsInWords(kc.attemptsUsed, kc.attemptsLeft)),
        kc.countedScore !== null
          ? h('p', {}, `Score that counts: ${Math.round(kc.countedScore * 100)}%${kc.passed ? ' (passed)' : ''}`)
          : null,
        kc.attemptsLeft === 0
          ? h('p', {}, 'No attempts left.')
          : h('a', { href: `/learn/modules/${ref}/quiz`, class: 'button' }, 'Start or resume the knowledge check'),
      )
    : null;

  showPage(
    detail.title,
    h('h1', {}, `Module ${detail.number}: ${detail.title}`),
    summary,
    h('section', { 'aria-labelledby': 'unmet-h' }, h('h2', { id: 'unmet-h' }, 'Still to do'), unmet),
    h(
      'section',
      { 'aria-labelledby': 'obj-h' },
      h('h2', { id: 'obj-h' }, 'Objectives'),
      h('ul', {}, ...detail.objectives.map((o) => h('li', {}, o))),
    ),
    h(
      'section',
      { 'aria-labelledby': 'sec-h' },
      h('h2', { id: 'sec-h' }, 'Sections'),
      ...detail.sections.map(renderSection),
    ),
    h(
      'section',
      { 'aria-labelledby': 'act-h' },
      h('h2', { id: 'act-h' }, 'Activities'),
      ...progress.activities.map((a) =>
        h(
          'div',
          {},
          h('h3', {}, `Activity ${a.number}: ${a.title}`),
          h(
            'ul',
            { class: 'checks' },
            ...a.steps.map((s) =>
              markBox(`step-${s.id}`, `Step ${s.number}: ${s.text}`, s.done, `/v1/users/me/steps/${s.id}`, update),
            ),
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'chk-h' },
      h('h2', { id: 'chk-h' }, 'Checklist'),
      h(
        'ul',
        { class: 'checks' },
        ...progress.checklist.map((c) =>
          markBox(`item-${c.id}`, c.text, c.done, `/v1/users/me/checklist/${c.id}`, update),
        ),
      ),
    ),
    ...(quiz ? [quiz] : []),
  );
}
