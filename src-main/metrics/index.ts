/**
 * Performance metrics: one module used by every report, table and test (docs/backtest-conventions.md).
 *
 * Conventions shared by every function here
 * - Input series are DAILY SIMPLE RETURNS r_d = V_d / V_{d-1} - 1, one per trading day, in date order, as
 *   plain arrays or typed arrays (`ArrayLike<number>`). Nothing is filtered: a NaN or infinite entry makes
 *   the result NaN (it is the caller's bug, and hiding it would be worse).
 * - Annualisation uses `periodsPerYear` trading days, default {@link TRADING_DAYS_PER_YEAR} = 252.
 * - The risk-free rate is an ANNUAL simple rate (default 0); its daily equivalent is
 *   (1 + rf)^(1/periodsPerYear) - 1 (see {@link dailyRate}).
 * - Ratios that divide by zero follow one rule, documented per function: a positive numerator over a zero
 *   denominator is +Infinity (e.g. Sortino with no day below the target), a negative one -Infinity, and 0/0
 *   is NaN. Too-short series (see each function) give NaN. Storage keeps ±Infinity (SQLite REAL) and turns
 *   NaN into NULL; the contract sends them as 'inf' / '-inf' / null.
 * - Drawdowns are negative fractions (-0.25 = a 25 % fall from the peak); VaR and CVaR are return
 *   quantiles, so a loss is a negative number.
 */
import { concentrationExtremes } from '../../src-shared/domain/concentration';
import { METRIC_IDS, type MetricId } from '../../src-shared/domain/metrics';

/** Trading days per year used to annualise daily figures. */
export const TRADING_DAYS_PER_YEAR = 252;
/** Tail probability of the historical VaR / CVaR (0.05 = 95 % VaR). */
export const VAR_TAIL = 0.05;
/** A weight above this counts as a holding in {@link avgHoldings}. */
export const HOLDING_THRESHOLD = 1e-4;

/** Options of the risk-adjusted ratios. */
export interface RatioOptions {
  /** annual simple risk-free rate (0.02 = 2 % a year); default 0 */
  riskFree?: number;
  /** trading days per year; default 252 */
  periodsPerYear?: number;
}

/** Daily equivalent of an annual simple rate: (1 + annual)^(1/periodsPerYear) - 1. */
export function dailyRate(annual: number, periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  return annual === 0 ? 0 : Math.pow(1 + annual, 1 / periodsPerYear) - 1;
}

function mean(r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i]!;
  return s / r.length;
}

/** num / den with the module's zero rule: x/0 is ±Infinity by the sign of x, 0/0 NaN. */
function ratio(num: number, den: number): number {
  if (Number.isNaN(num) || Number.isNaN(den)) return Number.NaN;
  if (den === 0) return num > 0 ? Infinity : num < 0 ? -Infinity : Number.NaN;
  return num / den;
}

/**
 * Cumulative (total) return over the series: prod(1 + r_d) - 1.
 * @param r daily simple returns
 * @returns fraction (0.5 = +50 %); 0 for an empty series (no day, no growth).
 */
export function cumulativeReturn(r: ArrayLike<number>): number {
  let g = 1;
  for (let i = 0; i < r.length; i++) g *= 1 + r[i]!;
  return g - 1;
}

/**
 * Geometric annualised return: (1 + cumulativeReturn)^(periodsPerYear / n) - 1, n = number of daily returns.
 * @returns annual fraction; NaN for an empty series; -1 when the value was wiped out (1 + cum <= 0).
 */
export function annualReturn(r: ArrayLike<number>, periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  if (r.length === 0) return Number.NaN;
  const g = 1 + cumulativeReturn(r);
  if (Number.isNaN(g)) return Number.NaN;
  if (g <= 0) return -1;
  return Math.pow(g, periodsPerYear / r.length) - 1;
}

/** Sample standard deviation (denominator n - 1); NaN for fewer than 2 values. */
export function sampleStd(r: ArrayLike<number>): number {
  const n = r.length;
  if (n < 2) return Number.NaN;
  const m = mean(r);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = r[i]! - m;
    s += d * d;
  }
  return Math.sqrt(s / (n - 1));
}

/**
 * Annualised volatility: sample standard deviation (n - 1) of the daily returns x sqrt(periodsPerYear).
 * @returns annual fraction; NaN for fewer than 2 returns; 0 for a constant series.
 */
