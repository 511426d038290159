/**
 * One-day-ahead volatility forecasts with an uncertainty band, for the Regimes view and as the classical
 * counterpart of the volatility module of MPLS (another hierarchical allocator, which forecasts volatility with an
 * uncertainty estimate); SAMP-HDRL step 8 reads explanations by regime.
 *
 * Overview — `sigma[t]` is the forecast, made at the close of day t from returns r_0..r_t only, of the
 * volatility (std, daily units) of the return on day t+1. Returns are treated as zero-mean (usual for
 * daily equity returns; documented choice).
 * - EWMA (RiskMetrics): s2_{t+1} = lambda * s2_t + (1 - lambda) * r_t^2, lambda = 0.94. Warm-up: for
 *   t < ewmaInitWindow - 1 the forecast is the expanding mean of r^2 (days 0..t), and the recursion starts
 *   from the mean of the first ewmaInitWindow squared returns.
 * - GARCH(1,1): s2_{t+1} = omega + alpha * r_t^2 + beta * s2_t, fit by Gaussian maximum likelihood on a
 *   training window [fitStart, fitEnd] with a compact Nelder-Mead on an unconstrained reparameterisation
 *   (omega = exp(u0), persistence alpha+beta = maxPersistence * sigmoid(u1), alpha = persistence *
 *   sigmoid(u2)), so omega > 0, alpha, beta >= 0 and alpha + beta < 1 always hold. The recursion starts at
 *   the training window's mean squared return. Forecasts at t <= fitEnd are in-sample (their parameters
 *   saw returns after t) and are marked `inSample`; from fitEnd + 1 on they are genuine forecasts.
 * - Uncertainty band (both models, same rule): for each past forecast made at t' whose outcome is known by t
 *   (t' + bandHorizon <= t, the last bandWindow of them), the ratio q = realised / forecast, with realised =
 *   sqrt(mean r^2 over days t'+1..t'+bandHorizon). The band at t is [sigma_t * Q_lo, sigma_t * Q_hi] with Q
 *   the bandLower / bandUpper empirical quantiles of q: an empirical forecast-error interval built only from
 *   outcomes already observed at t. `uncertainty[t]` = Q_hi - Q_lo (relative width). NaN until minBandPairs
 *   pairs exist.
 */
import { percentileSorted } from './regimes';

/** Settings of the volatility forecasts. */
export interface VolatilitySettings {
  /** RiskMetrics decay. Default 0.94. */
  ewmaLambda: number;
  /** Number of initial squared returns averaged to start the EWMA recursion. Default 21. */
  ewmaInitWindow: number;
  /** Upper bound on GARCH persistence alpha + beta. Default 0.9999. */
  maxPersistence: number;
  /** Nelder-Mead iteration cap for the GARCH fit. Default 600. */
  maxIterations: number;
  /** Nelder-Mead stop: spread of simplex negative log-likelihoods below this. Default 1e-9. */
  tolerance: number;
  /** Lower quantile (0..1) of the realised/forecast ratio for the band. Default 0.1. */
  bandLower: number;
  /** Upper quantile (0..1) of the realised/forecast ratio for the band. Default 0.9. */
  bandUpper: number;
  /** Days of realised returns a past forecast is compared with. Default 5. */
  bandHorizon: number;
  /** Number of most recent past (forecast, outcome) pairs the band uses. Default 252. */
  bandWindow: number;
  /** Minimum number of pairs before a band is given. Default 30. */
  minBandPairs: number;
}

export const VOLATILITY_DEFAULTS: VolatilitySettings = {
  ewmaLambda: 0.94,
  ewmaInitWindow: 21,
  maxPersistence: 0.9999,
  maxIterations: 600,
  tolerance: 1e-9,
  bandLower: 0.1,
  bandUpper: 0.9,
  bandHorizon: 5,
  bandWindow: 252,
  minBandPairs: 30,
};

/** A forecast series; every array is aligned with the input returns (index t = made at close of t). */
export interface VolForecast {
  /** one-day-ahead volatility forecast, daily std units (x sqrt(252) to annualise) */
  sigma: Float64Array;
  /** band bounds, daily std units (NaN until enough pairs) */
  lower: Float64Array;
  upper: Float64Array;
  /** relative band width Q_hi - Q_lo (NaN until enough pairs) */
  uncertainty: Float64Array;
}

