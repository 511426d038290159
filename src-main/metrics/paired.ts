/**
 * Is one strategy's Sharpe ratio really higher than another's, on the same days? Two paired tests of the Sharpe
 * ratio difference Δ = SR(a) - SR(b), where a is the strategy and b the benchmark (equal weight in the results
 * document), both daily return series over the SAME days in the same order.
 *
 * Sharpe ratios follow metrics/index.ts (mean excess return over the sample standard deviation, annualised with
 * √periodsPerYear, excess over the daily equivalent of the annual risk-free rate). Δ and its interval are
 * annualised the same way.
 *
 * 1. Block bootstrap (the main test). Stationary bootstrap of Politis & Romano (1994): a resample is a run of
 *    blocks of consecutive days whose lengths are geometric with mean `blockLength`, each block starting on a
 *    uniformly drawn day and wrapping round the end of the series. The SAME day indices are drawn for both
 *    series, so the dependence between them (their common market) is kept, and the blocks keep their serial
 *    dependence (volatility clustering). Each of `resamples` resamples gives Δ*.
 *    - p-value, two-sided, of H0: Δ = 0 (Ledoit & Wolf 2008, the centred form): the resampled differences
 *      spread around Δ̂ as Δ̂ spreads around the true Δ, so p = (1 + #{|Δ* - Δ̂| >= |Δ̂|}) / (1 + B_used). Two
 *      identical series give Δ̂ = 0 and p = 1.
 *    - interval: the symmetric bootstrap interval Δ̂ ± c, c the `confidence` quantile of |Δ* - Δ̂| (the k-th
 *      smallest, k = ceil(confidence × B_used)). It is the interval the p-value inverts: it leaves 0 out when
 *      p is below 1 - confidence, up to one resample.
 *    - Settings: `resamples` (default 2,000), `blockLength` (default round(n^(1/3)), the usual rate for the
 *      variance of a mean: 6 days for one year of 252 days, 9 for three), `seed` (default 1: the same inputs and
 *      settings always give the same p-value and interval).
 *    - A resample whose Δ* is not finite (e.g. a resample of constant returns, whose Sharpe ratio is ±∞ or
 *      undefined) is left out and counted; B_used are the others.
 * 2. Jobson & Korkie (1981) with Memmel's (2003) correction (the cross-check): under iid normal returns,
 *    Var(SR_a - SR_b) ≈ (1/T) [2 - 2ρ + ½ (SR_a² + SR_b² - 2 SR_a SR_b ρ²)] with daily Sharpe ratios and ρ the
 *    correlation of the two series; z = (SR_a - SR_b) / √Var, p = 2 (1 - Φ(|z|)), interval Δ̂ ± z_(1+conf)/2 √Var
 *    (annualised). It ignores serial dependence and fat tails, which the bootstrap keeps.
 *
 * Edge cases: fewer than 3 days, or a Sharpe ratio of either series that is not finite (a constant series), give
 * NaN figures (no test); when Δ̂ is exactly 0 both p-values are 1.
 */
import seedrandom from 'seedrandom';
import { dailyRate, TRADING_DAYS_PER_YEAR, type RatioOptions } from './index';

/** Settings of {@link sharpeDifferenceTest} (see the file overview). */
export interface PairedSettings extends RatioOptions {
  /** bootstrap resamples B; default 2,000 */
  resamples?: number;
  /** mean block length of the stationary bootstrap, in days; default round(n^(1/3)) */
  blockLength?: number;
  /** seed of the resampling; default 1 */
  seed?: number;
  /** level of both intervals; default 0.95 */
  confidence?: number;
}

export const PAIRED_DEFAULTS = { resamples: 2000, seed: 1, confidence: 0.95 } as const;

/** The default mean block length for n days: round(n^(1/3)), at least 1. */
export function defaultBlockLength(n: number): number {
  return Math.max(1, Math.round(Math.cbrt(n)));
}

/** The outcome of {@link sharpeDifferenceTest}; Sharpe ratios and differences annualised. */
export interface SharpeDifferenceTest {
  days: number;
  /** Sharpe ratio of the strategy (a) and of the benchmark (b) */
  sharpe: number;
  benchmarkSharpe: number;
  /** sharpe - benchmarkSharpe */
  difference: number;
  bootstrap: {
    /** two-sided p-value of "no difference" */
    p: number;
    low: number;
    high: number;
    /** resamples drawn and resamples used (finite Δ*) */
    resamples: number;
    used: number;
    blockLength: number;
    seed: number;
  };
  jobsonKorkie: {
    z: number;
    p: number;
    low: number;
    high: number;
    /** correlation of the two daily series */
    correlation: number;
  };
  confidence: number;
}

/** Standard normal CDF Φ(x), from a Chebyshev fit of erfc (Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** Inverse of {@link normalCdf} on (0, 1), by bisection on Φ (to about 1e-9; only used for interval widths). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile needs a probability in (0, 1), got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = 0.5 * (lo + hi);
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Daily (not annualised) Sharpe ratio of excess returns e at the given indices (all of them when idx is null). */
function dailySharpe(e: Float64Array, idx: Uint32Array | null): number {
  const n = idx ? idx.length : e.length;
  let s = 0;
  for (let k = 0; k < n; k++) s += e[idx ? idx[k]! : k]!;
  const m = s / n;
  let ss = 0;
  for (let k = 0; k < n; k++) {
    const d = e[idx ? idx[k]! : k]! - m;
    ss += d * d;
  }
  const sd = Math.sqrt(ss / (n - 1));
  if (sd === 0) return m > 0 ? Infinity : m < 0 ? -Infinity : Number.NaN;
  return m / sd;
}

