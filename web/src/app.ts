import { api, ApiError, Session, setCsrfToken } from './api.js';
import { h, showPage } from './dom.js';
import { ROUTES } from './routes.js';
import { renderSignIn } from './pages/sign-in.js';

function renderHeader(session: Session): void {
  const signOut = h('button', { type: 'button' }, 'Sign out');
  signOut.addEventListener('click', () => {
    api('DELETE', '/v1/auth/session')
      .catch(() => undefined)
      .finally(() => location.assign('/sign-in'));
  });
  const roles = session.user.roles;
  const staff = roles.includes('instructor') || roles.includes('admin');
  document
    .getElementById('site-header')!
    .replaceChildren(
      h(
        'nav',
        { 'aria-label': 'Main' },
        h('a', { href: '/learn' }, 'My modules'),
        staff ? h('a', { href: '/teach' }, 'My cohorts') : null,
        roles.includes('admin') ? h('a', { href: '/admin' }, 'Administration') : null,
      ),
      h('span', {}, session.user.name),
      signOut,
    );
}

/** The session the server put in the shell (data-session, as GET /v1/auth/session has it); null without one. */
function embeddedSession(): Session | null {
  const text = document.getElementById('app')!.dataset.session;
  if (!text) return null;
  try {
    const session = JSON.parse(text) as Session;
    return typeof session.csrfToken === 'string' && Array.isArray(session.user?.roles) ? session : null;
  } catch {
    return null;
  }
}

async function start(): Promise<void> {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/sign-in') return renderSignIn();
  const session = embeddedSession() ?? (await api<Session>('GET', '/v1/auth/session'));
  setCsrfToken(session.csrfToken);
  renderHeader(session);
  if (document.getElementById('app')!.dataset.status === '404') return notFound();
  for (const route of ROUTES) {
    const match = route.path.exec(path);
    if (!match) continue;
    // The server has already answered 404 (the shell's data-status); the client says so too, without calling the API.
    if (route.roles && !route.roles.some((role) => session.user.roles.includes(role))) return notFound();
    return route.render(match.slice(1).map(decodeURIComponent), session);
  }
  notFound();
}

function notFound(): void {
  showPage('Not found', h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/' }, 'Go to your start page')));
}

start().catch((err: unknown) => {
  if (err instanceof ApiError && err.status === 401) return;
  showPage('Error', h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, String((err as Error).message)));
});
