/**
 * Risk contribution: how much of a portfolio's variance each asset (and each sector) carries.
 *
 * With risky weights w and the covariance matrix Σ of the assets' daily simple returns, the portfolio variance is
 * σ² = wᵀΣw, and asset i contributes RC_i = w_i (Σw)_i (Euler's allocation: Σ_i RC_i = σ² exactly). Its share is
 * RC_i / σ² (shares sum to 1; a share can be negative for an asset that hedges the rest). A sector contributes
 * the sum of its assets'. Cash earns a constant rate and contributes nothing.
 *
 * Σ is the sample covariance (n - 1) of the daily returns over a lookback window that ends on the date of the
 * weights (prices up to that date only). Volatility is reported annualised: √(P σ²), P = 252.
 */
import { TRADING_DAYS_PER_YEAR } from '../metrics';

/** Trading days of returns the covariance is estimated over by default (a year). */
export const RISK_LOOKBACK_DAYS = 252;

/**
 * Sample covariance matrix (n - 1) of daily return rows.
 * @param returns one row per day, one entry per asset
 * @throws RangeError with fewer than 2 days or rows of different lengths
 */
export function covarianceMatrix(returns: readonly ArrayLike<number>[]): Float64Array[] {
  const T = returns.length;
  if (T < 2) throw new RangeError(`a covariance needs at least 2 days of returns, got ${T}`);
  const n = returns[0]!.length;
  const mean = new Float64Array(n);
  for (const row of returns) {
    if (row.length !== n) throw new RangeError(`return rows of different lengths (${row.length} and ${n})`);
    for (let i = 0; i < n; i++) mean[i]! += row[i]! / T;
  }
  const cov = Array.from({ length: n }, () => new Float64Array(n));
  for (const row of returns)
    for (let i = 0; i < n; i++) {
      const di = row[i]! - mean[i]!;
      for (let j = i; j < n; j++) cov[i]![j]! += di * (row[j]! - mean[j]!);
    }
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      cov[i]![j] = cov[i]![j]! / (T - 1);
      cov[j]![i] = cov[i]![j]!;
    }
  return cov;
}

export interface RiskContribution {
  /** portfolio variance wᵀΣw, daily */
  variance: number;
  /** annualised volatility √(P wᵀΣw) */
  volatility: number;
  /** per asset, in the order given: weight, contribution to the daily variance and share of it */
  assets: { ticker: string; sector: string; weight: number; contribution: number; share: number }[];
  /** per sector, largest share first */
  sectors: { sector: string; weight: number; contribution: number; share: number }[];
}

/**
 * Euler risk contributions of risky weights `w` under covariance `cov` (see the file overview).
 * @param w risky weights (cash excluded), same order as `tickers` and the covariance
 * @param sectors sector per ticker ('' or missing: 'Unclassified')
 */
export function riskContribution(
  w: ArrayLike<number>,
  cov: readonly ArrayLike<number>[],
  tickers: readonly string[],
  sectors: ReadonlyMap<string, string> = new Map(),
  periodsPerYear = TRADING_DAYS_PER_YEAR,
): RiskContribution {
  const n = tickers.length;
  if (w.length < n || cov.length !== n)
    throw new RangeError(
      `risk contribution: ${n} assets, ${w.length} weights, a ${cov.length}×${cov.length} covariance`,
    );
  const rc = new Float64Array(n);
  let variance = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += cov[i]![j]! * w[j]!;
    rc[i] = w[i]! * s;
    variance += rc[i]!;
  }
  const share = (c: number) => (variance > 0 ? c / variance : Number.NaN);
  const assets = tickers.map((ticker, i) => ({
    ticker,
    sector: sectors.get(ticker) || 'Unclassified',
    weight: w[i]!,
    contribution: rc[i]!,
    share: share(rc[i]!),
  }));
  const bySector = new Map<string, { weight: number; contribution: number }>();
  for (const a of assets) {
    const s = bySector.get(a.sector) ?? { weight: 0, contribution: 0 };
    s.weight += a.weight;
    s.contribution += a.contribution;
    bySector.set(a.sector, s);
  }
  const sectorsOut = [...bySector.entries()]
    .map(([sector, s]) => ({ sector, weight: s.weight, contribution: s.contribution, share: share(s.contribution) }))
    .filter((s) => s.weight > 0)
    .sort((a, b) => b.contribution - a.contribution || a.sector.localeCompare(b.sector));
  return { variance, volatility: Math.sqrt(Math.max(0, variance) * periodsPerYear), assets, sectors: sectorsOut };
}
