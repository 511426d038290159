/**
 * The portfolio arithmetic a PM reads on every decision, defined once for the desk (Today) and the reports:
 * the weights held before the decision, what the decision trades, and how the book is split.
 *
 * Layout: a book is n risky weights followed by the cash weight (the engine's and the store's layout), summing to 1.
 *
 * - Previous weights. The weights the decision trades against are the weights held after the previous close,
 *   DRIFTED with the day's prices, as the engine (src-main/market/simulate.ts) does: over a day with price
 *   relatives x_i = close_i(today) / close_i(yesterday) the held weights b become b_i x_i / g for the risky assets
 *   and b_cash (1 + rf_d) / g for cash, g the sum of those numerators. Before the first decision the book is all
 *   cash (risky 0, cash 1): "previous cash counted as 0" is the mistake this rule rules out.
 * - Turnover. A decision's one-way turnover is ½ Σ |target − previous| over every slot, cash included (the engine's
 *   `turnover` of a rebalancing day): the share of the book that changes hands. From cash into a book that invests
 *   97.9% it is 97.9%. A year of it at the day's pace is the daily figure × 252 trading days, the unit of the run
 *   metric `annualTurnover`. The cost is charged on the risky legs only, cost × Σ_risky |target − previous|, as a
 *   fraction of the value (the cash leg of a purchase is the same money and is not charged twice).
 * - Capital split. The headline split of a decision is its final mix as the book holds it: each group's total
 *   target weight and the cash weight, summing to 1. A strategy's internal fractions (SAMP-HDRL's lower agents'
 *   c1 / c2 / cash) are a part of that mix and are said as such, never shown as the split.
 *
 * Plain TypeScript over plain arrays; nothing here reads a database or the DOM.
 */

/** Trading days in a year: the annualisation factor of turnover and cost (the engine's TRADING_DAYS_PER_YEAR). */
export const TURNOVER_DAYS_PER_YEAR = 252;

/**
 * A book from risky weights and a cash weight (cash last).
 * @param cash the cash weight; default the remainder 1 − Σ risky (never below 0)
 */
export function book(risky: ArrayLike<number>, cash?: number): Float64Array {
  const n = risky.length;
  const out = new Float64Array(n + 1);
  let s = 0;
  for (let i = 0; i < n; i++) {
    out[i] = risky[i]!;
    s += risky[i]!;
  }
  out[n] = cash ?? Math.max(0, 1 - s);
  return out;
}

/** The book before any decision: n risky weights 0 and all cash. */
export function allCash(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  out[n] = 1;
  return out;
}

/**
 * Weights held after the previous close, drifted over one day (rule in the file overview).
 * @param held n risky weights + cash last, summing to 1
 * @param relatives the day's price relatives, n entries (> 0)
 * @param cashGrowth 1 + the daily risk-free rate (default 1)
 * @returns n + 1 drifted weights, summing to 1
 * @throws RangeError when the lengths do not match or the book is worth nothing after the day
 */
export function driftWeights(held: ArrayLike<number>, relatives: ArrayLike<number>, cashGrowth = 1): Float64Array {
  const n = relatives.length;
  if (held.length !== n + 1)
    throw new RangeError(`driftWeights: ${held.length} held weights for ${n} assets (expected ${n + 1}, cash last)`);
  const out = new Float64Array(n + 1);
  let g = 0;
  for (let i = 0; i < n; i++) {
    out[i] = held[i]! * relatives[i]!;
    g += out[i]!;
  }
  out[n] = held[n]! * cashGrowth;
  g += out[n]!;
  if (!(g > 0)) throw new RangeError(`driftWeights: the book's growth over the day is ${g}, not a positive number`);
  for (let i = 0; i <= n; i++) out[i] = out[i]! / g;
  return out;
}

/**
 * The weights a decision trades against (rule in the file overview).
 * @param held the book held after the previous close (n + 1, cash last); null for the first decision (from cash)
 * @param relatives the decision day's price relatives (n); ignored on the first decision
 * @param n number of risky assets
 */
export function previousWeights(
  held: ArrayLike<number> | null,
  relatives: ArrayLike<number> | null,
  n: number,
  cashGrowth = 1,
): Float64Array {
  if (held === null) return allCash(n);
  if (relatives === null)
    throw new RangeError("previousWeights: a decision after the first needs the day's price relatives");
  return driftWeights(held, relatives, cashGrowth);
}

