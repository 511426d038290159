/**
 * Market simulation: drives one strategy over a test window and books what its decisions earn
 * (docs/backtest-conventions.md).
 *
 * Convention (copied to README, "Market conventions")
 * - Timing. The test window is the day indices testStart..testEnd of the price matrix. The portfolio value is
 *   1, all in cash, at the close of testStart. At the close of every test day t the strategy's
 *   `decide(view)` is called with a view that reads rows 0..t only; it returns target weights over the n risky
 *   assets (each >= 0, summing to <= 1, the rest held in cash). The weights in force after the close of t are
 *   held over day t+1 and earn the price relatives x_{t+1,i} = close_{t+1,i} / close_{t,i}; cash earns the
 *   daily risk-free rate (1 + rf)^(1/252) - 1 (rf an annual rate, default 0). The decision at the close of
 *   testEnd is recorded but earns nothing inside the window.
 * - Drift. Between trades the weights drift with prices: over day t the held weights b (risky + cash, summing
 *   to 1) become w_drift,i = b_i x_{t,i} / g with the gross growth g = Σ_i b_i x_{t,i} + b_cash (1 + rf_d).
 * - Rebalancing. decide is called EVERY day (online learners need every price relative), but the portfolio
 *   trades only on rebalancing days: every day (`daily`), every 5 trading days (`weekly`), or every N trading
 *   days, counted from the first test day (day 0 of the window always trades: it is the initial purchase).
 *   On other days the decision is recorded as the target and the drifted weights are kept.
 * - Costs. A rebalance at the close of t pays c x Σ_i |w_target,i - w_drift,i| summed over the RISKY assets only
 *   (c = `cost`, default 0.001 = 0.1 %): every unit of value moved into or out of an asset pays c once, and
 *   the cash leg is not charged again (charging it too would double-charge every purchase from cash). The
 *   initial purchase from cash is charged the same way. The cost is taken from the value at the close:
 *   V_t = V_{t-1} g_t (1 - c Σ_i |Δw_i|), and the traded weights are the targets (the standard proportional
 *   approximation; the exact self-financing fixed point differs by O(c²)).
 * - Spread and impact. With the execution-cost model on (`impact`, costs.ts), the same rebalance also pays each
 *   traded asset's half-spread and its square-root market impact, priced from data up to t only; the day's cost is
 *   then commission + spread + impact, still charged once, on the same drifted weights, risky legs only, and
 *   taken out of the value the same way. Without it (the default) every figure is what it was without the model.
 * - Output. One row per test day t: the value V_t after the day's trade and cost, the net simple return
 *   r_t = V_t / V_{t-1} - 1 (V before the window is 1; the first return is minus the initial purchase cost,
 *   so it is 0 without costs), the one-way turnover ½ Σ over all slots INCLUDING cash |w_target - w_drift|
 *   (1 for the initial full purchase; 0 on days without a trade), the cost paid as a fraction of the
 *   pre-trade value and its split into commission, spread and impact (the last two 0 without the model), the
 *   target weights (the decision, cash last), the drifted weights (before the trade,
 *   cash last), the held weights (after the trade: the target on rebalancing days, the drift otherwise) and,
 *   when the strategy returns a StrategyDecision, its per-agent weights and detail.
 * - Validation. Every decision must have n entries, each finite and >= -tolerance, summing to <= 1 +
 *   tolerance (default 1e-9); entries in [-tolerance, 0) are read as 0. Anything else throws an
 *   InvalidDecisionError naming the strategy and the date.
 *
 * Speed: all per-day series live in preallocated Float64Arrays (the weight series in one flat buffer each,
 * exposed as subarray rows); price relatives are read straight from the matrix. The only per-day allocations
 * are the view object and whatever the strategy allocates for its answer.
 */
import type { PriceMatrix } from './prices';
import { MarketView } from './view';
import type { StrategyDecision, StrategyInstance } from './decision';
import type { DecisionDetailInput } from '../../src-shared/domain/decision';
import { dailyRate, TRADING_DAYS_PER_YEAR } from '../metrics';
import { emptyTradeCost, ExecutionCosts, type ImpactSettings } from './costs';

