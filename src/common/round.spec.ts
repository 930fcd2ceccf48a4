import { rate, round4 } from './round';

describe('round4 and rate', () => {
  it('rounds to four decimal places, never to −0', () => {
    expect(round4(2 / 3)).toBe(0.6667);
    expect(round4(0.12344)).toBe(0.1234);
    expect(Object.is(round4(-0.00001), 0)).toBe(true);
  });

  it('gives a share rounded as round4, and 0 of nothing as 0', () => {
    expect(rate(1, 3)).toBe(0.3333);
    expect(rate(5, 5)).toBe(1);
    expect(rate(0, 0)).toBe(0);
    expect(rate(3, 0)).toBe(0);
  });
});
