import { api, ApiError } from '../api.js';
import {
  type ImportItem,
  type ImportItemKind,
  type ImportProblem,
  type ImportReport,
  type ImportRequest,
  MAX_IMPORT_FILE_BYTES,
  type ModuleSummary,
} from '../admin-types.js';
import { h, showPage } from '../dom.js';
import { adminNav, cell, pagedTable, problemInWords, when } from './admin-shared.js';

const KIND_WORDS: Record<ImportItemKind, string> = {
  module: 'Module',
  quiz_settings: 'Knowledge-check settings',
  activity: 'Activity',
  step: 'Step',
  checklist_item: 'Checklist item',
  question: 'Question',
};

const FIELD_WORDS: Record<string, string> = {
  definition: 'new question version',
  reinstated: 'back from retired',
};

function itemInWords(item: ImportItem): string {
  const fields = item.fields?.length ? ` (${item.fields.map((f) => FIELD_WORDS[f] ?? f).join(', ')})` : '';
  return `${KIND_WORDS[item.kind] ?? item.kind} ${item.key}${fields}`;
}

/** One list of the report; long ones (a first import adds every question) folded. */
function itemList(id: string, title: string, items: ImportItem[]): HTMLElement {
  const heading = `${title}: ${items.length}`;
  if (items.length === 0) return h('p', { id }, heading);
  const list = h('ul', {}, ...items.map((item) => h('li', {}, itemInWords(item))));
  return h('details', { id, open: items.length <= 20 }, h('summary', {}, heading), list);
}

