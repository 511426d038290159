/**
 * Level 3's environment (docs/three-level.md "Execution level"): one execution period of `horizon` trading days over
 * a real price window, from a target allocation to the book that holds it.
 *
 * Timing. The target arrives at the close of day t0 (the tactical decision). Level 3 decides at the closes of
 * t0, t0 + 1, ..., t0 + horizon - 1; at the close of t0 + horizon the next target arrives. Between decisions the
 * held weights drift with prices exactly as the simulator's (market/simulate.ts): over day t+1 the weights b (risky,
 * cash last) become b_i x_i / g, g = Σ b_i x_i + b_cash (1 + rf_d), x the price relatives.
 *
 * The target. A target is a portfolio, not a set of fixed weights: the paper portfolio that would hold the target
 * weights from the close of t0 on, at no cost, and then drift with prices (Perold's implementation shortfall is
 * measured against it). Its weights q_t (risky, cash last) drift by the same rule as the book's. The gap of asset
 * i at the close of t is g_i = q_i,t - w_i,t, w the book's drifted weights before the day's trade. Trading at once
 * puts the book on the paper portfolio, after which both drift alike and the gap stays zero.
 *
 * The action. Each day, per asset, the fraction f_i of its remaining gap to trade, clipped to [0, 1]: the book
 * moves to w'_i = w_i + f_i g_i (exactly q_i when f_i = 1, so the gap never overshoots and a full trade reaches the
 * target exactly), cash is what the risky weights leave. At the period's last decision (one day left) whatever gap
 * remains is TRADED at once, paying its cost, whatever the action says: every policy ends the period on the
 * target, so the tactical level always starts from the portfolio it asked for, and what a slow schedule risks is
 * in its tracking penalty and its shortfall, not in a leftover.
 *
 * The costs. Each asset's trade is priced by the run's execution-cost model (market/costs.ts `ExecutionCosts`, the
 * simulator's one home for prices of trades: commission, half-spread, square-root impact on the book in currency,
 * σ and ADV from data up to the day) with the book's value just before the trade; the day's cost comes out of the
 * value once, V' = V (1 - cost), the held weights are the traded ones (the simulator's proportional convention).
 * The model's parts are additive over assets, so each asset's share is the model's price of that asset's trade
 * alone, and they add up to the price of the whole trade.
 *
 * The reward, in basis points of the book's value before the day's trade, per asset and in total:
 *   r_i = -10^4 (commission_i + spread_i + impact_i) - 10^4 lambda sigma_i^2 (q_i - w'_i)^2
 * the second term the tracking penalty on the gap carried overnight (config.ts riskAversion), sigma_i the cost
 * model's daily volatility at the close of t. It is zero on the last day (no gap is left).
 *
 * The state of an asset (`EXECUTION_FEATURES`), read at the close of t from data up to t only:
 *   0 n w_i          its current (drifted) weight, times the number of assets (1 = an equal share)
 *   1 n q_i          its target weight now (the paper portfolio's)
 *   2 n g_i          the gap
 *   3 100 sigma_i    its daily volatility in percent (the cost model's)
 *   4 sqrt(|g_i| V / ADV_i)   the liquidity of the gap: its value in currency (the book's V, costs.ts bookValue x
 *                    the value path) over the average daily traded value (or its proxy), square-rooted as the
 *                    impact per unit traded grows with it
 *   5 days left / horizon     (1 on the first decision, 1 / horizon on the last)
 *   6 1 / days left           the linear schedule's fraction
 *   7 the book's cash weight
 */
import type { ExecutionCosts, TradeCost } from '../../market/costs';
import { emptyTradeCost } from '../../market/costs';
import type { PriceMatrix } from '../../market/prices';
import { dailyRate } from '../../metrics';
import type { ExecutionConfig } from './config';

/** The entries of an asset's state, in order (see the file overview). */
export const EXECUTION_FEATURES = [
  'weight',
  'target',
  'gap',
  'volatility',
  'liquidity',
  'daysLeftShare',
  'linearFraction',
  'cash',
] as const;
/** F, the number of entries of an asset's state. */
export const FEATURE_COUNT = EXECUTION_FEATURES.length;

/** Basis points in a unit. */
export const BP = 10_000;

/** A gap smaller than this (rounding noise of weights) is no gap: nothing is traded or penalised for it. */
export const GAP_EPSILON = 1e-13;

/** Where one execution period stands: at the close of day `t`, before the day's trade. */
export interface ExecutionState {
  /** the day the target arrived (matrix index) */
  readonly t0: number;
  /** the current decision's day (matrix index); t0 + decision */
  t: number;
  /** decisions made so far (0 .. horizon) */
  decision: number;
  /** the book's drifted weights, risky then cash (sum 1) */
  w: Float64Array;
  /** the paper portfolio's weights, risky then cash (sum 1) */
  q: Float64Array;
  /** the book's value before the day's trade, relative (the cost model's book is bookValue x this) */
  value: number;
  /** the paper portfolio's value */
  paper: number;
  /** the book's value when the target arrived (before any trade) */
  readonly startValue: number;
}