export function annualVolatility(r: ArrayLike<number>, periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  return sampleStd(r) * Math.sqrt(periodsPerYear);
}

/**
 * Annualised Sharpe ratio: mean(e) / std(e) x sqrt(periodsPerYear), e_d = r_d - daily risk-free rate, std the
 * sample standard deviation (n - 1).
 * @returns dimensionless; NaN for fewer than 2 returns; for a constant series (std 0) ±Infinity by the sign of
 *   the mean excess return, NaN when that is 0 too.
 */
export function sharpe(r: ArrayLike<number>, opts: RatioOptions = {}): number {
  const p = opts.periodsPerYear ?? TRADING_DAYS_PER_YEAR;
  if (r.length < 2) return Number.NaN;
  const rf = dailyRate(opts.riskFree ?? 0, p);
  const e = Array.from(r, (x) => x - rf);
  return ratio(mean(e), sampleStd(e)) * Math.sqrt(p);
}

/**
 * Annualised Sortino ratio: mean(e) / DD x sqrt(periodsPerYear), e_d = r_d - daily risk-free rate (the target),
 * DD = sqrt(mean over ALL n days of min(e_d, 0)^2) — the downside deviation (lower partial moment of order 2)
 * divided by the number of days, not by the number of losing days (the common mistake).
 * @returns dimensionless; NaN for an empty series; with no day below the target (DD = 0): +Infinity when the
 *   mean excess is positive, NaN when it is 0 (a flat series at the target).
 */
export function sortino(r: ArrayLike<number>, opts: RatioOptions = {}): number {
  const p = opts.periodsPerYear ?? TRADING_DAYS_PER_YEAR;
  const n = r.length;
  if (n === 0) return Number.NaN;
  const rf = dailyRate(opts.riskFree ?? 0, p);
  let s = 0;
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const e = r[i]! - rf;
    s += e;
    if (e < 0) d2 += e * e;
  }
  return ratio(s / n, Math.sqrt(d2 / n)) * Math.sqrt(p);
}

/**
 * Omega ratio at threshold 0: sum of gains / sum of losses = sum max(r_d, 0) / sum max(-r_d, 0).
 * @returns dimensionless >= 0; NaN for an empty series; +Infinity with gains and no loss; NaN when every
 *   return is 0.
 */
export function omega(r: ArrayLike<number>): number {
  if (r.length === 0) return Number.NaN;
  let gains = 0;
  let losses = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    if (x > 0) gains += x;
    else if (x < 0) losses -= x;
    else if (Number.isNaN(x)) return Number.NaN;
  }
  return ratio(gains, losses);
}

/** Maximum drawdown with the day indices that define it (see {@link drawdownStats}). */
export interface DrawdownStats {
  /** worst fall from a running peak, as a negative fraction (0 when the value never fell) */
  maxDrawdown: number;
  /**
   * Length of that drawdown in trading days: from the peak to the first day the value is back at or above the
   * peak, or to the last day of the series when it never recovered. 0 when maxDrawdown is 0.
   */
  duration: number;
  /** true when the value regained the peak before the end of the series */
  recovered: boolean;
  /** index into the value path v (v[0] = 1 before the first return, v[k] after return k) of the peak, trough, recovery (-1 if none) */
  peak: number;
  trough: number;
  recovery: number;
}

/**
 * Drawdown statistics of the value path v_0 = 1, v_k = prod_{d<=k} (1 + r_d). The starting value 1 counts as a
 * peak, so a loss on the first day is a drawdown. The maximum drawdown is min_k (v_k / max_{j<=k} v_j - 1);
 * when two drawdowns are equally deep the first is reported. Its duration runs from the peak index to the
 * recovery index (first k after the trough with v_k >= peak value), or to the end (n) when not recovered.
 * @returns see {@link DrawdownStats}; for an empty series maxDrawdown 0, duration 0.
 */
