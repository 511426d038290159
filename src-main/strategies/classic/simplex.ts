/**
 * The probability simplex Δ_n = { w in R^n : w >= 0, sum w = 1 } that every classic strategy's weights live on
 * (README "Market conventions": long-only weights summing to 1), and the small helpers that keep them there.
 */

/** Tolerance used when checking that weights sum to 1 (absolute). */
export const SIMPLEX_TOLERANCE = 1e-9;

/** Uniform weights 1/n over n assets. */
export function uniformWeights(n: number): Float64Array {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`uniformWeights: bad asset count ${n}`);
  return new Float64Array(n).fill(1 / n);
}

/**
 * Euclidean projection onto the simplex: argmin_{w in Δ_n} ||w - v||_2, by the sort-based algorithm of
 * Duchi, Shalev-Shwartz, Singer & Chandra (2008), "Efficient projections onto the l1-ball for learning in high
 * dimensions", Fig. 1 (O(n log n)). Takes any finite vector v (length n >= 1); gives a new Float64Array on the
 * simplex (entries >= 0, sum 1 to rounding). Used by PAMR, CWMR, OLMAR and RMR.
 */
export function projectToSimplex(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  if (n === 0) throw new RangeError('projectToSimplex: empty vector');
  const u = Float64Array.from(v as ArrayLike<number>);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(u[i]!)) throw new RangeError(`projectToSimplex: non-finite entry ${i}`);
  u.sort(); // ascending; walk it from the top
  let cumulative = 0;
  let theta = 0;
  for (let j = 1; j <= n; j++) {
    const uj = u[n - j]!;
    cumulative += uj;
    const t = (cumulative - 1) / j;
    // rho = the largest j with u_j - (sum_{r<=j} u_r - 1)/j > 0; theta follows from it
    if (uj - t > 0) theta = t;
  }
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const wi = v[i]! - theta;
    w[i] = wi > 0 ? wi : 0;
    sum += w[i]!;
  }
  // remove rounding (sum is 1 up to ~n ulp already)
  if (sum > 0) for (let i = 0; i < n; i++) w[i] = w[i]! / sum;
  else w.fill(1 / n);
  return w;
}

/**
 * Scale a non-negative vector to sum 1. Takes v with finite entries >= 0 and a positive sum; gives a new
 * Float64Array. Throws (a bug upstream) on a non-finite entry, a negative entry or a non-positive sum.
 */
export function normalise(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x) || x < 0) throw new RangeError(`normalise: entry ${i} is ${x}`);
    sum += x;
  }
  if (!(sum > 0) || !Number.isFinite(sum)) throw new RangeError(`normalise: sum is ${sum}`);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = v[i]! / sum;
  return w;
}

/**
 * Last line of defence before a classic strategy hands weights to the engine: checks that every entry is
 * finite and not below -1e-9 (a larger negative or a NaN is a bug and throws, naming the strategy), clamps
 * rounding negatives to 0 and renormalises so the result sums to 1 within SIMPLEX_TOLERANCE. Gives a new array.
 */
export function finalizeWeights(w: ArrayLike<number>, who: string): Float64Array {
  const n = w.length;
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = w[i]!;
    if (!Number.isFinite(x)) throw new RangeError(`${who}: weight ${i} is ${x}`);
    if (x < -SIMPLEX_TOLERANCE) throw new RangeError(`${who}: weight ${i} is negative (${x})`);
    out[i] = x > 0 ? x : 0;
    sum += out[i]!;
  }
  if (!(sum > 0)) throw new RangeError(`${who}: weights sum to ${sum}`);
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}

/** True when w is on the simplex: finite entries >= 0 and |sum - 1| <= tol. */
export function isOnSimplex(w: ArrayLike<number>, tol = SIMPLEX_TOLERANCE): boolean {
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    if (!Number.isFinite(x) || x < 0) return false;
    sum += x;
  }
  return Math.abs(sum - 1) <= tol;
}

/**
 * Weights after one day of price moves: w'_i = w_i x_i / (w . x) (x = price relatives of the day). This is
 * how a portfolio held without trading drifts (used by UBAH and Anticor). Gives a new array on the simplex.
 */
export function driftWeights(w: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const n = w.length;
  const out = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    out[i] = w[i]! * x[i]!;
    s += out[i]!;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / s;
  return out;
}
