import { api, ApiError } from '../api.js';
import { h, showPage } from '../dom.js';
import { cohortPath, dateText } from './teach-common.js';

interface Passback {
  userId: string;
  displayName: string;
  platformUserId: string | null;
  resourceLinkId: string;
  linkTitle: string | null;
  moduleSlug: string;
  state: 'synced' | 'pending' | 'failed';
  lastScore: { activityProgress?: string; gradingProgress?: string; scoreGiven?: number; scoreMaximum?: number };
  lastTimestamp: string;
  lastStatus: number | null;
  lastResponse: string | null;
  updatedAt: string;
}

const PAGE_SIZE = 50;

const STATE_WORDS: Record<Passback['state'], string> = {
  synced: 'Sent: the LMS took it',
  pending: 'Waiting: will be tried again',
  failed: 'Failed: the LMS refused it',
};

/** What the gradebook was told, in words: "72 of 100, graded", "submitted, waiting for a person". */
function scoreInWords(score: Passback['lastScore']): string {
  const grading =
    score.gradingProgress === 'FullyGraded'
      ? 'graded'
      : score.gradingProgress === 'PendingManual'
        ? 'waiting for a person to grade'
        : score.gradingProgress === 'Pending'
          ? 'being graded'
          : 'no grade yet';
  const given = score.scoreGiven === undefined ? '' : `${score.scoreGiven} of ${score.scoreMaximum ?? 100}, `;
  return `${given}${grading}`;
}

/**
 * Grades sent to the LMS (GET /v1/cohorts/{id}/lti-passbacks): per learner who came in by an LTI
 * launch, what the platform's gradebook was last sent and how it answered, failed first, with a
 * button that sends the learner's grade again.
 */
export async function renderTeachGradebook(cohortId: string): Promise<void> {
  const ref = encodeURIComponent(cohortId);
  const page = (cursor: string | null) =>
    api<{ items: Passback[]; nextCursor: string | null }>(
      'GET',
      `/v1/cohorts/${ref}/lti-passbacks?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
  const [cohort, first] = await Promise.all([api<{ name: string }>('GET', `/v1/cohorts/${ref}`), page(null)]);
  let nextCursor = first.nextCursor;
  const announce = h('p', { role: 'status', 'aria-live': 'polite', class: 'gradebook-announce' });
  const body = h('tbody', {});
  const more = h('button', { type: 'button' }, 'Show more') as HTMLButtonElement;

  const row = (item: Passback) => {
    const resend = h('button', { type: 'button' }, `Send again: ${item.displayName}`) as HTMLButtonElement;
    resend.addEventListener('click', () => {
      resend.disabled = true;
      api<{ queued: number }>('POST', `/v1/cohorts/${ref}/lti-passbacks/retry`, { userId: item.userId })
        .then((queued) => {
          announce.textContent =
            queued.queued > 0
              ? `${item.displayName}’s grade will be sent again in a moment. Reload to see how the LMS answers.`
              : `${item.displayName} has no grade to send.`;
        })
        .catch((error: unknown) => {
          announce.textContent = error instanceof ApiError ? error.message : 'Sending again failed.';
          resend.disabled = false;
        });
    });
    const answer =
      item.state === 'synced'
        ? ''
        : `${item.lastStatus === null ? 'No answer' : `HTTP ${item.lastStatus}`}${item.lastResponse ? `: ${item.lastResponse}` : ''}`;
    return h(
      'tr',
      { 'data-state': item.state },
      h('th', { scope: 'row' }, item.displayName),
      h('td', {}, item.linkTitle ?? item.moduleSlug),
      h('td', {}, scoreInWords(item.lastScore)),
      h('td', {}, STATE_WORDS[item.state]),
      h('td', { class: 'gradebook-answer' }, answer),
      h('td', {}, dateText(item.updatedAt)),
      h('td', {}, item.state === 'synced' ? '' : resend),
    );
  };

  const add = (items: Passback[]) => body.append(...items.map(row));
  add(first.items);
  more.hidden = !nextCursor;
  more.addEventListener('click', () => {
    more.disabled = true;
    page(nextCursor)
      .then((next) => {
        add(next.items);
        nextCursor = next.nextCursor;
        more.hidden = !nextCursor;
      })
      .catch(() => (announce.textContent = 'More rows could not be loaded.'))
      .finally(() => (more.disabled = false));
  });

  const table =
    first.items.length === 0
      ? h('p', {}, 'No learner of this cohort has come in from an LMS yet, so no grade has been sent to one.')
      : h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'teach-table' },
            h('caption', {}, 'Grades sent to the LMS, failed first'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['Learner', 'Activity', 'Last sent', 'State', 'The LMS answered', 'When', 'Action'].map((label) =>
                  h('th', { scope: 'col' }, label),
                ),
              ),
            ),
            body,
          ),
        );
  showPage(
    `Grades sent to the LMS · ${cohort.name}`,
    h('p', { class: 'teach-crumbs' }, h('a', { href: cohortPath(cohortId) }, cohort.name)),
    h('h1', {}, `Grades sent to the LMS: ${cohort.name}`),
    announce,
    table,
    more,
  );
}
