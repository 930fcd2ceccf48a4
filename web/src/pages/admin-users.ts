import { api } from '../api.js';
import { type CreateUser, type Role, ROLES, type User } from '../admin-types.js';
import { h, showPage } from '../dom.js';
import { adminNav, cell, pagedTable, problemInWords, when } from './admin-shared.js';

const ROLE_WORDS: Record<Role, string> = { learner: 'Learner', instructor: 'Instructor', admin: 'Admin' };

/** A fieldset of one checkbox per role; ids made unique by `prefix`. */
function roleChecks(prefix: string, legend: string, checked: readonly Role[]) {
  const boxes = ROLES.map(
    (role) =>
      h('input', {
        type: 'checkbox',
        id: `${prefix}-${role}`,
        value: role,
        checked: checked.includes(role),
      }) as HTMLInputElement,
  );
  const element = h(
    'fieldset',
    { class: 'roles' },
    h('legend', {}, legend),
    ...boxes.map((box, i) =>
      h('span', { class: 'role' }, box, h('label', { for: box.id, class: 'inline' }, ROLE_WORDS[ROLES[i]])),
    ),
  );
  return { element, selected: () => boxes.filter((b) => b.checked).map((b) => b.value as Role) };
}

function rolesInWords(roles: readonly Role[]): string {
  return roles.map((r) => ROLE_WORDS[r] ?? r).join(', ');
}

/** A row's roles, with a folded form to change them (PATCH /v1/users/{id} { roles }). */
function rolesCell(user: User): HTMLElement {
  const shown = h('span', {}, rolesInWords(user.roles));
  const checks = roleChecks(`roles-${user.id}`, `Roles of ${user.displayName}`, user.roles);
  const save = h('button', { type: 'submit' }, 'Save roles') as HTMLButtonElement;
  const note = h('span', { role: 'status' });
  const form = h('form', {}, checks.element, save, ' ', note);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const roles = checks.selected();
    note.textContent = '';
    note.className = '';
    if (roles.length === 0) {
      note.className = 'error';
      note.textContent = 'Choose at least one role.';
      return;
    }
    save.disabled = true;
    api<User>('PATCH', `/v1/users/${encodeURIComponent(user.id)}`, { roles })
      .then((updated) => {
        shown.textContent = rolesInWords(updated.roles);
        note.textContent = `Saved: ${rolesInWords(updated.roles)}.`;
      })
      .catch((err: unknown) => {
        note.className = 'error';
        note.textContent = `Not saved: ${problemInWords(err)}`;
      })
      .finally(() => {
        save.disabled = false;
      });
  });
  return h(
    'td',
    {},
    shown,
    h('details', {}, h('summary', { 'aria-label': `Change roles of ${user.displayName}` }, 'Change roles'), form),
  );
}

function searchForm(onSearch: (email: string, role: Role | '') => Promise<void>): HTMLElement {
  const email = h('input', {
    id: 'search-email',
    type: 'email',
    maxlength: '320',
    autocomplete: 'off',
  }) as HTMLInputElement;
  const role = h(
    'select',
    { id: 'search-role' },
    h('option', { value: '' }, 'Any role'),
    ...ROLES.map((r) => h('option', { value: r }, ROLE_WORDS[r])),
  ) as HTMLSelectElement;
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { role: 'search', 'aria-label': 'Find users' },
    h('label', { for: 'search-email' }, 'Email (exact)'),
    email,
    h('label', { for: 'search-role' }, 'Role'),
    role,
    ' ',
    h('button', { type: 'submit' }, 'Find'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    onSearch(email.value.trim(), role.value as Role | '').catch((err: unknown) => {
      error.textContent = problemInWords(err);
    });
  });
  return form;
}