/** GARCH(1,1) parameters and fit diagnostics. */
export interface GarchFit {
  omega: number;
  alpha: number;
  beta: number;
  /** Gaussian log-likelihood on the training window */
  logLik: number;
  /** initial variance of the recursion (mean squared training return) */
  variance0: number;
  /** omega / (1 - alpha - beta): long-run daily variance */
  longRunVariance: number;
  iterations: number;
  converged: boolean;
}

/**
 * EWMA (RiskMetrics) one-day-ahead volatility (daily std) from zero-mean daily returns; sigma[t] uses r_0..r_t.
 * @param returns daily returns (simple or log), oldest first
 */
export function ewmaVolatility(returns: ArrayLike<number>, settings: Partial<VolatilitySettings> = {}): Float64Array {
  const s = { ...VOLATILITY_DEFAULTS, ...settings };
  const T = returns.length;
  const out = new Float64Array(T);
  const k = Math.max(1, s.ewmaInitWindow);
  let sum2 = 0;
  let v = 0;
  for (let t = 0; t < T; t++) {
    const r2 = returns[t]! ** 2;
    if (t < k) {
      sum2 += r2;
      v = sum2 / (t + 1);
    } else v = s.ewmaLambda * v + (1 - s.ewmaLambda) * r2;
    out[t] = Math.sqrt(v);
  }
  return out;
}

/** Gaussian negative log-likelihood of GARCH(1,1) on zero-mean returns (constant log(2 pi) included). */
export function garchNegLogLik(
  returns: ArrayLike<number>,
  omega: number,
  alpha: number,
  beta: number,
  variance0: number,
): number {
  let v = variance0;
  let nll = 0;
  const c = Math.log(2 * Math.PI);
  for (let t = 0; t < returns.length; t++) {
    const r2 = returns[t]! ** 2;
    if (!(v > 0)) return Infinity;
    nll += 0.5 * (c + Math.log(v) + r2 / v);
    v = omega + alpha * r2 + beta * v;
  }
  return nll;
}

/**
 * Minimise f over R^d with Nelder-Mead (reflection 1, expansion 2, contraction 0.5, shrink 0.5).
 * @param x0 start; @param step initial simplex edge per coordinate
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  step: number[],
  maxIterations: number,
  tolerance: number,
): { x: number[]; fx: number; iterations: number; converged: boolean } {
  const d = x0.length;
  let simplex = [x0.slice()];
  for (let i = 0; i < d; i++) {
    const p = x0.slice();
    p[i] = p[i]! + step[i]!;
    simplex.push(p);
  }
  let fs = simplex.map(f);
  let it = 0;
  let converged = false;
  const comb = (a: number[], b: number[], t: number) => a.map((v, i) => v + t * (b[i]! - v));
  for (; it < maxIterations; it++) {
    const order = fs.map((_, i) => i).sort((a, b) => fs[a]! - fs[b]!);
    simplex = order.map((i) => simplex[i]!);
    fs = order.map((i) => fs[i]!);
    if (Math.abs(fs[d]! - fs[0]!) <= tolerance * (1 + Math.abs(fs[0]!))) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) centroid[j] = centroid[j]! + simplex[i]![j]! / d;
    const worst = simplex[d]!;
    const xr = comb(centroid, worst, -1);
    const fr = f(xr);
    if (fr < fs[0]!) {
      const xe = comb(centroid, worst, -2);
      const fe = f(xe);
      if (fe < fr) {
        simplex[d] = xe;
        fs[d] = fe;
      } else {
        simplex[d] = xr;
        fs[d] = fr;
      }
    } else if (fr < fs[d - 1]!) {
      simplex[d] = xr;
      fs[d] = fr;
    } else {
      const outside = fr < fs[d]!;
      const xc = outside ? comb(centroid, worst, -0.5) : comb(centroid, worst, 0.5);
      const fc = f(xc);
      if (fc < (outside ? fr : fs[d]!)) {
        simplex[d] = xc;
        fs[d] = fc;
      } else {
        for (let i = 1; i <= d; i++) {
          simplex[i] = comb(simplex[0]!, simplex[i]!, 0.5);
          fs[i] = f(simplex[i]!);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= d; i++) if (fs[i]! < fs[best]!) best = i;
  return { x: simplex[best]!, fx: fs[best]!, iterations: it, converged };
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

/**
 * Fit GARCH(1,1) by Gaussian maximum likelihood on zero-mean daily returns (rules in the file overview).
 * @param returns the training window's daily returns (>= 10 values)
 */
