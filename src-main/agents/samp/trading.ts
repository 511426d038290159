/**
 * How a learned policy's target meets the book it holds, one definition for the training environment (env.ts) and
 * the strategy's decide (strategies/samp/model.ts), so both trade the same way (issue 15):
 *   - `driftWeights`: the weights held after prices moved from the close of one decision to another close;
 *   - `applyNoTradeBand`: the no-trade band — a trade of one asset smaller than the band is not made;
 *   - `partialTrade`: a trade rate — only a fraction of the gap to the target is traded each day (partial
 *     adjustment; HADAPS's and MPLS's cost control, agents/hadaps/config.ts tradeRate);
 *   - `bandedPartialTrade`: the trade rule every caller uses (env.ts PortfolioEnv.step, strategies/hadaps
 *     hadapsTrade, strategies/samp/model.ts): the band decides which assets trade, the rate how far, and an asset
 *     whose gap left after the rate's step would be under the band closes its whole gap. Without that last clause
 *     (the band then the rate, as before) an asset bought at the rate stopped once its gap fell under the band and
 *     never traded again: from cash, 30 targets near 3.3%, band 0.02 and rate 0.1 left about 2 points per asset
 *     in cash (MPLS held 17-25% cash on average over its test days). A rate applied first would shrink every
 *     trade below the band;
 *   - `oneWayTurnover`: ½ Σ |w - w_held| over the assets and cash, the simulator's measure (market/simulate.ts).
 * Weights are over the risky assets; cash is 1 minus their sum.
 */

/**
 * Weights `w` (risky, sum <= 1, cash earning 0) after each asset's price moved by `ratio[i]`
 * (= close at the later day / close at the earlier day): w_i ratio_i / g with g = Σ w_i ratio_i + cash.
 */
export function driftWeights(w: ArrayLike<number>, ratio: ArrayLike<number>): Float64Array {
  const n = w.length;
  let invested = 0;
  let g = 0;
  for (let i = 0; i < n; i++) {
    invested += w[i]!;
    g += w[i]! * ratio[i]!;
  }
  g += 1 - invested;
  const out = new Float64Array(n);
  if (!(g > 0)) throw new RangeError(`drifted portfolio value ${g} is not positive`);
  for (let i = 0; i < n; i++) out[i] = (w[i]! * ratio[i]!) / g;
  return out;
}

/** One-way turnover ½ (Σ_i |w_i - h_i| + |cash(w) - cash(h)|) between a target w and held weights h. */
export function oneWayTurnover(w: ArrayLike<number>, held: ArrayLike<number>): number {
  let risky = 0;
  let sw = 0;
  let sh = 0;
  for (let i = 0; i < w.length; i++) {
    risky += Math.abs(w[i]! - held[i]!);
    sw += w[i]!;
    sh += held[i]!;
  }
  return 0.5 * (risky + Math.abs(sh - sw));
}

/**
 * The weights traded to when only `rate` of the gap between the held weights h and the target w is closed today:
 * h + rate (w - h), a convex combination of two books, so it stays long-only with at most the whole book invested.
 * rate 1 gives `w` back.
 */
export function partialTrade(w: ArrayLike<number>, held: ArrayLike<number>, rate: number): Float64Array {
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`trade rate must be in (0, 1], got ${rate}`);
  return Float64Array.from(w, (x, i) => (rate === 1 ? x : held[i]! + rate * (x - held[i]!)));
}

/**
 * The target after the no-trade band: every asset whose trade |w_i - h_i| is below `band` keeps its held weight
 * h_i; the others take their target. When that would put more than the whole book into the assets (kept weights
 * above their targets), the traded assets give up the excess in proportion to their targets; an asset whose trade
 * that shrinks below the band is kept as well, and the split is redone until every trade made is at least the band.
 * band 0 gives `w` back.
 */
export function applyNoTradeBand(w: ArrayLike<number>, held: ArrayLike<number>, band: number): Float64Array {
  const n = w.length;
  const out = Float64Array.from(w);
  if (!(band > 0)) return out;
  const kept = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (Math.abs(w[i]! - held[i]!) < band) kept[i] = 1;
  // each pass keeps at least one more asset or ends, so at most n + 1 passes
  for (;;) {
    let keptSum = 0;
    let tradedMass = 0;
    for (let i = 0; i < n; i++) {
      if (kept[i]) keptSum += held[i]!;
      else tradedMass += w[i]!;
    }
    const f = keptSum + tradedMass > 1 && tradedMass > 0 ? Math.max(0, 1 - keptSum) / tradedMass : 1;
    let more = false;
    for (let i = 0; i < n; i++) {
      out[i] = kept[i] ? held[i]! : w[i]! * f;
      if (!kept[i] && Math.abs(out[i]! - held[i]!) < band) {
        kept[i] = 1;
        more = true;
      }
    }
    if (!more) return out;
  }
}

