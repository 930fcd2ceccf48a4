import { api, ApiError, Session, setCsrfToken } from './api.js';
import { h, showPage } from './dom.js';
import { renderLearn } from './pages/learn.js';
import { renderModule } from './pages/module.js';
import { renderSignIn } from './pages/sign-in.js';

function renderHeader(session: Session): void {
  const signOut = h('button', { type: 'button' }, 'Sign out');
  signOut.addEventListener('click', () => {
    api('DELETE', '/v1/auth/session')
      .catch(() => undefined)
      .finally(() => location.assign('/sign-in'));
  });
  document
    .getElementById('site-header')!
    .replaceChildren(
      h('nav', { 'aria-label': 'Main' }, h('a', { href: '/learn' }, 'My modules')),
      h('span', {}, session.user.name),
      signOut,
    );
}

async function start(): Promise<void> {
  const path = location.pathname;
  if (path === '/sign-in') return renderSignIn();
  const session = await api<Session>('GET', '/v1/auth/session');
  setCsrfToken(session.csrfToken);
  renderHeader(session);
  if (path === '/learn' || path === '/learn/' || path === '/') return renderLearn();
  const moduleMatch = /^\/learn\/modules\/([^/]+)$/.exec(path);
  if (moduleMatch) return renderModule(decodeURIComponent(moduleMatch[1]));
  showPage('Not found', h('h1', {}, 'Page not found'));
}

start().catch((err: unknown) => {
  if (err instanceof ApiError && err.status === 401) return;
  showPage('Error', h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, String((err as Error).message)));
});