function problemsTable(caption: string, problems: ImportProblem[]): HTMLElement {
  return h(
    'table',
    { class: 'import-problems' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...['File', 'Line', 'Severity', 'Problem'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...problems.map((p) =>
        h(
          'tr',
          {},
          cell(p.source === 'module' ? 'Module' : 'Answer key'),
          cell(p.line === null ? (p.path ?? 'whole file') : `${p.line}${p.path ? ` (${p.path})` : ''}`),
          cell(p.severity),
          cell(p.message),
        ),
      ),
    ),
  );
}

function statusInWords(report: ImportReport): string {
  const m = `Module ${report.module.number}: ${report.module.title}`;
  if (report.dryRun) {
    if (report.status === 'created') return `Dry run: ${m} would be created. Nothing was written.`;
    if (report.status === 'updated') return `Dry run: ${m} would be updated. Nothing was written.`;
    return `Dry run: ${m} is already as the files say; nothing would change.`;
  }
  if (report.status === 'created') return `Imported: ${m} was created.`;
  if (report.status === 'updated') return `Imported: ${m} was updated.`;
  return `${m} was already as the files say; nothing changed.`;
}

function reportView(report: ImportReport): HTMLElement[] {
  const c = report.changes;
  const title = (done: string) => (report.dryRun ? `Would be ${done}` : done[0].toUpperCase() + done.slice(1));
  return [
    h('p', { class: 'import-status' }, statusInWords(report)),
    itemList('import-added', title('added'), c.added),
    itemList('import-changed', title('changed'), c.changed),
    itemList('import-retired', title('retired'), c.retired),
    h('p', {}, `Unchanged items: ${c.unchanged}.`),
    report.ungradedKnowledgeCheck.length
      ? h(
          'p',
          {},
          `Knowledge-check questions without an answer-key entry, imported as essays to grade: ${report.ungradedKnowledgeCheck.join(', ')}.`,
        )
      : false,
    report.warnings.length ? problemsTable('Warnings', report.warnings) : false,
  ].filter((el): el is HTMLElement => el !== false);
}

function rejectedView(err: ApiError): HTMLElement[] {
  const problems = Array.isArray(err.problem?.problems) ? (err.problem.problems as ImportProblem[]) : [];
  return [
    h('p', { class: 'error' }, problemInWords(err)),
    ...(problems.length ? [problemsTable('Problems in the files', problems)] : []),
  ];
}

interface Files {
  markdown: string;
  answerKey: string | null;
  answerKeyFormat: 'yaml' | 'json';
}

/** Reads both chosen files, refusing one over the API's limit before anything is sent. */
async function readFiles(moduleInput: HTMLInputElement, keyInput: HTMLInputElement): Promise<Files> {
  const moduleFile = moduleInput.files?.[0];
  const keyFile = keyInput.files?.[0];
  if (!moduleFile) throw new Error('Choose the module’s Markdown file first.');
  for (const file of [moduleFile, keyFile]) {
    if (file && file.size > MAX_IMPORT_FILE_BYTES) {
      throw new Error(`${file.name} is ${Math.ceil(file.size / 1024)} KiB; each file may be at most 512 KiB.`);
    }
  }
  return {
    markdown: await moduleFile.text(),
    answerKey: keyFile ? await keyFile.text() : null,
    answerKeyFormat: keyFile && /\.json$/i.test(keyFile.name) ? 'json' : 'yaml',
  };
}

const sameFiles = (a: Files, b: Files) =>
  a.markdown === b.markdown && a.answerKey === b.answerKey && a.answerKeyFormat === b.answerKeyFormat;

function importRequest(files: Files, dryRun: boolean): ImportRequest {
  return {
    markdown: files.markdown,
    ...(files.answerKey !== null ? { answerKey: files.answerKey, answerKeyFormat: files.answerKeyFormat } : {}),
    dryRun,
  };
}

function importForm(onApplied: () => Promise<void>): HTMLElement {
  const moduleInput = h('input', {
    id: 'import-module',
    type: 'file',
    accept: '.md,.markdown,text/markdown,text/plain',
    'aria-describedby': 'import-limits',
  }) as HTMLInputElement;
  const keyInput = h('input', {
    id: 'import-key',
    type: 'file',
    accept: '.yaml,.yml,.json,application/json,application/yaml,text/yaml,text/plain',
    'aria-describedby': 'import-limits',
  }) as HTMLInputElement;
  const check = h('button', { type: 'submit' }, 'Check (dry run)') as HTMLButtonElement;
  const apply = h('button', { type: 'button', disabled: true, 'aria-describedby': 'apply-note' }, 'Apply');
  const applyButton = apply as HTMLButtonElement;
  const applyNote = h('p', { id: 'apply-note' }, 'Apply is possible after a dry run of these files without errors.');
  const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
  /** The files of the last clean dry run that would change something; Apply sends only these. */
  let checked: Files | null = null;

  const forget = () => {
    checked = null;
    applyButton.disabled = true;
    applyNote.textContent = 'Apply is possible after a dry run of these files without errors.';
  };
  moduleInput.addEventListener('change', forget);
  keyInput.addEventListener('change', forget);

  const busy = (on: boolean) => {
    check.disabled = on;
    if (on) applyButton.disabled = true;
  };

  const form = h(
    'form',
    { 'aria-labelledby': 'import-h' },
    h('h2', { id: 'import-h' }, 'Import a module'),
    h(
      'p',
      { id: 'import-limits' },
      'The module’s Markdown file and its answer key (YAML, or JSON by a .json name), each at most 512 KiB. ' +
        'Without an answer key the knowledge-check questions import as essays for an instructor to grade. ' +
        'Re-importing a module changes what differs and retires what is no longer in the file.',
    ),
    h('label', { for: 'import-module' }, 'Module (Markdown)'),
    moduleInput,
    h('label', { for: 'import-key' }, 'Answer key (optional)'),
    keyInput,
    h('div', { class: 'import-actions' }, check, ' ', apply),
    applyNote,
    h('h3', {}, 'Result'),
    result,
  );

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    forget();
    busy(true);
    result.replaceChildren(h('p', {}, 'Checking…'));
    void (async () => {
      try {
        const files = await readFiles(moduleInput, keyInput);
        const report = await api<ImportReport>('POST', '/v1/modules/import', importRequest(files, true));
        result.replaceChildren(...reportView(report));
        if (report.status !== 'unchanged') {
          checked = files;
          applyNote.textContent = 'The dry run found no errors: Apply imports these files as checked.';
        } else {
          applyNote.textContent = 'Nothing to apply: the module is already as these files say.';
        }
      } catch (err) {
        result.replaceChildren(
          ...(err instanceof ApiError ? rejectedView(err) : [h('p', { class: 'error' }, problemInWords(err))]),
        );
      } finally {
        busy(false);
        applyButton.disabled = checked === null;
      }
    })();
  });

  apply.addEventListener('click', () => {
    const approved = checked;
    if (!approved) return;
    busy(true);
    result.replaceChildren(h('p', {}, 'Importing…'));
    void (async () => {
      try {
        // The files on disk may have been edited since the check: only what was checked is applied.
        const files = await readFiles(moduleInput, keyInput);
        if (!sameFiles(files, approved)) {
          forget();
          result.replaceChildren(
            h('p', { class: 'error' }, 'The files changed since the dry run; check them again before applying.'),
          );
          return;
        }
        const report = await api<ImportReport>('POST', '/v1/modules/import', importRequest(approved, false));
        forget();
        applyNote.textContent = 'Imported. Check again before importing another version.';
        result.replaceChildren(...reportView(report));
        await onApplied();
      } catch (err) {
        result.replaceChildren(
          ...(err instanceof ApiError ? rejectedView(err) : [h('p', { class: 'error' }, problemInWords(err))]),
        );
      } finally {
        busy(false);
        applyButton.disabled = checked === null;
      }
    })();
  });
  return form;
}

export async function renderAdminModules(): Promise<void> {
  const modules = pagedTable<ModuleSummary>({
    caption: 'Modules by number',
    headers: ['Number', 'Title', 'Slug', 'Estimated time', 'Last imported'],
    path: (cursor) => `/v1/modules?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    noun: ['module', 'modules'],
    row: (m) =>
      h(
        'tr',
        {},
        cell(String(m.number)),
        cell(m.title),
        cell(h('code', {}, m.slug)),
        cell(m.estimatedTime ?? '—'),
        cell(when(m.updatedAt)),
      ),
  });
  await modules.reload();
  showPage(
    'Modules',
    h('h1', {}, 'Administration: modules'),
    adminNav('/admin'),
    h('section', { 'aria-labelledby': 'modules-h' }, h('h2', { id: 'modules-h' }, 'Modules'), modules.element),
    h(
      'section',
      { class: 'box' },
      importForm(() => modules.reload()),
    ),
  );
}
