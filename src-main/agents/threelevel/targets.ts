/**
 * Where Level 3's targets come from until the tactical level exists (docs/three-level.md "Targets"):
 *
 * In training (`sampleTrainingPeriod`), seeded: a period start t0 drawn uniformly from the training days; the
 * previous period's target, a fresh allocation (weights proportional to exp(allocationSpread x z), z standard
 * normal, fully invested), drifted with prices over the `horizon` days before t0 — the book the period starts from;
 * and the new target: with probability `reallocationProb` another fresh allocation (a full re-allocation), else the
 * holdings tilted asset by asset by exp(tiltStd x z) and rescaled to the holdings' invested share (config.ts says
 * why these sizes).
 *
 * In the evaluation (`momentumTarget`), a fixed rule the tactical level will later replace: equal weight tilted
 * towards the trailing winners, w_i = (1 + tilt x s_i) / n, s_i the asset's rank by its return over the last
 * `lookback` closes scaled to [-1, 1] (the worst -1, the best +1; ties by ticker order). The scores are symmetric,
 * so the weights sum to 1. It reads closes up to the decision day only.
 */
import type { PriceMatrix } from '../../market/prices';
import { normalDraw } from '../noise';
import type { ExecutionConfig } from './config';
import { drift } from './env';

/** A fully invested allocation over n assets, weights proportional to exp(spread z) (see the file overview). */
export function freshAllocation(n: number, spread: number, rng: () => number): Float64Array {
  const w = Float64Array.from({ length: n }, () => Math.exp(spread * normalDraw(rng)));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

/** The risky holdings `h` (n entries) tilted by exp(tiltStd z) per asset and rescaled to their own sum. */
export function tiltedAllocation(h: ArrayLike<number>, tiltStd: number, rng: () => number): Float64Array {
  const n = h.length;
  let invested = 0;
  for (let i = 0; i < n; i++) invested += h[i]!;
  const w = Float64Array.from({ length: n }, (_, i) => h[i]! * Math.exp(tiltStd * normalDraw(rng)));
  const s = w.reduce((a, b) => a + b, 0);
  return s > 0 ? w.map((x) => (x / s) * invested) : w;
}

/** One training period: where it starts, the book it starts from (risky then cash) and its target. */
export interface TrainingPeriod {
  t0: number;
  holdings: Float64Array;
  target: Float64Array;
}

/**
 * A training period inside days [first, last] of `m` (see the file overview): t0 in [first + horizon, last -
 * horizon], so the previous period's drift and the period itself (up to its drift into t0 + horizon) stay inside.
 * @throws RangeError when the days are too few for one period
 */
export function sampleTrainingPeriod(
  m: PriceMatrix,
  first: number,
  last: number,
  cfg: Pick<ExecutionConfig, 'horizon' | 'tiltStd' | 'reallocationProb' | 'allocationSpread'>,
  rng: () => number,
): TrainingPeriod {
  const H = cfg.horizon;
  const lo = Math.max(first + H, 2);
  const hi = last - H;
  if (hi < lo)
    throw new RangeError(
      `days ${first}..${last} are too few for a training period of ${H} days after ${H} days of drift`,
    );
  const t0 = lo + Math.min(hi - lo, Math.floor(rng() * (hi - lo + 1)));
  return { t0, ...periodAllocations(m, t0, cfg, rng) };
}

/** The holdings at t0 (a fresh allocation drifted over the horizon before it) and a target around them. */
export function periodAllocations(
  m: PriceMatrix,
  t0: number,
  cfg: Pick<ExecutionConfig, 'horizon' | 'tiltStd' | 'reallocationProb' | 'allocationSpread'>,
  rng: () => number,
): { holdings: Float64Array; target: Float64Array } {
  const n = m.tickers.length;
  const holdings = new Float64Array(n + 1);
  holdings.set(freshAllocation(n, cfg.allocationSpread, rng));
  for (let t = Math.max(0, t0 - cfg.horizon); t < t0; t++) drift(holdings, m.close[t]!, m.close[t + 1]!, 0, n);
  const target =
    rng() < cfg.reallocationProb
      ? freshAllocation(n, cfg.allocationSpread, rng)
      : tiltedAllocation(holdings.subarray(0, n), cfg.tiltStd, rng);
  return { holdings, target };
}

/** Settings of the evaluation's momentum-tilt targets. */
export interface MomentumTargetSettings {
  /** closes the trailing return spans. Default 126 (half a year). */
  lookback: number;
  /** the largest tilt, as a share of the equal weight. Default 0.5 (weights between 0.5 / n and 1.5 / n). */
  tilt: number;
}

export const MOMENTUM_TARGET_DEFAULTS: Readonly<MomentumTargetSettings> = Object.freeze({ lookback: 126, tilt: 0.5 });

/** The momentum-tilt target at the close of t (see the file overview); reads closes t - lookback .. t only. */
export function momentumTarget(
  m: PriceMatrix,
  t: number,
  s: MomentumTargetSettings = MOMENTUM_TARGET_DEFAULTS,
): Float64Array {
  const n = m.tickers.length;
  if (!(t >= s.lookback)) throw new RangeError(`the momentum target needs ${s.lookback} closes before day ${t}`);
  if (n === 1) return Float64Array.of(1);
  const now = m.close[t]!;
  const then = m.close[t - s.lookback]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => now[a]! / then[a]! - now[b]! / then[b]! || a - b);
  const w = new Float64Array(n);
  order.forEach((i, rank) => (w[i] = (1 + s.tilt * ((2 * rank) / (n - 1) - 1)) / n));
  return w;
}
