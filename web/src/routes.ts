import { renderAdminClients } from './pages/admin-clients.js';
import { renderAdminModules } from './pages/admin-modules.js';
import { renderAdminUsers } from './pages/admin-users.js';
import type { Session } from './api.js';
import { renderAttempt } from './pages/attempt.js';
import { renderLearn } from './pages/learn.js';
import { renderModule } from './pages/module.js';
import { renderQuizStart } from './pages/quiz-start.js';
import { renderTeachCohort } from './pages/teach-cohort.js';
import { renderTeachCohorts } from './pages/teach-cohorts.js';
import { renderTeachItems } from './pages/teach-items.js';
import { renderTeachGradebook } from './pages/teach-gradebook.js';
import { renderTeachLearner } from './pages/teach-learner.js';
import { renderGradingAttempt } from './pages/grading-attempt.js';
import { renderGradingQueue } from './pages/grading-queue.js';

export interface Route {
  /** Matched against the path without a trailing slash; capture groups become `params`, URI-decoded. */
  path: RegExp;
  render: (params: string[], session: Session) => Promise<void>;
  /** Who may open it (any one of them); absent: anyone signed in. The server answers 404 to others. */
  roles?: readonly string[];
}

const STAFF = ['instructor', 'admin'] as const;
const ADMIN = ['admin'] as const;

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
  { path: /^\/teach$/, roles: STAFF, render: () => renderTeachCohorts() },
  { path: /^\/teach\/cohorts\/([^/]+)$/, roles: STAFF, render: ([id]) => renderTeachCohort(id) },
  {
    path: /^\/teach\/cohorts\/([^/]+)\/learners\/([^/]+)$/,
    roles: STAFF,
    render: ([id, user]) => renderTeachLearner(id, user),
  },
  {
    path: /^\/teach\/cohorts\/([^/]+)\/quizzes\/([^/]+)\/items$/,
    roles: STAFF,
    render: ([id, quiz]) => renderTeachItems(id, quiz),
  },
  { path: /^\/teach\/cohorts\/([^/]+)\/grading$/, roles: STAFF, render: ([id]) => renderGradingQueue(id) },
  { path: /^\/teach\/cohorts\/([^/]+)\/gradebook$/, roles: STAFF, render: ([id]) => renderTeachGradebook(id) },
  { path: /^\/teach\/attempts\/([^/]+)$/, roles: STAFF, render: ([id]) => renderGradingAttempt(id) },
  // Admin (/admin)
  { path: /^\/admin$/, roles: ADMIN, render: () => renderAdminModules() },
  { path: /^\/admin\/users$/, roles: ADMIN, render: () => renderAdminUsers() },
  { path: /^\/admin\/clients$/, roles: ADMIN, render: () => renderAdminClients() },
];
