import type {
  MultipleChoiceQuestion,
  ResponseValue,
  SingleChoiceQuestion,
  TrueFalseQuestion,
} from '../../content/question.types';
import { scoreMultipleChoice, scoreSingleChoice, scoreTrueFalse } from './choice.scorer';

const singleChoice: SingleChoiceQuestion = {
  type: 'single_choice',
  prompt: 'Which service records API calls?',
  points: 2,
  choices: [
    { id: 'a', text: 'CloudTrail', feedback: 'Yes: every API call is an event.' },
    { id: 'b', text: 'CloudWatch', feedback: 'CloudWatch holds metrics and logs, not API history.' },
    { id: 'c', text: 'GuardDuty' },
  ],
  correct: 'a',
};

function multipleChoice(scoring: MultipleChoiceQuestion['scoring']): MultipleChoiceQuestion {
  return {
    type: 'multiple_choice',
    prompt: 'Which are detective controls?',
    points: 3,
    choices: [
      { id: 'a', text: 'GuardDuty', feedback: 'a fb' },
      { id: 'b', text: 'Config rules', feedback: 'b fb' },
      { id: 'c', text: 'Security Hub' },
      { id: 'd', text: 'KMS', feedback: 'd fb' },
      { id: 'e', text: 'IAM policies', feedback: 'e fb' },
    ],
    correct: ['a', 'b', 'c'],
    scoring,
  };
}

const choose = (...choiceIds: string[]): ResponseValue => ({ type: 'multiple_choice', choiceIds });

describe('scoreSingleChoice', () => {
  it('gives full marks and the chosen feedback for the right choice', () => {
    expect(scoreSingleChoice(singleChoice, { type: 'single_choice', choiceId: 'a' })).toEqual({
      score: 2,
      maxScore: 2,
      correctness: 'correct',
      feedback: ['Yes: every API call is an event.'],
    });
  });

  it('gives nothing for a wrong choice, with that choice’s feedback', () => {
    expect(scoreSingleChoice(singleChoice, { type: 'single_choice', choiceId: 'b' })).toEqual({
      score: 0,
      maxScore: 2,
      correctness: 'incorrect',
      feedback: ['CloudWatch holds metrics and logs, not API history.'],
    });
  });

  it('gives no feedback for a choice without any', () => {
    expect(scoreSingleChoice(singleChoice, { type: 'single_choice', choiceId: 'c' }).feedback).toEqual([]);
  });

  it.each<[string, ResponseValue | undefined]>([
    ['blank', undefined],
    ['an unknown choice id', { type: 'single_choice', choiceId: 'z' }],
    ['an id taken from the prototype', { type: 'single_choice', choiceId: 'constructor' }],
    ['a response of another type', { type: 'multiple_choice', choiceIds: ['a'] }],
  ])('scores %s as 0 incorrect without feedback', (_label, response) => {
    expect(scoreSingleChoice(singleChoice, response)).toEqual({
      score: 0,
      maxScore: 2,
      correctness: 'incorrect',
      feedback: [],
    });
  });
});