export function drawdownStats(r: ArrayLike<number>): DrawdownStats {
  const n = r.length;
  let v = 1;
  let peakV = 1;
  let peakI = 0;
  let mdd = 0;
  let bestPeak = 0;
  let trough = 0;
  for (let k = 1; k <= n; k++) {
    v *= 1 + r[k - 1]!;
    if (Number.isNaN(v))
      return { maxDrawdown: Number.NaN, duration: Number.NaN, recovered: false, peak: -1, trough: -1, recovery: -1 };
    if (v > peakV) {
      peakV = v;
      peakI = k;
    } else {
      const dd = v / peakV - 1;
      if (dd < mdd) {
        mdd = dd;
        bestPeak = peakI;
        trough = k;
      }
    }
  }
  if (mdd === 0) return { maxDrawdown: 0, duration: 0, recovered: true, peak: 0, trough: 0, recovery: 0 };
  // find the recovery after the trough
  let pv = 1;
  for (let k = 1; k <= bestPeak; k++) pv *= 1 + r[k - 1]!;
  let w = pv;
  for (let k = bestPeak + 1; k <= trough; k++) w *= 1 + r[k - 1]!;
  let recovery = -1;
  for (let k = trough + 1; k <= n; k++) {
    w *= 1 + r[k - 1]!;
    if (w >= pv) {
      recovery = k;
      break;
    }
  }
  return {
    maxDrawdown: mdd,
    duration: (recovery >= 0 ? recovery : n) - bestPeak,
    recovered: recovery >= 0,
    peak: bestPeak,
    trough,
    recovery,
  };
}

/** Maximum drawdown as a negative fraction (0 if the value never fell below a previous peak). See {@link drawdownStats}. */
export function maxDrawdown(r: ArrayLike<number>): number {
  return drawdownStats(r).maxDrawdown;
}

/** Duration of the maximum drawdown in trading days, peak to recovery or to the end. See {@link drawdownStats}. */
export function maxDrawdownDuration(r: ArrayLike<number>): number {
  return drawdownStats(r).duration;
}

/**
 * Drawdown path: dd_k = v_k / max_{j<=k} v_j - 1 for k = 1..n (one entry per return, the start value 1 counted
 * as a peak). Values are <= 0.
 */
export function drawdownSeries(r: ArrayLike<number>): Float64Array {
  const out = new Float64Array(r.length);
  let v = 1;
  let peak = 1;
  for (let k = 0; k < r.length; k++) {
    v *= 1 + r[k]!;
    if (v > peak) peak = v;
    out[k] = v / peak - 1;
  }
  return out;
}

/**
 * Calmar ratio: annualReturn / |maxDrawdown| over the same series.
 * @returns dimensionless; NaN for an empty series; with no drawdown: +Infinity when the annual return is
 *   positive, NaN when it is 0.
 */
export function calmar(r: ArrayLike<number>, periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  if (r.length === 0) return Number.NaN;
  return ratio(annualReturn(r, periodsPerYear), Math.abs(maxDrawdown(r)));
}

/**
 * Rank used by the historical VaR: k = max(1, ceil(tail x n)) — the k-th smallest return is the VaR. This is
 * the lower empirical quantile (inverse of the empirical CDF, Hyndman-Fan type 1): no interpolation, so the
 * VaR is always a return that actually happened. With n = 100 and tail 0.05 it is the 5th worst day; with
 * n = 252 it is the 13th worst (ceil(12.6)).
 */
export function varRank(n: number, tail = VAR_TAIL): number {
  return Math.max(1, Math.ceil(tail * n - 1e-12));
}

function sortedCopy(r: ArrayLike<number>): Float64Array | null {
  const s = Float64Array.from(r as ArrayLike<number>);
  for (let i = 0; i < s.length; i++) if (Number.isNaN(s[i]!)) return null;
  return s.sort();
}

/**
 * Historical daily Value at Risk at 1 - tail confidence (default 95 %): the k-th smallest daily return with
 * k = {@link varRank}(n, tail). Reported as a return, so a loss is negative (-0.02 = "on 1 day in 20 we lose at
 * least 2 %"); it is positive only if even the tail days gained.
 * @returns daily fraction; NaN for an empty series.
 */
export function var95(r: ArrayLike<number>, tail = VAR_TAIL): number {
  if (r.length === 0) return Number.NaN;
  const s = sortedCopy(r);
  if (!s) return Number.NaN;
  return s[varRank(s.length, tail) - 1]!;
}

/**
 * Historical daily Conditional VaR (expected shortfall) at 1 - tail confidence: the mean of the k smallest daily
 * returns, k = {@link varRank}(n, tail) (the VaR day included). A loss is negative; cvar95 <= var95.
 * @returns daily fraction; NaN for an empty series.
 */
