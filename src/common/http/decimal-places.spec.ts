import fc from 'fast-check';
import { decimalPlacesOf } from './decimal-places';

describe('decimalPlacesOf', () => {
  it.each([
    [0, 0],
    [3, 0],
    [-2, 0],
    [0.5, 1],
    [1.25, 2],
    [1234.5678, 4],
    [0.1 + 0.2, 17],
    [1e-7, 7],
    [1.5e-7, 8],
    [5e-324, 324],
    [1e21, 0],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 0],
  ])('%p has %p', (value, places) => {
    expect(decimalPlacesOf(value)).toBe(places);
  });

  it('agrees with the printed fraction wherever JavaScript prints one', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), (value) => {
        const printed = String(value);
        fc.pre(!printed.includes('e'));
        expect(decimalPlacesOf(value)).toBe(printed.split('.')[1]?.length ?? 0);
      }),
    );
  });
});
