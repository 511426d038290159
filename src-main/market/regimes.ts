/**
 * Market regime labels: the trend and volatility regimes of the universe's equal-weight index, read by the Regimes
 * view and the explanations conditioned by regime (re-exported by explain/regimes.ts) and by the learned strategic
 * level of the three-level hierarchy (agents/threelevel/strategic-env.ts), which is why they sit in the market layer
 * below both. No look-ahead, as everywhere: README "Market conventions"; the evaluation over three market regimes,
 * SAMP-HDRL step 9.
 *
 * Overview — every label at day t reads the index up to t only:
 * - Index: equal-weight, daily rebalanced index of the universe, I_0 = 1,
 *   I_t = I_{t-1} * mean_i(close[t][i] / close[t-1][i]).
 * - Trend regime (raw): with w = min(trendWindow, t), R_t = I_t / I_{t-w} - 1 and MA_t = mean(I_{t-w'+1..t})
 *   with w' = min(trendWindow, t + 1):
 *     bull     if R_t >  trendThreshold and I_t > MA_t,
 *     bear     if R_t < -trendThreshold and I_t < MA_t,
 *     sideways otherwise (and on day 0).
 * - Volatility regime (raw): realised vol RV_t = sample std of the last `volWindow` index returns x
 *   sqrt(periodsPerYear). Its thresholds are the `volLowPct` / `volHighPct` percentiles (linear
 *   interpolation) of the full-window RV values of days strictly before t, the last `volHistoryDays` of them
 *   (a trailing window of the past): calm if RV_t < low, stressed if RV_t > high, normal otherwise.
 * - Warm-up: before `trendWindow` days of history, or with fewer than `minVolHistory` past RV values
 *   (vol is then labelled normal), `warmup[t]` is true so the view can grey those days out.
 * - Debounce: the reported regime switches to a new raw label only after the raw label has held it for
 *   `confirmDays` consecutive days up to t (causal; 1 = no debounce). Change points are the days on which
 *   the reported regime differs from the previous day's.
 */
import type { PriceMatrix } from './prices';

export type TrendRegime = 'bull' | 'bear' | 'sideways';
export type VolRegime = 'calm' | 'normal' | 'stressed';

/** Settings of the regime labeller. */
export interface RegimeSettings {
  /** Trend look-back in trading days for the trailing return and the moving average. Default 200. */
  trendWindow: number;
  /** |trailing return| (fraction) beyond which the trend is bull/bear (with the MA condition). Default 0.05. */
  trendThreshold: number;
  /** Realised-volatility window in trading days. Default 21. */
  volWindow: number;
  /** Lower percentile (0..1) of past realised vol: below it is calm. Default 0.33. */
  volLowPct: number;
  /** Upper percentile (0..1) of past realised vol: above it is stressed. Default 0.67. */
  volHighPct: number;
  /** Minimum number of past full-window RV values before the vol percentiles are used. Default 63. */
  minVolHistory: number;
  /**
   * Most recent past RV values the percentiles are taken over (a trailing window, so "stressed" means stressed
   * relative to the last few years, not to the calmest era on record). Default 756 (three years); Infinity =
   * every past value.
   */
  volHistoryDays: number;
  /** Days a new raw label must persist before the reported regime switches (1 = immediately). Default 5. */
  confirmDays: number;
  /** Annualisation of the realised vol. Default 252. */
  periodsPerYear: number;
}

export const REGIME_DEFAULTS: RegimeSettings = {
  trendWindow: 200,
  trendThreshold: 0.05,
  volWindow: 21,
  volLowPct: 0.33,
  volHighPct: 0.67,
  minVolHistory: 63,
  volHistoryDays: 756,
  confirmDays: 5,
  periodsPerYear: 252,
};

/** A day on which a reported regime changes. */
export interface RegimeChange {
  dayIndex: number;
  date: string;
  kind: 'trend' | 'vol';
  from: string;
  to: string;
}