export function cvar95(r: ArrayLike<number>, tail = VAR_TAIL): number {
  if (r.length === 0) return Number.NaN;
  const s = sortedCopy(r);
  if (!s) return Number.NaN;
  const k = varRank(s.length, tail);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += s[i]!;
  return sum / k;
}

/**
 * Mean daily one-way turnover: the average of the given per-day turnovers (each ½ Σ_i |w_target,i - w_drift,i|
 * over all slots including cash, as the simulation reports it). The backtest passes the days after the
 * initial purchase (see docs/backtest-conventions.md), so buy-and-hold scores 0.
 * @returns fraction of the portfolio traded per day; NaN for an empty series.
 */
export function turnover(dailyOneWay: ArrayLike<number>): number {
  if (dailyOneWay.length === 0) return Number.NaN;
  return mean(dailyOneWay);
}

/**
 * Annual one-way turnover: {@link turnover} x periodsPerYear (a daily 2 % is 504 % a year: the book is turned over
 * about five times).
 * @returns fraction of the portfolio traded per year; NaN for an empty series.
 */
export function annualTurnover(dailyOneWay: ArrayLike<number>, periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  return turnover(dailyOneWay) * periodsPerYear;
}

/**
 * Cost drag: the mean daily cost (each day's cost as a fraction of the value before that day's trade, the
 * initial purchase included) x periodsPerYear — what the costs take from the value in a year. Unlike
 * {@link turnover} it counts the initial purchase: it is what separates the gross returns from the net ones.
 * @returns annual fraction; NaN for an empty series.
 */
export function costDrag(dailyCost: ArrayLike<number>, periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  if (dailyCost.length === 0) return Number.NaN;
  return mean(dailyCost) * periodsPerYear;
}

/**
 * Daily returns before costs: the same decisions with each day's cost added back,
 * (1 + r_d) / (1 - c_d) - 1, where c_d is the cost paid at the close of d as a fraction of the value before the
 * trade (market/simulate.ts: V_d = V_{d-1} g_d (1 - c_d), so the gross return is g_d - 1). Chained, they are the
 * value path of the same weights traded without costs.
 * @throws RangeError when the two series differ in length, or a cost is not in [0, 1).
 */
export function grossReturns(r: ArrayLike<number>, dailyCost: ArrayLike<number>): Float64Array {
  if (r.length !== dailyCost.length) throw new RangeError(`${r.length} returns but ${dailyCost.length} daily costs`);
  const out = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) {
    const c = dailyCost[i]!;
    if (!(c >= 0 && c < 1)) throw new RangeError(`daily cost ${c} at ${i} is not in [0, 1)`);
    out[i] = (1 + r[i]!) / (1 - c) - 1;
  }
  return out;
}

/**
 * Average number of holdings: mean over days of the count of risky weights > threshold (default 1e-4).
 * @param weights per day, the risky-asset weights (a trailing cash slot must be excluded by passing `nRisky`)
 * @param nRisky how many leading entries of each row are risky assets (default: the whole row)
 * @returns mean count (assets); NaN when there is no day.
 */
export function avgHoldings(
  weights: readonly ArrayLike<number>[],
  nRisky?: number,
  threshold = HOLDING_THRESHOLD,
): number {
  if (weights.length === 0) return Number.NaN;
  let total = 0;
  for (const w of weights) {
    const n = nRisky ?? w.length;
    for (let i = 0; i < n; i++) if (w[i]! > threshold) total++;
  }
  return total / weights.length;
}

/**
 * Average cash: mean over days of the share of the book not in the risky assets, max(0, 1 - Σ risky weights) — what a
 * trade rule or a policy leaves uninvested (every strategy here is long-only, cash earning nothing).
 * @param weights per day, the weights after the day's trade (a trailing cash slot is excluded by passing `nRisky`)
 * @param nRisky how many leading entries of each row are risky assets (default: the whole row)
 * @returns mean fraction in [0, 1]; NaN when there is no day.
 */
export function avgCash(weights: readonly ArrayLike<number>[], nRisky?: number): number {
  if (weights.length === 0) return Number.NaN;
  let total = 0;
  for (const w of weights) {
    const n = nRisky ?? w.length;
    let invested = 0;
    for (let i = 0; i < n; i++) invested += w[i]!;
    total += Math.max(0, 1 - invested);
  }
  return total / weights.length;
}

