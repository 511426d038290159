/**
 * Static (one-shot) portfolio optimisers over a window of daily simple returns: minimum variance, mean-variance
 * (Markowitz 1952, long-only), maximum Sharpe (long-only tangency) and risk parity (equal risk contributions).
 * Used by the estimating baselines (meanvar, minvar, maxsharpe, riskparity) and by
 * `hdrl optimize`.
 *
 * Units: returns are daily simple returns r = close_t / close_{t-1} - 1; mean and covariance are per day; all
 * weights are long-only and sum to 1.
 */
import { solveQp, solveQpOnSimplex } from './qp';
import { uniformWeights } from './simplex';

export type StaticMethod = 'minvar' | 'maxsharpe' | 'meanvar' | 'riskparity';

export const STATIC_METHODS: readonly StaticMethod[] = ['minvar', 'maxsharpe', 'meanvar', 'riskparity'];

export interface StaticOptions {
  /** meanvar risk aversion gamma > 0 in max mu'w - (gamma/2) w'Sigma w (default DEFAULT_GAMMA) */
  gamma?: number;
  /**
   * covariance regularisation: Sigma + ridge * (trace(Sigma)/n) * I, so the QP matrix is positive definite even
   * when the window is shorter than the number of assets or an asset never moved (default DEFAULT_RIDGE)
   */
  ridge?: number;
  /** maxsharpe: daily risk-free simple return subtracted from the means (default 0, as the metrics' default) */
  riskFree?: number;
}

/** Default Markowitz risk aversion: 1, the default of PyPortfolioOpt's max_quadratic_utility and skfolio (unit-free). */
export const DEFAULT_GAMMA = 1;
/** Default relative ridge on the sample covariance (1e-6 of the average variance). */
export const DEFAULT_RIDGE = 1e-6;

export interface MeanCov {
  /** per-asset sample mean of daily simple returns (length n) */
  mean: Float64Array;
  /** sample covariance, n x n row-major, denominator (T - 1); all zeros when T < 2 */
  cov: Float64Array;
  n: number;
  /** number of return rows used */
  T: number;
}

/**
 * Sample mean and (unbiased, T-1 denominator) covariance of a days x assets matrix of daily simple returns.
 * Takes returns[t][i] (every row the same length n >= 1); gives { mean, cov (row-major n x n), n, T }.
 * With T = 0 the mean is 0; with T < 2 the covariance is all zeros.
 */
export function sampleMeanCov(returns: readonly Float64Array[]): MeanCov {
  const T = returns.length;
  if (T === 0) throw new RangeError('sampleMeanCov: no return rows');
  const n = returns[0]!.length;
  const mean = new Float64Array(n);
  for (const r of returns) {
    if (r.length !== n) throw new RangeError('sampleMeanCov: ragged return rows');
    for (let i = 0; i < n; i++) mean[i]! += r[i]!;
  }
  for (let i = 0; i < n; i++) mean[i] = mean[i]! / T;
  const cov = new Float64Array(n * n);
  if (T >= 2) {
    const d = new Float64Array(n);
    for (const r of returns) {
      for (let i = 0; i < n; i++) d[i] = r[i]! - mean[i]!;
      for (let i = 0; i < n; i++) {
        const di = d[i]!;
        if (di === 0) continue;
        const off = i * n;
        for (let j = i; j < n; j++) cov[off + j]! += di * d[j]!;
      }
    }
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        const v = cov[i * n + j]! / (T - 1);
        cov[i * n + j] = v;
        cov[j * n + i] = v;
      }
  }
  return { mean, cov, n, T };
}

/** Sigma + ridge * (trace/n) * I (plus an absolute 1e-12 when the trace is 0). Gives a new matrix. */
export function regularisedCov(cov: ArrayLike<number>, n: number, ridge = DEFAULT_RIDGE): Float64Array {
  const out = Float64Array.from(cov);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += out[i * n + i]!;
  const add = ridge * (trace / n) + (trace > 0 ? 0 : 1e-12);
  for (let i = 0; i < n; i++) out[i * n + i]! += add;
  return out;
}

