import { h } from '../dom.js';
import { attemptsInWords, pointsInWords as points } from '../status.js';
import type { Attempt, AttemptQuestion, AttemptScore, AttemptState, QuestionResult } from '../quiz-types.js';
import { answerInWords, rightAnswerInWords } from '../quiz/answers.js';

const STATES: Record<AttemptState, string> = {
  in_progress: 'In progress',
  submitted: 'Submitted',
  pending_grading: 'Waiting for a person to grade it',
  graded: 'Graded',
  abandoned: 'Ended without being submitted',
};
const CORRECTNESS: Record<string, string> = {
  correct: 'Correct',
  partial: 'Partly correct',
  incorrect: 'Incorrect',
  pending: 'Waiting for a person to grade it',
};

export function attemptStateInWords(state: AttemptState): string {
  return STATES[state] ?? state;
}

export function scoreInWords(score: AttemptScore): string {
  if (score.raw === null || score.max === null || score.scaled === null) return 'score not known yet';
  const verdict = score.passed === null ? '' : score.passed ? ', passed' : ', not passed';
  return `${score.raw} of ${points(score.max)} (${Math.round(score.scaled * 100)}%)${verdict}`;
}

function attemptsLeft(a: Attempt): number | 'unlimited' {
  return a.attemptsAllowed === 'unlimited' ? 'unlimited' : Math.max(0, a.attemptsAllowed - a.attemptsUsed);
}

function lines(label: string, texts: string[], cls?: string): HTMLElement {
  return h(
    'div',
    { class: cls },
    h('p', { class: 'label' }, label),
    texts.length === 1 ? h('p', { class: 'answer-text' }, texts[0]) : h('ul', {}, ...texts.map((t) => h('li', {}, t))),
  );
}

function questionReview(q: AttemptQuestion, result: QuestionResult | undefined): HTMLElement {
  const given = answerInWords(q.question, q.response);
  return h(
    'section',
    { class: 'box review-question', 'aria-labelledby': `rq-${q.position}` },
    h(
      'h3',
      { id: `rq-${q.position}` },
      `Question ${q.position}: `,
      h('span', { class: 'q-prompt' }, q.question.prompt),
    ),
    given.length > 0 ? lines('Your answer', given) : h('p', {}, 'Not answered.'),
    result?.correctness
      ? h(
          'p',
          { class: `verdict ${result.correctness}` },
          CORRECTNESS[result.correctness] ?? result.correctness,
          result.score !== undefined && result.score !== null ? ` · ${result.score} of ${points(result.maxScore)}` : '',
        )
      : null,
    result?.feedback && result.feedback.length > 0 ? lines('Feedback', result.feedback) : null,
    result?.rightAnswer ? lines('Right answer', rightAnswerInWords(q.question, result.rightAnswer)) : null,
    result?.explanation ? lines('Why', [result.explanation]) : null,
  );
}

/** The review of a finished attempt: as much as the quiz's review policy let the server send. */
export function reviewContent(a: Attempt, moduleLink: HTMLElement | null, quizPath: string | null): HTMLElement[] {
  const results = new Map((a.results ?? []).map((r) => [r.questionVersionId, r]));
  const left = attemptsLeft(a);
  const summary: (string | null)[] = [
    attemptStateInWords(a.state),
    a.score ? `Score: ${scoreInWords(a.score)}` : null,
    a.score && a.score.pending > 0
      ? `${a.score.pending === 1 ? '1 answer waits' : `${a.score.pending} answers wait`} for a person to grade; the score may change.`
      : null,
    a.late ? `Finished after the due date: ${Math.round(a.lateDeduction * 100)}% taken off.` : null,
    attemptsInWords(a.attemptsUsed, left),
  ];
  return [
    ...(moduleLink ? [h('p', {}, moduleLink)] : []),
    h('h1', {}, `Attempt ${a.number}: results`),
    h('ul', { class: 'summary' }, ...summary.filter((s): s is string => s !== null).map((s) => h('li', {}, s))),
    ...(quizPath && left !== 0
      ? [h('p', {}, h('a', { href: quizPath, class: 'button' }, 'Back to the knowledge check'))]
      : []),
    h(
      'section',
      { 'aria-labelledby': 'answers-h' },
      h('h2', { id: 'answers-h' }, 'Your answers'),
      results.size === 0
        ? h('p', {}, 'Which answers were right is not shown for this attempt (the quiz’s review policy).')
        : null,
      ...a.questions.map((q) => questionReview(q, results.get(q.questionVersionId))),
    ),
  ];
}
