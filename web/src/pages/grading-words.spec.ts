import { points, totalInWords } from './grading-words';

describe('grading words', () => {
  it('writes scores with at most 4 decimal places and no trailing zeros', () => {
    expect(points(2)).toBe('2');
    expect(points(1.5)).toBe('1.5');
    expect(points(0.1 + 0.2)).toBe('0.3');
    expect(points(1.23456)).toBe('1.2346');
  });
  it('says an attempt’s total: points, percentage and outcome, or what is still to grade', () => {
    expect(totalInWords(null)).toBe('No score yet.');
    expect(totalInWords({ raw: 46, max: 53, scaled: 46 / 53, passed: true, pending: 0 })).toBe(
      '46 of 53 points (87%), passed.',
    );
    expect(totalInWords({ raw: 10, max: 53, scaled: 10 / 53, passed: false, pending: 0 })).toBe(
      '10 of 53 points (19%), not passed.',
    );
    expect(totalInWords({ raw: 44, max: 53, scaled: 44 / 53, passed: null, pending: 1 })).toBe(
      '44 of 53 points (83%), 1 answer still to grade.',
    );
    expect(totalInWords({ raw: 40, max: 53, scaled: 40 / 53, passed: null, pending: 2 })).toContain(
      '2 answers still to grade',
    );
  });
});
