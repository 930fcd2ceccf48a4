import type { QuestionScore, ResponseValue, ShortTextQuestion } from '../../content/question.types';
import { scoreFromFraction, unansweredScore } from './question-score';
import { responseOfType } from './response-shape';

/**
 * NFKC (full-width and ligature forms become plain), lower case, apostrophes and hyphens
 * dropped, other punctuation turned into spaces, whitespace collapsed:
 * `  Cloud-Trail’s  LOGS! ` → `cloudtrails logs`, `CloudTrail/GuardDuty` → `cloudtrail guardduty`.
 */
export function normaliseAnswerText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’‘\u2010\u2011-]/gu, '')
    .replace(/\p{P}+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Whole words only: `log` is not found in `logs`, `flow logs` is found in `vpc flow logs`. */
function containsPhrase(normalisedText: string, normalisedPhrase: string): boolean {
  return normalisedPhrase !== '' && ` ${normalisedText} `.includes(` ${normalisedPhrase} `);
}

interface CompiledKey {
  accepted: Set<string>;
  groups: string[][];
  /** Normalised anticipated wrong answers → their feedback, the first entry winning. */
  anticipated: Map<string, string>;
}

/**
 * The key normalised once per definition object: definitions come from the
 * process-wide version cache, so each version's key is prepared on its first
 * scoring rather than on every one.
 */
const compiledKeys = new WeakMap<ShortTextQuestion, CompiledKey>();

function compiledKey(question: ShortTextQuestion): CompiledKey {
  let key = compiledKeys.get(question);
  if (!key) {
    key = {
      // An answer that normalises to nothing must not equal an accepted answer that does too (e.g. `?`).
      accepted: new Set(question.accepted.map(normaliseAnswerText).filter((text) => text !== '')),
      groups: (question.keywordGroups ?? []).map((keywords) => keywords.map(normaliseAnswerText)),
      anticipated: new Map(),
    };
    for (const { answer, feedback } of question.anticipated ?? []) {
      const text = normaliseAnswerText(answer);
      if (text !== '' && !key.anticipated.has(text)) key.anticipated.set(text, feedback);
    }
    compiledKeys.set(question, key);
  }
  return key;
}

/**
 * Full marks on an accepted answer; otherwise fraction = keyword groups matched / groups (0 without groups).
 * An answer short of full marks gets the feedback of the anticipated answer it matches, else `wrongFeedback`;
 * a blank one gets none.
 */
export function scoreShortText(question: ShortTextQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('short_text', response);
  if (!answer) return unansweredScore(question);
  const text = normaliseAnswerText(answer.text);
  const key = compiledKey(question);
  if (key.accepted.has(text)) return scoreFromFraction(question, 1, []);
  const { groups } = key;
  const matched = groups.filter((keywords) => keywords.some((keyword) => containsPhrase(text, keyword))).length;
  const fraction = groups.length === 0 ? 0 : matched / groups.length;
  const score = scoreFromFraction(question, fraction, []);
  if (score.correctness === 'correct' || text === '') return score;
  const feedback = key.anticipated.get(text) ?? question.wrongFeedback;
  return feedback === undefined ? score : { ...score, feedback: [feedback] };
}
