import { api } from '../api.js';
import { h, showPage } from '../dom.js';
import type {
  AttemptQuestion,
  LabelledItem,
  QuestionResult,
  ResponseValue,
  StaffAttempt,
  StaffQuestion,
  UserRef,
} from '../grading-types.js';
import { gradeForm, points, totalInWords } from './grading-form.js';

const TYPE_WORDS: Record<string, string> = {
  single_choice: 'single choice',
  multiple_choice: 'multiple choice',
  true_false: 'true or false',
  short_text: 'short answer',
  numeric: 'number',
  ordering: 'ordering',
  matching: 'matching',
  essay: 'essay',
};
const STATE_WORDS: Record<string, string> = {
  in_progress: 'In progress',
  submitted: 'Submitted',
  pending_grading: 'Waiting for grading',
  graded: 'Graded',
  abandoned: 'Abandoned',
};
const CORRECTNESS_WORDS: Record<string, string> = {
  correct: 'correct',
  partial: 'partly correct',
  incorrect: 'incorrect',
  pending: 'waiting for a person to grade it',
};
/** Ids as the API issues them; anything else in ?cohort= is ignored rather than put in a link. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const textOf = (list: LabelledItem[] | undefined, id: string) => list?.find((x) => x.id === id)?.text ?? id;

/** A learner's answer (untrusted) as text nodes, by question type. */
function answerView(q: StaffQuestion, r: ResponseValue | null): HTMLElement {
  if (r === null) return h('p', {}, '(no answer)');
  switch (r.type) {
    case 'single_choice':
      return h('p', {}, textOf(q.choices, r.choiceId ?? ''));
    case 'multiple_choice':
      return h('ul', {}, ...(r.choiceIds ?? []).map((id) => h('li', {}, textOf(q.choices, id))));
    case 'true_false':
      return h('p', {}, r.value ? 'True' : 'False');
    case 'numeric':
      return h('p', {}, `${String(r.value)}${q.unit ? ` ${q.unit}` : ''}`);
    case 'ordering':
      return h('ol', {}, ...(r.order ?? []).map((id) => h('li', {}, textOf(q.items, id))));
    case 'matching':
      return h(
        'ul',
        {},
        ...Object.entries(r.pairs ?? {}).map(([p, o]) =>
          h('li', {}, `${textOf(q.prompts, p)} → ${textOf(q.options, o)}`),
        ),
      );
    default:
      return (r.text ?? '').trim() === ''
        ? h('p', {}, '(no answer)')
        : h('div', { class: 'grading-answer' }, r.text ?? '');
  }
}

/** The right answer the staff view carries (QuestionResultDto.rightAnswer), as text. */
function rightAnswerView(q: StaffQuestion, right: unknown): HTMLElement | null {
  if (right === undefined || right === null || typeof right !== 'object') return null;
  const a = right as Record<string, unknown>;
  if (Array.isArray(a.choiceIds))
    return h('p', {}, (a.choiceIds as string[]).map((id) => textOf(q.choices, id)).join('; '));
  if (typeof a.value === 'boolean') return h('p', {}, a.value ? 'True' : 'False');
  if (typeof a.text === 'string') return h('p', {}, a.text);
  if (typeof a.answer === 'number') {
    const tolerance = typeof a.tolerance === 'number' && a.tolerance > 0 ? ` (± ${a.tolerance})` : '';
    return h('p', {}, `${a.answer}${typeof a.unit === 'string' ? ` ${a.unit}` : ''}${tolerance}`);
  }
  if (Array.isArray(a.correctOrder))
    return h('ol', {}, ...(a.correctOrder as string[]).map((id) => h('li', {}, textOf(q.items, id))));
  if (a.pairs && typeof a.pairs === 'object')
    return h(
      'ul',
      {},
      ...Object.entries(a.pairs as Record<string, string>).map(([p, o]) =>
        h('li', {}, `${textOf(q.prompts, p)} → ${textOf(q.options, o)}`),
      ),
    );
  return null;
}

function scoreInWords(result: QuestionResult | undefined, max: number): string {
  if (!result || result.score === null || result.score === undefined) {
    return result?.correctness === 'pending'
      ? `Not graded yet (out of ${points(max)}).`
      : `No score (out of ${points(max)}).`;
  }
  const correctness = result.correctness ? `, ${CORRECTNESS_WORDS[result.correctness] ?? result.correctness}` : '';
  return `${points(result.score)} of ${points(result.maxScore)}${correctness}.`;
}

