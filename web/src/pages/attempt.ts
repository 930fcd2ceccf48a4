import { api, ApiError, serverNow } from '../api.js';
import { h, showPage } from '../dom.js';
import type { Attempt, AttemptQuestion, ResponseValue } from '../quiz-types.js';
import type { CourseProgress } from '../types.js';
import { formatRemaining, unansweredQuestions } from '../quiz/answers.js';
import { Autosaver, type SaveError, type SaveState } from '../quiz/autosave.js';
import { questionView, type QuestionView } from '../quiz/inputs.js';
import { preferences } from '../preferences.js';
import { reviewContent } from './review.js';

type Layout = 'all' | 'one';
const LAYOUT_KEY = 'quiz-layout';
const WARN_AT_SECONDS = [300, 60];

function classify(err: unknown): SaveError {
  if (!(err instanceof ApiError)) return { retriable: true, message: 'no connection to the server' };
  if (err.status >= 500 || err.status === 408 || err.status === 429) {
    return { retriable: true, message: `the server answered ${err.status}` };
  }
  return { retriable: false, message: err.message };
}

function saveStateInWords(state: SaveState): string {
  switch (state.kind) {
    case 'saved':
      return 'All answers saved.';
    case 'unsaved':
      return 'Changes not saved yet…';
    case 'saving':
      return 'Saving…';
    case 'retrying':
      return `Not saved: ${state.reason}. Trying again in ${state.inSeconds} s.`;
    case 'stopped':
      return `Not saved: ${state.reason}`;
  }
}

