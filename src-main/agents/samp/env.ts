/**
 * Daily portfolio environment for DDPG training (docs/backtest-conventions.md and SAMP-HDRL step 7).
 *
 * Convention (the same as the backtest engine): the target weights w_t (risky assets, sum <= 1, rest cash at
 * return 0) are decided at the close of day t from data up to t, traded at that close against the weights
 * held, w_{t-1}^drift, paying cost = costRate * sum_i |w_t,i - w_{t-1,i}^drift| (risky assets only; cash
 * is not charged a second time), then held over day t+1:
 *     growth_{t+1} = sum_i w_t,i x_{t+1,i} + (1 - sum_i w_t,i),   x = close[t+1] / close[t]
 *     V_{t+1} = V_t (1 - cost) growth_{t+1},   reward = log((1 - cost) growth_{t+1}) - turnoverPenalty * turnover_t
 *     w_t^drift,i = w_t,i x_{t+1,i} / growth_{t+1},
 * with the one-way turnover_t = ½ (Σ_i |w_t,i - w_{t-1,i}^drift| + |Δcash|) (trading.ts oneWayTurnover, the
 * simulator's measure). The penalty shapes the reward only: `growth` and `cost` are the portfolio's own.
 * With `reward: 'simple-gross'` (HADAPS's paper reward, agents/hadaps) the reward is instead the day's gross simple
 * return sum_i w_t,i (x_{t+1,i} - 1) - turnoverPenalty * turnover_t: the costs are still paid by the portfolio
 * (`growth`, `cost`, the validation runs) but are not in the reward.
 * Before trading, the policy's target goes through the trade rule (trading.ts bandedPartialTrade, the function the
 * strategies' decide applies): the no-trade band decides which assets trade, and each moves `tradeRate` of the way
 * from its held weight (default all the way), or all of it when the gap left would be under the band: w_t is the
 * executed target, which the step reports.
 * An episode walks t = firstDay .. lastDay - 1 and starts all in cash (w^drift = 0).
 * The environment is built from a MarketView at its last day, so it cannot read later prices: the training
 * environment ends where the validation period starts (strategies/samp/model.ts).
 */
import type { MarketView } from '../../market/view';
import { featuresAt, type FeatureSpec } from './features';
import { bandedPartialTrade, oneWayTurnover } from './trading';

/** Result of one environment step. */
export interface StepResult {
  /** log((1 - cost) * growth) - turnoverPenalty * turnover: the training reward */
  reward: number;
  /** one-way turnover of the trade (½ Σ |Δw| over the assets and cash) */
  turnover: number;
  /** the weights traded to (the target after the no-trade band) */
  executed: Float64Array;
  /** fraction of value paid as transaction cost */
  cost: number;
  /** gross growth factor of the held portfolio over the next day */
  growth: number;
  /** weights after the next day's price moves (the next step's w^drift) */
  drifted: Float64Array;
}

/**
 * One day of the portfolio recursion (see file overview). w target weights (sum <= 1; already through the band),
 * wprev drifted weights held before trading, x price relatives of the next day, costRate proportional cost
 * (0.001 = 0.1%), turnoverPenalty per unit of one-way turnover.
 */
export function portfolioStep(
  w: ArrayLike<number>,
  wprev: ArrayLike<number>,
  x: ArrayLike<number>,
  costRate: number,
  turnoverPenalty = 0,
  reward: EnvReward = 'log-net',
): StepResult {
  const n = w.length;
  let traded = 0;
  let invested = 0;
  let gross = 0;
  for (let i = 0; i < n; i++) {
    traded += Math.abs(w[i]! - wprev[i]!);
    invested += w[i]!;
    gross += w[i]! * x[i]!;
  }
  const growth = gross + (1 - invested);
  const cost = costRate * traded;
  const turnover = oneWayTurnover(w, wprev);
  const drifted = new Float64Array(n);
  for (let i = 0; i < n; i++) drifted[i] = (w[i]! * x[i]!) / growth;
  return {
    reward: (reward === 'log-net' ? Math.log((1 - cost) * growth) : growth - 1) - turnoverPenalty * turnover,
    turnover,
    executed: Float64Array.from(w),
    cost,
    growth,
    drifted,
  };
}

/** What the training reward is (see the file overview): net log growth (default) or the gross simple return. */
export type EnvReward = 'log-net' | 'simple-gross';

/** Settings of the environment. */
export interface EnvOptions {
  /** first decision day (index into the price matrix) */
  firstDay: number;
  /** last day whose price is used (the last reward is realised here) */
  lastDay: number;
  /** the features' settings (features.ts); none for a learner that forms its own states (HADAPS) */
  features?: FeatureSpec;
  /** proportional transaction cost */
  costRate: number;
  /** reward penalty per unit of one-way turnover (default 0) */
  turnoverPenalty?: number;
  /** no-trade band, absolute weight (default 0: every trade is made) */
  noTradeBand?: number;
  /** the reward (default 'log-net') */
  reward?: EnvReward;
  /** share of the gap to the target traded each day, after the band (trading.ts bandedPartialTrade; default 1) */
  tradeRate?: number;
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
    if (opts.firstDay < 0 || opts.firstDay >= opts.lastDay)
      throw new RangeError(`env needs firstDay < lastDay (got ${opts.firstDay}..${opts.lastDay})`);
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
      if (!this.opts.features) throw new Error('this environment has no feature settings');
      f = featuresAt((d) => this.view.closes(d), t, this.nAssets, this.opts.features);
      this.feats.set(t, f);
    }
    return f;
  }

  /** Price relatives close[t] / close[t-1]. */
  relatives(t: number): Float64Array {
    return this.view.relatives(t);
  }

  /** Trade from drifted weights wprev to the policy's target w (through the no-trade band) at t, hold over t+1. */
  step(t: number, w: ArrayLike<number>, wprev: ArrayLike<number>): StepResult {
    if (t < this.opts.firstDay || t >= this.opts.lastDay) throw new RangeError(`step day ${t} outside the episode`);
    const executed = bandedPartialTrade(w, wprev, this.opts.noTradeBand ?? 0, this.opts.tradeRate ?? 1);
    return portfolioStep(
      executed,
      wprev,
      this.relatives(t + 1),
      this.opts.costRate,
      this.opts.turnoverPenalty ?? 0,
      this.opts.reward ?? 'log-net',
    );
  }
}
