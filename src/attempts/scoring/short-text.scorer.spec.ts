import type { ResponseValue, ShortTextQuestion } from '../../content/question.types';
import { normaliseAnswerText, scoreShortText } from './short-text.scorer';

const answer = (text: string): ResponseValue => ({ type: 'short_text', text });

describe('normaliseAnswerText', () => {
  it.each([
    ['  Cloud-Trail’s   LOGS! ', 'cloudtrails logs'],
    ['ＡＷＳ　ＣｌｏｕｄＴｒａｉｌ', 'aws cloudtrail'], // full-width letters and ideographic space (NFKC)
    ['ﬁle', 'file'], // ligature (NFKC)
    ['Amazon\tGuard\u00a0Duty\n', 'amazon guard duty'],
    ['"S3", (bucket) policy.', 's3 bucket policy'],
    ['Café', 'café'],
    ['?!…', ''],
    ['CloudTrail/GuardDuty', 'cloudtrail guardduty'], // a slash separates words
    ['e-mail', 'email'], // a hyphen joins them
  ])('normalises %j to %j', (text, expected) => {
    expect(normaliseAnswerText(text)).toBe(expected);
  });

  it('treats composed and decomposed accents alike', () => {
    expect(normaliseAnswerText('Cafe\u0301')).toBe(normaliseAnswerText('Caf\u00e9'));
  });
});

describe('scoreShortText, accepted answers', () => {
  const question: ShortTextQuestion = {
    type: 'short_text',
    prompt: 'Which service records API activity?',
    points: 2,
    accepted: ['AWS CloudTrail', 'CloudTrail'],
  };

  it.each(['CloudTrail', 'cloudtrail', '  AWS   CLOUDTRAIL. ', 'ＣｌｏｕｄＴｒａｉｌ', 'Cloud-Trail'])(
    'gives full marks for %j',
    (text) => {
      expect(scoreShortText(question, answer(text))).toEqual({
        score: 2,
        maxScore: 2,
        correctness: 'correct',
        feedback: [],
      });
    },
  );

  it.each(['CloudWatch', 'CloudTrail logs', 'Cloud Trail', ''])(
    'gives nothing for %j without keyword groups',
    (text) => {
      expect(scoreShortText(question, answer(text))).toMatchObject({ score: 0, correctness: 'incorrect' });
    },
  );

  it('never matches an empty answer to an accepted answer that normalises to nothing', () => {
    const odd: ShortTextQuestion = { ...question, accepted: ['?'] };
    expect(scoreShortText(odd, answer('!')).score).toBe(0);
    expect(scoreShortText(odd, answer('')).score).toBe(0);
  });

  it('scores a blank or wrong-type response as 0 incorrect', () => {
    expect(scoreShortText(question, undefined)).toMatchObject({ score: 0, correctness: 'incorrect' });
    expect(scoreShortText(question, { type: 'essay', text: 'CloudTrail' })).toMatchObject({
      score: 0,
      correctness: 'incorrect',
    });
  });
});

describe('scoreShortText, keyword groups', () => {
  const question: ShortTextQuestion = {
    type: 'short_text',
    prompt: 'Name two sources of evidence for an investigation.',
    points: 4,
    accepted: ['CloudTrail and VPC Flow Logs'],
    keywordGroups: [['CloudTrail', 'API logs'], ['VPC Flow Logs', 'flow-logs'], ['GuardDuty']],
  };

  it('prefers an accepted answer over keywords', () => {
    expect(scoreShortText(question, answer('CloudTrail and VPC flow logs!')).score).toBe(4);
  });

  it.each<[string, number, string]>([
    ['I would check CloudTrail, VPC flow logs and GuardDuty findings', 4, 'correct'],
    ['Look at the API logs and the flowlogs', 2.6667, 'partial'], // punctuation dropped: `flow-logs` → `flowlogs`
    ['VPC Flow Logs; GuardDuty', 2.6667, 'partial'],
    ['CloudTrail cloudtrail CLOUDTRAIL', 1.3333, 'partial'], // one group counts once
    ['CloudTrails and flow logging', 0, 'incorrect'], // whole words only
    ['vpc flow', 0, 'incorrect'], // a phrase matches only whole
    ['', 0, 'incorrect'],
  ])('scores %j as %d (%s)', (text, score, correctness) => {
    expect(scoreShortText(question, answer(text))).toMatchObject({ score, correctness });
  });

  it('ignores keywords that normalise to nothing', () => {
    const withEmpty: ShortTextQuestion = { ...question, accepted: [], keywordGroups: [['...'], ['GuardDuty']] };
    expect(scoreShortText(withEmpty, answer('GuardDuty')).score).toBe(2);
    expect(scoreShortText(withEmpty, answer('')).score).toBe(0);
  });

  it('gives nothing for an empty list of groups', () => {
    expect(scoreShortText({ ...question, keywordGroups: [] }, answer('GuardDuty')).score).toBe(0);
  });
});

