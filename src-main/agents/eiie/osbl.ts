/**
 * The two pieces of EIIE's training that are not the network (Jiang, Xu and Liang 2017, section 5;
 * docs/drl-baselines.md "EIIE"):
 *   - the portfolio-vector memory (PVM): one row per training period holding the portfolio [cash, assets] the
 *     network last gave for it. A minibatch reads the rows before its periods as the weights held, and writes its
 *     new portfolios back, so periods of a minibatch are computed in parallel instead of one after another;
 *   - online stochastic batch learning (OSBL): a minibatch is `batch` consecutive periods whose start is drawn
 *     from a geometric distribution favouring recent periods, P(start = latest - k) proportional to
 *     beta (1 - beta)^k, a draw past the earliest start being drawn again.
 */
import { driftWeights } from '../samp/trading';

/**
 * A batch start in [first, latest]: latest - k with k ~ Geometric(beta) (failures before the first success,
 * k = floor(ln u / ln(1 - beta))), redrawn while latest - k < first. `rng` gives uniforms in [0, 1).
 */
export function geometricStart(rng: () => number, first: number, latest: number, beta: number): number {
  if (!(Number.isInteger(first) && Number.isInteger(latest) && latest >= first))
    throw new RangeError(`batch starts need first <= latest, got ${first}..${latest}`);
  if (!(beta > 0 && beta < 1)) throw new RangeError(`beta must be in (0, 1), got ${beta}`);
  const span = latest - first;
  const lq = Math.log(1 - beta);
  for (;;) {
    const u = 1 - rng(); // in (0, 1]
    const k = Math.floor(Math.log(u) / lq);
    if (k <= span) return latest - k;
  }
}

/**
 * The portfolio-vector memory over decision days `first`..`last`, plus the row of day first - 1 (the weights held
 * before the first period: all cash, as a backtest starts). Rows are [cash, asset 1..N].
 */
export class PortfolioVectorMemory {
  readonly width: number;
  private readonly rows: Float32Array;
  constructor(
    readonly first: number,
    readonly last: number,
    readonly nAssets: number,
  ) {
    if (!(last >= first)) throw new RangeError(`PVM needs first <= last, got ${first}..${last}`);
    this.width = nAssets + 1;
    this.rows = new Float32Array((last - first + 2) * this.width);
    for (let d = first - 1; d <= last; d++) this.rows[(d - first + 1) * this.width] = 1;
  }

  private offset(day: number): number {
    if (!(Number.isInteger(day) && day >= this.first - 1 && day <= this.last))
      throw new RangeError(`PVM has no row for day ${day} (rows ${this.first - 1}..${this.last})`);
    return (day - this.first + 1) * this.width;
  }

  /** The portfolio stored for `day` [cash, assets] (a copy). */
  row(day: number): Float32Array {
    const o = this.offset(day);
    return this.rows.slice(o, o + this.width);
  }

  /**
   * The weights held at the close of `day` before deciding: the row of day - 1 drifted by the day's price
   * relatives `ratio` [N], cash first.
   */
  held(day: number, ratio: ArrayLike<number>): Float32Array {
    const prev = this.row(day - 1);
    const risky = driftWeights(prev.subarray(1), ratio);
    const out = new Float32Array(this.width);
    let s = 0;
    for (let i = 0; i < this.nAssets; i++) {
      out[i + 1] = risky[i]!;
      s += risky[i]!;
    }
    out[0] = Math.max(0, 1 - s);
    return out;
  }

  /** Write `count` consecutive rows from `day` on: w [count * (N + 1)]. */
  write(day: number, w: Float32Array, count: number): void {
    if (w.length !== count * this.width)
      throw new RangeError(`PVM write: ${w.length} values for ${count} rows of ${this.width}`);
    this.offset(day + count - 1);
    this.rows.set(w, this.offset(day));
  }
}
