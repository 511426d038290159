/**
 * Sortino ratios per asset — the score SAMP-HDRL clusters on (step 1 of the method; the paper,
 * "dynamic asset grouping ... based on Sortino ratios").
 *
 * Overview
 * - Input: a window of daily simple returns, `returns[d][i]` for day d and asset i (e.g. from
 *   `MarketView.returnsWindow(lookback)`, which only reads data up to the decision day).
 * - Per asset i:  excess_d = r_d - target,
 *                 sortino_i = mean(excess) / sqrt(mean(min(excess, 0)^2)) * sqrt(periodsPerYear).
 *   The downside deviation averages the squared shortfalls over ALL days of the window (denominator N,
 *   not the count of negative days): that is the textbook lower partial moment of order 2 and the
 *   correct Sortino; dividing by the number of negative days instead is the common mistake users complain
 *   about (a common slip: the downside deviation over negative days only).
 * - Zero downside (no day below target): the ratio is undefined/infinite. We return `+cap` when the mean
 *   excess is positive and 0 when it is exactly zero (a flat series); every score is also clipped to
 *   [-cap, cap]. A finite cap keeps K-means well defined (an infinite score would swallow a cluster) while
 *   still ranking such an asset at the top.
 * - Fewer than `minDays` rows: every score is NaN (callers decide; `groupBySortino` refuses).
 */

/** Settings of {@link sortinoRatios}. */
export interface SortinoOptions {
  /** Minimum acceptable daily return (MAR) the downside is measured against, daily simple return. Default 0. */
  target?: number;
  /** Annualisation: trading days per year; the ratio is multiplied by sqrt(periodsPerYear). Default 252. */
  periodsPerYear?: number;
  /**
   * Bound on |score| (annualised units). Applied to every score and used as the value for an asset with a
   * positive mean and no downside at all. Default 10 (far above any realistic annualised Sortino of a stock).
   */
  cap?: number;
  /** Minimum number of return rows for a score; with fewer, every score is NaN. Default 2. */
  minDays?: number;
}

export const SORTINO_DEFAULTS: Required<SortinoOptions> = {
  target: 0,
  periodsPerYear: 252,
  cap: 10,
  minDays: 2,
};

/**
 * Annualised Sortino ratio of each asset over a window of daily simple returns (SAMP-HDRL step 1).
 * @param returns days x assets daily simple returns (rows of equal length; e.g. `view.returnsWindow(L)`)
 * @param opts see {@link SortinoOptions}
 * @returns one score per asset (annualised, dimensionless), clipped to [-cap, cap]; NaN for every asset when
 *   the window has fewer than `minDays` rows.
 */
export function sortinoRatios(returns: readonly Float64Array[], opts: SortinoOptions = {}): Float64Array {
  const o = { ...SORTINO_DEFAULTS, ...opts };
  const nDays = returns.length;
  const n = nDays > 0 ? returns[0]!.length : 0;
  const out = new Float64Array(n);
  if (nDays < o.minDays) return out.fill(Number.NaN);
  const ann = Math.sqrt(o.periodsPerYear);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let down2 = 0;
    for (let d = 0; d < nDays; d++) {
      const e = returns[d]![i]! - o.target;
      sum += e;
      if (e < 0) down2 += e * e;
    }
    const mean = sum / nDays;
    const dd = Math.sqrt(down2 / nDays);
    let s: number;
    if (dd === 0) s = mean > 0 ? o.cap : mean < 0 ? -o.cap : 0;
    else s = (mean / dd) * ann;
    out[i] = Math.max(-o.cap, Math.min(o.cap, s));
  }
  return out;
}