describe('scoreShortText, wrong-answer feedback', () => {
  const question: ShortTextQuestion = {
    type: 'short_text',
    prompt: 'Which AWS service do CloudWatch Alarms use to send notifications?',
    points: 2,
    accepted: ['SNS', 'Amazon SNS'],
    keywordGroups: [['sns', 'simple notification service'], ['topic']],
    wrongFeedback: 'See "CloudWatch Alarms" in section 2.',
    anticipated: [
      { answer: 'CloudWatch Events', feedback: 'Events route changes; alarms notify through another service.' },
      { answer: 'EventBridge', feedback: 'EventBridge routes events; it is not what alarms notify through.' },
    ],
  };

  it.each([
    'CloudWatch Events',
    '  cloudwatch   EVENTS! ',
    'ＣｌｏｕｄＷａｔｃｈ　Ｅｖｅｎｔｓ',
    '"CloudWatch" (Events)',
  ])('gives the anticipated feedback for %j, matched after normalisation', (text) => {
    expect(scoreShortText(question, answer(text))).toEqual({
      score: 0,
      maxScore: 2,
      correctness: 'incorrect',
      feedback: ['Events route changes; alarms notify through another service.'],
    });
  });

  it('picks the anticipated answer the response matches, not the first one', () => {
    expect(scoreShortText(question, answer('eventbridge.')).feedback).toEqual([
      'EventBridge routes events; it is not what alarms notify through.',
    ]);
  });

  it('matches an anticipated answer whole, never as a phrase inside the answer, nor with its hyphens turned into spaces', () => {
    for (const text of ['CloudWatch Events and Lambda', 'CloudWatch-Events']) {
      expect(scoreShortText(question, answer(text)).feedback).toEqual(['See "CloudWatch Alarms" in section 2.']);
    }
  });

  it('gives the general wrong-answer feedback to any other wrong or partly right answer', () => {
    expect(scoreShortText(question, answer('Lambda'))).toMatchObject({
      score: 0,
      correctness: 'incorrect',
      feedback: ['See "CloudWatch Alarms" in section 2.'],
    });
    expect(scoreShortText(question, answer('an SNS thing'))).toMatchObject({
      score: 1,
      correctness: 'partial',
      feedback: ['See "CloudWatch Alarms" in section 2.'],
    });
  });

  it('gives no wrong-answer feedback to a right answer, by acceptance or by every keyword group', () => {
    expect(scoreShortText(question, answer('amazon sns')).feedback).toEqual([]);
    expect(scoreShortText(question, answer('an SNS topic'))).toMatchObject({ correctness: 'correct', feedback: [] });
  });

  it('gives no feedback to a blank answer or a missing one', () => {
    expect(scoreShortText(question, answer('  ?! ')).feedback).toEqual([]);
    expect(scoreShortText(question, undefined).feedback).toEqual([]);
  });

  it('gives nothing without wrong-answer feedback in the key', () => {
    const { wrongFeedback: _general, ...withoutGeneral } = question;
    expect(scoreShortText(withoutGeneral, answer('Lambda')).feedback).toEqual([]);
    expect(scoreShortText(withoutGeneral, answer('EventBridge')).feedback).toHaveLength(1);
  });
});