/**
 * The trade rule (one definition for training and decisions): the weights traded to from held weights `held`
 * towards the target `w`, with the no-trade band `band` and the trade rate `rate`:
 *   1. the band (`applyNoTradeBand`) decides which assets trade and their banded target b (an asset it keeps stays
 *      at its held weight);
 *   2. each traded asset moves `rate` of its gap: h_i + rate (b_i - h_i); but when the gap that step would leave,
 *      (1 - rate) |b_i - h_i|, is under the band, it closes the whole gap (takes b_i). So every traded asset moves
 *      by the rate or reaches its banded target, and none is left stranded just under the band (where the band
 *      would then never let it trade again);
 *   3. long-only with at most the whole book invested: closing buys in full while sells move only by the rate can
 *      put more than the whole book in the assets; then the buys (b_i > h_i) are scaled down in proportion to
 *      their trade (h_i + f (x_i - h_i), one f for all of them) so the risky weights sum to exactly 1. (Held
 *      weights summing above 1 by rounding with nothing to buy: everything is divided by the sum.)
 *   4. cash follows the same rule (`fillIdleCash`): cash left above where the rate (or the full close) would take it
 *      buys the assets still under their targets, so sells moving by the rate cannot pile up cash that no single
 *      buy is big enough to take.
 * rate 1 gives `applyNoTradeBand(w, held, band)` exactly, band 0 `partialTrade(w, held, rate)` exactly (the
 * rule before the full close; their sums are at most 1 up to rounding, which the callers handle as before).
 */
export function bandedPartialTrade(
  w: ArrayLike<number>,
  held: ArrayLike<number>,
  band: number,
  rate: number,
): Float64Array {
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`trade rate must be in (0, 1], got ${rate}`);
  const banded = applyNoTradeBand(w, held, band);
  if (rate === 1) return banded;
  if (!(band > 0)) return partialTrade(banded, held, rate);
  const n = w.length;
  const out = new Float64Array(n);
  let sum = 0;
  let buys = 0;
  for (let i = 0; i < n; i++) {
    const h = held[i]!;
    const gap = banded[i]! - h;
    out[i] = gap === 0 || (1 - rate) * Math.abs(gap) < band ? banded[i]! : h + rate * gap;
    sum += out[i]!;
    if (out[i]! > h) buys += out[i]! - h;
  }
  if (!(sum > 1)) return fillIdleCash(out, w, held, sum, band, rate);
  // sum = (everything but the buys' trades) + buys; the buys keep f of their trades so that the sum is 1
  const f = buys > 0 ? Math.max(0, 1 - (sum - buys)) / buys : 0;
  let scaled = 0;
  for (let i = 0; i < n; i++) {
    const h = held[i]!;
    if (out[i]! > h) out[i] = f === 0 ? h : h + f * (out[i]! - h);
    scaled += out[i]!;
  }
  if (scaled > 1) for (let i = 0; i < n; i++) out[i] = out[i]! / scaled;
  return out;
}

/**
 * Step 4 of `bandedPartialTrade` (rate below 1): cash follows the rule like an asset. Its goal is the held cash moved
 * `rate` of its gap to the target's cash (all of it when the gap left would be under the band). When the book after
 * the trades, `out` (summing to `invested`), holds more cash than that goal, the excess buys the assets still under
 * their targets, in proportion to their shortfall and never past the target. Without it, a sell moving by the rate
 * day after day fed cash that no buy could take when every buy's gap was under the band (each asset's own band
 * blocks it): 30 assets each 1.5 points short would leave up to 45% of the book idle.
 */
function fillIdleCash(
  out: Float64Array,
  w: ArrayLike<number>,
  held: ArrayLike<number>,
  invested: number,
  band: number,
  rate: number,
): Float64Array {
  let target = 0;
  let heldSum = 0;
  let short = 0;
  for (let i = 0; i < w.length; i++) {
    target += w[i]!;
    heldSum += held[i]!;
    if (w[i]! > out[i]!) short += w[i]! - out[i]!;
  }
  const heldCash = Math.max(0, 1 - heldSum);
  const cashGap = Math.max(0, 1 - target) - heldCash;
  const goal = (1 - rate) * Math.abs(cashGap) < band ? heldCash + cashGap : heldCash + rate * cashGap;
  const idle = 1 - invested - goal;
  if (!(idle > 1e-12) || !(short > 0)) return out;
  const f = Math.min(1, idle / short);
  for (let i = 0; i < w.length; i++) if (w[i]! > out[i]!) out[i] = out[i]! + f * (w[i]! - out[i]!);
  return out;
}
