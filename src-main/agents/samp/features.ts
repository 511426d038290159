/**
 * The price window every SAMP-HDRL network reads (SAMP-HDRL step 2: "the full window of normalised prices of all
 * assets"), [N, L] for decision day t, asset i and lag j = 0..L-1 (oldest first). Two scalings (config.ts
 * `featureScaling`):
 *   - 'volatility' (default): x[i, j] = r[t-L+1+j, i] / sigma_i, the asset's daily log return divided by the
 *     standard deviation sigma_i of its daily log returns over the last `volatilityWindow` days up to t
 *     (floored at 1e-4, the result clipped to ±10). A day keeps its value as the window slides on (only the slow
 *     sigma moves), and every asset is on the scale of its own risk.
 *   - 'rebased': x[i, j] = featureScale * (close[t-L+1+j, i] / close[t, i] - 1), the window divided by today's
 *     close (linear, not log; the last column is 0): every value moves with today's price.
 * Only rows <= t are read. Before the first row the first close is repeated (a zero return there).
 */
import type { MarketView } from '../../market/view';
import type { SampConfig } from './config';

/** The settings the features depend on (a slice of SampConfig). */
export type FeatureSpec = Pick<SampConfig, 'window' | 'featureScale' | 'featureScaling' | 'volatilityWindow'>;

/** Smallest daily volatility a return is divided by (a flat price series would otherwise divide by 0). */
export const MIN_DAILY_VOL = 1e-4;
/** Bound on a volatility-scaled feature (a split or a data error stays a large but finite input). */
export const MAX_ZSCORE = 10;

/**
 * 'rebased' window features at day t from a row accessor (rows <= t only). Gives Float32Array [nAssets * L],
 * layout [i * L + j].
 */
export function windowFeatures(
  rowAt: (day: number) => ArrayLike<number>,
  t: number,
  nAssets: number,
  L: number,
  scale: number,
): Float32Array {
  const out = new Float32Array(nAssets * L);
  const last = rowAt(t);
  for (let j = 0; j < L; j++) {
    const row = rowAt(Math.max(0, t - L + 1 + j));
    for (let i = 0; i < nAssets; i++) out[i * L + j] = scale * (row[i]! / last[i]! - 1);
  }
  return out;
}

/**
 * 'volatility' window features at day t (rows <= t only): daily log returns over the window divided by each
 * asset's volatility over the last `volWindow` daily returns up to t. Layout [i * L + j].
 */
export function volatilityFeatures(
  rowAt: (day: number) => ArrayLike<number>,
  t: number,
  nAssets: number,
  L: number,
  volWindow: number,
): Float32Array {
  const span = Math.max(L, volWindow);
  // r[k][i]: log return of day t - span + 1 + k (0 before the first row)
  const r: Float64Array[] = [];
  let prev = rowAt(Math.max(0, t - span));
  for (let k = 0; k < span; k++) {
    const d = t - span + 1 + k;
    const row = rowAt(Math.max(0, d));
    const rk = new Float64Array(nAssets);
    if (d >= 1) for (let i = 0; i < nAssets; i++) rk[i] = Math.log(row[i]! / prev[i]!);
    r.push(rk);
    prev = row;
  }
  const out = new Float32Array(nAssets * L);
  const v0 = span - volWindow;
  for (let i = 0; i < nAssets; i++) {
    let s = 0;
    let q = 0;
    for (let k = v0; k < span; k++) s += r[k]![i]!;
    const mean = s / volWindow;
    for (let k = v0; k < span; k++) q += (r[k]![i]! - mean) ** 2;
    const sigma = Math.max(MIN_DAILY_VOL, Math.sqrt(q / (volWindow - 1)));
    for (let j = 0; j < L; j++) {
      const z = r[span - L + j]![i]! / sigma;
      out[i * L + j] = Math.max(-MAX_ZSCORE, Math.min(MAX_ZSCORE, z));
    }
  }
  return out;
}

/** The features `spec` asks for at day t from a row accessor (rows <= t only), layout [i * L + j]. */
export function featuresAt(
  rowAt: (day: number) => ArrayLike<number>,
  t: number,
  nAssets: number,
  spec: FeatureSpec,
): Float32Array {
  return spec.featureScaling === 'volatility'
    ? volatilityFeatures(rowAt, t, nAssets, spec.window, spec.volatilityWindow)
    : windowFeatures(rowAt, t, nAssets, spec.window, spec.featureScale);
}

/** The features `spec` asks for at the view's decision day (reads view rows <= t only). */
export function viewFeatures(view: MarketView, spec: FeatureSpec): Float32Array {
  return featuresAt((d) => view.closes(d), view.t, view.nAssets, spec);
}
