import type { MatchingQuestion, OrderingQuestion, ResponseValue } from '../../content/question.types';
import { scoreMatching, scoreOrdering } from './arrangement.scorer';

describe('scoreOrdering', () => {
  const question: OrderingQuestion = {
    type: 'ordering',
    prompt: 'Order the incident response phases.',
    points: 4,
    items: [
      { id: 'detect', text: 'Detect' },
      { id: 'contain', text: 'Contain' },
      { id: 'eradicate', text: 'Eradicate' },
      { id: 'recover', text: 'Recover' },
    ],
    correctOrder: ['detect', 'contain', 'eradicate', 'recover'],
  };
  const order = (...ids: string[]): ResponseValue => ({ type: 'ordering', order: ids });

  it.each<[string[], number, string]>([
    [['detect', 'contain', 'eradicate', 'recover'], 4, 'correct'],
    [['detect', 'contain', 'recover', 'eradicate'], 2, 'partial'], // 2 of 4 in place
    [['detect', 'eradicate', 'contain', 'recover'], 2, 'partial'],
    [['contain', 'detect', 'eradicate', 'recover'], 2, 'partial'],
    [['detect', 'recover', 'eradicate', 'contain'], 2, 'partial'],
    [['recover', 'detect', 'contain', 'eradicate'], 0, 'incorrect'], // shifted by one: nothing in place
    [['recover', 'eradicate', 'contain', 'detect'], 0, 'incorrect'],
    [['detect'], 1, 'partial'], // missing positions are wrong
    [['detect', 'detect', 'detect', 'detect'], 1, 'partial'], // a repeated item is in place at most once
    [['detect', 'contain', 'eradicate', 'recover', 'extra'], 4, 'correct'],
    [['x', 'contain', 'y', 'recover'], 2, 'partial'], // unknown ids are wrong
    [[], 0, 'incorrect'],
  ])('scores %j as %d (%s)', (ids, score, correctness) => {
    expect(scoreOrdering(question, order(...ids))).toEqual({ score, maxScore: 4, correctness, feedback: [] });
  });

  it('scores a blank or wrong-type response as 0 incorrect', () => {
    expect(scoreOrdering(question, undefined)).toMatchObject({ score: 0, correctness: 'incorrect' });
    expect(scoreOrdering(question, { type: 'multiple_choice', choiceIds: question.correctOrder })).toMatchObject({
      score: 0,
      correctness: 'incorrect',
    });
  });
});

describe('scoreMatching', () => {
  const question: MatchingQuestion = {
    type: 'matching',
    prompt: 'Match each service to what it records.',
    points: 3,
    prompts: [
      { id: 'trail', text: 'CloudTrail' },
      { id: 'flow', text: 'VPC Flow Logs' },
      { id: 'config', text: 'AWS Config' },
    ],
    options: [
      { id: 'api', text: 'API calls' },
      { id: 'traffic', text: 'Network traffic' },
      { id: 'state', text: 'Resource configuration' },
      { id: 'billing', text: 'Billing' }, // a distractor
    ],
    pairs: { trail: 'api', flow: 'traffic', config: 'state' },
  };
  const pairs = (given: Record<string, string>): ResponseValue => ({ type: 'matching', pairs: given });

  it.each<[Record<string, string>, number, string]>([
    [{ trail: 'api', flow: 'traffic', config: 'state' }, 3, 'correct'],
    [{ trail: 'api', flow: 'state', config: 'traffic' }, 1, 'partial'],
    [{ trail: 'api', flow: 'traffic', config: 'billing' }, 2, 'partial'],
    [{ trail: 'api' }, 1, 'partial'], // unpaired prompts are wrong
    [{ trail: 'billing', flow: 'billing', config: 'billing' }, 0, 'incorrect'],
    [{ trail: 'api', unknown: 'traffic', other: 'state' }, 1, 'partial'], // unknown prompt ids are ignored
    [{}, 0, 'incorrect'],
  ])('scores %j as %d (%s)', (given, score, correctness) => {
    expect(scoreMatching(question, pairs(given))).toEqual({ score, maxScore: 3, correctness, feedback: [] });
  });

  it('never takes a pair from the prototype of the key or the response', () => {
    const keyMissingAPrompt: MatchingQuestion = {
      ...question,
      prompts: [...question.prompts, { id: 'constructor', text: 'odd' }],
    };
    // The key holds no pair for `constructor`, so neither a blank nor any value can match it.
    expect(scoreMatching(keyMissingAPrompt, pairs({ trail: 'api', flow: 'traffic', config: 'state' })).score).toBe(
      2.25,
    );
  });

  it('scores a blank, wrong-type or malformed response as 0 incorrect', () => {
    const notARecord = { type: 'matching', pairs: ['api'] } as unknown as ResponseValue;
    const responses: (ResponseValue | undefined)[] = [undefined, { type: 'ordering', order: ['api'] }, notARecord];
    for (const response of responses) {
      expect(scoreMatching(question, response)).toMatchObject({ score: 0, correctness: 'incorrect' });
    }
  });
});