/**
 * Hit rate: share of days with a strictly positive return (a 0 return is not a hit).
 * @returns fraction in [0, 1]; NaN for an empty series.
 */
export function hitRate(r: ArrayLike<number>): number {
  if (r.length === 0) return Number.NaN;
  let hits = 0;
  for (let i = 0; i < r.length; i++) {
    if (Number.isNaN(r[i]!)) return Number.NaN;
    if (r[i]! > 0) hits++;
  }
  return hits / r.length;
}

/** Names of the metrics {@link computeMetrics} reports, in display order (listed with their specs in src-shared/domain). */
export const METRIC_NAMES = METRIC_IDS;
export type MetricName = MetricId;
export type Metrics = Record<MetricName, number>;

/** What {@link computeMetrics} needs from a backtest. */
export interface MetricInputs {
  /** daily net simple returns, one per test day */
  returns: ArrayLike<number>;
  /** daily one-way turnover to average (the simulation's days after the initial purchase) */
  turnover: ArrayLike<number>;
  /** per-day target weights; only the first `nRisky` entries of each row are counted as holdings */
  weights: readonly ArrayLike<number>[];
  nRisky?: number;
  /**
   * daily cost as a fraction of the value before the trade, one per test day (the simulation's `cost`); without
   * it the figures before costs and the cost drag have no value (NaN)
   */
  cost?: ArrayLike<number>;
  /**
   * the same daily cost in its parts (the simulation's costCommission, costSpread, costImpact), one per test day
   * each; without it the three drags have no value (NaN)
   */
  costSplit?: { commission: ArrayLike<number>; spread: ArrayLike<number>; impact: ArrayLike<number> };
}

/**
 * Every metric of {@link METRIC_NAMES} for one backtest (docs/backtest-conventions.md "Metrics"): returns, volatility and ratios
 * annualised with `periodsPerYear`, ratios against the annual `riskFree` rate; the figures before costs from
 * {@link grossReturns} of the net returns and the daily costs; the cost drag of each part of the cost (commission,
 * spread, impact) by {@link costDrag} of that part's daily series; the largest weight and the fewest effective
 * holdings of any day from src-shared/domain/concentration.ts.
 */
export function computeMetrics(x: MetricInputs, opts: RatioOptions = {}): Metrics {
  const p = opts.periodsPerYear ?? TRADING_DAYS_PER_YEAR;
  const dd = drawdownStats(x.returns);
  const gross = x.cost ? grossReturns(x.returns, x.cost) : null;
  const conc = concentrationExtremes(x.weights, x.nRisky);
  return {
    cumulativeReturn: cumulativeReturn(x.returns),
    annualReturn: annualReturn(x.returns, p),
    annualVolatility: annualVolatility(x.returns, p),
    sharpe: sharpe(x.returns, opts),
    sortino: sortino(x.returns, opts),
    omega: omega(x.returns),
    calmar: calmar(x.returns, p),
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownDays: dd.duration,
    var95: var95(x.returns),
    cvar95: cvar95(x.returns),
    turnover: turnover(x.turnover),
    annualTurnover: annualTurnover(x.turnover, p),
    costDrag: x.cost ? costDrag(x.cost, p) : Number.NaN,
    costCommission: x.costSplit ? costDrag(x.costSplit.commission, p) : Number.NaN,
    costSpread: x.costSplit ? costDrag(x.costSplit.spread, p) : Number.NaN,
    costImpact: x.costSplit ? costDrag(x.costSplit.impact, p) : Number.NaN,
    grossCumulativeReturn: gross ? cumulativeReturn(gross) : Number.NaN,
    grossSharpe: gross ? sharpe(gross, opts) : Number.NaN,
    grossSortino: gross ? sortino(gross, opts) : Number.NaN,
    grossOmega: gross ? omega(gross) : Number.NaN,
    avgHoldings: avgHoldings(x.weights, x.nRisky),
    avgCash: avgCash(x.weights, x.nRisky),
    maxWeight: conc.maxWeight,
    minEffectiveN: conc.minEffectiveN,
    hitRate: hitRate(x.returns),
  };
}