export function fitGarch(returns: ArrayLike<number>, settings: Partial<VolatilitySettings> = {}): GarchFit {
  const s = { ...VOLATILITY_DEFAULTS, ...settings };
  const T = returns.length;
  if (T < 10) throw new RangeError('GARCH fit needs at least 10 returns');
  let m2 = 0;
  for (let t = 0; t < T; t++) m2 += returns[t]! ** 2;
  const variance0 = m2 / T;
  if (!(variance0 > 0)) throw new RangeError('GARCH fit: all returns are zero');
  const P = s.maxPersistence;
  const decode = (u: number[]) => {
    const persistence = P * sigmoid(u[1]!);
    const alpha = persistence * sigmoid(u[2]!);
    return { omega: Math.exp(u[0]!), alpha, beta: persistence - alpha };
  };
  const objective = (u: number[]) => {
    const p = decode(u);
    const v = garchNegLogLik(returns, p.omega, p.alpha, p.beta, variance0);
    return Number.isFinite(v) ? v : 1e300;
  };
  const p0 = 0.98;
  const a0 = 0.08;
  const u0 = [Math.log(variance0 * (1 - p0)), logit(p0 / P), logit(a0 / p0)];
  const res = nelderMead(objective, u0, [1, 1, 1], s.maxIterations, s.tolerance);
  // one restart from the optimum refines a collapsed simplex
  const res2 = nelderMead(objective, res.x, [0.3, 0.3, 0.3], s.maxIterations, s.tolerance);
  const best = res2.fx <= res.fx ? res2 : res;
  const p = decode(best.x);
  return {
    ...p,
    logLik: -best.fx,
    variance0,
    longRunVariance: p.omega / (1 - p.alpha - p.beta),
    iterations: res.iterations + res2.iterations,
    converged: res.converged && res2.converged,
  };
}

/**
 * GARCH(1,1) one-day-ahead volatility (daily std) with fixed parameters over the whole series; sigma[t]
 * uses r_0..r_t. The recursion starts at `fit.variance0` at index `start` (default 0).
 */
export function garchVolatility(
  returns: ArrayLike<number>,
  fit: Pick<GarchFit, 'omega' | 'alpha' | 'beta' | 'variance0'>,
  start = 0,
): Float64Array {
  const T = returns.length;
  const out = new Float64Array(T).fill(Number.NaN);
  let v = fit.variance0; // variance of day `start`
  for (let t = start; t < T; t++) {
    v = fit.omega + fit.alpha * returns[t]! ** 2 + fit.beta * v;
    out[t] = Math.sqrt(v);
  }
  return out;
}

/**
 * Empirical forecast-error band (rule in the file overview). Band at t uses pairs (t', outcome) with
 * t' + horizon <= t only.
 * @param returns daily returns; @param sigma forecasts (sigma[t] for day t+1), NaN entries are skipped
 */
