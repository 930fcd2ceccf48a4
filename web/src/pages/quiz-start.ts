import { api, ApiError } from '../api.js';
import { h, showPage } from '../dom.js';
import { attemptsInWords } from '../status.js';
import type { AttemptList, Attempt, Quiz } from '../quiz-types.js';
import type { ModuleProgress } from '../types.js';
import { attemptStateInWords, scoreInWords } from './review.js';

/** /learn/modules/{slug}/quiz: the knowledge check's terms, the attempts so far, and start or resume. */
export async function renderQuizStart(slug: string): Promise<void> {
  const ref = encodeURIComponent(slug);
  const [quiz, progress] = await Promise.all([
    api<Quiz>('GET', `/v1/modules/${ref}/quiz`),
    api<ModuleProgress>('GET', `/v1/users/me/modules/${ref}/progress`),
  ]);
  const attempts = await api<AttemptList>('GET', `/v1/users/me/attempts?quizId=${encodeURIComponent(quiz.id)}`);
  const kc = progress.knowledgeCheck;
  const open = attempts.items.find((a) => a.state === 'in_progress');
  const s = quiz.settings;

  const message = h('div', { role: 'alert' });
  let action: HTMLElement;
  if (open) {
    action = h('a', { href: `/learn/attempts/${open.id}`, class: 'button' }, `Resume attempt ${open.number}`);
  } else if (kc.attemptsLeft === 0) {
    action = h('p', {}, 'You have used every attempt of this knowledge check.');
  } else {
    const start = h('button', { type: 'button' }, `Start attempt ${kc.attemptsUsed + 1}`) as HTMLButtonElement;
    start.addEventListener('click', () => {
      start.disabled = true;
      message.replaceChildren();
      api<Attempt>('POST', `/v1/quizzes/${encodeURIComponent(quiz.id)}/attempts`, {})
        .then((attempt) => location.assign(`/learn/attempts/${attempt.id}`))
        .catch((err: unknown) => {
          start.disabled = false;
          const text = err instanceof ApiError ? err.message : 'The attempt could not start: check your connection.';
          message.replaceChildren(h('p', { class: 'error' }, text));
        });
    });
    action = start;
  }

  const terms = [
    attemptsInWords(kc.attemptsUsed, kc.attemptsLeft),
    `Pass mark: ${Math.round(s.passMark * 100)}%`,
    s.timeLimitMinutes ? `Time limit: ${s.timeLimitMinutes} minutes from the start` : 'No time limit',
    'Your answers are saved as you go.',
  ];
  showPage(
    quiz.title,
    h(
      'p',
      {},
      h('a', { href: `/learn/modules/${ref}` }, `← Module ${progress.module.number}: ${progress.module.title}`),
    ),
    h('h1', {}, quiz.title),
    h('ul', {}, ...terms.map((t) => h('li', {}, t))),
    action,
    message,
    ...(attempts.items.length > 0
      ? [
          h(
            'section',
            { 'aria-labelledby': 'past-h' },
            h('h2', { id: 'past-h' }, 'Your attempts'),
            h(
              'ul',
              {},
              ...attempts.items.map((a) =>
                h(
                  'li',
                  {},
                  h('a', { href: `/learn/attempts/${a.id}` }, `Attempt ${a.number}`),
                  `: ${attemptStateInWords(a.state)}${a.score ? `, ${scoreInWords(a.score)}` : ''}`,
                ),
              ),
            ),
          ),
        ]
      : []),
  );
}
