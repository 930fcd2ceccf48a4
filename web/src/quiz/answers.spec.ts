import { answerInWords, formatRemaining, isAnswered, rightAnswerInWords, wordCount } from './answers';
import type { LearnerQuestion } from '../quiz-types';

const matching: LearnerQuestion = {
  type: 'matching',
  prompt: 'Match',
  points: 2,
  prompts: [
    { id: 'p1', text: 'GuardDuty' },
    { id: 'p2', text: 'Inspector' },
  ],
  options: [
    { id: 'o1', text: 'Threat detection' },
    { id: 'o2', text: 'Vulnerability scans' },
  ],
};
const choice: LearnerQuestion = {
  type: 'multiple_choice',
  prompt: 'Pick',
  points: 1,
  choices: [
    { id: 'a', text: 'Alpha' },
    { id: 'b', text: 'Beta' },
  ],
};

describe('quiz answers', () => {
  it('counts a matching question answered only when every prompt has an option', () => {
    expect(isAnswered(matching, { type: 'matching', pairs: { p1: 'o1' } })).toBe(false);
    expect(isAnswered(matching, { type: 'matching', pairs: { p1: 'o1', p2: 'o2' } })).toBe(true);
  });

  it('does not count blank text, no ticks, or a response of another type as an answer', () => {
    const essay: LearnerQuestion = { type: 'essay', prompt: 'Explain', points: 4 };
    expect(isAnswered(essay, { type: 'essay', text: '  \n ' })).toBe(false);
    expect(isAnswered(choice, { type: 'multiple_choice', choiceIds: [] })).toBe(false);
    expect(isAnswered(choice, { type: 'single_choice', choiceId: 'a' })).toBe(false);
    expect(isAnswered(choice, null)).toBe(false);
  });

  it('puts answers and right answers in words, by the texts of their ids', () => {
    expect(answerInWords(choice, { type: 'multiple_choice', choiceIds: ['b', 'a'] })).toEqual(['Beta', 'Alpha']);
    expect(answerInWords(matching, { type: 'matching', pairs: { p1: 'o2', p2: 'o1' } })).toEqual([
      'GuardDuty → Vulnerability scans',
      'Inspector → Threat detection',
    ]);
    expect(rightAnswerInWords(choice, { choiceIds: ['a'] })).toEqual(['Alpha']);
    expect(
      rightAnswerInWords({ type: 'numeric', prompt: 'n', points: 1 }, { answer: 90, tolerance: 0, unit: 'days' }),
    ).toEqual(['90 days']);
    expect(rightAnswerInWords({ type: 'true_false', prompt: 't', points: 1 }, { value: false })).toEqual(['False']);
  });

  it('formats time left as m:ss, rounding up, never below zero', () => {
    expect(formatRemaining(30 * 60_000)).toBe('30:00');
    expect(formatRemaining(61_001)).toBe('1:02');
    expect(formatRemaining(999)).toBe('0:01');
    expect(formatRemaining(-5000)).toBe('0:00');
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
  });

  it('counts words as runs of non-space', () => {
    expect(wordCount('')).toBe(0);
    expect(wordCount('  one two\nthree ')).toBe(3);
  });
});
