/**
 * The questions each pool of an answer key holds, resolved against the quiz the import would
 * store: the key's entries and the knowledge-check questions it leaves ungraded (kept as
 * `kc-N` essays). The checks (`checkAnswerKeyAgainstModule`) and the import use this one
 * function, so what is checked is what is stored.
 */
import type { ParsedModule } from '../module.types';
import type { AnswerKey, PoolRule, QuestionPool } from './answer-key';

/** A question of the quiz as pools see it. */
export interface PoolCandidate {
  key: string;
  /** The section the entry cites; null for an ungraded knowledge-check question. */
  section: number | null;
  knowledgeCheck: boolean;
}

export interface PoolProblem {
  /** Index of the pool in `quiz.pools`. */
  pool: number;
  /** Path below the pool: `['draw']`, `['questions', 2]`, `['section']`. */
  at: (string | number)[];
  code: 'unknown-pool-question' | 'question-in-two-pools' | 'draw-exceeds-pool';
  message: string;
}

/** The quiz's questions in the order the import stores them: the knowledge check, then the bank. */
export function poolCandidates(key: AnswerKey, module: Pick<ParsedModule, 'knowledgeCheck'>): PoolCandidate[] {
  const graded = new Set(key.questions.map((question) => question.knowledgeCheck));
  return [
    ...key.questions
      .filter((question) => question.knowledgeCheck !== undefined)
      .map((question) => ({ key: question.id, section: question.section, knowledgeCheck: true })),
    ...module.knowledgeCheck
      .filter((kc) => !graded.has(kc.number))
      .map((kc) => ({ key: kc.key, section: null, knowledgeCheck: true })),
    ...key.questions
      .filter((question) => question.knowledgeCheck === undefined)
      .map((question) => ({ key: question.id, section: question.section, knowledgeCheck: false })),
  ];
}

/**
 * `section: N` holds the bank questions citing section N (knowledge-check entries are the module's
 * own questions and join a pool only by id or with `knowledgeCheck: true`); `knowledgeCheck: true`
 * every knowledge-check question, graded or not; `questions` the ones named.
 */
export function resolvePools(
  rules: readonly PoolRule[],
  candidates: readonly PoolCandidate[],
): { pools: QuestionPool[]; problems: PoolProblem[] } {
  const known = new Set(candidates.map((candidate) => candidate.key));
  const ownerOf = new Map<string, string>();
  const problems: PoolProblem[] = [];
  const pools = rules.map((rule, pool): QuestionPool => {
    const { select } = rule;
    let questions: string[];
    if ('questions' in select) {
      select.questions.forEach((id, index) => {
        if (known.has(id)) return;
        const message = `"${id}" is not a question of this quiz: name the id of an entry under "questions", or kc-N for an ungraded knowledge-check question.`;
        problems.push({ pool, at: ['questions', index], code: 'unknown-pool-question', message });
      });
      questions = select.questions.filter((id) => known.has(id));
    } else if ('section' in select) {
      questions = candidates.filter((c) => !c.knowledgeCheck && c.section === select.section).map((c) => c.key);
    } else {
      questions = candidates.filter((c) => c.knowledgeCheck).map((c) => c.key);
    }
    for (const key of questions) {
      const owner = ownerOf.get(key);
      if (owner === undefined) ownerOf.set(key, rule.id);
      else {
        const message = `Question "${key}" is already in pool "${owner}"; a question belongs to one pool at most.`;
        const at =
          'questions' in select
            ? ['questions', select.questions.indexOf(key)]
            : ['section' in select ? 'section' : 'knowledgeCheck'];
        problems.push({ pool, at, code: 'question-in-two-pools', message });
      }
    }
    if (rule.draw > questions.length) {
      const held = questions.length === 0 ? 'holds no questions' : `holds only ${questions.length}`;
      const message = `The pool ${held}, so it cannot draw ${rule.draw} per attempt.`;
      problems.push({ pool, at: ['draw'], code: 'draw-exceeds-pool', message });
    }
    return { id: rule.id, draw: rule.draw, questions };
  });
  return { pools, problems };
}