/** Cash below this (rounding noise of weights meant to sum to 1, e.g. 30 x 1/30) is recorded as 0. */
export const CASH_EPSILON = 1e-12;

/** Rebalancing frequency: every day, every 5 trading days, or every N trading days. */
export type Rebalance = 'daily' | 'weekly' | number;

/** Settings of {@link simulate}. */
export interface SimulationSettings {
  /** proportional transaction cost per unit of risky value traded (0.001 = 0.1 %, the SAMP-HDRL default) */
  cost: number;
  /** rebalancing frequency; default 'daily' */
  rebalance: Rebalance;
  /** annual simple risk-free rate earned by the cash slot; default 0 */
  riskFreeRate: number;
  /** tolerance of the decision checks (negative weights, sum above 1); default 1e-9 */
  tolerance: number;
  /**
   * the half-spread and market-impact model (costs.ts; missing fields take its defaults), charged besides `cost`;
   * default null: the proportional cost alone
   */
  impact: Partial<ImpactSettings> | null;
}

export const SIMULATION_DEFAULTS: SimulationSettings = {
  cost: 0.001,
  rebalance: 'daily',
  riskFreeRate: 0,
  tolerance: 1e-9,
  impact: null,
};

/** Trading days between trades for a {@link Rebalance} setting (daily 1, weekly 5, N). */
export function rebalancePeriod(r: Rebalance): number {
  if (r === 'daily') return 1;
  if (r === 'weekly') return 5;
  if (!Number.isInteger(r) || r < 1)
    throw new RangeError(`rebalance must be daily, weekly or a positive whole number of days, got ${String(r)}`);
  return r;
}

/** Parse a command-line / request rebalance value: 'daily', 'weekly' or a positive integer. */
export function parseRebalance(s: string | number): Rebalance {
  if (typeof s === 'number') return (rebalancePeriod(s), s);
  const t = s.trim().toLowerCase();
  if (t === 'daily' || t === 'weekly') return t;
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`rebalance must be daily, weekly or a positive whole number of days, got "${s}"`);
  return n;
}

export class InvalidDecisionError extends Error {
  constructor(
    readonly strategy: string,
    readonly date: string,
    detail: string,
  ) {
    super(`strategy "${strategy}" returned invalid weights at the close of ${date}: ${detail}`);
    this.name = 'InvalidDecisionError';
  }
}

/** The day-by-day record of one simulated strategy over one test window. Rows index test days 0..T-1. */
export interface SimulationResult {
  strategy: string;
  tickers: readonly string[];
  /** matrix indices of the window */
  testStart: number;
  testEnd: number;
  /** ISO dates of the test days */
  dates: string[];
  /** value at the close after the day's trade and cost (1 before the window) */
  value: Float64Array;
  /** net daily simple return */
  ret: Float64Array;
  /** one-way turnover traded at the close (½ Σ |Δw| over all slots incl. cash) */
  turnover: Float64Array;
  /** cost paid at the close as a fraction of the pre-trade value: commission + spread + impact */
  cost: Float64Array;
  /** its parts, each a fraction of the pre-trade value (spread and impact are 0 without the model) */
  costCommission: Float64Array;
  costSpread: Float64Array;
  costImpact: Float64Array;
  /**
   * with the execution-cost model: the share of the asset trades whose average daily traded value was the proxy
   * rather than the data's volume (1 on data without volume; NaN when nothing traded); absent without the model
   */
  advProxyShare?: number;
  /** 1 on days the portfolio traded */
  rebalanced: Uint8Array;
  /** decision of each day: n risky weights + cash last (rows are views into one buffer) */
  target: Float64Array[];
  /** weights at the close before trading (after the day's drift), cash last */
  drifted: Float64Array[];
  /** weights held after the close (target on trading days, drift otherwise), cash last */
  held: Float64Array[];
  /** per-agent weights (n entries) per day, when the strategy returns them */
  agents?: Record<string, (Float64Array | null)[]>;
  /** per-day decision details (src-shared/domain/decision.ts), when the strategy returns them */
  details?: (DecisionDetailInput | null)[];
  /** wall time spent inside decide, ms */
  decideMs: number;
}

