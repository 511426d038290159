/**
 * The two execution schedules Level 3 must beat (docs/three-level.md "Baselines"), as plain functions of the days
 * left in the period and as policies the environment runs:
 *   - trade at once: the whole gap on the first day (fraction 1; the book then holds the target portfolio and
 *     drifts with it, so later days find no gap and trade nothing);
 *   - linear: 1 / (days left) of the remaining gap each day, so with prices that do not move each of the horizon's
 *     days trades the same share of the first day's gap (TWAP-like); the last day's 1 / 1 is the whole rest.
 * Both leave nothing at the period's end, as the environment's forced last trade would.
 */
import type { ExecutionState } from './env';

/** A rule that says, at one decision, which fraction of each asset's gap to trade. */
export interface ExecutionPolicy {
  /** the name tables show */
  readonly name: string;
  /**
   * The fractions for every asset at the current decision of `s` (each in [0, 1]); `features` are the assets'
   * states [n x F] (env.ts), `daysLeft` the days left, this one included.
   */
  fractions(features: Float32Array, daysLeft: number, s: ExecutionState): Float64Array | Promise<Float64Array>;
}

/** Trade at once: the fraction of the remaining gap to trade with `daysLeft` days left (always 1). */
export function tradeAtOnceFraction(daysLeft: number): number {
  checkDaysLeft(daysLeft);
  return 1;
}

/** Linear: the fraction of the remaining gap to trade with `daysLeft` days left, 1 / daysLeft. */
export function linearFraction(daysLeft: number): number {
  checkDaysLeft(daysLeft);
  return 1 / daysLeft;
}

function checkDaysLeft(d: number): void {
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`days left must be a whole number >= 1, got ${d}`);
}

/** The names of the two baselines, as tables and the command line write them. */
export const BASELINE_NAMES = ['trade-at-once', 'linear'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** A baseline as a policy: the same fraction for every asset. */
export function baselinePolicy(name: BaselineName): ExecutionPolicy {
  const rule = name === 'trade-at-once' ? tradeAtOnceFraction : linearFraction;
  return {
    name,
    fractions: (_features, daysLeft, s) => new Float64Array(s.w.length - 1).fill(rule(daysLeft)),
  };
}

/**
 * The share of the first day's gap each day of a `horizon`-day period trades under a fraction rule, when prices do
 * not move (so the gap changes only by what is traded): the schedule a rule implies.
 */
export function scheduleOf(rule: (daysLeft: number) => number, horizon: number): number[] {
  const out: number[] = [];
  let gap = 1;
  for (let d = 0; d < horizon; d++) {
    const f = d === horizon - 1 ? 1 : Math.min(1, Math.max(0, rule(horizon - d)));
    out.push(gap * f);
    gap -= gap * f;
  }
  return out;
}