/** What one day of execution did. */
export interface ExecutionStep {
  /** the fractions applied, after clipping and the forced last trade */
  fractions: Float64Array;
  /** per asset, basis points of the book before the trade (see the file overview) */
  rewards: Float64Array;
  /**
   * per asset, what its trade paid (commission + spread + impact), basis points of the book before the trade: the
   * reward without the tracking penalty (the tactical level charges its months these costs, tactical-env.ts)
   */
  costsBp: Float64Array;
  /** their sum */
  reward: number;
  /** the costs paid (fractions of the value before the trade), the model's parts */
  cost: TradeCost;
  /** the tracking penalty charged, basis points */
  penalty: number;
  /** the value before and after the trade (relative) */
  valueBefore: number;
  valueAfter: number;
  /** Σ |traded weight| over the risky assets (fraction of the value before the trade) */
  traded: number;
  /**
   * the difference between the book's and the paper portfolio's growth over the next day, before costs (0 when the
   * book holds the target); NaN when the data end with the period
   */
  trackingDifference: number;
  /** true after the period's last decision */
  done: boolean;
}

/** The per-day environment over one price matrix and one cost model (see the file overview). */
export class ExecutionEnv {
  readonly n: number;
  private readonly rf: number;
  private readonly probe: Float64Array;
  private readonly part: TradeCost = emptyTradeCost();

  /**
   * @param m the prices the periods run over (the cost model's matrix)
   * @param costs the run's execution-cost model; it must have the impact model on (it gives σ and ADV)
   * @param cfg the horizon and the tracking penalty
   * @param riskFreeRate the annual rate cash earns (the simulator's; default 0)
   */
  constructor(
    readonly m: PriceMatrix,
    readonly costs: ExecutionCosts,
    readonly cfg: Pick<ExecutionConfig, 'horizon' | 'riskAversion'>,
    riskFreeRate = 0,
  ) {
    if (!costs.impact)
      throw new RangeError(
        'the execution level needs the execution-cost model with impact on: without it every schedule pays the same commission and trading at once is always best',
      );
    this.n = m.tickers.length;
    this.rf = dailyRate(riskFreeRate);
    this.probe = new Float64Array(this.n + 1);
  }