/** Options of {@link simulate} besides the market settings. */
export interface SimulateOptions {
  /** strategy id, used in error messages */
  strategyId: string;
  testStart: number;
  testEnd: number;
  settings?: Partial<SimulationSettings>;
  signal?: AbortSignal;
  /** called every `progressEvery` days with the fraction of the window done */
  onProgress?: (fraction: number) => void;
  progressEvery?: number;
}

function isDecision(x: Float64Array | StrategyDecision): x is StrategyDecision {
  return !(x instanceof Float64Array) && typeof x === 'object' && x !== null && 'weights' in x;
}

/**
 * Run `strategy` over the test window testStart..testEnd of `m` under the conventions in this file's header.
 * @param m the full price matrix (rows before testStart are history the strategy may read)
 * @param strategy an instance created for this window
 * @returns the per-day record (see {@link SimulationResult}); throws InvalidDecisionError on a bad decision
 *   and the signal's reason (or an AbortError) when aborted.
 */
export function simulate(m: PriceMatrix, strategy: StrategyInstance, opts: SimulateOptions): SimulationResult {
  const s = { ...SIMULATION_DEFAULTS, ...(opts.settings ?? {}) };
  const { testStart, testEnd, strategyId } = opts;
  if (
    !Number.isInteger(testStart) ||
    !Number.isInteger(testEnd) ||
    testStart < 0 ||
    testEnd < testStart ||
    testEnd >= m.dates.length
  ) {
    throw new RangeError(`test window ${testStart}..${testEnd} outside the price matrix 0..${m.dates.length - 1}`);
  }
  const pricing = new ExecutionCosts(m, s.cost, s.impact);
  if (!Number.isFinite(s.riskFreeRate) || s.riskFreeRate <= -1)
    throw new RangeError(`bad risk-free rate ${s.riskFreeRate}`);
  const period = rebalancePeriod(s.rebalance);
  const n = m.tickers.length;
  const n1 = n + 1;
  const T = testEnd - testStart + 1;
  const tol = s.tolerance;
  const cashGrowth = 1 + dailyRate(s.riskFreeRate, TRADING_DAYS_PER_YEAR);

  const value = new Float64Array(T);
  const ret = new Float64Array(T);
  const turnover = new Float64Array(T);
  const cost = new Float64Array(T);
  const costCommission = new Float64Array(T);
  const costSpread = new Float64Array(T);
  const costImpact = new Float64Array(T);
  const paid = emptyTradeCost();
  const rebalanced = new Uint8Array(T);
  const targetBuf = new Float64Array(T * n1);
  const driftBuf = new Float64Array(T * n1);
  const heldBuf = new Float64Array(T * n1);
  const target: Float64Array[] = new Array(T);
  const drifted: Float64Array[] = new Array(T);
  const held: Float64Array[] = new Array(T);
  for (let k = 0; k < T; k++) {
    target[k] = targetBuf.subarray(k * n1, (k + 1) * n1);
    drifted[k] = driftBuf.subarray(k * n1, (k + 1) * n1);
    held[k] = heldBuf.subarray(k * n1, (k + 1) * n1);
  }
  let agents: Record<string, (Float64Array | null)[]> | undefined;
  let details: (DecisionDetailInput | null)[] | undefined;

  // b: weights held after the previous close (start: all cash)
  const b = new Float64Array(n1);
  b[n] = 1;
  let V = 1;
  let decideMs = 0;
  const progressEvery = opts.progressEvery ?? 64;

  for (let k = 0; k < T; k++) {
    const t = testStart + k;
    if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException('aborted', 'AbortError');
    const dr = drifted[k]!;
    // 1. drift over day t (nothing moves on the first day: the portfolio is bought at its close)
    let g = 1;
    if (k === 0) dr.set(b);
    else {
      const row = m.close[t]!;
      const prev = m.close[t - 1]!;
      g = 0;
      for (let i = 0; i < n; i++) {
        const v = b[i]! * (row[i]! / prev[i]!);
        dr[i] = v;
        g += v;
      }
      const c = b[n]! * cashGrowth;
      dr[n] = c;
      g += c;
      const inv = 1 / g;
      for (let i = 0; i < n1; i++) dr[i] = dr[i]! * inv;
    }
    // 2. decide at the close of t
    const t0 = performance.now();
    const out = strategy.decide(new MarketView(m, t));
    decideMs += performance.now() - t0;
    const w = isDecision(out) ? out.weights : out;
    const tg = target[k]!;
    checkAndCopy(w, tg, m.tickers, tol, strategyId, m.dates[t]!);
    if (isDecision(out)) {
      if (out.agents) {
        agents ??= {};
        for (const [name, aw] of Object.entries(out.agents)) {
          const list = (agents[name] ??= new Array<Float64Array | null>(T).fill(null));
          if (!(aw instanceof Float64Array) || aw.length !== n) {
            throw new InvalidDecisionError(
              strategyId,
              m.dates[t]!,
              `agent "${name}" weights must be a Float64Array of ${n} entries`,
            );
          }
          list[k] = Float64Array.from(aw);
        }
      }
      if (out.detail) {
        details ??= new Array<DecisionDetailInput | null>(T).fill(null);
        details[k] = out.detail;
      }
    }
    // 3. trade on rebalancing days
    const h = held[k]!;
    let frac = 1;
    if (k % period === 0) {
      pricing.charge(t, dr, tg, V * g, paid);
      const all = paid.traded + Math.abs(tg[n]! - dr[n]!);
      turnover[k] = 0.5 * all;
      costCommission[k] = paid.commission;
      costSpread[k] = paid.spread;
      costImpact[k] = paid.impact;
      cost[k] = paid.commission + paid.spread + paid.impact;
      frac = 1 - cost[k]!;
      rebalanced[k] = 1;
      h.set(tg);
    } else h.set(dr);
    const Vnew = V * g * frac;
    ret[k] = Vnew / V - 1;
    value[k] = Vnew;
    V = Vnew;
    b.set(h);
    if (opts.onProgress && (k % progressEvery === progressEvery - 1 || k === T - 1)) opts.onProgress((k + 1) / T);
  }

  return {
    strategy: strategyId,
    tickers: m.tickers,
    testStart,
    testEnd,
    dates: m.dates.slice(testStart, testEnd + 1),
    value,
    ret,
    turnover,
    cost,
    costCommission,
    costSpread,
    costImpact,
    ...(pricing.impact ? { advProxyShare: proxyShare(pricing) } : {}),
    rebalanced,
    target,
    drifted,
    held,
    ...(agents ? { agents } : {}),
    ...(details ? { details } : {}),
    decideMs,
  };
}

