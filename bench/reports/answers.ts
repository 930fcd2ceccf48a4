/**
 * For each question of the quiz, a few typical answers in four classes (right,
 * partial, wrong, blank), each scored once by the app's own scorer, so that the
 * seeded attempt_responses carry scores consistent with their responses and
 * max_score. The seed SQL then picks one answer per (attempt, question).
 */
import { scoreQuestion } from '../../src/attempts/scoring/score-question';
import type { QuestionDefinition, ResponseValue } from '../../src/content/question.types';

export type AnswerClass = 'right' | 'partial' | 'wrong' | 'blank';

export interface Answer {
  questionVersionId: string;
  questionType: QuestionDefinition['type'];
  answerClass: AnswerClass;
  /** 0-based within the question and class. */
  index: number;
  response: ResponseValue | null;
  /** Null for an essay: a person grades it (`manualScore`). */
  autoScore: number | null;
  /** What a grader gives a graded essay; null for the other types. */
  manualScore: number | null;
  maxScore: number;
  correctness: string;
  feedback: string[];
}

function rotate<T>(items: readonly T[]): T[] {
  return items.length < 2 ? [...items] : [...items.slice(1), items[0]];
}

/** Responses of each class for one question; a class with none borrows the wrong ones. */
function responsesFor(q: QuestionDefinition): Record<Exclude<AnswerClass, 'blank'>, ResponseValue[]> {
  switch (q.type) {
    case 'single_choice': {
      const wrong = q.choices.filter((c) => c.id !== q.correct);
      return {
        right: [{ type: 'single_choice', choiceId: q.correct }],
        partial: [],
        wrong: wrong.map((c) => ({ type: 'single_choice', choiceId: c.id })),
      };
    }
    case 'multiple_choice': {
      const wrong = q.choices.filter((c) => !q.correct.includes(c.id)).map((c) => c.id);
      return {
        right: [{ type: 'multiple_choice', choiceIds: [...q.correct] }],
        partial: q.correct.length > 1 ? q.correct.map((id) => ({ type: 'multiple_choice', choiceIds: [id] })) : [],
        wrong: [
          ...wrong.map((id) => ({ type: 'multiple_choice' as const, choiceIds: [id] })),
          ...(wrong.length > 0 ? [{ type: 'multiple_choice' as const, choiceIds: [q.correct[0], ...wrong] }] : []),
        ],
      };
    }
    case 'true_false':
      return {
        right: [{ type: 'true_false', value: q.correct }],
        partial: [],
        wrong: [{ type: 'true_false', value: !q.correct }],
      };
    case 'short_text':
      return {
        right: q.accepted.slice(0, 2).map((text) => ({ type: 'short_text', text })),
        partial: (q.keywordGroups ?? [])
          .slice(0, 2)
          .map((group) => ({ type: 'short_text', text: `it is ${group[0]}` })),
        wrong: [{ type: 'short_text', text: 'I do not remember' }],
      };
    case 'numeric':
      return {
        right: [{ type: 'numeric', value: q.answer }],
        partial: [],
        wrong: [{ type: 'numeric', value: q.answer + 2 * q.tolerance + 1 }],
      };
    case 'ordering': {
      const order = q.correctOrder;
      const swapped = order.length > 1 ? [order[1], order[0], ...order.slice(2)] : [...order];
      return {
        right: [{ type: 'ordering', order: [...order] }],
        partial: [{ type: 'ordering', order: swapped }],
        wrong: [{ type: 'ordering', order: rotate(order) }],
      };
    }
    case 'matching': {
      const prompts = Object.keys(q.pairs);
      const options = prompts.map((p) => q.pairs[p]);
      const pairsOf = (chosen: string[]) => Object.fromEntries(prompts.map((p, i) => [p, chosen[i]]));
      const swapped = options.length > 1 ? [options[1], options[0], ...options.slice(2)] : options;
      return {
        right: [{ type: 'matching', pairs: pairsOf(options) }],
        partial: [{ type: 'matching', pairs: pairsOf(swapped) }],
        wrong: [{ type: 'matching', pairs: pairsOf(rotate(options)) }],
      };
    }
    case 'essay':
      return {
        right: [{ type: 'essay', text: 'A full answer that covers every point of the rubric with examples.' }],
        partial: [{ type: 'essay', text: 'A short answer that covers some of the points.' }],
        wrong: [{ type: 'essay', text: 'Not sure.' }],
      };
  }
}

/** Essays are graded by hand: right = full marks, partial = half, wrong = 0. */
const ESSAY_GRADE: Record<Exclude<AnswerClass, 'blank'>, number> = { right: 1, partial: 0.5, wrong: 0 };

export function answersFor(questionVersionId: string, q: QuestionDefinition): Answer[] {
  const byClass = responsesFor(q);
  if (byClass.partial.length === 0) byClass.partial = byClass.wrong;
  const classes: [AnswerClass, (ResponseValue | null)[]][] = [
    ['right', byClass.right],
    ['partial', byClass.partial],
    ['wrong', byClass.wrong],
    ['blank', [null]],
  ];
  return classes.flatMap(([answerClass, responses]) =>
    responses.map((response, index) => {
      const scored = scoreQuestion(q, response ?? undefined);
      const essayGraded = q.type === 'essay' && scored.correctness === 'pending' && answerClass !== 'blank';
      return {
        questionVersionId,
        questionType: q.type,
        answerClass,
        index,
        response,
        autoScore: scored.score,
        manualScore: essayGraded ? q.points * ESSAY_GRADE[answerClass] : null,
        maxScore: scored.maxScore,
        correctness: scored.correctness,
        feedback: scored.feedback,
      };
    }),
  );
}
