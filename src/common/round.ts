/** Rounds to 4 decimal places, the precision reports and scores are given in; never −0. */
export function round4(value: number): number {
  const rounded = Math.round(value * 10_000) / 10_000;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** `part` as a share of `whole`, rounded as round4; 0 of nothing is 0 (an empty cohort's rates). */
export function rate(part: number, whole: number): number {
  return whole ? round4(part / whole) : 0;
}
