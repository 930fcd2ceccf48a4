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

function groupMatches(normalisedText: string, keywords: string[]): boolean {
  return keywords.some((keyword) => containsPhrase(normalisedText, normaliseAnswerText(keyword)));
}

/** Full marks on an accepted answer; otherwise fraction = keyword groups matched / groups (0 without groups). */
export function scoreShortText(question: ShortTextQuestion, response: ResponseValue | undefined): QuestionScore {
  const answer = responseOfType('short_text', response);
  if (!answer) return unansweredScore(question);
  const text = normaliseAnswerText(answer.text);
  // An answer that normalises to nothing must not equal an accepted answer that does too (e.g. `?`).
  if (text !== '' && question.accepted.some((accepted) => normaliseAnswerText(accepted) === text)) {
    return scoreFromFraction(question, 1, []);
  }
  const groups = question.keywordGroups ?? [];
  if (groups.length === 0) return scoreFromFraction(question, 0, []);
  const matched = groups.filter((keywords) => groupMatches(text, keywords)).length;
  return scoreFromFraction(question, matched / groups.length, []);
}
