/**
 * Utility-based capital allocation between the two SAMP-HDRL groups and cash (step 4 of
 * the method, docs/samp-hdrl.md; the paper: "utility-based capital allocation ... with momentum adjustment").
 *
 * Overview (every constant below is a field of UtilitySettings, agents/samp/config.ts)
 * 1. Group return series: the equal-weight (daily rebalanced) return of each group's assets,
 *    g_d = mean_{i in group} r_{d,i}, over the trailing `window` days up to t (`groupReturnSeries`).
 * 2. Utility: U_g = mean_g - riskAversion * var_g, with mean and (sample, N-1) variance annualised
 *    (x periodsPerYear), so U is in "annual return" units (e.g. 0.12 - 2 * 0.04 = 0.04).
 * 3. Momentum adjustment: R_k = prod(1 + g_d) - 1 over the last `momentumWindow` days; its strength is the
 *    z-score z = R_k / (sigma_daily * sqrt(k)) (sigma from the utility window); the tilt is
 *    maxTilt * tanh(z / momentumScale), bounded by +-maxTilt, and U'_g = U_g + tilt. Stronger momentum moves
 *    capital toward that group, never by more than maxTilt of utility.
 * 4. Fractions (c1 ordinary, c2 high-quality, cash), all >= 0, summing to 1, by `rule`:
 *    - 'softmax' (default): softmax of [U'_1, U'_2, cashUtility] / T (cash entry only with `allowCash`).
 *      Smooth; cash grows as both utilities fall below cashUtility. The temperature T (`splitTemperature`):
 *      - 'fixed': T = `temperature` (0.1, the rule before issue 15);
 *      - 'calibrated' (default): T = `calibration` x SE, where SE is the standard error of the noisiest
 *        utility difference the softmax compares, from the same trailing window. The annualised mean of w daily
 *        returns with daily standard deviation s has standard error s * P / sqrt(w) (P = periodsPerYear; the
 *        same as sigma_annual * sqrt(P / w)). The differences compared are ordinary - high (its s is that of the
 *        daily difference series, so the groups' correlation counts) and, with a cash entry, each group - cash
 *        (cash is known exactly, so s is the group's own). The variance term's sampling error is left out: it
 *        is over twenty times smaller than the mean's (lambda * sigma^2 * sqrt(2 / (w - 1)) vs sigma * sqrt(P / w),
 *        with sigma annual: 0.015 vs 0.41 for sigma = 0.2 and w = 60). Why c = 1: noise alone gives gaps of up to
 *        one standard error about two times in three, and such a gap moves the split between two entries to
 *        e : 1 (73% / 27%) at most; a gap has to reach three standard errors before one entry takes 95%. The
 *        fixed 0.1 is a quarter to a third of the standard error of a 60-day mean of a diversified stock group
 *        (about 0.35), so noise alone swung capital almost all the way between the groups and cash.
 *    - 'proportional': c_g proportional to max(U'_g, 0); when both are <= 0, cash = cashFloor (0 without
 *      `allowCash`) and the rest is split equally between the groups.
 *    - 'equal': c1 = c2 = 1/2, no cash (ablation `w/o utility`).
 * The rebound rule (rebound.ts: the cap on these fractions, or the gate on the utilities before them) and the
 * moving average over days (`smoothingHalfLife`) are applied by allocation.ts.
 * Everything reads the trailing window only (data up to the decision day t).
 */
import type { UtilitySettings } from '../../../agents/samp/config';
import type { MarketView } from '../../../market/view';

/** The capital allocation's settings where a config leaves them out (agents/samp/config.ts UtilitySettings). */
export const UTILITY_DEFAULTS: UtilitySettings = {
  window: 60,
  riskAversion: 2,
  momentumWindow: 20,
  momentumScale: 1,
  maxTilt: 0.05,
  rule: 'softmax',
  temperature: 0.1,
  temperatureRule: 'calibrated',
  calibration: 1,
  smoothingHalfLife: 5,
  allowCash: true,
  cashUtility: 0,
  cashFloor: 0.5,
  periodsPerYear: 252,
};

/** Capital fractions: c1 to the ordinary group, c2 to the high-quality group, the rest in cash. */
export interface CapitalSplit {
  c1: number;
  c2: number;
  cash: number;
}

/** Utility breakdown of one group (shown to the user with the split). */
export interface GroupUtility {
  /** annualised mean of the group's equal-weight daily returns over `window` */
  mean: number;
  /** annualised sample variance of the same returns */
  variance: number;
  /** mean - riskAversion * variance */
  utility: number;
  /** compounded group return over the last `momentumWindow` days */
  momentumReturn: number;
  /** z-score of momentumReturn (see overview) */
  momentumStrength: number;
  /** maxTilt * tanh(momentumStrength / momentumScale) */
  tilt: number;
  /** utility + tilt */
  adjusted: number;
}

