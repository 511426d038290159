/**
 * HADAPS's two states (docs/hadaps.md "States"), for one decision day t, from closes up to t only:
 *
 *   price state       p[i, j] = (close_i(t - k + 1 + j) - mean_i) / std_i,  j = 0..k-1 (oldest first),
 *                     mean_i and std_i of asset i's closes over the TRAINING days only ({@link priceNorm});
 *   volatility state  v[i, j] = sign_i(z) * sd(p_i(z - k + 1) .. p_i(z)),  z = t - k + 1 + j,
 *                     the rolling k-day standard deviation of the normalised price, signed by that day's change
 *                     (+1 when p_i(z) >= p_i(z - 1), else -1).
 *
 * The paper takes the standard deviation "of previous prices"; it is taken here of the normalised prices, so a
 * $400 and a $20 stock read on one scale (the raw price's deviation would mostly measure the price level). Both
 * states need 2k days of history: the first state day is 2k - 1 ({@link firstStateDay}). The drifted current
 * weights, the third input of every learned strategy here, are added by the caller.
 */

/** Per-asset mean and standard deviation of the closes over the training days. */
export interface PriceNorm {
  mean: number[];
  std: number[];
}

/**
 * mean and standard deviation (population) of each asset's closes over days from..to (inclusive) of `closes`;
 * a constant series gets std 1 so its state is 0 rather than undefined.
 */
export function priceNorm(closes: (d: number) => ArrayLike<number>, from: number, to: number, n: number): PriceNorm {
  if (!(from >= 0 && to >= from)) throw new RangeError(`priceNorm needs 0 <= from <= to, got ${from}..${to}`);
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  const days = to - from + 1;
  for (let d = from; d <= to; d++) {
    const row = closes(d);
    for (let i = 0; i < n; i++) sum[i]! += row[i]!;
  }
  const mean = Array.from(sum, (s) => s / days);
  for (let d = from; d <= to; d++) {
    const row = closes(d);
    for (let i = 0; i < n; i++) sq[i]! += (row[i]! - mean[i]!) ** 2;
  }
  const std = Array.from(sq, (s) => {
    const sd = Math.sqrt(s / days);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, std };
}

/** The first day both states of window `k` can be formed on. */
export function firstStateDay(k: number): number {
  return 2 * k - 1;
}

/** Both states at day t as [N * k] float32 arrays, asset-major (see the file overview). */
export function hadapsStates(
  closes: (d: number) => ArrayLike<number>,
  t: number,
  n: number,
  k: number,
  norm: PriceNorm,
): { p: Float32Array; v: Float32Array } {
  if (t < firstStateDay(k)) throw new RangeError(`HADAPS states need ${2 * k} days of history; day ${t} has ${t + 1}`);
  const span = 2 * k; // normalised prices of days t - 2k + 1 .. t
  const z = new Float64Array(span * n);
  for (let j = 0; j < span; j++) {
    const row = closes(t - span + 1 + j);
    for (let i = 0; i < n; i++) z[j * n + i] = (row[i]! - norm.mean[i]!) / norm.std[i]!;
  }
  const p = new Float32Array(n * k);
  const v = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const at = k + j; // index of day t - k + 1 + j in z
      p[i * k + j] = z[at * n + i]!;
      let m = 0;
      for (let q = at - k + 1; q <= at; q++) m += z[q * n + i]!;
      m /= k;
      let s = 0;
      for (let q = at - k + 1; q <= at; q++) s += (z[q * n + i]! - m) ** 2;
      const sign = z[at * n + i]! >= z[(at - 1) * n + i]! ? 1 : -1;
      v[i * k + j] = sign * Math.sqrt(s / k);
    }
  }
  return { p, v };
}