export function forecastBand(
  returns: ArrayLike<number>,
  sigma: Float64Array,
  settings: Partial<VolatilitySettings> = {},
): Pick<VolForecast, 'lower' | 'upper' | 'uncertainty'> {
  const s = { ...VOLATILITY_DEFAULTS, ...settings };
  const T = returns.length;
  const h = s.bandHorizon;
  const ratio = new Float64Array(T).fill(Number.NaN); // ratio[t'] known from day t' + h on
  for (let tp = 0; tp + h < T; tp++) {
    let m = 0;
    for (let d = tp + 1; d <= tp + h; d++) m += returns[d]! ** 2;
    const sg = sigma[tp]!;
    if (sg > 0) ratio[tp] = Math.sqrt(m / h) / sg;
  }
  const lower = new Float64Array(T).fill(Number.NaN);
  const upper = new Float64Array(T).fill(Number.NaN);
  const uncertainty = new Float64Array(T).fill(Number.NaN);
  const buf: number[] = [];
  for (let t = 0; t < T; t++) {
    const last = t - h; // most recent t' whose outcome is known at t
    if (last < 0 || !(sigma[t]! > 0)) continue;
    buf.length = 0;
    for (let tp = Math.max(0, last - s.bandWindow + 1); tp <= last; tp++)
      if (Number.isFinite(ratio[tp]!)) buf.push(ratio[tp]!);
    if (buf.length < s.minBandPairs) continue;
    buf.sort((a, b) => a - b);
    const qlo = percentileSorted(buf, s.bandLower);
    const qhi = percentileSorted(buf, s.bandUpper);
    lower[t] = sigma[t]! * qlo;
    upper[t] = sigma[t]! * qhi;
    uncertainty[t] = qhi - qlo;
  }
  return { lower, upper, uncertainty };
}

/**
 * Mean QLIKE loss of variance forecasts over t in [from, to-1]: log(s_t^2) + r_{t+1}^2 / s_t^2 (lower is
 * better; robust to the noise of r^2 as a variance proxy). NaN forecasts are skipped.
 */
export function qlike(returns: ArrayLike<number>, sigma: Float64Array, from = 0, to = returns.length - 1): number {
  let s = 0;
  let c = 0;
  for (let t = Math.max(0, from); t < Math.min(to, returns.length - 1); t++) {
    const v = sigma[t]! ** 2;
    if (!(v > 0)) continue;
    s += Math.log(v) + returns[t + 1]! ** 2 / v;
    c++;
  }
  return c ? s / c : Number.NaN;
}

/** Output of {@link volatilityForecasts}. */
export interface VolatilityReport {
  dates?: string[];
  ewma: VolForecast;
  garch: VolForecast & { fit: GarchFit };
  /** true where the GARCH forecast is in-sample (t <= fitEnd) */
  inSample: boolean[];
  /** mean QLIKE of each model on the out-of-sample days (t > fitEnd) */
  evaluation: { ewmaQlike: number; garchQlike: number; days: number };
}

/**
 * EWMA and GARCH(1,1) one-day-ahead forecasts with uncertainty bands (rules in the file overview).
 * @param returns daily returns (e.g. of the equal-weight index), oldest first
 * @param window GARCH training window [fitStart, fitEnd] (indices into returns, inclusive)
 */
export function volatilityForecasts(
  returns: Float64Array,
  window: { fitStart: number; fitEnd: number },
  settings: Partial<VolatilitySettings> = {},
  dates?: readonly string[],
): VolatilityReport {
  const T = returns.length;
  const { fitStart, fitEnd } = window;
  if (!(fitStart >= 0 && fitEnd < T && fitEnd - fitStart >= 9)) throw new RangeError('bad GARCH fit window');
  const fit = fitGarch(returns.subarray(fitStart, fitEnd + 1), settings);
  const ewmaSigma = ewmaVolatility(returns, settings);
  const garchSigma = garchVolatility(returns, fit, fitStart);
  const inSample = Array.from({ length: T }, (_, t) => t <= fitEnd);
  return {
    ...(dates ? { dates: dates.slice() } : {}),
    ewma: { sigma: ewmaSigma, ...forecastBand(returns, ewmaSigma, settings) },
    garch: { sigma: garchSigma, ...forecastBand(returns, garchSigma, settings), fit },
    inSample,
    evaluation: {
      ewmaQlike: qlike(returns, ewmaSigma, fitEnd + 1),
      garchQlike: qlike(returns, garchSigma, fitEnd + 1),
      days: Math.max(0, T - 1 - (fitEnd + 1)),
    },
  };
}

/** Daily returns of a level series: out[t] = levels[t] / levels[t-1] - 1 for t >= 1, out[0] = 0. */
export function levelReturns(levels: ArrayLike<number>): Float64Array {
  const out = new Float64Array(levels.length);
  for (let t = 1; t < levels.length; t++) out[t] = levels[t]! / levels[t - 1]! - 1;
  return out;
}
