/**
 * How the three-level hierarchy turns class weights into a book (docs/three-level.md "Classes and tilts"):
 *
 *   - `boundTilts`: the tactical level's tilts around the strategic target. Each tilt is at most `maxTilt` (5% by
 *     default) away from zero in either direction, the tilts sum to zero (a tilt into one class is funded by the
 *     others, cash included), and no class goes below zero or above one. The policy's raw tilts r (each already in
 *     [-maxTilt, maxTilt]) are projected onto that set: the closest tilts in the Euclidean sense,
 *     d_k = clip(r_k - nu, l_k, u_k) with l_k = max(-maxTilt, -s_k), u_k = min(maxTilt, 1 - s_k) and the one nu
 *     that makes them sum to zero (found by bisection; the sum is monotone in nu, and nu exists because zero tilts
 *     are feasible). The bound is part of the set, so nothing after it (no renormalisation) can break it.
 *   - `assetWeights`: class weights to asset weights, equal weight inside each class (the within-class rule),
 *     cash what the risky classes leave.
 *   - `classWeightsOf`: asset weights back to class weights (cash last).
 *
 * A class weight vector has the layout's risky classes in order, then cash (agents/hadaps/classes.ts ClassLayout).
 */
import type { ClassLayout } from '../hadaps/classes';

/** The default bound of a tactical tilt: 5% of the book per class, the figure. */
export const MAX_TILT = 0.05;

/**
 * The tilts of `raw` (one per class, cash last) projected onto the feasible set around the strategic class weights
 * `strategic` (see the file overview). Every |tilt| <= maxTilt, the tilts sum to zero (to rounding), and
 * strategic + tilt stays in [0, 1] per class.
 * @throws RangeError when the lengths differ, a raw tilt is not a number, or the strategic weights are not an
 *   allocation
 */
export function boundTilts(strategic: ArrayLike<number>, raw: ArrayLike<number>, maxTilt = MAX_TILT): Float64Array {
  const K = strategic.length;
  if (raw.length !== K) throw new RangeError(`tilts: ${raw.length} raw tilts for ${K} classes`);
  if (!(maxTilt >= 0 && maxTilt <= 1)) throw new RangeError(`tilts: the bound must be in [0, 1], got ${maxTilt}`);
  const lo = new Float64Array(K);
  const hi = new Float64Array(K);
  const r = new Float64Array(K);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const s = strategic[k]!;
    if (!(Number.isFinite(s) && s >= 0 && s <= 1))
      throw new RangeError(`tilts: strategic weight ${k} is ${s}, not in [0, 1]`);
    sum += s;
    const x = raw[k]!;
    if (Number.isNaN(x)) throw new RangeError(`tilts: raw tilt ${k} is not a number`);
    lo[k] = Math.max(-maxTilt, -s);
    hi[k] = Math.min(maxTilt, 1 - s);
    r[k] = Math.min(maxTilt, Math.max(-maxTilt, x));
  }
  if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`tilts: the strategic weights sum to ${sum}, not 1`);
  const at = (nu: number, out?: Float64Array): number => {
    let t = 0;
    for (let k = 0; k < K; k++) {
      const d = Math.min(hi[k]!, Math.max(lo[k]!, r[k]! - nu));
      if (out) out[k] = d + 0; // never -0
      t += d;
    }
    return t;
  };
  const d = new Float64Array(K);
  // sum(nu) falls from >= 0 at nu = -2 to <= 0 at nu = 2 (every raw tilt and bound is within [-1, 1])
  let a = -2;
  let b = 2;
  if (at(0) === 0) a = b = 0;
  for (let it = 0; it < 200 && b - a > 0; it++) {
    const mid = (a + b) / 2;
    if (mid === a || mid === b) break;
    if (at(mid) > 0) a = mid;
    else b = mid;
  }
  const fa = at(a);
  const fb = at(b);
  at(Math.abs(fa) <= Math.abs(fb) ? a : b, d);
  return d;
}

/** The risky weights of class weights `classWeights` (cash last), equal inside each class. */
export function assetWeights(layout: ClassLayout, classWeights: ArrayLike<number>): Float64Array {
  const K = layout.classes.length;
  if (classWeights.length !== K + 1)
    throw new RangeError(`class weights: ${classWeights.length} entries for ${K} classes and cash`);
  const w = new Float64Array(layout.nAssets);
  let s = 0;
  layout.classes.forEach((c, k) => {
    const each = Math.max(0, classWeights[k]!) / c.members.length;
    for (const i of c.members) {
      w[i] = each;
      s += each;
    }
  });
  // rounding can leave the risky sum a hair above 1; scaling it back moves each weight by that hair only
  if (s > 1) for (let i = 0; i < w.length; i++) w[i] = w[i]! / s;
  return w;
}

/** The class weights (cash last) of weights `w` over the layout's assets (cash the rest, or w's entry n). */
export function classWeightsOf(layout: ClassLayout, w: ArrayLike<number>): Float64Array {
  const K = layout.classes.length;
  const out = new Float64Array(K + 1);
  let risky = 0;
  for (let i = 0; i < layout.nAssets; i++) {
    const k = layout.classOf[i]!;
    out[k] = out[k]! + w[i]!;
    risky += w[i]!;
  }
  out[K] = Math.max(0, 1 - risky);
  return out;
}
