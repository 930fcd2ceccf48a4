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
import { renderTeachLearner } from './pages/teach-learner.js';
import { staffOnly } from './pages/teach-common.js';
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
  { path: /^\/learn\/modules\/([^/]+)\/quiz$/, render: ([slug]) => renderQuizStart(slug) },
  { path: /^\/learn\/attempts\/([^/]+)$/, render: ([id]) => renderAttempt(id) },
  // Instructor (/teach)
  { path: /^\/teach$/, render: (_, s) => staffOnly(s, () => renderTeachCohorts()) },
  { path: /^\/teach\/cohorts\/([^/]+)$/, render: ([id], s) => staffOnly(s, () => renderTeachCohort(id)) },
  {
    path: /^\/teach\/cohorts\/([^/]+)\/learners\/([^/]+)$/,
    render: ([id, user], s) => staffOnly(s, () => renderTeachLearner(id, user)),
  },
  {
    path: /^\/teach\/cohorts\/([^/]+)\/quizzes\/([^/]+)\/items$/,
    render: ([id, quiz], s) => staffOnly(s, () => renderTeachItems(id, quiz)),
  },
  {
    path: /^\/teach\/cohorts\/([^/]+)\/grading$/,
    render: ([cohortId], session) => renderGradingQueue(cohortId, session),
  },
  { path: /^\/teach\/attempts\/([^/]+)$/, render: ([attemptId], session) => renderGradingAttempt(attemptId, session) },
  // Admin (/admin)
  { path: /^\/admin$/, render: (_, session) => renderAdminModules(session) },
  { path: /^\/admin\/users$/, render: (_, session) => renderAdminUsers(session) },
  { path: /^\/admin\/clients$/, render: (_, session) => renderAdminClients(session) },
];