/** Pearson correlation of two series of equal length (NaN when either is constant). */
function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/**
 * Fill `out` with the day indices of one stationary-bootstrap resample of n = out.length days: a block starts on a
 * uniform day, and each next day continues the block (wrapping round the end) with probability 1 - 1/blockLength.
 */
export function stationaryBootstrapIndices(out: Uint32Array, blockLength: number, rng: () => number): Uint32Array {
  const n = out.length;
  const pNew = 1 / blockLength;
  let i = Math.floor(rng() * n);
  for (let t = 0; t < n; t++) {
    if (t > 0) i = rng() < pNew ? Math.floor(rng() * n) : (i + 1) % n;
    out[t] = i;
  }
  return out;
}

/**
 * Jobson-Korkie test with Memmel's correction of daily Sharpe ratios sa and sb of T days with correlation rho
 * (formula in the file overview).
 * @returns z, the two-sided p-value and the standard error of the daily difference (NaN when undefined)
 */
export function jobsonKorkieMemmel(
  sa: number,
  sb: number,
  rho: number,
  T: number,
): { z: number; p: number; se: number } {
  const diff = sa - sb;
  // never negative for |rho| <= 1 (sa² + sb² >= 2 sa sb rho²); a tiny negative value is rounding
  const v = Math.max(0, (2 - 2 * rho + 0.5 * (sa * sa + sb * sb - 2 * sa * sb * rho * rho)) / T);
  if (!Number.isFinite(diff) || !Number.isFinite(v)) return { z: Number.NaN, p: Number.NaN, se: Number.NaN };
  const se = Math.sqrt(v);
  if (diff === 0) return { z: 0, p: 1, se };
  const z = se === 0 ? (diff > 0 ? Infinity : -Infinity) : diff / se;
  return { z, p: 2 * (1 - normalCdf(Math.abs(z))), se };
}

/**
 * Paired tests of the Sharpe-ratio difference between `a` (the strategy) and `b` (the benchmark) over the same
 * days (see the file overview).
 * @throws RangeError when the series differ in length or a setting is out of range
 */
export function sharpeDifferenceTest(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  settings: PairedSettings = {},
): SharpeDifferenceTest {
  const n = a.length;
  if (b.length !== n)
    throw new RangeError(
      `paired test: the strategy has ${n} days, the benchmark ${b.length}; they must be the same days`,
    );
  const B = settings.resamples ?? PAIRED_DEFAULTS.resamples;
  if (!Number.isInteger(B) || B < 1)
    throw new RangeError(`paired test: resamples must be a positive whole number, got ${B}`);
  const L = settings.blockLength ?? defaultBlockLength(n);
  if (!(L >= 1)) throw new RangeError(`paired test: block length must be at least 1 day, got ${L}`);
  const conf = settings.confidence ?? PAIRED_DEFAULTS.confidence;
  if (!(conf > 0 && conf < 1)) throw new RangeError(`paired test: confidence must be in (0, 1), got ${conf}`);
  const seed = settings.seed ?? PAIRED_DEFAULTS.seed;
  const p = settings.periodsPerYear ?? TRADING_DAYS_PER_YEAR;
  const ann = Math.sqrt(p);
  const rf = dailyRate(settings.riskFree ?? 0, p);
  const ea = Float64Array.from({ length: n }, (_, i) => a[i]! - rf);
  const eb = Float64Array.from({ length: n }, (_, i) => b[i]! - rf);

  const nan = Number.NaN;
  const sa = n >= 3 ? dailySharpe(ea, null) : nan;
  const sb = n >= 3 ? dailySharpe(eb, null) : nan;
  const rho = n >= 3 ? correlation(ea, eb) : nan;
  const out: SharpeDifferenceTest = {
    days: n,
    sharpe: sa * ann,
    benchmarkSharpe: sb * ann,
    difference: (sa - sb) * ann,
    bootstrap: { p: nan, low: nan, high: nan, resamples: B, used: 0, blockLength: L, seed },
    jobsonKorkie: { z: nan, p: nan, low: nan, high: nan, correlation: rho },
    confidence: conf,
  };
  if (!Number.isFinite(sa) || !Number.isFinite(sb)) return out;
  const d0 = sa - sb;

  // Jobson-Korkie-Memmel; two identical series (rho 1, d0 0) have p 1 and a zero-width interval
  const jk = jobsonKorkieMemmel(sa, sb, rho, n);
  const half = normalQuantile(0.5 + conf / 2) * jk.se;
  out.jobsonKorkie = { z: jk.z, p: jk.p, low: (d0 - half) * ann, high: (d0 + half) * ann, correlation: rho };

  // stationary block bootstrap of the same days for both series
  const rng = seedrandom(`paired-sharpe|${seed}`);
  const idx = new Uint32Array(n);
  const dev: number[] = [];
  let extreme = 0;
  for (let k = 0; k < B; k++) {
    stationaryBootstrapIndices(idx, L, rng);
    const d = dailySharpe(ea, idx) - dailySharpe(eb, idx);
    if (!Number.isFinite(d)) continue;
    const x = Math.abs(d - d0);
    dev.push(x);
    if (x >= Math.abs(d0)) extreme++;
  }
  const used = dev.length;
  if (used === 0) return { ...out, bootstrap: { ...out.bootstrap, used } };
  dev.sort((x, y) => x - y);
  const c = dev[Math.min(used, Math.ceil(conf * used)) - 1]!;
  out.bootstrap = {
    p: (1 + extreme) / (1 + used),
    low: (d0 - c) * ann,
    high: (d0 + c) * ann,
    resamples: B,
    used,
    blockLength: L,
    seed,
  };
  return out;
}
