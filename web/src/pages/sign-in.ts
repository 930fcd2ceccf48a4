import { api, ApiError, Session, setCsrfToken } from '../api.js';
import { h, showPage } from '../dom.js';

export function renderSignIn(): void {
  const error = h('p', { class: 'error', role: 'alert' });
  const email = h('input', {
    id: 'email',
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
  }) as HTMLInputElement;
  const password = h('input', {
    id: 'password',
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  }) as HTMLInputElement;
  const form = h(
    'form',
    {},
    h('label', { for: 'email' }, 'Email'),
    email,
    h('label', { for: 'password' }, 'Password'),
    password,
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    api<Session>('POST', '/v1/auth/session', { email: email.value, password: password.value }, { redirectOn401: false })
      .then((s) => {
        setCsrfToken(s.csrfToken);
        const next = new URLSearchParams(location.search).get('next');
        location.assign(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
      })
      .catch((err: unknown) => {
        error.textContent =
          err instanceof ApiError && err.status === 401 ? 'Wrong email or password.' : String((err as Error).message);
      });
  });
  showPage('Sign in', h('h1', {}, 'Sign in'), form);
}