/** Share of the priced asset trades that used the ADV proxy (NaN when none traded). */
function proxyShare(p: ExecutionCosts): number {
  const all = p.advFromData + p.advFromProxy;
  return all === 0 ? Number.NaN : p.advFromProxy / all;
}

/** Validate a decision and copy it into `dst` (n risky + cash). Throws InvalidDecisionError. */
function checkAndCopy(
  w: Float64Array,
  dst: Float64Array,
  tickers: readonly string[],
  tol: number,
  strategy: string,
  date: string,
): void {
  const n = tickers.length;
  if (!(w instanceof Float64Array)) throw new InvalidDecisionError(strategy, date, 'weights must be a Float64Array');
  if (w.length !== n) throw new InvalidDecisionError(strategy, date, `expected ${n} weights, got ${w.length}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let x = w[i]!;
    if (!Number.isFinite(x)) throw new InvalidDecisionError(strategy, date, `weight of ${tickers[i]} is ${x}`);
    if (x < 0) {
      if (x < -tol) throw new InvalidDecisionError(strategy, date, `weight of ${tickers[i]} is negative (${x})`);
      x = 0;
    }
    dst[i] = x;
    sum += x;
  }
  if (sum > 1 + tol) throw new InvalidDecisionError(strategy, date, `weights sum to ${sum} > 1`);
  if (sum > 1) {
    // within tolerance above 1: scale onto the simplex so held weights sum to exactly 1
    for (let i = 0; i < n; i++) dst[i] = dst[i]! / sum;
    dst[n] = 0;
  } else dst[n] = 1 - sum < CASH_EPSILON ? 0 : 1 - sum; // weights meant to sum to 1 leave no rounding-noise cash
}