function createForm(onCreated: (user: User) => Promise<void>): HTMLElement {
  const input = (id: string, type: string, extra: Record<string, string | boolean> = {}) =>
    h('input', { id, type, ...extra }) as HTMLInputElement;
  const email = input('new-email', 'email', { required: true, maxlength: '320', autocomplete: 'off' });
  const name = input('new-name', 'text', { required: true, maxlength: '200', autocomplete: 'off' });
  const password = input('new-password', 'password', {
    minlength: '10',
    maxlength: '256',
    autocomplete: 'new-password',
    'aria-describedby': 'new-password-note',
  });
  const externalId = input('new-external-id', 'text', {
    maxlength: '255',
    autocomplete: 'off',
    'aria-describedby': 'new-external-id-note',
  });
  const roles = roleChecks('new-role', 'Roles', ['learner']);
  const result = h('div', { 'aria-live': 'polite', id: 'create-user-result' });
  const form = h(
    'form',
    { 'aria-labelledby': 'create-user-h' },
    h('h2', { id: 'create-user-h' }, 'Create a user'),
    h('label', { for: 'new-email' }, 'Email'),
    email,
    h('label', { for: 'new-name' }, 'Display name'),
    name,
    roles.element,
    h('label', { for: 'new-password' }, 'Initial password (optional)'),
    password,
    h(
      'p',
      { id: 'new-password-note', class: 'hint' },
      '10 to 256 characters; give it to the person yourself, it is never shown again. ' +
        'Leave it empty for someone who signs in only through the LMS.',
    ),
    h('label', { for: 'new-external-id' }, 'LMS id (optional)'),
    externalId,
    h('p', { id: 'new-external-id-note', class: 'hint' }, 'The LMS’s id for this person, if it has one.'),
    h('button', { type: 'submit' }, 'Create user'),
    result,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const selected = roles.selected();
    if (selected.length === 0) {
      result.replaceChildren(h('p', { class: 'error' }, 'Choose at least one role.'));
      return;
    }
    const body: CreateUser = {
      email: email.value.trim(),
      displayName: name.value.trim(),
      roles: selected,
      ...(externalId.value ? { externalId: externalId.value } : {}),
      ...(password.value ? { password: password.value } : {}),
    };
    result.replaceChildren(h('p', {}, 'Creating…'));
    api<User>('POST', '/v1/users', body)
      .then(async (user) => {
        // The password went to the API and stays out of the page.
        (form as HTMLFormElement).reset();
        result.replaceChildren(
          h(
            'p',
            { class: 'created' },
            `Created ${user.displayName} (${user.email}) as ${rolesInWords(user.roles)}` +
              `${body.password ? ', with the initial password you chose' : ', without a password (LMS sign-in only)'}.`,
          ),
        );
        await onCreated(user);
      })
      .catch((err: unknown) => {
        password.value = '';
        result.replaceChildren(h('p', { class: 'error' }, `Not created: ${problemInWords(err)}`));
      });
  });
  return form;
}

export async function renderAdminUsers(): Promise<void> {
  let query = '';
  const users = pagedTable<User>({
    caption: 'Users, newest first',
    headers: ['Name', 'Email', 'LMS id', 'Roles', 'Created'],
    path: (cursor) => `/v1/users?limit=50${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    noun: ['user', 'users'],
    row: (u) =>
      h('tr', {}, cell(u.displayName), cell(u.email), cell(u.externalId ?? '—'), rolesCell(u), cell(when(u.createdAt))),
  });
  await users.reload();
  const search = searchForm((email, role) => {
    const params = new URLSearchParams();
    if (email) params.set('email', email);
    if (role) params.set('role', role);
    query = params.size ? `&${params.toString()}` : '';
    return users.reload();
  });
  showPage(
    'Users',
    h('h1', {}, 'Administration: users'),
    adminNav('/admin/users'),
    h('section', { 'aria-labelledby': 'users-h' }, h('h2', { id: 'users-h' }, 'Users'), search, users.element),
    h(
      'section',
      { class: 'box' },
      createForm(() => users.reload()),
    ),
  );
}