  /**
   * Start a period at the close of `t0`: the book holds `holdings` (risky then cash, sum 1: the previous period's
   * weights drifted to t0) worth `value`, and the target is `target` (risky weights, each >= 0, sum <= 1; cash the
   * rest).
   * @throws RangeError when the period does not fit in the data or an allocation is not one
   */
  start(t0: number, holdings: ArrayLike<number>, target: ArrayLike<number>, value = 1): ExecutionState {
    const n = this.n;
    const H = this.cfg.horizon;
    if (!(Number.isInteger(t0) && t0 >= 2 && t0 + H - 1 < this.m.dates.length))
      throw new RangeError(
        `an execution period of ${H} decisions from day ${t0} does not fit in ${this.m.dates.length} days (it needs 2 days of history before it)`,
      );
    if (holdings.length !== n + 1)
      throw new RangeError(`holdings must have ${n + 1} entries (cash last), got ${holdings.length}`);
    if (target.length !== n) throw new RangeError(`the target must have ${n} risky weights, got ${target.length}`);
    checkAllocation(Array.from(holdings).slice(0, n), 'holdings');
    checkAllocation(Array.from(target), 'the target');
    if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`value must be a positive number, got ${value}`);
    const w = Float64Array.from(holdings);
    w[n] = cashOf(w, n);
    const q = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) q[i] = target[i]!;
    q[n] = cashOf(q, n);
    return { t0, t: t0, decision: 0, w, q, value, paper: value, startValue: value };
  }

  /** Days left in the period at its current decision, this one included (horizon .. 1). */
  daysLeft(s: ExecutionState): number {
    return this.cfg.horizon - s.decision;
  }

  /** The states of every asset at the current decision, [n x F] row-major (see the file overview). */
  features(s: ExecutionState, out = new Float32Array(this.n * FEATURE_COUNT)): Float32Array {
    const n = this.n;
    const left = this.daysLeft(s);
    if (left < 1) throw new RangeError('the period is over: no decision is left');
    const book = this.costs.impact!.bookValue * s.value;
    for (let i = 0; i < n; i++) {
      const g = s.q[i]! - s.w[i]!;
      const o = i * FEATURE_COUNT;
      out[o] = n * s.w[i]!;
      out[o + 1] = n * s.q[i]!;
      out[o + 2] = n * g;
      out[o + 3] = 100 * this.costs.volatility(i, s.t);
      out[o + 4] = Math.sqrt((Math.abs(g) * book) / this.costs.averageDailyTradedValue(i, s.t));
      out[o + 5] = left / this.cfg.horizon;
      out[o + 6] = 1 / left;
      out[o + 7] = s.w[n]!;
    }
    return out;
  }

  /**
   * Trade the fractions `fractions` (one per asset) of today's gaps at the close of s.t, pay their costs, charge the
   * penalty and drift the book and the paper portfolio to the next close (see the file overview). Changes `s`.
   * @throws RangeError when a fraction is not a number, or the period is over
   */
  step(s: ExecutionState, fractions: ArrayLike<number>): ExecutionStep {
    const n = this.n;
    if (fractions.length !== n) throw new RangeError(`fractions must have ${n} entries, got ${fractions.length}`);
    const left = this.daysLeft(s);
    if (left < 1) throw new RangeError('the period is over: no decision is left');
    const last = left === 1;
    const t = s.t;
    const { w, q } = s;
    const f = new Float64Array(n);
    const next = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const raw = fractions[i]!;
      if (Number.isNaN(raw))
        throw new RangeError(`the fraction of ${this.m.tickers[i]} at ${this.m.dates[t]} is not a number`);
      const g = q[i]! - w[i]!;
      const fi = last ? 1 : Math.min(1, Math.max(0, raw));
      f[i] = fi;
      next[i] = Math.abs(g) < GAP_EPSILON ? w[i]! : fi === 1 ? q[i]! : w[i]! + fi * g;
    }
    next[n] = cashOf(next, n);

    // each asset's trade priced alone by the cost model (its parts are additive over assets)
    const cost = emptyTradeCost();
    const rewards = new Float64Array(n);
    const costsBp = new Float64Array(n);
    const probe = this.probe;
    let penalty = 0;
    const lambda = this.cfg.riskAversion;
    for (let i = 0; i < n; i++) {
      let r = 0;
      if (next[i] !== w[i]) {
        probe.set(w);
        probe[i] = next[i]!;
        this.costs.charge(t, w, probe, s.value, this.part);
        cost.traded += this.part.traded;
        cost.commission += this.part.commission;
        cost.spread += this.part.spread;
        cost.impact += this.part.impact;
        costsBp[i] = BP * (this.part.commission + this.part.spread + this.part.impact);
        r -= costsBp[i]!;
      }
      const left = q[i]! - next[i]!;
      if (Math.abs(left) >= GAP_EPSILON && lambda > 0) {
        const sigma = this.costs.volatility(i, t);
        const p = BP * lambda * sigma * sigma * left * left;
        penalty += p;
        r -= p;
      }
      rewards[i] = r;
    }
    const total = cost.commission + cost.spread + cost.impact;
    if (!(total < 1))
      throw new RangeError(`the execution costs at the close of ${this.m.dates[t]} would take the whole book`);
    const valueBefore = s.value;
    const valueAfter = valueBefore * (1 - total);

    // drift both portfolios over the next day
    let trackingDifference = Number.NaN;
    s.value = valueAfter;
    if (t + 1 < this.m.dates.length) {
      const gb = drift(next, this.m.close[t]!, this.m.close[t + 1]!, this.rf, n);
      const gp = drift(q, this.m.close[t]!, this.m.close[t + 1]!, this.rf, n);
      trackingDifference = gb - gp;
      s.value = valueAfter * gb;
      s.paper *= gp;
      s.t = t + 1;
    }
    s.w = next;
    s.decision++;
    return {
      fractions: f,
      rewards,
      costsBp,
      reward: rewards.reduce((a, b) => a + b, 0),
      cost,
      penalty,
      valueBefore,
      valueAfter,
      traded: cost.traded,
      trackingDifference,
      done: last,
    };
  }
}

/** 1 - Σ of the n risky weights, 0 when that is rounding noise. */
function cashOf(w: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i]!;
  const c = 1 - s;
  return Math.abs(c) < 1e-12 ? 0 : c;
}

/**
 * Drift weights b (risky then cash) over one day in place, from closes `before` to `after` (the simulator's rule);
 * gives the gross growth. Cash is recomputed as what the risky weights leave, so two equal portfolios drift to
 * equal weights bit for bit.
 */
export function drift(b: Float64Array, before: Float64Array, after: Float64Array, rfDaily: number, n: number): number {
  let g = b[n]! * (1 + rfDaily);
  for (let i = 0; i < n; i++) g += b[i]! * (after[i]! / before[i]!);
  for (let i = 0; i < n; i++) b[i] = (b[i]! * (after[i]! / before[i]!)) / g;
  b[n] = cashOf(b, n);
  return g;
}

/** Refuse weights that are not a long-only allocation (finite, >= 0, sum <= 1). */
export function checkAllocation(w: readonly number[], what: string): void {
  let s = 0;
  w.forEach((x, i) => {
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`${what}: weight ${i} is ${x}, not a number >= 0`);
    s += x;
  });
  if (s > 1 + 1e-9) throw new RangeError(`${what}: the risky weights sum to ${s}, more than 1`);
}
