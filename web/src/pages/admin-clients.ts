import { api } from '../api.js';
import { type Client, type CreatedClient, type Scope, SCOPES } from '../admin-types.js';
import { h, showPage } from '../dom.js';
import { adminNav, cell, pagedTable, problemInWords, when } from './admin-shared.js';

const SCOPE_WORDS: Record<Scope, string> = {
  'users:read': 'read users',
  'users:write': 'create and change users',
  'cohorts:read': 'read cohorts and their reports',
  'cohorts:write': 'create and change cohorts',
  'progress:read': 'read learners’ progress',
  'attempts:write': 'start and submit attempts for learners',
  'content:write': 'import modules',
  'webhooks:write': 'manage webhook subscriptions',
};

/** Revoke, behind an inline confirmation (POST /v1/clients/{id}/revoke). */
function revokeCell(client: Client): HTMLElement {
  const td = h('td', {});
  if (client.revokedAt) {
    td.append(`Revoked ${when(client.revokedAt)}`);
    return td;
  }
  const note = h('span', { role: 'status' });
  const ask = h('button', { type: 'button', 'aria-label': `Revoke ${client.name}` }, 'Revoke') as HTMLButtonElement;
  const confirm = h('button', { type: 'button', class: 'danger' }, 'Yes, revoke') as HTMLButtonElement;
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel') as HTMLButtonElement;
  const question = h(
    'div',
    { role: 'group', 'aria-label': `Confirm revoking ${client.name}`, hidden: true },
    h('p', {}, `Revoke ${client.name}? Its tokens stop working at once; this cannot be undone.`),
    confirm,
    ' ',
    cancel,
  );
  ask.addEventListener('click', () => {
    question.hidden = false;
    ask.hidden = true;
    confirm.focus();
  });
  cancel.addEventListener('click', () => {
    question.hidden = true;
    ask.hidden = false;
    ask.focus();
  });
  confirm.addEventListener('click', () => {
    confirm.disabled = true;
    api<Client>('POST', `/v1/clients/${encodeURIComponent(client.id)}/revoke`)
      .then((revoked) => {
        // In place, so that the rest of the table (and the reader's place in it) stays as it was.
        td.replaceChildren(
          h('span', { role: 'status' }, `Revoked ${when(revoked.revokedAt ?? new Date().toISOString())}`),
        );
      })
      .catch((err: unknown) => {
        confirm.disabled = false;
        note.className = 'error';
        note.textContent = `Not revoked: ${problemInWords(err)}`;
      });
  });
  td.append('Active ', ask, question, note);
  return td;
}

function createForm(onCreated: () => Promise<void>): HTMLElement {
  const name = h('input', {
    id: 'client-name',
    type: 'text',
    required: true,
    maxlength: '200',
    autocomplete: 'off',
  }) as HTMLInputElement;
  const boxes = SCOPES.map(
    (scope) =>
      h('input', { type: 'checkbox', id: `scope-${scope.replace(':', '-')}`, value: scope }) as HTMLInputElement,
  );
  const result = h('div', { 'aria-live': 'polite', id: 'create-client-result' });
  const form = h(
    'form',
    { 'aria-labelledby': 'create-client-h' },
    h('h2', { id: 'create-client-h' }, 'Register a machine client'),
    h('p', {}, 'A machine client (an LMS, a script) gets tokens with its id and secret, limited to the scopes chosen.'),
    h('label', { for: 'client-name' }, 'Name'),
    name,
    h(
      'fieldset',
      {},
      h('legend', {}, 'Scopes'),
      h(
        'ul',
        { class: 'checks' },
        ...boxes.map((box, i) =>
          h(
            'li',
            {},
            box,
            h('label', { for: box.id, class: 'inline' }, h('code', {}, SCOPES[i]), ` — ${SCOPE_WORDS[SCOPES[i]]}`),
          ),
        ),
      ),
    ),
    h('button', { type: 'submit' }, 'Register client'),
    result,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const scopes = boxes.filter((b) => b.checked).map((b) => b.value as Scope);
    if (scopes.length === 0) {
      result.replaceChildren(h('p', { class: 'error' }, 'Choose at least one scope.'));
      return;
    }
    result.replaceChildren(h('p', {}, 'Registering…'));
    api<CreatedClient>('POST', '/v1/clients', { name: name.value.trim(), scopes })
      .then(async (client) => {
        (form as HTMLFormElement).reset();
        result.replaceChildren(
          h(
            'div',
            { class: 'box secret', role: 'region', 'aria-label': 'New client’s secret', tabindex: '-1' },
            h('p', {}, `Registered ${client.name} with ${client.scopes.join(', ')}.`),
            h('p', {}, 'Client id: ', h('code', { id: 'new-client-id' }, client.clientId)),
            h('p', {}, 'Client secret: ', h('code', { id: 'new-client-secret' }, client.clientSecret)),
            h(
              'p',
              { class: 'error' },
              'Copy the secret now: it will not be shown again. Only a hash of it is kept; if it is lost, ' +
                'revoke this client and register a new one.',
            ),
          ),
        );
        // To the secret, so that it is read out and can be copied before anything else.
        result.querySelector<HTMLElement>('.secret')?.focus();
        await onCreated();
      })
      .catch((err: unknown) => {
        result.replaceChildren(h('p', { class: 'error' }, `Not registered: ${problemInWords(err)}`));
      });
  });
  return form;
}

export async function renderAdminClients(): Promise<void> {
  const clients = pagedTable<Client>({
    caption: 'Machine clients, newest first',
    headers: ['Name', 'Client id', 'Scopes', 'Registered', 'Status'],
    path: (cursor) => `/v1/clients?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    noun: ['client', 'clients'],
    row: (c) =>
      h(
        'tr',
        {},
        cell(c.name),
        cell(h('code', {}, c.clientId)),
        cell(c.scopes.join(', ')),
        cell(when(c.createdAt)),
        revokeCell(c),
      ),
  });
  await clients.reload();
  showPage(
    'Machine clients',
    h('h1', {}, 'Administration: machine clients'),
    adminNav('/admin/clients'),
    h('section', { 'aria-labelledby': 'clients-h' }, h('h2', { id: 'clients-h' }, 'Machine clients'), clients.element),
    h(
      'section',
      { class: 'box' },
      createForm(() => clients.reload()),
    ),
  );
}
