import type { Session } from './api.js';
import { renderLearn } from './pages/learn.js';
import { renderModule } from './pages/module.js';
import { renderGradingAttempt } from './pages/grading-attempt.js';
import { renderGradingQueue } from './pages/grading-queue.js';

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
  {
    path: /^\/teach\/cohorts\/([^/]+)\/grading$/,
    render: ([cohortId], session) => renderGradingQueue(cohortId, session),
  },
  { path: /^\/teach\/attempts\/([^/]+)$/, render: ([attemptId], session) => renderGradingAttempt(attemptId, session) },
  // Admin (/admin)
];
