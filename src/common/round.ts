/** Rounds to 4 decimal places, the precision reports and scores are given in; never −0. */
export function round4(value: number): number {
  const rounded = Math.round(value * 10_000) / 10_000;
  return Object.is(rounded, -0) ? 0 : rounded;
}
