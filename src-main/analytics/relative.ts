/**
 * A strategy's daily returns against a benchmark's over the same days (the numbers a quantstats or pyfolio reader
 * looks for first): active return, tracking error, information ratio, beta, correlation and alpha.
 *
 * Definitions (r the strategy's, b the benchmark's daily simple returns over the same n days, a = r - b the daily
 * active return; P = periodsPerYear, 252 by default; e = r - rf_d and f = b - rf_d the excess returns over the
 * daily equivalent of the annual risk-free rate, as in src-main/metrics):
 * - activeReturn = mean(a) × P: the arithmetic mean active return, annualised. It is the numerator of the
 *   information ratio, so the three figures agree: IR = activeReturn / trackingError.
 * - trackingError = std(a) × √P, std the sample standard deviation (n - 1).
 * - informationRatio = activeReturn / trackingError (±Infinity / NaN by the zero rule of src-main/metrics: a
 *   strategy that IS the benchmark has 0/0 = NaN).
 * - beta = cov(r, b) / var(b), sample moments (a constant shift such as rf does not change it); NaN when the
 *   benchmark did not move.
 * - correlation = Pearson's correlation of r and b (NaN when either is constant).
 * - alpha = (mean(e) - beta × mean(f)) × P: Jensen's alpha, annualised arithmetically.
 * - Fewer than 2 days give NaN for every figure but `days`.
 */
import { dailyRate, TRADING_DAYS_PER_YEAR, type RatioOptions } from '../metrics';

export interface RelativeStats {
  /** days compared */
  days: number;
  activeReturn: number;
  trackingError: number;
  informationRatio: number;
  beta: number;
  correlation: number;
  alpha: number;
}

/** num / den with the zero rule of src-main/metrics (x/0 is ±Infinity by the sign of x, 0/0 NaN). */
function ratio(num: number, den: number): number {
  if (Number.isNaN(num) || Number.isNaN(den)) return Number.NaN;
  if (den === 0) return num > 0 ? Infinity : num < 0 ? -Infinity : Number.NaN;
  return num / den;
}

/**
 * The relative figures of `r` against `b` (definitions in the file overview).
 * @throws RangeError when the two series differ in length (they must be the same days)
 */
export function relativeStats(r: ArrayLike<number>, b: ArrayLike<number>, opts: RatioOptions = {}): RelativeStats {
  const n = r.length;
  if (b.length !== n)
    throw new RangeError(
      `relative figures: the strategy has ${n} days, the benchmark ${b.length}; they must be the same days`,
    );
  const P = opts.periodsPerYear ?? TRADING_DAYS_PER_YEAR;
  const nan = Number.NaN;
  if (n < 2)
    return {
      days: n,
      activeReturn: nan,
      trackingError: nan,
      informationRatio: nan,
      beta: nan,
      correlation: nan,
      alpha: nan,
    };
  const rf = dailyRate(opts.riskFree ?? 0, P);
  let mr = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    mr += r[i]!;
    mb += b[i]!;
  }
  mr /= n;
  mb /= n;
  const ma = mr - mb;
  let srr = 0;
  let sbb = 0;
  let srb = 0;
  let saa = 0;
  for (let i = 0; i < n; i++) {
    const dr = r[i]! - mr;
    const db = b[i]! - mb;
    const da = r[i]! - b[i]! - ma;
    srr += dr * dr;
    sbb += db * db;
    srb += dr * db;
    saa += da * da;
  }
  const te = Math.sqrt(saa / (n - 1)) * Math.sqrt(P);
  const activeReturn = ma * P;
  const beta = sbb > 0 ? srb / sbb : nan;
  return {
    days: n,
    activeReturn,
    trackingError: te,
    informationRatio: ratio(activeReturn, te),
    beta,
    correlation: srr > 0 && sbb > 0 ? srb / Math.sqrt(srr * sbb) : nan,
    alpha: (mr - rf - beta * (mb - rf)) * P,
  };
}

/**
 * Two dated series reduced to the dates both have, in date order (what {@link relativeStats} and the stress
 * windows compare).
 */
export function alignByDate(
  a: { dates: readonly string[]; ret: ArrayLike<number> },
  b: { dates: readonly string[]; ret: ArrayLike<number> },
): { dates: string[]; a: number[]; b: number[] } {
  const other = new Map<string, number>();
  b.dates.forEach((d, i) => other.set(d, b.ret[i]!));
  const out = { dates: [] as string[], a: [] as number[], b: [] as number[] };
  a.dates.forEach((d, i) => {
    const x = other.get(d);
    if (x === undefined) return;
    out.dates.push(d);
    out.a.push(a.ret[i]!);
    out.b.push(x);
  });
  return out;
}
