/**
 * Daily portfolio environment for DDPG training (docs/backtest-conventions.md and SAMP-HDRL step 7).
 *
 * Convention (the same as the backtest engine): the target weights w_t (risky assets, sum <= 1, rest cash at
 * return 0) are decided at the close of day t from data up to t, traded at that close against the weights
 * held, w_{t-1}^drift, paying cost = costRate * sum_i |w_t,i - w_{t-1,i}^drift| (risky assets only; cash
 * is not charged a second time), then held over day t+1:
 *     growth_{t+1} = sum_i w_t,i x_{t+1,i} + (1 - sum_i w_t,i),   x = close[t+1] / close[t]
 *     V_{t+1} = V_t (1 - cost) growth_{t+1},   reward = log((1 - cost) growth_{t+1})
 *     w_t^drift,i = w_t,i x_{t+1,i} / growth_{t+1}.
 * An episode walks t = firstDay .. lastDay - 1 and starts all in cash (w^drift = 0).
 * The environment is built from a MarketView at the last training day, so it cannot read later prices.
 */
import type { MarketView } from '../../market/view';
import { windowFeatures } from './features';

/** Result of one environment step. */
export interface StepResult {
  /** log((1 - cost) * growth): log growth of portfolio value net of costs */
  reward: number;
  /** fraction of value paid as transaction cost */
  cost: number;
  /** gross growth factor of the held portfolio over the next day */
  growth: number;
  /** weights after the next day's price moves (the next step's w^drift) */
  drifted: Float64Array;
}

/**
 * One day of the portfolio recursion (see file overview). w target weights (sum <= 1), wprev drifted weights
 * held before trading, x price relatives of the next day, costRate proportional cost (0.001 = 0.1%).
 */
export function portfolioStep(w: ArrayLike<number>, wprev: ArrayLike<number>, x: ArrayLike<number>, costRate: number): StepResult {
  const n = w.length;
  let turnover = 0;
  let invested = 0;
  let gross = 0;
  for (let i = 0; i < n; i++) {
    turnover += Math.abs(w[i]! - wprev[i]!);
    invested += w[i]!;
    gross += w[i]! * x[i]!;
  }
  const growth = gross + (1 - invested);
  const cost = costRate * turnover;
  const drifted = new Float64Array(n);
  for (let i = 0; i < n; i++) drifted[i] = (w[i]! * x[i]!) / growth;
  return { reward: Math.log((1 - cost) * growth), cost, growth, drifted };
}

/** Settings of the environment. */
export interface EnvOptions {
  /** first decision day (index into the price matrix) */
  firstDay: number;
  /** last day whose price is used (the last reward is realised here) */
  lastDay: number;
  /** L, days in the feature window */
  window: number;
  /** feature multiplier (see features.ts) */
  featureScale: number;
  /** proportional transaction cost */
  costRate: number;
}

/** The training environment over [firstDay, lastDay] of one price matrix. */
export class PortfolioEnv {
  readonly nAssets: number;
  private readonly feats = new Map<number, Float32Array>();
  constructor(
    private readonly view: MarketView,
    readonly opts: EnvOptions,
  ) {
    if (opts.lastDay > view.t) throw new RangeError(`env lastDay ${opts.lastDay} beyond the view's day ${view.t}`);
    if (opts.firstDay < 0 || opts.firstDay >= opts.lastDay) throw new RangeError(`env needs firstDay < lastDay (got ${opts.firstDay}..${opts.lastDay})`);
    this.nAssets = view.nAssets;
  }

  /** Decision days of an episode: firstDay .. lastDay - 1. */
  get steps(): number {
    return this.opts.lastDay - this.opts.firstDay;
  }

  /** Window features at day t (cached), Float32Array [N * L]. */
  features(t: number): Float32Array {
    let f = this.feats.get(t);
    if (!f) {
      f = windowFeatures((d) => this.view.closes(d), t, this.nAssets, this.opts.window, this.opts.featureScale);
      this.feats.set(t, f);
    }
    return f;
  }

  /** Price relatives close[t] / close[t-1]. */
  relatives(t: number): Float64Array {
    return this.view.relatives(t);
  }

  /** Hold target w decided at t over t+1 starting from drifted weights wprev. */
  step(t: number, w: ArrayLike<number>, wprev: ArrayLike<number>): StepResult {
    if (t < this.opts.firstDay || t >= this.opts.lastDay) throw new RangeError(`step day ${t} outside the episode`);
    return portfolioStep(w, wprev, this.relatives(t + 1), this.opts.costRate);
  }
}
