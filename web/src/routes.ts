import type { Session } from './api.js';
import { renderAttempt } from './pages/attempt.js';
import { renderLearn } from './pages/learn.js';
import { renderModule } from './pages/module.js';
import { renderQuizStart } from './pages/quiz-start.js';

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
  { path: /^\/learn\/modules\/([^/]+)\/quiz$/, render: ([slug]) => renderQuizStart(slug) },
  { path: /^\/learn\/attempts\/([^/]+)$/, render: ([id]) => renderAttempt(id) },
  // Instructor (/teach)
  // Admin (/admin)
];
