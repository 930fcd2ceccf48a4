import { renderAdminClients } from './pages/admin-clients.js';
import { renderAdminModules } from './pages/admin-modules.js';
import { renderAdminUsers } from './pages/admin-users.js';
import type { Session } from './api.js';
import { renderLearn } from './pages/learn.js';
import { renderModule } from './pages/module.js';

export interface Route {
  /** Matched against the path without a trailing slash; capture groups become `params`, URI-decoded. */
  path: RegExp;
  render: (params: string[], session: Session) => Promise<void>;
}

/**
 * Every page the client renders, by URL. The server decides who may open a
 * page at all (/teach: staff, /admin: admins); the API decides what each
 * caller may read, so a page never relies on being hidden.
 */
export const ROUTES: Route[] = [
  // Learner
  { path: /^\/(?:learn)?$/, render: () => renderLearn() },
  { path: /^\/learn\/modules\/([^/]+)$/, render: ([slug]) => renderModule(slug) },
  // Instructor (/teach)
  // Admin (/admin)
  { path: /^\/admin$/, render: (_, session) => renderAdminModules(session) },
  { path: /^\/admin\/users$/, render: (_, session) => renderAdminUsers(session) },
  { path: /^\/admin\/clients$/, render: (_, session) => renderAdminClients(session) },
];