/**
 * Equal-weight (daily rebalanced) return of a group: out[d] = mean of returns[d][i] over i with mask[i].
 * @param returns days x assets daily simple returns; @param mask group membership (at least one true)
 * @returns daily simple returns of the group, one per row
 */
export function groupReturnSeries(returns: readonly Float64Array[], mask: readonly boolean[]): Float64Array {
  const idx: number[] = [];
  mask.forEach((m, i) => m && idx.push(i));
  if (idx.length === 0) throw new RangeError('group mask is empty');
  return Float64Array.from(returns, (row) => {
    let s = 0;
    for (const i of idx) s += row[i]!;
    return s / idx.length;
  });
}

/**
 * Momentum-adjusted utility of one group from its daily return series (SAMP-HDRL step 4).
 * Uses the last `window` values for mean/variance and the last `momentumWindow` for momentum.
 * @param series daily simple returns of the group, oldest first, ending at the decision day (>= 2 values)
 */
export function groupUtility(series: Float64Array, settings: Partial<UtilitySettings> = {}): GroupUtility {
  const s = { ...UTILITY_DEFAULTS, ...settings };
  const n = series.length;
  const w = Math.min(s.window, n);
  if (w < 2) throw new RangeError('groupUtility needs at least 2 returns');
  let sum = 0;
  for (let d = n - w; d < n; d++) sum += series[d]!;
  const mu = sum / w;
  let ss = 0;
  for (let d = n - w; d < n; d++) ss += (series[d]! - mu) ** 2;
  const varDaily = ss / (w - 1);
  const mean = mu * s.periodsPerYear;
  const variance = varDaily * s.periodsPerYear;
  const utility = mean - s.riskAversion * variance;
  const k = Math.min(s.momentumWindow, n);
  let growth = 1;
  for (let d = n - k; d < n; d++) growth *= 1 + series[d]!;
  const momentumReturn = growth - 1;
  const denom = Math.sqrt(varDaily * k);
  const momentumStrength =
    denom > 0 ? momentumReturn / denom : momentumReturn > 0 ? Infinity : momentumReturn < 0 ? -Infinity : 0;
  const tilt = s.maxTilt * Math.tanh(momentumStrength / s.momentumScale);
  return { mean, variance, utility, momentumReturn, momentumStrength, tilt, adjusted: utility + tilt };
}

/** The softmax temperature of one split and, for the calibrated rule, the standard error it was scaled from. */
export interface SplitTemperature {
  rule: UtilitySettings['temperatureRule'];
  /** the temperature used, in utility (annual return) units */
  temperature: number;
  /** standard error of the noisiest utility difference the softmax compares; null for the fixed rule */
  standardError: number | null;
}

/**
 * Floor of the calibrated temperature: returns that never vary in the window give a standard error of 0 (the
 * utilities are known exactly), and the split becomes an argmax up to this floor instead of dividing by zero.
 */
export const MIN_TEMPERATURE = 1e-6;

/**
 * Standard error of the annualised mean of the last `window` values of a daily series: s * P / sqrt(w), with s
 * the sample (N - 1) standard deviation of those values and P = periodsPerYear.
 * @param series daily values, oldest first (>= 2 values in the window)
 */
export function annualisedMeanStandardError(series: ArrayLike<number>, window: number, periodsPerYear: number): number {
  const n = series.length;
  const w = Math.min(window, n);
  if (w < 2) throw new RangeError('a standard error needs at least 2 values');
  let sum = 0;
  for (let d = n - w; d < n; d++) sum += series[d]!;
  const mu = sum / w;
  let ss = 0;
  for (let d = n - w; d < n; d++) ss += (series[d]! - mu) ** 2;
  return (Math.sqrt(ss / (w - 1)) * periodsPerYear) / Math.sqrt(w);
}

/**
 * The softmax temperature by `settings.temperatureRule` (see the overview, step 4): the fixed `temperature`, or
 * `calibration` x the standard error of the noisiest difference among the softmax's entries, computed over the
 * utility window of the two groups' daily returns.
 * @param ordinary daily returns of the ordinary group; @param high of the high-quality group (same days)
 */
