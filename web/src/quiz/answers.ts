import type { AttemptQuestion, LabelledItem, LearnerQuestion, ResponseValue, RightAnswer } from '../quiz-types.js';

function textOf(items: LabelledItem[] | undefined, id: string): string {
  return items?.find((item) => item.id === id)?.text ?? id;
}

/** Whether a saved response answers the question (an empty text or no choice ticked does not). */
export function isAnswered(q: LearnerQuestion, response: ResponseValue | null): boolean {
  if (!response || response.type !== q.type) return false;
  switch (response.type) {
    case 'single_choice':
      return response.choiceId !== '';
    case 'multiple_choice':
      return response.choiceIds.length > 0;
    case 'true_false':
    case 'numeric':
    case 'ordering':
      return true;
    case 'short_text':
    case 'essay':
      return response.text.trim() !== '';
    case 'matching':
      return (q.prompts ?? []).every((p) => Boolean(response.pairs[p.id]));
  }
}

/** The questions of an attempt that `responses` leaves unanswered, in the attempt's order. */
export function unansweredQuestions(
  questions: AttemptQuestion[],
  responses: ReadonlyMap<string, ResponseValue | null>,
): AttemptQuestion[] {
  return questions.filter((q) => !isAnswered(q.question, responses.get(q.questionVersionId) ?? null));
}

/** A learner's answer in words, one line per part; empty when there is none. */
export function answerInWords(q: LearnerQuestion, response: ResponseValue | null): string[] {
  if (!response || !isAnswered(q, response)) return [];
  switch (response.type) {
    case 'single_choice':
      return [textOf(q.choices, response.choiceId)];
    case 'multiple_choice':
      return response.choiceIds.map((id) => textOf(q.choices, id));
    case 'true_false':
      return [response.value ? 'True' : 'False'];
    case 'short_text':
    case 'essay':
      return [response.text];
    case 'numeric':
      return [q.unit ? `${response.value} ${q.unit}` : String(response.value)];
    case 'ordering':
      return response.order.map((id, i) => `${i + 1}. ${textOf(q.items, id)}`);
    case 'matching':
      return (q.prompts ?? []).map((p) => `${p.text} → ${textOf(q.options, response.pairs[p.id] ?? '')}`);
  }
}

/** The right answer the review policy let through, in words. */
export function rightAnswerInWords(q: LearnerQuestion, right: RightAnswer): string[] {
  if ('choiceIds' in right) return right.choiceIds.map((id) => textOf(q.choices, id));
  if ('value' in right) return [right.value ? 'True' : 'False'];
  if ('text' in right) return [right.text];
  if ('answer' in right) {
    const unit = right.unit ? ` ${right.unit}` : '';
    return [right.tolerance > 0 ? `${right.answer}${unit} (± ${right.tolerance})` : `${right.answer}${unit}`];
  }
  if ('correctOrder' in right) return right.correctOrder.map((id, i) => `${i + 1}. ${textOf(q.items, id)}`);
  return (q.prompts ?? []).map((p) => `${p.text} → ${textOf(q.options, right.pairs[p.id] ?? '')}`);
}

/** Time left as m:ss (h:mm:ss from an hour), never negative. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Words, as an essay's limit counts them. */
export function wordCount(text: string): number {
  const words = text.trim().split(/\s+/);
  return words[0] === '' ? 0 : words.length;
}