/**
 * Long-only minimum variance: argmin_{w in simplex} w'Sigma w, by quadprog. Takes a positive-definite
 * covariance (n x n row-major; regularise first); gives weights summing to 1. For two assets without binding
 * bounds this is w1 = (s2^2 - s12) / (s1^2 + s2^2 - 2 s12).
 */
export function minVariance(cov: ArrayLike<number>, n: number): Float64Array {
  return solveQpOnSimplex(cov, new Float64Array(n));
}

/**
 * Long-only Markowitz mean-variance: argmax_{w in simplex} mu'w - (gamma/2) w'Sigma w, by quadprog
 * (1/2 w'(gamma Sigma)w - mu'w). Takes daily mean returns mu, a positive-definite covariance and gamma > 0;
 * gives weights summing to 1.
 */
export function meanVariance(mean: ArrayLike<number>, cov: ArrayLike<number>, gamma = DEFAULT_GAMMA): Float64Array {
  if (!(gamma > 0)) throw new RangeError(`meanVariance: gamma must be > 0, got ${gamma}`);
  const n = mean.length;
  const D = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) D[k] = gamma * cov[k]!;
  return solveQpOnSimplex(D, mean);
}

export interface MaxSharpeResult {
  weights: Float64Array;
  /** true when no asset had a positive mean excess return and minimum variance was returned instead */
  fellBackToMinVar: boolean;
}

/**
 * Long-only tangency (maximum Sharpe) portfolio: solve min y'Sigma y s.t. mu_e'y = 1, y >= 0 (mu_e = mu - rf),
 * then w = y / sum(y) (Cornuejols & Tutuncu's convex reformulation). Valid only when some mu_e > 0; when no asset
 * has a positive mean excess return the Sharpe ratio cannot be positive and we fall back to minimum variance
 * (flagged in the result). Takes daily means, a positive-definite covariance and a daily risk-free rate.
 */
export function maxSharpe(mean: ArrayLike<number>, cov: ArrayLike<number>, riskFree = 0): MaxSharpeResult {
  const n = mean.length;
  const ex = new Float64Array(n);
  let best = 0;
  for (let i = 0; i < n; i++) {
    ex[i] = mean[i]! - riskFree;
    if (ex[i]! > best) best = ex[i]!;
  }
  if (!(best > 0)) return { weights: minVariance(cov, n), fellBackToMinVar: true };
  // scale the equality so its coefficients are O(1); the normalisation w = y / sum y removes the scale
  for (let i = 0; i < n; i++) ex[i] = ex[i]! / best;
  const y = solveQp({ D: cov, d: new Float64Array(n), eq: [{ a: ex, b: 1 }], nonNegative: true });
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (y[i]! < 0) y[i] = 0;
    s += y[i]!;
  }
  if (!(s > 0)) return { weights: minVariance(cov, n), fellBackToMinVar: true };
  for (let i = 0; i < n; i++) y[i] = y[i]! / s;
  return { weights: y, fellBackToMinVar: false };
}

export interface RiskParityOptions {
  /** risk budgets b_i > 0 (default 1/n each: equal risk contributions) */
  budgets?: ArrayLike<number>;
  /** stop when the largest relative change of y in a sweep is below this (default 1e-12) */
  tol?: number;
  /** sweep cap (default 10000) */
  maxSweeps?: number;
}

/**
 * Long-only risk parity (equal risk contributions RC_i = w_i (Sigma w)_i): Spinu's (2013) convex formulation
 * min 1/2 y'Sigma y - sum_i b_i log y_i over y > 0, solved by cyclical coordinate descent (Griveau-Billion,
 * Richard & Roncalli 2013): y_i = (-c_i + sqrt(c_i^2 + 4 s_ii b_i)) / (2 s_ii), c_i = sum_{j != i} s_ij y_j;
 * then w = y / sum(y). Takes a covariance with a positive diagonal (regularise first); gives weights summing to 1.
 */
