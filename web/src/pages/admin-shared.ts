import { api, ApiError } from '../api.js';
import type { Paged } from '../admin-types.js';
import { h } from '../dom.js';

const PAGES: [string, string][] = [
  ['/admin', 'Modules'],
  ['/admin/users', 'Users'],
  ['/admin/clients', 'Machine clients'],
];

/** The links between the admin pages; the current one marked for assistive technology. */
export function adminNav(current: string): HTMLElement {
  return h(
    'nav',
    { 'aria-label': 'Administration', class: 'admin-nav' },
    h(
      'ul',
      {},
      ...PAGES.map(([href, text]) =>
        h('li', {}, h('a', { href, 'aria-current': href === current ? 'page' : undefined }, text)),
      ),
    ),
  );
}

/** "2026-12-07 16:05 UTC": the same for every reader, whatever their locale. */
export function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A problem in words: its detail and, for a validation problem, each field's messages. */
export function problemInWords(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ApiError) || !Array.isArray(err.problem?.errors)) return message;
  const fields = (err.problem.errors as { field?: unknown; messages?: unknown }[])
    .flatMap((e): unknown[] => (Array.isArray(e.messages) ? (e.messages as unknown[]) : []))
    .filter((m): m is string => typeof m === 'string');
  return fields.length ? `${message}: ${fields.join('; ')}` : message;
}

export function cell(text: string | Node | null): HTMLElement {
  return h('td', {}, text);
}

export interface PagedTable {
  element: HTMLElement;
  /** Empties the table and loads the first page again. */
  reload(): Promise<void>;
}

/**
 * A table filled a page at a time from a list route of the API (cursor
 * paging), with a "Show more" button while there are more and a live count.
 */
export function pagedTable<T>(opts: {
  caption: string;
  headers: string[];
  /** The route for one page: `cursor` is null for the first. */
  path: (cursor: string | null) => string;
  row: (item: T) => HTMLElement;
  /** e.g. ['user', 'users'] for "Showing 3 users." */
  noun: [string, string];
}): PagedTable {
  const body = h('tbody', {});
  const count = h('p', { 'aria-live': 'polite' });
  const more = h('button', { type: 'button', hidden: true }, 'Show more') as HTMLButtonElement;
  const error = h('p', { class: 'error', role: 'alert' });
  let cursor: string | null = null;
  let shown = 0;

  const load = async (from: string | null): Promise<void> => {
    error.textContent = '';
    const page = await api<Paged<T>>('GET', opts.path(from));
    if (from === null) {
      body.replaceChildren();
      shown = 0;
    }
    body.append(...page.items.map(opts.row));
    shown += page.items.length;
    cursor = page.nextCursor;
    more.hidden = cursor === null;
    const [one, many] = opts.noun;
    count.textContent =
      shown === 0 ? `No ${many}.` : `Showing ${shown} ${shown === 1 ? one : many}${cursor ? '; there are more' : ''}.`;
  };
  more.addEventListener('click', () => {
    more.disabled = true;
    load(cursor)
      .catch((err: unknown) => {
        error.textContent = problemInWords(err);
      })
      .finally(() => {
        more.disabled = false;
      });
  });

  const table = h(
    'table',
    {},
    h('caption', {}, opts.caption),
    h('thead', {}, h('tr', {}, ...opts.headers.map((text) => h('th', { scope: 'col' }, text)))),
    body,
  );
  return {
    element: h('div', {}, h('div', { class: 'table-scroll' }, table), count, more, error),
    reload: () => load(null),
  };
}
