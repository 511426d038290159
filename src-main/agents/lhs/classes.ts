/**
 * The three classes of the Long/Hold/Short baselines and the three rules over them (docs/drl-baselines.md "MLP and
 * CNN Long/Hold/Short classifiers"):
 *   - the label of a forward price ratio: Long when the return is above +threshold, Short when it is below
 *     -threshold, Hold otherwise (a return of exactly +-threshold is Hold: the paper says "above" and "below");
 *   - the predicted class of a probability row: the most probable class, a tie never resolved to Long (ties go
 *     to Hold, then Short), so the book buys only on a strict majority;
 *   - the book of a day's predictions: long-only, equal weight over the assets predicted Long, nothing in Hold
 *     or Short, all cash when no asset is predicted Long.
 * Class indices are the order of the network's output and of every probability row: Long 0, Hold 1, Short 2.
 */

export const LONG = 0;
export const HOLD = 1;
export const SHORT = 2;
export const CLASS_COUNT = 3;
export const CLASS_NAMES = ['long', 'hold', 'short'] as const;

/** The label of the price ratio close[t + h] / close[t] under `threshold` (see the file overview). */
export function labelOf(ratio: number, threshold: number): number {
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new RangeError(`price ratio must be positive, got ${ratio}`);
  if (ratio > 1 + threshold) return LONG;
  if (ratio < 1 - threshold) return SHORT;
  return HOLD;
}

/** The predicted class of the probability row of `p` starting at `offset` (see the file overview). */
export function predictedClass(p: ArrayLike<number>, offset = 0): number {
  const pl = p[offset + LONG]!;
  const ph = p[offset + HOLD]!;
  const ps = p[offset + SHORT]!;
  let c = HOLD;
  let best = ph;
  if (ps > best) {
    c = SHORT;
    best = ps;
  }
  return pl > best ? LONG : c;
}

/** The predicted class of each of `rows` probability rows of `p` [rows * 3]. */
export function predictedClasses(p: ArrayLike<number>, rows: number): Uint8Array {
  if (p.length !== rows * CLASS_COUNT) throw new RangeError(`${p.length} probabilities for ${rows} rows of 3`);
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) out[r] = predictedClass(p, r * CLASS_COUNT);
  return out;
}

/** The long-only book of one day's predicted classes, one per asset (see the file overview). */
export function longOnlyBook(classes: ArrayLike<number>): { weights: Float64Array; cash: number } {
  const n = classes.length;
  let longs = 0;
  for (let i = 0; i < n; i++) if (classes[i] === LONG) longs++;
  const weights = new Float64Array(n);
  if (longs === 0) return { weights, cash: 1 };
  for (let i = 0; i < n; i++) if (classes[i] === LONG) weights[i] = 1 / longs;
  return { weights, cash: 0 };
}