export function riskParity(cov: ArrayLike<number>, n: number, opts: RiskParityOptions = {}): Float64Array {
  const budgets = opts.budgets ?? new Float64Array(n).fill(1 / n);
  const tol = opts.tol ?? 1e-12;
  const maxSweeps = opts.maxSweeps ?? 10000;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sii = cov[i * n + i]!;
    if (!(sii > 0)) throw new RangeError(`riskParity: variance of asset ${i} is ${sii}; regularise the covariance`);
    y[i] = 1 / Math.sqrt(sii);
  }
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let change = 0;
    for (let i = 0; i < n; i++) {
      const off = i * n;
      let c = 0;
      for (let j = 0; j < n; j++) if (j !== i) c += cov[off + j]! * y[j]!;
      const sii = cov[off + i]!;
      const yi = (-c + Math.sqrt(c * c + 4 * sii * budgets[i]!)) / (2 * sii);
      const rel = Math.abs(yi - y[i]!) / y[i]!;
      if (rel > change) change = rel;
      y[i] = yi;
    }
    if (change < tol) break;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += y[i]!;
  for (let i = 0; i < n; i++) y[i] = y[i]! / s;
  return y;
}

/** Risk contributions RC_i = w_i (Sigma w)_i (they sum to w'Sigma w). */
export function riskContributions(w: ArrayLike<number>, cov: ArrayLike<number>): Float64Array {
  const n = w.length;
  const rc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += cov[i * n + j]! * w[j]!;
    rc[i] = w[i]! * s;
  }
  return rc;
}

export interface StaticSolution {
  weights: Float64Array;
  /** set when maxsharpe fell back to minimum variance, or fewer than 2 return rows gave uniform weights */
  note?: string;
}

/**
 * One static optimisation with its note: estimate the sample mean and covariance of `returns`
 * (days x assets, daily simple returns), regularise the covariance, and solve `method`. With fewer than two
 * return rows there is nothing to estimate and the uniform portfolio is returned (noted).
 */
export function solveStatic(
  method: StaticMethod,
  returns: readonly Float64Array[],
  opts: StaticOptions = {},
): StaticSolution {
  if (returns.length === 0) throw new RangeError('optimizeStatic: no return rows');
  const n = returns[0]!.length;
  if (returns.length < 2) return { weights: uniformWeights(n), note: 'fewer than 2 return rows: uniform weights' };
  const { mean, cov } = sampleMeanCov(returns);
  const S = regularisedCov(cov, n, opts.ridge ?? DEFAULT_RIDGE);
  switch (method) {
    case 'minvar':
      return { weights: minVariance(S, n) };
    case 'meanvar':
      return { weights: meanVariance(mean, S, opts.gamma ?? DEFAULT_GAMMA) };
    case 'maxsharpe': {
      const r = maxSharpe(mean, S, opts.riskFree ?? 0);
      return r.fellBackToMinVar
        ? { weights: r.weights, note: 'no asset has a positive mean excess return: minimum variance instead' }
        : { weights: r.weights };
    }
    case 'riskparity':
      return { weights: riskParity(S, n) };
    default: {
      const never: never = method;
      throw new RangeError(`optimizeStatic: unknown method ${String(never)}`);
    }
  }
}

/**
 * The static solvers behind `hdrl optimize`: `method` over `returns` (days x assets, daily simple returns),
 * with sample mean and covariance (ridge-regularised, see StaticOptions). Gives long-only weights summing to 1
 * (Float64Array of length n). maxsharpe falls back to minvar when no asset has a positive mean excess return.
 */
export function optimizeStatic(method: StaticMethod, returns: Float64Array[], opts: StaticOptions = {}): Float64Array {
  return solveStatic(method, returns, opts).weights;
}
