/**
 * Per-run series of a tear sheet: rolling volatility, the distribution of daily returns, and turnover and cost
 * month by month. Daily simple returns and per-day turnover / cost as the simulation stores them
 * (src-main/market/simulate.ts: day 0 is the initial purchase from cash, one-way turnover 1).
 */
import { annualTurnover, costDrag, cvar95, sampleStd, TRADING_DAYS_PER_YEAR, var95 } from '../metrics';

/** Trading days in the rolling-volatility window by default (a quarter). */
export const ROLLING_VOL_DAYS = 63;
/** Histogram bins the return distribution aims at (the step is rounded to a readable size). */
export const DISTRIBUTION_TARGET_BINS = 40;

/**
 * Rolling annualised volatility: the sample standard deviation (n - 1) of the last `window` daily returns ×
 * √periodsPerYear, one value per day; null until `window` returns are at hand (the first window - 1 days).
 * Computed afresh for each window (no running sums), so a long series keeps full precision.
 */
export function rollingVolatility(
  r: ArrayLike<number>,
  window = ROLLING_VOL_DAYS,
  periodsPerYear = TRADING_DAYS_PER_YEAR,
): (number | null)[] {
  if (!Number.isInteger(window) || window < 2)
    throw new RangeError(`rolling volatility needs a window of at least 2 days, got ${window}`);
  const out: (number | null)[] = [];
  const ann = Math.sqrt(periodsPerYear);
  for (let t = 0; t < r.length; t++) {
    if (t < window - 1) {
      out.push(null);
      continue;
    }
    const slice = Array.prototype.slice.call(r, t - window + 1, t + 1) as number[];
    out.push(sampleStd(slice) * ann);
  }
  return out;
}

/** A readable bin width near `raw`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceWidth(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 0.001;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p * (1 + 1e-12)) return m * p;
  return 10 * p;
}

/**
 * Bin edges shared by several return series, so their histograms can be drawn on one axis: a readable width
 * (about {@link DISTRIBUTION_TARGET_BINS} bins over the range of every finite return) and edges on multiples of
 * it. Empty input gives one bin around 0.
 */
export function histogramEdges(series: readonly ArrayLike<number>[], targetBins = DISTRIBUTION_TARGET_BINS): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (let i = 0; i < s.length; i++) {
      const x = s[i]!;
      if (!Number.isFinite(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  if (lo === Infinity) return [-0.005, 0.005];
  const w = niceWidth((hi - lo) / targetBins);
  const first = Math.floor(lo / w);
  const last = Math.max(first + 1, Math.ceil(hi / w) + (Number.isInteger(hi / w) ? 1 : 0));
  const edges: number[] = [];
  for (let k = first; k <= last; k++) edges.push(Math.round(k * w * 1e12) / 1e12);
  return edges;
}

/** Summary of a return distribution (daily fractions; NaN where undefined). */
export interface DistributionStats {
  days: number;
  mean: number;
  /** sample standard deviation (n - 1) */
  std: number;
  /** sample skewness g1 = m3 / m2^1.5 (central moments over n); NaN for fewer than 3 days or no spread */
  skew: number;
  /** excess kurtosis g2 = m4 / m2² - 3; NaN for fewer than 4 days or no spread */
  kurtosis: number;
  /** historical 95 % VaR and CVaR (src-main/metrics) */
  var95: number;
  cvar95: number;
  best: number;
  worst: number;
}

/** The daily returns counted into the bins of `edges` (bin k holds edges[k] <= x < edges[k+1]; the last bin is closed). */
export function histogram(r: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    if (!Number.isFinite(x) || x < edges[0]! || x > edges[edges.length - 1]!) continue;
    let lo = 0;
    let hi = edges.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x < edges[mid]!) hi = mid;
      else lo = mid;
    }
    counts[lo]!++;
  }
  return counts;
}

/** Moments, tails and extremes of daily returns (see {@link DistributionStats}). */
export function distributionStats(r: ArrayLike<number>): DistributionStats {
  const n = r.length;
  let mean = 0;
  let best = -Infinity;
  let worst = Infinity;
  for (let i = 0; i < n; i++) {
    mean += r[i]!;
    best = Math.max(best, r[i]!);
    worst = Math.min(worst, r[i]!);
  }
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = r[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return {
    days: n,
    mean: n ? mean : Number.NaN,
    std: sampleStd(r),
    skew: n >= 3 && m2 > 0 ? m3 / Math.pow(m2, 1.5) : Number.NaN,
    kurtosis: n >= 4 && m2 > 0 ? m4 / (m2 * m2) - 3 : Number.NaN,
    var95: var95(r),
    cvar95: cvar95(r),
    best: n ? best : Number.NaN,
    worst: n ? worst : Number.NaN,
  };
}

/** Turnover and cost of one calendar month. */
export interface MonthTrading {
  /** 'YYYY-MM' */
  month: string;
  /** one-way turnover traded in the month (sum of the days; the initial purchase left out), fraction of the book */
  turnover: number;
  /** costs paid in the month (sum of the days' costs, the initial purchase included), fraction of the value */
  cost: number;
}

/** A run's trading, month by month, with the annual figures of src-main/metrics. */
export interface TradingOverTime {
  /** annual one-way turnover (metrics annualTurnover over the days after the initial purchase) */
  annualTurnover: number;
  /** annual cost drag (metrics costDrag over every day) */
  costDrag: number;
  months: MonthTrading[];
}

/**
 * Turnover and cost over time. The initial purchase (day 0, turnover 1) is left out of the turnover, as in the
 * metric, and kept in the cost, as in the cost drag: buying the book is not trading it, but it is paid for.
 * @throws RangeError when the series differ in length
 */
export function tradingOverTime(
  dates: readonly string[],
  turnover: ArrayLike<number>,
  cost: ArrayLike<number>,
  periodsPerYear = TRADING_DAYS_PER_YEAR,
): TradingOverTime {
  if (dates.length !== turnover.length || dates.length !== cost.length)
    throw new RangeError(
      `trading over time: ${dates.length} dates, ${turnover.length} turnovers, ${cost.length} costs`,
    );
  const months: MonthTrading[] = [];
  for (let i = 0; i < dates.length; i++) {
    const m = dates[i]!.slice(0, 7);
    let last = months[months.length - 1];
    if (!last || last.month !== m) months.push((last = { month: m, turnover: 0, cost: 0 }));
    if (i > 0) last.turnover += turnover[i]!;
    last.cost += cost[i]!;
  }
  const after = Array.prototype.slice.call(turnover, 1) as number[];
  return { annualTurnover: annualTurnover(after, periodsPerYear), costDrag: costDrag(cost, periodsPerYear), months };
}