/**
 * One attempt as staff see it (GET /v1/attempts/{id}): every question with the learner's answer, the
 * right answer and the score, and per question a new score with a reason (POST /v1/attempts/{id}/grades).
 * `?cohort=` names the cohort the grader came from, for the link back to the learner.
 */
export async function renderGradingAttempt(attemptId: string): Promise<void> {
  const ref = encodeURIComponent(attemptId);
  const attempt = await api<StaffAttempt>('GET', `/v1/attempts/${ref}`);
  const learner = await api<UserRef>('GET', `/v1/users/${encodeURIComponent(attempt.userId)}`).catch(() => null);
  const learnerName = learner?.displayName ?? 'a learner';
  const cohortId = new URLSearchParams(location.search).get('cohort');
  const cohort = cohortId && UUID.test(cohortId) ? cohortId : null;

  const total = h('p', { id: 'attempt-total', 'aria-live': 'polite', class: 'grading-total' });
  const state = h('span', {});
  const scoreLines = new Map<string, HTMLElement>();
  const update = (a: StaffAttempt) => {
    total.textContent = `Total: ${totalInWords(a.score)}`;
    state.textContent = STATE_WORDS[a.state] ?? a.state;
    const results = new Map(a.results.map((r) => [r.questionVersionId, r]));
    for (const q of a.questions) {
      scoreLines.get(q.questionVersionId)!.textContent =
        `Score: ${scoreInWords(results.get(q.questionVersionId), q.question.points)}`;
    }
  };

  const finished = attempt.state !== 'in_progress';
  const results = new Map(attempt.results.map((r) => [r.questionVersionId, r]));
  const questionSection = (q: AttemptQuestion): HTMLElement => {
    const result = results.get(q.questionVersionId);
    const headingId = `question-${q.position}`;
    const scoreLine = h('p', { class: 'grading-question-score' });
    scoreLines.set(q.questionVersionId, scoreLine);
    const right = rightAnswerView(q.question, result?.rightAnswer);
    const pending = result?.correctness === 'pending';
    return h(
      'section',
      { class: 'box grading-item', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, `Question ${q.position} (${TYPE_WORDS[q.question.type] ?? q.question.type})`),
      h('div', { class: 'grading-prompt' }, q.question.prompt),
      h('h3', {}, 'Answer'),
      answerView(q.question, q.response),
      right ? h('h3', {}, 'Right answer') : null,
      right,
      result?.explanation ? h('p', {}, `Why: ${result.explanation}`) : null,
      scoreLine,
      finished
        ? h(
            'details',
            { class: 'grading-change', open: pending },
            h('summary', {}, pending ? 'Grade this answer' : 'Change this score'),
            gradeForm({
              id: `grade-${q.position}`,
              attemptId: attempt.id,
              questionVersionId: q.questionVersionId,
              maxScore: result?.maxScore ?? q.question.points,
              initialScore: result?.score,
              scoreLabel: pending ? 'Score' : 'New score',
              reasonLabel: pending ? 'Comment (kept with the grade)' : 'Reason for the change',
              button: pending ? 'Grade' : 'Override score',
              onGraded: (after, score) => {
                update(after);
                return `Saved: question ${q.position} now ${points(score)}. ${total.textContent ?? ''}`;
              },
            }),
          )
        : null,
    );
  };

  const sections = attempt.questions.map(questionSection);
  update(attempt);
  showPage(
    `Attempt ${attempt.number} by ${learnerName}`,
    ...(cohort
      ? [
          h(
            'p',
            {},
            h(
              'a',
              { href: `/teach/cohorts/${encodeURIComponent(cohort)}/learners/${encodeURIComponent(attempt.userId)}` },
              `Back to ${learnerName}`,
            ),
            ' · ',
            h('a', { href: `/teach/cohorts/${encodeURIComponent(cohort)}/grading` }, 'Grading queue'),
          ),
        ]
      : []),
    h('h1', {}, `Attempt ${attempt.number} by ${learnerName}`),
    h(
      'p',
      {},
      'State: ',
      state,
      attempt.submittedAt ? `. Submitted ${new Date(attempt.submittedAt).toLocaleString('en-GB')}` : '',
      attempt.late ? ' (late)' : '',
      `. Attempts used: ${attempt.attemptsUsed} of ${attempt.attemptsAllowed}.`,
    ),
    total,
    finished
      ? h('p', {}, 'A new score replaces the question’s score; the reason is kept in the audit trail.')
      : h('p', {}, 'Still in progress: nothing to grade yet.'),
    ...sections,
  );
}
