/**
 * Level 2's environment (docs/three-level.md "Level 2"): one tactical month of `horizon` trading days, executed by
 * Level 3 inside it, so the month's reward carries the execution's costs.
 *
 * A month. At the close of t0 the book holds `holdings` (risky then cash, the previous month drifted to t0) and the
 * strategic level's class weights s are in force. The tactical level's raw tilts a (one per class, cash last, each in
 * [-1, 1], the policy's tanh) become the bounded tilts d = boundTilts(s, maxTilt x a) (tilts.ts), the combined class
 * weights c = s + d, and the asset target equal weight inside each class (tilts.ts assetWeights). Level 3 (a learned
 * policy or a baseline) trades the book towards that target at the closes of t0 .. t0 + horizon - 1 in its own
 * environment (env.ts, the run's cost model), ending the month on it; the month ends at the close of t0 + horizon
 * with the book the next month starts from.
 *
 * The reward, in basis points of the book, per class k:
 *   r_k = 10^4 d_k (G_k - 1) - (what Level 3 paid trading class k's assets over the month)
 * G_k the growth of class k's equal-weight basket held from t0 to t0 + horizon (cash: 1). A buy-and-hold portfolio's
 * value is linear in its weights, so Σ_k 10^4 d_k (G_k - 1) is exactly the month's return of holding c minus that of
 * holding s, both from t0 at no cost; with the costs the sum is the month's outperformance over holding the strategic
 * target, net of execution costs. Left out: the market's move on the part of a gap Level 3 has not traded yet (its
 * shortfall beyond costs, mean zero, and what Level 3's tracking penalty prices) and the second-order effect of costs
 * on the value.
 *
 * The state of a class (`TACTICAL_FEATURES`), at the close of t0 from data up to t0 only (signals.ts):
 *   0 10 x its basket's return over the short window    1 10 x its return over the long window
 *   2 100 x its daily volatility                        3 10 x its drawdown
 *   4 K x its strategic weight (K classes with cash; 1 = an equal share)
 *   5 K x its weight in the book now                    6 (weight now - strategic weight) / maxTilt
 *   7 1 for cash, 0 for a risky class (cash has no signals: entries 0-3 are 0)
 */
import type { ExecutionCosts } from '../../market/costs';
import type { PriceMatrix } from '../../market/prices';
import type { ClassLayout } from '../hadaps/classes';
import type { ExecutionPolicy } from './baselines';
import type { ExecutionConfig } from './config';
import { ExecutionEnv, type ExecutionState, type ExecutionStep } from './env';
import { basketReturn, classSignals, type Closes } from './signals';
import type { TacticalConfig } from './tactical-config';
import { assetWeights, boundTilts, classWeightsOf } from './tilts';

export const TACTICAL_FEATURES = [
  'trendShort',
  'trendLong',
  'volatility',
  'drawdown',
  'strategic',
  'held',
  'deviation',
  'cash',
] as const;
/** F, the number of entries of a class's state. */
export const TACTICAL_FEATURE_COUNT = TACTICAL_FEATURES.length;

/** The states of every class (cash last), [K x F] row-major (see the file overview). */
export function tacticalFeatures(
  closes: Closes,
  t: number,
  layout: ClassLayout,
  holdings: ArrayLike<number>,
  strategic: ArrayLike<number>,
  cfg: Pick<TacticalConfig, 'shortWindow' | 'longWindow' | 'volatilityWindow' | 'drawdownWindow' | 'maxTilt'>,
  out = new Float32Array((layout.classes.length + 1) * TACTICAL_FEATURE_COUNT),
): Float32Array {
  const K = layout.classes.length + 1;
  const held = classWeightsOf(layout, holdings);
  const sig = classSignals(closes, t, layout, cfg);
  const F = TACTICAL_FEATURE_COUNT;
  for (let k = 0; k < K; k++) {
    const o = k * F;
    const s = sig[k];
    out[o] = s ? 10 * s.trendShort : 0;
    out[o + 1] = s ? 10 * s.trendLong : 0;
    out[o + 2] = s ? 100 * s.volatility : 0;
    out[o + 3] = s ? 10 * s.drawdown : 0;
    out[o + 4] = K * strategic[k]!;
    out[o + 5] = K * held[k]!;
    out[o + 6] = cfg.maxTilt > 0 ? (held[k]! - strategic[k]!) / cfg.maxTilt : 0;
    out[o + 7] = s ? 0 : 1;
  }
  return out;
}

/** What one tactical month did. */
export interface TacticalMonth {
  /** the bounded tilts per class, cash last */
  tilts: Float64Array;
  /** the combined class weights the month executed to */
  combined: Float64Array;
  /** per class, basis points of the book (see the file overview) */
  rewards: Float64Array;
  reward: number;
  /** per class, what Level 3 paid over the month, basis points */
  costsBp: Float64Array;
  /** the book at the close of t0 + horizon (risky then cash): the next month's holdings */
  holdings: Float64Array;
  /**
   * each day's growth of the book's value, from one close to the next, after that day's execution costs (horizon
   * entries: t0 -> t0 + 1, ..., t0 + horizon - 1 -> t0 + horizon); a learned Level 1's yearly reward reads it
   */
  growth: Float64Array;
  /** t0 + horizon */
  end: number;
}