/** Per-day regime labels and the figures they were derived from (arrays aligned with `dates`). */
export interface RegimeLabels {
  dates: string[];
  /** equal-weight index level, starts at 1 */
  index: Float64Array;
  trend: TrendRegime[];
  vol: VolRegime[];
  /** raw (not debounced) labels */
  trendRaw: TrendRegime[];
  volRaw: VolRegime[];
  /** trailing return R_t (fraction) */
  trailingReturn: Float64Array;
  /** moving average MA_t of the index */
  movingAverage: Float64Array;
  /** annualised realised vol RV_t (NaN before 2 returns) */
  realisedVol: Float64Array;
  /** vol thresholds used at t (NaN while warming up) */
  volLow: Float64Array;
  volHigh: Float64Array;
  warmup: boolean[];
  changes: RegimeChange[];
}

/** Equal-weight daily rebalanced index of a price matrix (I_0 = 1). */
export function equalWeightIndex(m: PriceMatrix): Float64Array {
  const T = m.close.length;
  const n = m.tickers.length;
  const out = new Float64Array(T);
  if (T === 0) return out;
  out[0] = 1;
  for (let t = 1; t < T; t++) {
    const a = m.close[t]!;
    const b = m.close[t - 1]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! / b[i]!;
    out[t] = out[t - 1]! * (s / n);
  }
  return out;
}

/** Percentile (p in [0,1]) of an ascending array by linear interpolation (Hyndman-Fan type 7). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function insertSorted(arr: number[], v: number): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, v);
}

function removeSorted(arr: number[], v: number): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  if (arr[lo] === v) arr.splice(lo, 1);
}

function debounce<T extends string>(raw: T[], confirmDays: number): T[] {
  const out: T[] = [];
  let current = raw[0]!;
  let run = 0;
  let candidate: T | undefined;
  for (let t = 0; t < raw.length; t++) {
    const r = raw[t]!;
    if (r === current) {
      candidate = undefined;
      run = 0;
    } else {
      if (r === candidate) run++;
      else {
        candidate = r;
        run = 1;
      }
      if (run >= confirmDays) {
        current = r;
        candidate = undefined;
        run = 0;
      }
    }
    out.push(current);
  }
  return out;
}

/**
 * Label every day of an index level series with trend and volatility regimes (rules in the file overview).
 * Label t depends on levels[0..t] only.
 * @param levels index levels (> 0), oldest first; @param dates same length
 */
