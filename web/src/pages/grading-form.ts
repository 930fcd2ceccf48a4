import { api } from '../api.js';
import { h } from '../dom.js';
import type { StaffAttempt } from '../grading-types.js';
import { points } from './grading-words.js';

export { points, totalInWords } from './grading-words.js';

export interface GradeFormOptions {
  /** Unique within the page: the controls' ids. */
  id: string;
  attemptId: string;
  questionVersionId: string;
  maxScore: number;
  initialScore?: number | null;
  scoreLabel: string;
  reasonLabel: string;
  button: string;
  /** After the API accepted the grade: the attempt as it is now; returns what the status line says. */
  onGraded: (attempt: StaffAttempt, score: number) => string;
}

/**
 * A score (0 to the question's maximum, 4 decimal places as GradeInputDto allows) and a required
 * reason, sent through POST /v1/attempts/{id}/grades; the outcome in a live status line.
 */
export function gradeForm(o: GradeFormOptions): HTMLFormElement {
  const score = h('input', {
    type: 'number',
    id: `${o.id}-score`,
    name: 'score',
    min: '0',
    max: String(o.maxScore),
    step: '0.0001',
    inputmode: 'decimal',
    required: true,
    class: 'grading-score',
    'aria-describedby': `${o.id}-status`,
  }) as HTMLInputElement;
  if (o.initialScore !== undefined && o.initialScore !== null) score.value = points(o.initialScore);
  const reason = h('textarea', {
    id: `${o.id}-reason`,
    name: 'reason',
    rows: '3',
    maxlength: '2000',
    required: true,
    class: 'grading-reason',
  }) as HTMLTextAreaElement;
  const button = h('button', { type: 'submit' }, o.button) as HTMLButtonElement;
  const status = h('p', { id: `${o.id}-status`, role: 'status', 'aria-live': 'polite', class: 'grading-status' });
  const form = h(
    'form',
    { novalidate: true, class: 'grading-form' },
    h('label', { for: score.id }, `${o.scoreLabel} (0 to ${points(o.maxScore)})`),
    score,
    h('label', { for: reason.id }, o.reasonLabel),
    reason,
    h('div', {}, button),
    status,
  ) as HTMLFormElement;

  const say = (text: string, error = false) => {
    status.textContent = text;
    status.classList.toggle('error', error);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = score.value.trim() === '' ? NaN : Number(score.value);
    const scoreWrong =
      !Number.isFinite(value) || value < 0 || value > o.maxScore || !/^\d+(\.\d{1,4})?$/.test(score.value.trim());
    const reasonText = reason.value.trim();
    score.setAttribute('aria-invalid', String(scoreWrong));
    reason.setAttribute('aria-invalid', String(reasonText === ''));
    if (scoreWrong) {
      say(
        `Not saved: the score must be a number from 0 to ${points(o.maxScore)}, with at most 4 decimal places.`,
        true,
      );
      score.focus();
      return;
    }
    if (reasonText === '') {
      say('Not saved: give a reason (it is kept with the grade).', true);
      reason.focus();
      return;
    }
    button.disabled = true;
    say('Saving…');
    api<StaffAttempt>('POST', `/v1/attempts/${encodeURIComponent(o.attemptId)}/grades`, {
      grades: [{ questionVersionId: o.questionVersionId, score: value, reason: reasonText }],
    })
      .then((attempt) => {
        reason.value = '';
        say(o.onGraded(attempt, value));
      })
      .catch((err: unknown) => say(`Not saved: ${(err as Error).message}`, true))
      .finally(() => {
        button.disabled = false;
      });
  });
  return form;
}