export function splitTemperature(
  ordinary: Float64Array,
  high: Float64Array,
  settings: Partial<UtilitySettings> = {},
): SplitTemperature {
  const s = { ...UTILITY_DEFAULTS, ...settings };
  if (s.temperatureRule === 'fixed') {
    if (!(s.temperature > 0)) throw new RangeError(`temperature must be > 0, got ${s.temperature}`);
    return { rule: 'fixed', temperature: s.temperature, standardError: null };
  }
  if (s.temperatureRule !== 'calibrated')
    throw new RangeError(`temperatureRule must be 'fixed' or 'calibrated', got ${String(s.temperatureRule)}`);
  if (!(s.calibration > 0) || !Number.isFinite(s.calibration))
    throw new RangeError(`calibration must be a finite number > 0, got ${s.calibration}`);
  if (ordinary.length !== high.length)
    throw new RangeError(`group series differ in length: ${ordinary.length} vs ${high.length}`);
  const diff = Float64Array.from(ordinary, (v, d) => v - high[d]!);
  let se = annualisedMeanStandardError(diff, s.window, s.periodsPerYear);
  if (s.allowCash) {
    se = Math.max(
      se,
      annualisedMeanStandardError(ordinary, s.window, s.periodsPerYear),
      annualisedMeanStandardError(high, s.window, s.periodsPerYear),
    );
  }
  return { rule: 'calibrated', temperature: Math.max(MIN_TEMPERATURE, s.calibration * se), standardError: se };
}

/**
 * Turn the two groups' adjusted utilities into capital fractions by `settings.rule` (see overview). The softmax
 * divides by `settings.temperature` as given: callers with the calibrated rule pass the temperature
 * {@link splitTemperature} resolved (as {@link capitalSplit} does).
 * @param u1 adjusted utility of the ordinary group; @param u2 adjusted utility of the high-quality group
 * @returns c1, c2, cash: each >= 0, summing to 1
 */
export function splitFromUtilities(u1: number, u2: number, settings: Partial<UtilitySettings> = {}): CapitalSplit {
  const s = { ...UTILITY_DEFAULTS, ...settings };
  if (s.rule === 'equal') return { c1: 0.5, c2: 0.5, cash: 0 };
  if (s.rule === 'proportional') {
    const p1 = Math.max(u1, 0);
    const p2 = Math.max(u2, 0);
    if (p1 + p2 > 0) return { c1: p1 / (p1 + p2), c2: p2 / (p1 + p2), cash: 0 };
    const cash = s.allowCash ? Math.min(1, Math.max(0, s.cashFloor)) : 0;
    return { c1: (1 - cash) / 2, c2: (1 - cash) / 2, cash };
  }
  if (!(s.temperature > 0)) throw new RangeError('temperature must be > 0');
  const z = s.allowCash ? [u1, u2, s.cashUtility] : [u1, u2];
  const zmax = Math.max(...z);
  const e = z.map((v) => Math.exp((v - zmax) / s.temperature));
  const tot = e.reduce((a, b) => a + b, 0);
  return { c1: e[0]! / tot, c2: e[1]! / tot, cash: s.allowCash ? e[2]! / tot : 0 };
}

/** Result of {@link capitalSplit}: the fractions, each group's utility breakdown and the softmax temperature. */
export interface CapitalAllocation {
  split: CapitalSplit;
  ordinary: GroupUtility;
  high: GroupUtility;
  /** the temperature the softmax used; null for the 'proportional' and 'equal' rules, which have none */
  temperature: SplitTemperature | null;
}

/**
 * Capital split between ordinary group (m1), high-quality group (m2) and cash (SAMP-HDRL step 4).
 * @param returns trailing daily simple returns, days x assets, ending at the decision day (>= 2 rows); only
 *   the last max(window, momentumWindow) rows matter
 * @param masks m1 (`ordinary`) and m2 (`high`)
 */
export function capitalSplit(
  returns: readonly Float64Array[],
  masks: { ordinary: readonly boolean[]; high: readonly boolean[] },
  settings: Partial<UtilitySettings> = {},
): CapitalAllocation {
  const s = { ...UTILITY_DEFAULTS, ...settings };
  const o = groupReturnSeries(returns, masks.ordinary);
  const h = groupReturnSeries(returns, masks.high);
  const ordinary = groupUtility(o, s);
  const high = groupUtility(h, s);
  const temperature = s.rule === 'softmax' ? splitTemperature(o, h, s) : null;
  const split = splitFromUtilities(
    ordinary.adjusted,
    high.adjusted,
    temperature ? { ...s, temperature: temperature.temperature } : s,
  );
  return { split, ordinary, high, temperature };
}

/**
 * {@link capitalSplit} at a market view's day t, reading returns of days <= t only.
 * @param view decision-day view; @param masks grouping in force (e.g. from DynamicGrouping.at(view))
 */
export function capitalSplitAt(
  view: MarketView,
  masks: { ordinary: readonly boolean[]; high: readonly boolean[] },
  settings: Partial<UtilitySettings> = {},
): CapitalAllocation {
  const s = { ...UTILITY_DEFAULTS, ...settings };
  return capitalSplit(view.returnsWindow(Math.max(s.window, s.momentumWindow)), masks, s);
}