export function labelRegimesFromIndex(
  levels: Float64Array,
  dates: readonly string[],
  settings: Partial<RegimeSettings> = {},
): RegimeLabels {
  const s = { ...REGIME_DEFAULTS, ...settings };
  const T = levels.length;
  if (dates.length !== T) throw new RangeError('dates and levels differ in length');
  if (!(s.trendWindow >= 1 && s.volWindow >= 2 && s.confirmDays >= 1)) throw new RangeError('bad regime settings');
  const trailingReturn = new Float64Array(T);
  const movingAverage = new Float64Array(T);
  const realisedVol = new Float64Array(T).fill(Number.NaN);
  const volLow = new Float64Array(T).fill(Number.NaN);
  const volHigh = new Float64Array(T).fill(Number.NaN);
  const trendRaw: TrendRegime[] = [];
  const volRaw: VolRegime[] = [];
  const warmup: boolean[] = [];
  const ann = Math.sqrt(s.periodsPerYear);
  const past: number[] = []; // sorted full-window RV values of the last volHistoryDays days < t
  const order: number[] = []; // the same values in the order they were added, to drop the oldest
  let maSum = 0;
  for (let t = 0; t < T; t++) {
    const x = levels[t]!;
    maSum += x;
    if (t >= s.trendWindow) maSum -= levels[t - s.trendWindow]!;
    const wMa = Math.min(s.trendWindow, t + 1);
    const ma = maSum / wMa;
    movingAverage[t] = ma;
    const w = Math.min(s.trendWindow, t);
    const R = w > 0 ? x / levels[t - w]! - 1 : 0;
    trailingReturn[t] = R;
    trendRaw.push(
      t > 0 && R > s.trendThreshold && x > ma ? 'bull' : t > 0 && R < -s.trendThreshold && x < ma ? 'bear' : 'sideways',
    );

    // realised vol over the last min(volWindow, t) returns
    const k = Math.min(s.volWindow, t);
    let rv = Number.NaN;
    if (k >= 2) {
      let m1 = 0;
      for (let d = t - k + 1; d <= t; d++) m1 += levels[d]! / levels[d - 1]! - 1;
      m1 /= k;
      let ss = 0;
      for (let d = t - k + 1; d <= t; d++) ss += (levels[d]! / levels[d - 1]! - 1 - m1) ** 2;
      rv = Math.sqrt(ss / (k - 1)) * ann;
    }
    realisedVol[t] = rv;
    let vr: VolRegime = 'normal';
    const volReady = past.length >= s.minVolHistory && past.length > 0;
    if (volReady && Number.isFinite(rv)) {
      const lo = percentileSorted(past, s.volLowPct);
      const hi = percentileSorted(past, s.volHighPct);
      volLow[t] = lo;
      volHigh[t] = hi;
      vr = rv < lo ? 'calm' : rv > hi ? 'stressed' : 'normal';
    }
    volRaw.push(vr);
    warmup.push(t < s.trendWindow || !volReady);
    if (k === s.volWindow) {
      insertSorted(past, rv); // available to days after t only
      order.push(rv);
      if (order.length > s.volHistoryDays) removeSorted(past, order.shift()!);
    }
  }
  const trend = debounce(trendRaw, s.confirmDays);
  const vol = debounce(volRaw, s.confirmDays);
  const changes: RegimeChange[] = [];
  for (let t = 1; t < T; t++) {
    if (trend[t] !== trend[t - 1])
      changes.push({ dayIndex: t, date: dates[t]!, kind: 'trend', from: trend[t - 1]!, to: trend[t]! });
    if (vol[t] !== vol[t - 1])
      changes.push({ dayIndex: t, date: dates[t]!, kind: 'vol', from: vol[t - 1]!, to: vol[t]! });
  }
  return {
    dates: dates.slice(),
    index: levels,
    trend,
    vol,
    trendRaw,
    volRaw,
    trailingReturn,
    movingAverage,
    realisedVol,
    volLow,
    volHigh,
    warmup,
    changes,
  };
}

/**
 * Label every day of a universe's equal-weight index with trend (bull/bear/sideways) and volatility
 * (calm/normal/stressed) regimes, look-ahead free (rules in the file overview).
 * @param m aligned closes of the universe
 */
export function labelRegimes(m: PriceMatrix, settings: Partial<RegimeSettings> = {}): RegimeLabels {
  return labelRegimesFromIndex(equalWeightIndex(m), m.dates, settings);
}

/** Fraction of days (0..1) in each reported regime, warm-up days excluded. */
export function regimeShares(labels: RegimeLabels): {
  trend: Record<TrendRegime, number>;
  vol: Record<VolRegime, number>;
  days: number;
} {
  const trend: Record<TrendRegime, number> = { bull: 0, bear: 0, sideways: 0 };
  const vol: Record<VolRegime, number> = { calm: 0, normal: 0, stressed: 0 };
  let days = 0;
  labels.trend.forEach((tr, t) => {
    if (labels.warmup[t]) return;
    days++;
    trend[tr]++;
    vol[labels.vol[t]!]++;
  });
  if (days > 0) {
    for (const k of Object.keys(trend) as TrendRegime[]) trend[k] /= days;
    for (const k of Object.keys(vol) as VolRegime[]) vol[k] /= days;
  }
  return { trend, vol, days };
}
