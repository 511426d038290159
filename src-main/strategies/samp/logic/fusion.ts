/**
 * Fusion of the three SAMP-HDRL agents' weights (SAMP-HDRL steps 3 and 6; the paper: "convex
 * fusion of group allocations").
 *
 * Overview
 * - `maskedSoftmax(logits, mask)`: softmax over the on-mask entries only; off-mask entries are exactly 0
 *   (the lower agents' "logits outside the mask are -inf" rule, step 3).
 * - `fuse(w0, w1, w2, c, a)`: w = a * w0 + (1 - a) * (c1 * w1 + c2 * w2); the cash weight is the remainder
 *   1 - sum(w) (equal to (1 - a) * cash when w0, w1, w2 each sum to 1). Validation: finite, non-negative,
 *   each input sums to <= 1 (+ tolerance), w1 is zero off m1, w2 zero off m2, a in [0, 1], c1, c2 >= 0 with
 *   c1 + c2 <= 1. Violations throw a RangeError naming the problem (a bug upstream, not a market event).
 */
import type { CapitalSplit } from './utility';

/** Numerical tolerance of the fusion checks (sums, non-negativity). */
export const FUSION_TOLERANCE = 1e-9;

/**
 * Softmax over the entries where mask is true; exactly 0 elsewhere (SAMP-HDRL step 3).
 * @param logits one logit per asset; @param mask group membership (at least one true)
 * @param temperature divides the logits (default 1)
 * @returns weights >= 0 summing to 1 on the mask
 */
export function maskedSoftmax(logits: ArrayLike<number>, mask: readonly boolean[], temperature = 1): Float64Array {
  const n = logits.length;
  if (mask.length !== n) throw new RangeError(`mask length ${mask.length} != logits length ${n}`);
  if (!(temperature > 0)) throw new RangeError('temperature must be > 0');
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (mask[i]) max = Math.max(max, logits[i]!);
  if (max === -Infinity) throw new RangeError('maskedSoftmax: empty mask (or all logits -Infinity)');
  if (!Number.isFinite(max)) throw new RangeError('maskedSoftmax: non-finite logit');
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++)
    if (mask[i]) {
      const v = logits[i]!;
      if (Number.isNaN(v)) throw new RangeError(`maskedSoftmax: NaN logit at ${i}`);
      out[i] = Math.exp((v - max) / temperature);
      sum += out[i]!;
    }
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}

function checkWeights(name: string, w: ArrayLike<number>, n: number, offMask?: readonly boolean[]): void {
  if (w.length !== n) throw new RangeError(`${name}: length ${w.length} != ${n}`);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = w[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}] is not finite`);
    if (v < -FUSION_TOLERANCE) throw new RangeError(`${name}[${i}] = ${v} < 0`);
    if (offMask && !offMask[i] && v !== 0) throw new RangeError(`${name}[${i}] = ${v} off its group mask`);
    s += v;
  }
  if (s > 1 + FUSION_TOLERANCE) throw new RangeError(`${name} sums to ${s} > 1`);
}

/** Result of {@link fuse}. */
export interface FusedWeights {
  /** final risky weights, >= 0, sum <= 1 */
  weights: Float64Array;
  /** 1 - sum(weights), >= 0 */
  cash: number;
}

/**
 * Convex fusion w = a * w0 + (1 - a) * (c1 * w1 + c2 * w2) (SAMP-HDRL step 6).
 * @param w0 upper agent's global weights over all assets (sum <= 1)
 * @param w1 ordinary-group agent's weights, zero off m1; @param w2 high-quality agent's weights, zero off m2
 * @param c capital fractions c1 (ordinary) and c2 (high-quality) from utility.ts / rebound.ts; cash is the rest
 * @param a fusion coefficient in [0, 1] (weight of the upper agent's guidance)
 * @param masks optional m1/m2 to check w1/w2 against
 * @returns final weights and the cash remainder
 */
export function fuse(
  w0: ArrayLike<number>,
  w1: ArrayLike<number>,
  w2: ArrayLike<number>,
  c: Pick<CapitalSplit, 'c1' | 'c2'>,
  a: number,
  masks?: { ordinary: readonly boolean[]; high: readonly boolean[] },
): FusedWeights {
  const n = w0.length;
  if (!(a >= 0 && a <= 1)) throw new RangeError(`fusion coefficient a = ${a} outside [0, 1]`);
  if (!(c.c1 >= -FUSION_TOLERANCE && c.c2 >= -FUSION_TOLERANCE)) throw new RangeError('capital fractions must be >= 0');
  if (c.c1 + c.c2 > 1 + FUSION_TOLERANCE) throw new RangeError(`c1 + c2 = ${c.c1 + c.c2} > 1`);
  checkWeights('w0', w0, n);
  checkWeights('w1', w1, n, masks?.ordinary);
  checkWeights('w2', w2, n, masks?.high);
  const c1 = Math.max(0, c.c1);
  const c2 = Math.max(0, c.c2);
  const weights = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = a * w0[i]! + (1 - a) * (c1 * w1[i]! + c2 * w2[i]!);
    weights[i] = v > 0 ? v : 0;
    s += weights[i]!;
  }
  if (s > 1) {
    // only reachable through rounding within FUSION_TOLERANCE
    for (let i = 0; i < n; i++) weights[i] = weights[i]! / s;
    s = 1;
  }
  return { weights, cash: Math.max(0, 1 - s) };
}
