import { attemptsInWords, statusInWords } from './status';

describe('statusInWords', () => {
  it('names each status', () => {
    expect(statusInWords('not_started')).toBe('Not started');
    expect(statusInWords('completed')).toBe('Completed');
  });
  it('attempts used and left, unlimited included', () => {
    expect(attemptsInWords(1, 2)).toBe('Attempts used: 1; left: 2');
    expect(attemptsInWords(3, 'unlimited')).toBe('Attempts used: 3; left: unlimited');
  });
});
