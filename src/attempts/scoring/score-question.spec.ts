import type { EssayQuestion, QuestionDefinition, ResponseValue } from '../../content/question.types';
import { QUESTION_TYPES } from '../../content/question.types';
import { scoreEssay } from './essay.scorer';
import { scoreQuestion } from './score-question';

const essay: EssayQuestion = {
  type: 'essay',
  prompt: 'Describe your incident response plan.',
  points: 10,
  rubric: 'Names the phases; assigns owners.',
};

/** One question of every type, each with the response that earns full marks. */
const keyed: [QuestionDefinition, ResponseValue][] = [
  [
    { type: 'single_choice', prompt: 'p', points: 1, choices: [{ id: 'a', text: 'A' }], correct: 'a' },
    { type: 'single_choice', choiceId: 'a' },
  ],
  [
    {
      type: 'multiple_choice',
      prompt: 'p',
      points: 2,
      choices: [
        { id: 'a', text: 'A' },
        { id: 'b', text: 'B' },
      ],
      correct: ['a'],
      scoring: 'right_minus_wrong',
    },
    { type: 'multiple_choice', choiceIds: ['a'] },
  ],
  [
    { type: 'true_false', prompt: 'p', points: 1, correct: true },
    { type: 'true_false', value: true },
  ],
  [
    { type: 'short_text', prompt: 'p', points: 1, accepted: ['GuardDuty'] },
    { type: 'short_text', text: 'guardduty' },
  ],
  [
    { type: 'numeric', prompt: 'p', points: 1, answer: 90, tolerance: 0 },
    { type: 'numeric', value: 90 },
  ],
  [
    {
      type: 'ordering',
      prompt: 'p',
      points: 1,
      items: [
        { id: 'x', text: 'X' },
        { id: 'y', text: 'Y' },
      ],
      correctOrder: ['y', 'x'],
    },
    { type: 'ordering', order: ['y', 'x'] },
  ],
  [
    {
      type: 'matching',
      prompt: 'p',
      points: 1,
      prompts: [{ id: 'p1', text: 'P' }],
      options: [{ id: 'o1', text: 'O' }],
      pairs: { p1: 'o1' },
    },
    { type: 'matching', pairs: { p1: 'o1' } },
  ],
];

describe('scoreQuestion', () => {
  it('has a case for every question type', () => {
    const covered = [...keyed.map(([question]) => question.type), essay.type];
    expect(new Set(covered)).toEqual(new Set(QUESTION_TYPES));
  });

  it.each(keyed)('dispatches a $type question to its scorer', (question, response) => {
    expect(scoreQuestion(question, response)).toEqual({
      score: question.points,
      maxScore: question.points,
      correctness: 'correct',
      feedback: [],
    });
  });

  it.each(keyed)('scores a $type question answered with another type’s response as 0', (question) => {
    const otherTypes = keyed.map(([, response]) => response).filter((response) => response.type !== question.type);
    for (const response of [...otherTypes, { type: 'essay', text: 'x' } as const]) {
      expect(scoreQuestion(question, response)).toEqual({
        score: 0,
        maxScore: question.points,
        correctness: 'incorrect',
        feedback: [],
      });
    }
  });

  it('does not throw on responses that are not objects', () => {
    for (const junk of [null, 42, 'a', [], { type: 'single_choice' }]) {
      for (const [question] of keyed) {
        expect(scoreQuestion(question, junk as unknown as ResponseValue).score).toBe(0);
      }
    }
  });

  it('leaves an answered essay pending', () => {
    expect(scoreQuestion(essay, { type: 'essay', text: 'Detect, contain, recover.' })).toEqual({
      score: null,
      maxScore: 10,
      correctness: 'pending',
      feedback: [],
    });
  });
});

describe('scoreEssay', () => {
  it.each<[string, ResponseValue | undefined]>([
    ['blank', undefined],
    ['empty text', { type: 'essay', text: '' }],
    ['only whitespace', { type: 'essay', text: ' \n\t ' }],
    ['a short-text response', { type: 'short_text', text: 'an answer' }],
  ])('scores %s as 0 incorrect, not pending', (_label, response) => {
    expect(scoreEssay(essay, response)).toEqual({ score: 0, maxScore: 10, correctness: 'incorrect', feedback: [] });
  });
});