/** One day of a month as Level 3 executed it, for a trainer that learns Level 3 inside the months (joint-trainer.ts). */
export interface MonthDay {
  /** the day's close (matrix index), where the trade happened */
  t: number;
  /** the assets' states at the day's close, before the trade [n x F] (env.ts), the period's last day's too */
  features: Float32Array;
  /** what the day's trade did (the fractions applied, each asset's reward) */
  step: ExecutionStep;
  /** the period's last day: the forced trade of the whole rest, not a decision */
  last: boolean;
}

/** Level 3's fractions for a day, refused when the policy answers asynchronously (the month runs synchronously). */
function fractionsOf(
  policy: ExecutionPolicy,
  features: Float32Array,
  daysLeft: number,
  s: ExecutionState,
): Float64Array {
  const f = policy.fractions(features, daysLeft, s);
  if (f instanceof Promise) throw new Error(`execution policy ${policy.name} must answer synchronously inside Level 2`);
  return f;
}

/** Tactical months over one price matrix, executed by one Level 3 policy under one cost model. */
export class TacticalEnv {
  /** number of classes, cash included */
  readonly K: number;
  readonly exec: ExecutionEnv;
  private readonly closes: Closes;

  constructor(
    readonly m: PriceMatrix,
    readonly layout: ClassLayout,
    costs: ExecutionCosts,
    execCfg: Pick<ExecutionConfig, 'horizon' | 'riskAversion'>,
    readonly execution: ExecutionPolicy,
    readonly cfg: TacticalConfig,
  ) {
    if (execCfg.horizon !== cfg.horizon)
      throw new RangeError(
        `the tactical horizon (${cfg.horizon} days) must be the execution level's (${execCfg.horizon} days)`,
      );
    if (layout.nAssets !== m.tickers.length)
      throw new RangeError(`the class layout covers ${layout.nAssets} assets, the prices ${m.tickers.length}`);
    this.K = layout.classes.length + 1;
    this.exec = new ExecutionEnv(m, costs, execCfg);
    this.closes = (d) => {
      const row = m.close[d];
      if (!row) throw new RangeError(`day ${d} is outside the prices`);
      return row;
    };
  }

  /** The class states at the close of t (see the file overview). */
  features(t: number, holdings: ArrayLike<number>, strategic: ArrayLike<number>): Float32Array {
    return tacticalFeatures(this.closes, t, this.layout, holdings, strategic, this.cfg);
  }

  /**
   * Run the month from the close of t0 (see the file overview); `onDay`, when given, sees each day after its trade.
   * @throws RangeError when the month does not fit in the data or the inputs are not what they should be
   */
  month(
    t0: number,
    holdings: ArrayLike<number>,
    strategic: ArrayLike<number>,
    raw: ArrayLike<number>,
    onDay?: (day: MonthDay) => void,
  ): TacticalMonth {
    const H = this.cfg.horizon;
    const end = t0 + H;
    if (!(end < this.m.dates.length))
      throw new RangeError(`a tactical month from day ${t0} needs the close of day ${end}, past the prices' last day`);
    if (raw.length !== this.K) throw new RangeError(`${raw.length} tilts for ${this.K} classes`);
    const tilts = boundTilts(
      strategic,
      Array.from(raw, (a) => this.cfg.maxTilt * a),
      this.cfg.maxTilt,
    );
    const combined = Float64Array.from(strategic, (s, k) => Math.max(0, s + tilts[k]!));
    const target = assetWeights(this.layout, combined);
    const s = this.exec.start(t0, holdings, target);
    const costsBp = new Float64Array(this.K);
    const growth = new Float64Array(H);
    const n = this.layout.nAssets;
    while (this.exec.daysLeft(s) >= 1) {
      const left = this.exec.daysLeft(s);
      const last = left === 1;
      const features = last && !onDay ? null : this.exec.features(s);
      const f = last ? new Float64Array(n).fill(1) : fractionsOf(this.execution, features!, left, s);
      const t = s.t;
      const day = s.decision;
      const step = this.exec.step(s, f);
      growth[day] = s.value / step.valueBefore;
      for (let i = 0; i < n; i++) {
        const k = this.layout.classOf[i]!;
        costsBp[k] = costsBp[k]! + step.costsBp[i]!;
      }
      if (onDay) onDay({ t, features: features!, step, last });
    }
    const rewards = new Float64Array(this.K);
    this.layout.classes.forEach((c, k) => {
      rewards[k] = 1e4 * tilts[k]! * basketReturn(this.closes, c.members, t0, end) - costsBp[k]!;
    });
    return {
      tilts,
      combined,
      rewards,
      reward: rewards.reduce((a, b) => a + b, 0),
      costsBp,
      holdings: s.w,
      growth,
      end,
    };
  }
}