/** /learn/attempts/{id}: the quiz while the attempt is open, its review once it is not. */
export async function renderAttempt(id: string): Promise<void> {
  let attempt: Attempt;
  try {
    attempt = await api<Attempt>('GET', `/v1/attempts/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
      showPage(
        'Attempt not found',
        h('h1', {}, 'Attempt not found'),
        h('p', {}, 'There is no attempt of yours at this address.'),
      );
      return;
    }
    throw err;
  }
  const progress = await api<CourseProgress>('GET', '/v1/users/me/progress');
  const module = progress.modules.find((m) => m.knowledgeCheck.quizId === attempt.quizId)?.module ?? null;
  const modulePath = module ? `/learn/modules/${encodeURIComponent(module.slug)}` : null;
  const moduleLink =
    module && modulePath ? h('a', { href: modulePath }, `← Module ${module.number}: ${module.title}`) : null;
  const title = module ? `Module ${module.number} knowledge check` : 'Knowledge check';
  if (attempt.state !== 'in_progress') {
    showPage(
      `${title}: attempt ${attempt.number}`,
      ...reviewContent(attempt, moduleLink, modulePath && `${modulePath}/quiz`),
    );
    return;
  }
  renderQuiz(attempt, title, moduleLink, modulePath && `${modulePath}/quiz`);
}

function renderQuiz(attempt: Attempt, title: string, moduleLink: HTMLElement | null, quizPath: string | null): void {
  const responses = new Map<string, ResponseValue | null>(
    attempt.questions.map((q) => [q.questionVersionId, q.response]),
  );
  const saveStatus = h('p', { role: 'status', class: 'save-status' }, 'All answers saved.');
  const stopped = h('div', { role: 'alert' });
  const saver = new Autosaver({
    save: (batch) =>
      api<unknown>('PUT', `/v1/attempts/${attempt.id}/responses`, { responses: batch }).then(() => undefined),
    classify,
    onState: (state) => {
      saveStatus.textContent = saveStateInWords(state);
      saveStatus.classList.toggle('error', state.kind === 'retrying' || state.kind === 'stopped');
      if (state.kind === 'stopped') {
        stopped.replaceChildren(
          h('p', { class: 'error' }, 'Your answers can no longer be saved. '),
          h('a', { href: location.pathname }, 'Reload the attempt'),
        );
      }
    },
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (handle) => window.clearTimeout(handle as number),
  });
  window.addEventListener('online', () => void saver.flush().catch(() => undefined));
  window.addEventListener('beforeunload', (e) => {
    if (saver.hasUnsaved) e.preventDefault();
  });

  const total = attempt.questions.length;
  const views: QuestionView[] = attempt.questions.map((q) =>
    questionView(q, total, (response) => {
      responses.set(q.questionVersionId, response);
      saver.change(q.questionVersionId, response);
    }),
  );

  // Layout: every question on one page, or one per screen with Previous / Next.
  const indexKey = `attempt:${attempt.id}:question`;
  const kept = preferences('local');
  const onScreen = preferences('session');
  let layout: Layout = kept.get(LAYOUT_KEY) === 'one' ? 'one' : 'all';
  let current = Math.min(total - 1, Math.max(0, Number(onScreen.get(indexKey) ?? 0) || 0));
  const position = h('p', { class: 'position', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'secondary' }, 'Previous question') as HTMLButtonElement;
  const next = h('button', { type: 'button', class: 'secondary' }, 'Next question') as HTMLButtonElement;
  const pager = h('nav', { class: 'pager', 'aria-label': 'Questions' }, prev, position, next);
  const show = (focus: boolean) => {
    views.forEach((v, i) => (v.element.hidden = layout === 'one' && i !== current));
    pager.hidden = layout !== 'one';
    prev.disabled = current === 0;
    next.disabled = current === total - 1;
    position.textContent = `Question ${current + 1} of ${total}`;
    onScreen.set(indexKey, String(current));
    if (focus) views[current].element.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
  };
  const goTo = (i: number) => {
    current = i;
    if (layout === 'all') {
      views[i].element.scrollIntoView({ block: 'start' });
    }
    show(true);
  };
  prev.addEventListener('click', () => goTo(current - 1));
  next.addEventListener('click', () => goTo(current + 1));
  const layoutChoice = (value: Layout, text: string) => {
    const input = h('input', {
      type: 'radio',
      name: 'layout',
      id: `layout-${value}`,
      value,
      checked: layout === value,
    }) as HTMLInputElement;
    input.addEventListener('change', () => {
      layout = value;
      kept.set(LAYOUT_KEY, value);
      show(false);
    });
    return h('span', { class: 'layout-choice' }, input, h('label', { for: `layout-${value}`, class: 'inline' }, text));
  };
  const layoutPicker = h(
    'fieldset',
    { class: 'layout' },
    h('legend', {}, 'Show'),
    layoutChoice('all', 'All questions on one page'),
    layoutChoice('one', 'One question per screen'),
  );

  // The countdown, from the server's deadline: a reload finds the same time left.
  const timer = attempt.deadlineAt ? h('p', { role: 'timer', 'aria-live': 'off', class: 'timer' }) : null;
  const timeWarning = h('p', { 'aria-live': 'assertive', class: 'visually-hidden' });
  let tick: number | undefined;
  let submitting = false;

  // Submit, after a confirmation that names the questions not answered.
  const dialog = h('dialog', { 'aria-labelledby': 'submit-h', class: 'confirm' }) as HTMLDialogElement;
  const submitError = h('div', { role: 'alert' });
  const submit = async (reason: 'learner' | 'time') => {
    if (submitting) return;
    submitting = true;
    submitError.replaceChildren();
    saveStatus.textContent = 'Submitting…';
    try {
      await saver.flush().catch(() => undefined);
      const result = await api<Attempt>('POST', `/v1/attempts/${attempt.id}/submit`);
      window.clearInterval(tick);
      if (dialog.open) dialog.close();
      showPage(
        `${title}: attempt ${attempt.number}`,
        ...(reason === 'time' ? [h('p', { role: 'alert' }, 'Time is up: your answers were submitted.')] : []),
        ...reviewContent(result, moduleLink, quizPath),
      );
    } catch (err) {
      submitting = false;
      const text =
        err instanceof ApiError
          ? err.message
          : 'No connection to the server: your attempt was not submitted yet. Try again.';
      submitError.replaceChildren(h('p', { class: 'error' }, text));
      if (!dialog.open) dialog.showModal();
    }
  };
  const openDialog = () => {
    const missing = unansweredQuestions(attempt.questions, responses);
    const confirm = h('button', { type: 'button' }, 'Submit');
    const back = h('button', { type: 'button', class: 'secondary' }, 'Keep answering');
    confirm.addEventListener('click', () => void submit('learner'));
    back.addEventListener('click', () => dialog.close());
    const goToQuestion = (q: AttemptQuestion) => {
      const link = h('button', { type: 'button', class: 'link' }, `Question ${q.position}: ${q.question.prompt}`);
      link.addEventListener('click', () => {
        dialog.close();
        goTo(q.position - 1);
      });
      return h('li', {}, link);
    };
    submitError.replaceChildren();
    dialog.replaceChildren(
      h('h2', { id: 'submit-h' }, 'Submit your answers?'),
      h(
        'p',
        {},
        `You answered ${total - missing.length} of ${total} questions. After submitting you cannot change them.`,
      ),
      ...(missing.length > 0
        ? [
            h('p', {}, `Not answered (${missing.length}):`),
            h('ul', { class: 'unanswered' }, ...missing.map(goToQuestion)),
          ]
        : []),
      submitError,
      h('div', { class: 'actions' }, confirm, back),
    );
    dialog.showModal();
    confirm.focus();
  };
  const submitButton = h('button', { type: 'button' }, 'Submit answers…');
  submitButton.addEventListener('click', openDialog);

  if (timer && attempt.deadlineAt) {
    const deadline = Date.parse(attempt.deadlineAt);
    const warned = new Set<number>();
    const update = () => {
      const left = deadline - serverNow();
      timer.textContent = `Time left: ${formatRemaining(left)}`;
      for (const at of WARN_AT_SECONDS) {
        if (left <= at * 1000 && left > 0 && !warned.has(at)) {
          warned.add(at);
          timeWarning.textContent = `${at / 60} minute${at === 60 ? '' : 's'} left.`;
        }
      }
      if (left <= 0) {
        window.clearInterval(tick);
        void submit('time');
      }
    };
    update();
    tick = window.setInterval(update, 1000);
  }

  showPage(
    `${title}: attempt ${attempt.number}`,
    ...(moduleLink ? [h('p', {}, moduleLink)] : []),
    h('h1', {}, `${title}: attempt ${attempt.number}`),
    h('div', { class: 'quiz-bar' }, ...(timer ? [timer] : []), saveStatus),
    timeWarning,
    stopped,
    layoutPicker,
    h('form', { class: 'quiz', novalidate: true, 'aria-label': 'Answers' }, ...views.map((v) => v.element)),
    pager,
    h('p', {}, submitButton),
    dialog,
  );
  document.querySelector('form.quiz')!.addEventListener('submit', (e) => e.preventDefault());
  show(false);
}
