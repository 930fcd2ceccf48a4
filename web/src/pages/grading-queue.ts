import { api } from '../api.js';
import { h, showPage } from '../dom.js';
import type { CohortRef, GradingQueue, GradingQueueItem, ModuleQuizRef } from '../grading-types.js';
import { gradeForm, points, totalInWords } from './grading-form.js';

const PAGE_SIZE = 20;
/** A cohort naming more modules than this gets no quiz filter (one module detail read each). */
const MAX_FILTER_MODULES = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The quizzes of a cohort of several modules, for the filter and the items' labels; none for one module. */
async function quizzesOf(cohort: CohortRef): Promise<Map<string, ModuleQuizRef>> {
  if (cohort.moduleIds.length < 2 || cohort.moduleIds.length > MAX_FILTER_MODULES) return new Map();
  const modules = await Promise.all(
    cohort.moduleIds.map((id) => api<ModuleQuizRef>('GET', `/v1/modules/${encodeURIComponent(id)}`)),
  );
  return new Map(
    modules
      .filter((m) => m.knowledgeCheck.quizId !== null)
      .sort((a, b) => a.number - b.number)
      .map((m) => [m.knowledgeCheck.quizId!, m]),
  );
}

/** A plain GET form back to this page: choosing a quiz is a full page load with ?quiz=. */
function quizFilter(quizzes: Map<string, ModuleQuizRef>, chosen: string | null): HTMLElement {
  const select = h(
    'select',
    { id: 'quiz-filter', name: 'quiz' },
    h('option', { value: '' }, 'All quizzes'),
    ...[...quizzes].map(([quizId, m]) =>
      h('option', { value: quizId, selected: quizId === chosen }, `Module ${m.number}: ${m.title}`),
    ),
  );
  return h(
    'form',
    { method: 'get', action: location.pathname, class: 'grading-filter' },
    h('label', { for: 'quiz-filter' }, 'Quiz'),
    select,
    ' ',
    h('button', { type: 'submit' }, 'Show'),
  );
}

function when(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** Text the learner wrote (untrusted): only ever a text node, line breaks kept by CSS. */
function textBlock(text: string, cls: string): HTMLElement {
  return h('div', { class: cls }, text);
}

/**
 * The cohort's answers waiting for a person (GET /v1/cohorts/{id}/grading-queue), oldest first: per
 * item the prompt, the learner's answer, the rubric, and a score with a comment. A graded item
 * leaves the list; "Show more" follows the queue's cursor (keyset: grading does not shift it).
 */
export async function renderGradingQueue(cohortId: string): Promise<void> {
  const ref = encodeURIComponent(cohortId);
  const asked = new URLSearchParams(location.search).get('quiz');
  const quiz = asked && UUID.test(asked) ? asked : null;
  const queuePath = (cursor: string | null) =>
    `/v1/cohorts/${ref}/grading-queue?limit=${PAGE_SIZE}` +
    (quiz ? `&quiz=${encodeURIComponent(quiz)}` : '') +
    (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
  const [cohort, first] = await Promise.all([
    api<CohortRef>('GET', `/v1/cohorts/${ref}`),
    api<GradingQueue>('GET', queuePath(null)),
  ]);
  const quizzes = await quizzesOf(cohort);
  let nextCursor = first.nextCursor;
  const heading = h('h1', {}, `Grading: ${cohort.name}`);
  const summary = h('p', { class: 'grading-summary' });
  const announce = h('p', { role: 'status', 'aria-live': 'polite', class: 'grading-announce' });
  const list = h('ol', { class: 'grading-queue', 'aria-label': 'Answers waiting' });
  const more = h('button', { type: 'button' }, 'Show more') as HTMLButtonElement;

  const updateSummary = () => {
    const shown = list.children.length;
    summary.textContent =
      shown === 0 && !nextCursor
        ? 'Nothing is waiting to be graded.'
        : `${shown}${nextCursor ? '+' : ''} ${shown === 1 && !nextCursor ? 'answer' : 'answers'} waiting, oldest first.`;
    more.hidden = !nextCursor;
  };

  const renderItem = (item: GradingQueueItem, index: number): HTMLElement => {
    const id = `q${item.attemptId.slice(0, 8)}-${item.position}-${index}`;
    const titleId = `${id}-title`;
    const li = h('li', { class: 'box grading-item', 'aria-labelledby': titleId });
    const form = gradeForm({
      id,
      attemptId: item.attemptId,
      questionVersionId: item.questionVersionId,
      maxScore: item.maxScore,
      scoreLabel: 'Score',
      reasonLabel: 'Comment (kept with the grade)',
      button: 'Grade',
      onGraded: (attempt, score) => {
        const next = (li.nextElementSibling ?? li.previousElementSibling) as HTMLElement | null;
        li.remove();
        updateSummary();
        const text =
          `Graded ${item.learner.displayName}’s answer to question ${item.position}: ${points(score)} of ` +
          `${points(item.maxScore)}. Attempt ${attempt.number} now: ${totalInWords(attempt.score)}`;
        announce.textContent = text;
        // Focus to where the grader goes on: the next answer, or the heading when none is left.
        const target = next?.querySelector<HTMLElement>('h2') ?? heading;
        target.setAttribute('tabindex', '-1');
        target.focus();
        return text;
      },
    });
    li.append(
      h('h2', { id: titleId }, `${item.learner.displayName}, attempt ${item.attemptNumber}, question ${item.position}`),
      h(
        'p',
        { class: 'grading-meta' },
        quizzes.has(item.quizId) ? `Module ${quizzes.get(item.quizId)!.number}. ` : '',
        `Submitted ${when(item.submittedAt)}. `,
        h('a', { href: `/teach/attempts/${encodeURIComponent(item.attemptId)}?cohort=${ref}` }, 'Whole attempt'),
      ),
      h('h3', {}, 'Question'),
      textBlock(item.prompt, 'grading-prompt'),
      h('h3', {}, 'Answer'),
      item.answer === null || item.answer.trim() === ''
        ? h('p', {}, '(no answer)')
        : textBlock(item.answer, 'grading-answer'),
      h('h3', {}, 'Model answer and rubric'),
      item.rubric ? textBlock(item.rubric, 'grading-rubric') : h('p', {}, 'The answer key gives none.'),
      form,
    );
    return li;
  };

  let rendered = 0;
  const append = (items: GradingQueueItem[]) => list.append(...items.map((item) => renderItem(item, rendered++)));
  append(first.items);
  more.addEventListener('click', () => {
    if (!nextCursor) return;
    more.disabled = true;
    api<GradingQueue>('GET', queuePath(nextCursor))
      .then((page) => {
        nextCursor = page.nextCursor;
        append(page.items);
        updateSummary();
      })
      .catch((err: unknown) => {
        announce.textContent = `Could not load more: ${(err as Error).message}`;
      })
      .finally(() => {
        more.disabled = false;
      });
  });
  updateSummary();

  showPage(
    `Grading: ${cohort.name}`,
    h('p', {}, h('a', { href: `/teach/cohorts/${ref}` }, `Back to ${cohort.name}`)),
    heading,
    ...(quizzes.size > 1 ? [quizFilter(quizzes, quiz)] : []),
    summary,
    announce,
    list,
    more,
  );
}
