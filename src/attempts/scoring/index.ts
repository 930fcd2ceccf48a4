export { scoreAttempt } from './score-attempt';
export { scoreQuestion } from './score-question';
export { scoreMultipleChoice, scoreSingleChoice, scoreTrueFalse } from './choice.scorer';
export { normaliseAnswerText, scoreShortText } from './short-text.scorer';
export { isWithin, scoreNumeric } from './numeric.scorer';
export { scoreMatching, scoreOrdering } from './arrangement.scorer';
export { scoreEssay } from './essay.scorer';
export { roundScore } from './question-score';
export type { AttemptScore, Correctness, QuestionScore, ResponseOf, ScoringItem } from './scoring.types';
