/**
 * The state every SAMP-HDRL network reads (SAMP-HDRL step 2: "the full window of normalised
 * prices of all assets"): for asset i and lag j = 0..L-1 (oldest first),
 *     x[i, j] = featureScale * (close[t - L + 1 + j, i] / close[t, i] - 1),
 * i.e. the last L closes divided by the close at the decision day t, minus 1 (a linear normalisation, not log).
 * The last column is 0 by construction. Only rows <= t are read. When fewer than L rows exist, the earliest
 * available row is repeated (zero return before the first day).
 */
import type { MarketView } from '../../market/view';

/**
 * Window features at day t from a row accessor (rows <= t only). Gives Float32Array [nAssets * L],
 * layout [i * L + j].
 */
export function windowFeatures(rowAt: (day: number) => ArrayLike<number>, t: number, nAssets: number, L: number, scale: number): Float32Array {
  const out = new Float32Array(nAssets * L);
  const last = rowAt(t);
  for (let j = 0; j < L; j++) {
    const row = rowAt(Math.max(0, t - L + 1 + j));
    for (let i = 0; i < nAssets; i++) out[i * L + j] = scale * (row[i]! / last[i]! - 1);
  }
  return out;
}

/** Window features at the view's decision day (reads view rows t-L+1..t only). */
export function viewFeatures(view: MarketView, L: number, scale: number): Float32Array {
  return windowFeatures((d) => view.closes(d), view.t, view.nAssets, L, scale);
}
