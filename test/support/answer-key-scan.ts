/**
 * Invariant 4 as a check on any response body: a learner never receives answer-key
 * data before the review policy allows it. A recursive scan of every key, with the
 * list of what counts as key data taken from DESIGN.md, docs/answer-key.md and the
 * views that redact it (src/content/learner-view.ts, src/attempts/policy/review-policy.ts).
 */

/**
 * Never in anything a learner receives, whatever the policy:
 * - the answer key of a question definition (`GET …/quiz?include=answers` gives it to staff):
 *   `definition` itself, `correct` (choice ids / true-false), `accepted` and `keywordGroups`
 *   (short text), `answer` and `tolerance` (numeric), `correctOrder` (ordering), `pairs`
 *   (matching), `rubric` (essays), the wrong-answer feedback of short-text and numeric
 *   questions (`wrongFeedback`, `anticipated`: a learner sees only the feedback their own
 *   answer earned, in `results[i].feedback`), and the citation that justifies the answer (`section`,
 *   `subsection`);
 * - the answer key file itself (`answerKey`);
 * - per-item statistics of a cohort's answers (`facility`, `discrimination`, per-choice
 *   `share`, `blankShare`), which tell which choice most people pick.
 * Inside a right answer the review policy released, and inside the learner's own saved
 * answer (`response`), the same names are allowed: `{ answer, tolerance }` is how a numeric
 * right answer is shown, `{ pairs }` how a matching response is written.
 */
export const ALWAYS_FORBIDDEN_KEYS: readonly string[] = [
  'definition',
  'correct',
  'accepted',
  'keywordGroups',
  'answer',
  'tolerance',
  'correctOrder',
  'pairs',
  'rubric',
  'wrongFeedback',
  'anticipated',
  'section',
  'subsection',
  'answerKey',
  'facility',
  'discrimination',
  'share',
  'blankShare',
];

/**
 * Allowed only in `results[i]` of a finished attempt, as far as the quiz's review policy
 * goes: `correctness` and `feedback` from `show: correctness`, `rightAnswer` and
 * `explanation` from `show: answers`; under `when: after_last_attempt` only once the
 * learner has used every attempt.
 */
export const POLICY_KEYS = {
  correctness: ['correctness', 'feedback'],
  answers: ['rightAnswer', 'explanation'],
} as const;

export interface ReviewPolicy {
  show: 'score' | 'correctness' | 'answers';
  when: 'immediately' | 'after_last_attempt';
  attemptsAllowed: number | 'unlimited';
}

export interface Leak {
  /** JSON path of the key, e.g. `results[3].rightAnswer`. */
  path: string;
  key: string;
  why: string;
}

/** Quiz id → its review policy; an attempt of a quiz it does not know is held to the strictest one. */
export type PolicyLookup = (quizId: string) => ReviewPolicy | undefined;

const STRICTEST: ReviewPolicy = { show: 'score', when: 'after_last_attempt', attemptsAllowed: 'unlimited' };
const SUBTREES_OF_THE_LEARNERS_OWN = new Set(['response']);

/** What a learner may see of the results of this attempt view, worked out from the policy, not from the server's code. */
function allowedResultKeys(attempt: Record<string, unknown>, policies: PolicyLookup): Set<string> {
  const allowed = new Set<string>();
  if (attempt.state === 'in_progress' || typeof attempt.state !== 'string') return allowed;
  const policy = (typeof attempt.quizId === 'string' && policies(attempt.quizId)) || STRICTEST;
  if (policy.when !== 'immediately') {
    // Lenient where the view alone cannot tell (another attempt in progress): the server may hide more, never less.
    const used = typeof attempt.attemptsUsed === 'number' ? attempt.attemptsUsed : 0;
    if (policy.attemptsAllowed === 'unlimited' || used < policy.attemptsAllowed) return allowed;
  }
  if (policy.show === 'correctness' || policy.show === 'answers')
    POLICY_KEYS.correctness.forEach((k) => allowed.add(k));
  if (policy.show === 'answers') POLICY_KEYS.answers.forEach((k) => allowed.add(k));
  return allowed;
}

const looksLikeAttemptView = (value: Record<string, unknown>) =>
  Array.isArray(value.results) && typeof value.quizId === 'string' && 'state' in value;

/** Every answer-key field in `body` a learner may not see yet (empty: none). */
export function findAnswerKeyLeaks(body: unknown, policies: PolicyLookup): Leak[] {
  const leaks: Leak[] = [];
  const policyKeys = new Set<string>([...POLICY_KEYS.correctness, ...POLICY_KEYS.answers]);
  const walk = (value: unknown, path: string, allowedHere: Set<string>) => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`, allowedHere));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const object = value as Record<string, unknown>;
    const resultKeys = looksLikeAttemptView(object) ? allowedResultKeys(object, policies) : undefined;
    for (const [key, child] of Object.entries(object)) {
      const childPath = path ? `${path}.${key}` : key;
      if (SUBTREES_OF_THE_LEARNERS_OWN.has(key)) continue;
      if (allowedHere.has(key)) continue; // released by the policy: its contents are the released answer
      if (ALWAYS_FORBIDDEN_KEYS.includes(key)) {
        leaks.push({ path: childPath, key, why: 'answer-key data, never shown to learners' });
      } else if (policyKeys.has(key)) {
        leaks.push({
          path: childPath,
          key,
          why: 'shown only in a finished attempt’s results, as the review policy allows',
        });
      }
      if (resultKeys && key === 'results' && Array.isArray(child)) {
        child.forEach((item, index) => walk(item, `${childPath}[${index}]`, resultKeys));
      } else {
        walk(child, childPath, new Set());
      }
    }
  };
  walk(body, '', new Set());
  return leaks;
}

/** The header row of a CSV body, scanned for the same names (responses.csv has a `correctness` column). */
export function findAnswerKeyLeaksInCsv(text: string): Leak[] {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const columns = header.split(',').map((column) => column.replace(/^"|"$/g, '').trim());
  const names = new Set<string>([...ALWAYS_FORBIDDEN_KEYS, ...POLICY_KEYS.correctness, ...POLICY_KEYS.answers]);
  return columns
    .filter((column) => names.has(column))
    .map((column) => ({ path: `csv header ${column}`, key: column, why: 'a report column of answer-key data' }));
}