describe('scoreMultipleChoice, right_minus_wrong', () => {
  const question = multipleChoice('right_minus_wrong');

  it.each<[string[], number, string]>([
    [['a', 'b', 'c'], 3, 'correct'],
    [['a', 'b'], 2, 'partial'], // (2 − 0) / 3 × 3
    [['a'], 1, 'partial'], // (1 − 0) / 3 × 3
    [['a', 'b', 'd'], 1, 'partial'], // (2 − 1) / 3 × 3
    [['a', 'b', 'c', 'd'], 2, 'partial'], // (3 − 1) / 3 × 3
    [['a', 'd'], 0, 'incorrect'], // (1 − 1) / 3
    [['a', 'd', 'e'], 0, 'incorrect'], // max(0, (1 − 2) / 3)
    [['d', 'e'], 0, 'incorrect'],
    [[], 0, 'incorrect'],
  ])('scores %j as %d (%s)', (choiceIds, score, correctness) => {
    const result = scoreMultipleChoice(question, choose(...choiceIds));
    expect(result.score).toBe(score);
    expect(result.correctness).toBe(correctness);
    expect(result.maxScore).toBe(3);
  });

  it('rounds a fractional score to 4 decimal places', () => {
    const onePoint = { ...question, points: 1 };
    expect(scoreMultipleChoice(onePoint, choose('a')).score).toBe(0.3333);
    expect(scoreMultipleChoice(onePoint, choose('a', 'b')).score).toBe(0.6667);
  });

  it('counts a duplicate selection once', () => {
    expect(scoreMultipleChoice(question, choose('a', 'a', 'a')).score).toBe(1);
    expect(scoreMultipleChoice(question, choose('a', 'b', 'd', 'd')).score).toBe(1);
  });

  it('ignores the order of the selection', () => {
    expect(scoreMultipleChoice(question, choose('c', 'a', 'b'))).toEqual(
      scoreMultipleChoice(question, choose('a', 'b', 'c')),
    );
  });

  it('counts an unknown id as a wrong pick', () => {
    expect(scoreMultipleChoice(question, choose('a', 'b', 'zz')).score).toBe(1);
    expect(scoreMultipleChoice(question, choose('a', 'b', 'c', 'zz')).correctness).toBe('partial');
  });

  it('gives the feedback of each selected choice once, in the question’s order', () => {
    expect(scoreMultipleChoice(question, choose('e', 'a', 'c', 'e', 'zz')).feedback).toEqual(['a fb', 'e fb']);
  });

  it.each<[string, ResponseValue | undefined]>([
    ['blank', undefined],
    ['a single-choice response', { type: 'single_choice', choiceId: 'a' }],
  ])('scores %s as 0 incorrect', (_label, response) => {
    expect(scoreMultipleChoice(question, response)).toEqual({
      score: 0,
      maxScore: 3,
      correctness: 'incorrect',
      feedback: [],
    });
  });
});

describe('scoreMultipleChoice, all_or_nothing', () => {
  const question = multipleChoice('all_or_nothing');

  it('gives full marks only when the selection equals the key set', () => {
    expect(scoreMultipleChoice(question, choose('b', 'c', 'a')).correctness).toBe('correct');
    expect(scoreMultipleChoice(question, choose('a', 'b', 'c', 'a')).score).toBe(3);
  });

  it.each([[['a', 'b']], [['a', 'b', 'c', 'd']], [['a', 'b', 'c', 'zz']], [[]]])(
    'gives nothing for %j',
    (choiceIds) => {
      expect(scoreMultipleChoice(question, choose(...choiceIds))).toMatchObject({ score: 0, correctness: 'incorrect' });
    },
  );
});

describe('scoreTrueFalse', () => {
  const question: TrueFalseQuestion = {
    type: 'true_false',
    prompt: 'CloudTrail is enabled in every region by default.',
    points: 1,
    correct: false,
    feedback: { true: 'Only event history is; a trail must be created.', false: 'Right.' },
  };

  it('gives full marks and the chosen value’s feedback for the right value', () => {
    expect(scoreTrueFalse(question, { type: 'true_false', value: false })).toEqual({
      score: 1,
      maxScore: 1,
      correctness: 'correct',
      feedback: ['Right.'],
    });
  });

  it('gives nothing and the chosen value’s feedback for the wrong value', () => {
    expect(scoreTrueFalse(question, { type: 'true_false', value: true })).toEqual({
      score: 0,
      maxScore: 1,
      correctness: 'incorrect',
      feedback: ['Only event history is; a trail must be created.'],
    });
  });

  it('gives no feedback when the question has none for the value', () => {
    const bare: TrueFalseQuestion = { ...question, feedback: { true: 'only for true' } };
    expect(scoreTrueFalse(bare, { type: 'true_false', value: false }).feedback).toEqual([]);
    expect(scoreTrueFalse({ ...question, feedback: undefined }, { type: 'true_false', value: true }).feedback).toEqual(
      [],
    );
  });

  it('scores a blank, a wrong-type or a non-boolean response as 0 incorrect', () => {
    const notBoolean = { type: 'true_false', value: 'false' } as unknown as ResponseValue;
    const responses: (ResponseValue | undefined)[] = [undefined, { type: 'numeric', value: 0 }, notBoolean];
    for (const response of responses) {
      expect(scoreTrueFalse(question, response)).toEqual({
        score: 0,
        maxScore: 1,
        correctness: 'incorrect',
        feedback: [],
      });
    }
  });
});
