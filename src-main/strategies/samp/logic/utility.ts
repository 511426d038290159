/**
 * Utility-based capital allocation between the two SAMP-HDRL groups and cash (method.md, SAMP-HDRL
 * step 4; seed 000 "utility-based capital allocation ... with momentum adjustment").
 *
 * Overview (every constant below is a field of {@link UtilitySettings})
 * 1. Group return series: the equal-weight (daily rebalanced) return of each group's assets,
 *    g_d = mean_{i in group} r_{d,i}, over the trailing `window` days up to t (`groupReturnSeries`).
 * 2. Utility: U_g = mean_g - riskAversion * var_g, with mean and (sample, N-1) variance annualised
 *    (x periodsPerYear), so U is in "annual return" units (e.g. 0.12 - 2 * 0.04 = 0.04).
 * 3. Momentum adjustment: R_k = prod(1 + g_d) - 1 over the last `momentumWindow` days; its strength is the
 *    z-score z = R_k / (sigma_daily * sqrt(k)) (sigma from the utility window); the tilt is
 *    maxTilt * tanh(z / momentumScale), bounded by +-maxTilt, and U'_g = U_g + tilt. Stronger momentum moves
 *    capital toward that group, never by more than maxTilt of utility.
 * 4. Fractions (c1 ordinary, c2 high-quality, cash), all >= 0, summing to 1, by `rule`:
 *    - 'softmax' (default): softmax of [U'_1, U'_2, cashUtility] / temperature (cash entry only with
 *      `allowCash`). Smooth; cash grows as both utilities fall below cashUtility.
 *    - 'proportional': c_g proportional to max(U'_g, 0); when both are <= 0, cash = cashFloor (0 without
 *      `allowCash`) and the rest is split equally between the groups.
 *    - 'equal': c1 = c2 = 1/2, no cash (ablation `w/o utility`).
 * The rebound cap (rebound.ts) is applied afterwards to the fractions this module returns.
 * Everything reads the trailing window only (data up to the decision day t).
 */
import type { MarketView } from '../../../market/view';

/** Settings of the capital allocation (method.md SAMP-HDRL step 4). */
export interface UtilitySettings {
  /** Trailing window (trading days) for each group's mean and variance. Default 60. */
  window: number;
  /** Risk aversion lambda in U = mean - lambda * var (annualised mean and variance). Default 2. */
  riskAversion: number;
  /** Trailing window (trading days) of the momentum return R_k. Default 20. */
  momentumWindow: number;
  /** z-score of the k-day return at which the tilt reaches tanh(1) = 76% of maxTilt. Default 1. */
  momentumScale: number;
  /** Bound on the momentum tilt, in utility (annual return) units. Default 0.05. */
  maxTilt: number;
  /** How utilities become fractions: 'softmax' | 'proportional' | 'equal' (see overview). Default 'softmax'. */
  rule: 'softmax' | 'proportional' | 'equal';
  /** Softmax temperature in utility units; smaller = more decisive. Default 0.1. */
  temperature: number;
  /** Whether cash may receive capital (a cash slot exists). Default true. */
  allowCash: boolean;
  /** Utility of cash (risk-free, annual), the third softmax entry. Default 0. */
  cashUtility: number;
  /** 'proportional' rule only: cash fraction when both adjusted utilities are <= 0. Default 0.5. */
  cashFloor: number;
  /** Annualisation factor (trading days per year). Default 252. */
  periodsPerYear: number;
}

export const UTILITY_DEFAULTS: UtilitySettings = {
  window: 60,
  riskAversion: 2,
  momentumWindow: 20,
  momentumScale: 1,
  maxTilt: 0.05,
  rule: 'softmax',
  temperature: 0.1,
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
 * Momentum-adjusted utility of one group from its daily return series (method.md SAMP-HDRL step 4).
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

/**
 * Turn the two groups' adjusted utilities into capital fractions by `settings.rule` (see overview).
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

/** Result of {@link capitalSplit}: the fractions and each group's utility breakdown. */
export interface CapitalAllocation {
  split: CapitalSplit;
  ordinary: GroupUtility;
  high: GroupUtility;
}

/**
 * Capital split between ordinary group (m1), high-quality group (m2) and cash (method.md SAMP-HDRL step 4).
 * @param returns trailing daily simple returns, days x assets, ending at the decision day (>= 2 rows); only
 *   the last max(window, momentumWindow) rows matter
 * @param masks m1 (`ordinary`) and m2 (`high`)
 */
export function capitalSplit(
  returns: readonly Float64Array[],
  masks: { ordinary: readonly boolean[]; high: readonly boolean[] },
  settings: Partial<UtilitySettings> = {},
): CapitalAllocation {
  const ordinary = groupUtility(groupReturnSeries(returns, masks.ordinary), settings);
  const high = groupUtility(groupReturnSeries(returns, masks.high), settings);
  return { split: splitFromUtilities(ordinary.adjusted, high.adjusted, settings), ordinary, high };
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
