// Exponential back-off for runs that failed or were refused: the first retry after
// `firstMs`, doubling per failure in a row, never later than `maxMs` (10 min by default),
// with +-10 % jitter so that instances refused together do not retry in lockstep.

/** Back-off limits. */
export interface BackoffSettings {
  readonly firstMs: number;
  readonly maxMs: number;
}

/** Delay before attempt number `failures + 1`, after `failures` (>= 1) failed runs in a row. */
export function backoffDelay(failures: number, s: BackoffSettings, random: () => number): number {
  const base = Math.min(s.maxMs, s.firstMs * 2 ** Math.max(0, failures - 1));
  return Math.round(Math.min(s.maxMs, base * (0.9 + 0.2 * random())));
}