/** Price relatives close(today) / close(yesterday) of aligned close rows. */
export function priceRelatives(yesterday: ArrayLike<number>, today: ArrayLike<number>): Float64Array {
  if (yesterday.length !== today.length)
    throw new RangeError(`priceRelatives: ${yesterday.length} closes yesterday, ${today.length} today`);
  const out = new Float64Array(today.length);
  for (let i = 0; i < today.length; i++) {
    const r = today[i]! / yesterday[i]!;
    if (!(r > 0 && Number.isFinite(r)))
      throw new RangeError(
        `priceRelatives: no usable price relative for asset ${i} (${yesterday[i]} then ${today[i]})`,
      );
    out[i] = r;
  }
  return out;
}

/** What a decision trades (see the file overview; all figures are fractions of the book's value). */
export interface TradeFigures {
  /** ½ Σ |target − previous| over every slot, cash included: the day's one-way turnover */
  oneWay: number;
  /** the same at the day's pace for a year: oneWay × 252 */
  oneWayPerYear: number;
  /** Σ |target − previous| over the risky assets: the value moved in and out of stocks */
  riskyTraded: number;
  /** cost × riskyTraded: what the trade costs, fraction of the value */
  cost: number;
  /** the same at the day's pace for a year: cost × 252 */
  costPerYear: number;
}

/**
 * Turnover and cost of trading from `previous` to `target` (rule in the file overview).
 * @param target the decision, n + 1 with cash last
 * @param previous the weights traded against ({@link previousWeights}), n + 1 with cash last
 * @param costRate cost per unit of risky value traded (0.001 = 0.1%)
 */
export function tradeFigures(
  target: ArrayLike<number>,
  previous: ArrayLike<number>,
  costRate: number,
  periodsPerYear = TURNOVER_DAYS_PER_YEAR,
): TradeFigures {
  if (target.length !== previous.length)
    throw new RangeError(`tradeFigures: ${target.length} target weights but ${previous.length} previous ones`);
  const n = target.length - 1;
  let risky = 0;
  for (let i = 0; i < n; i++) risky += Math.abs(target[i]! - previous[i]!);
  const oneWay = 0.5 * (risky + Math.abs(target[n]! - previous[n]!));
  const cost = costRate * risky;
  return {
    oneWay,
    oneWayPerYear: oneWay * periodsPerYear,
    riskyTraded: risky,
    cost,
    costPerYear: cost * periodsPerYear,
  };
}

/** One part of a capital split: a group of assets with its members and total weight. */
export interface SplitPart {
  /** a key that names the group the same way on every date (a colour or a test can rely on it) */
  key: string;
  label: string;
  weight: number;
  /** the group's tickers in the order given */
  members: string[];
}

/** The final mix of a book: its groups and its cash, the weights summing to the book's 1. */
export interface CapitalSplit {
  parts: SplitPart[];
  cash: number;
  /** Σ of the parts' weights: 1 − cash */
  invested: number;
}

/**
 * The capital split of a decision as the book holds it (file overview): the target weights summed per group, and
 * the cash weight. Parts come in the order their keys first appear in `order` (keys not in it follow, largest
 * first, then by key), so a group keeps its place from one date to the next.
 * @param tickers the run's tickers; @param weights their target weights; @param cash the target cash weight
 * @param groupOf the group of a ticker, as a stable key and a label
 */
export function capitalSplit(
  tickers: readonly string[],
  weights: ArrayLike<number>,
  cash: number,
  groupOf: (ticker: string) => { key: string; label: string },
  order: readonly string[] = [],
): CapitalSplit {
  if (tickers.length !== weights.length)
    throw new RangeError(`capitalSplit: ${tickers.length} tickers but ${weights.length} weights`);
  const parts = new Map<string, SplitPart>();
  tickers.forEach((t, i) => {
    const g = groupOf(t);
    const p = parts.get(g.key) ?? { key: g.key, label: g.label, weight: 0, members: [] };
    p.weight += weights[i]!;
    p.members.push(t);
    parts.set(g.key, p);
  });
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  const sorted = [...parts.values()].sort(
    (a, b) => rank(a.key) - rank(b.key) || b.weight - a.weight || a.key.localeCompare(b.key),
  );
  return { parts: sorted, cash, invested: sorted.reduce((s, p) => s + p.weight, 0) };
}
