/**
 * A book's bookkeeping: from its opening holdings (shares and cash on the opening date) and the targets approved
 * on some dates, day by day over the universe's closes, what it held and what it was worth. The one place the
 * book's positions, its decisions' "current" weights and its track record come from.
 *
 * The rule is the backtest's (market/simulate.ts), applied to holdings in shares:
 * - On each day the holdings are valued at the close: V = Σ shares_i × close_i + cash. The weights before trading
 *   (the drifted weights) are shares_i × close_i / V and cash / V.
 * - On a day with approved targets w (risky assets, cash last) the book trades at that close: it pays
 *   cost × Σ_i |w_i − drifted_i| × V over the risky assets, and the value left, V' = V (1 − cost × Σ|Δw|), is
 *   split by the targets: shares_i = w_i V' / close_i, cash = w_cash V'. Cash earns nothing.
 * - On other days (no decision, or a rejected one) the holdings stay and their weights drift with prices.
 * So a book that starts in cash and approves targets every day earns what a backtest of those targets earns; the
 * books tests check this against market/simulate.ts to 1e-12.
 */
import type { PriceMatrix } from '../market/prices';

export interface Opening {
  /** the data date the opening holdings are valued at; must be a date of the matrix */
  date: string;
  /** shares per ticker in the matrix's order */
  shares: Float64Array;
  cash: number;
}

export interface LedgerDay {
  date: string;
  /** value at the close before trading */
  before: number;
  /** value at the close after the day's trade and its cost (= before on days without a trade) */
  after: number;
  /** weights before trading, cash last */
  drifted: Float64Array;
  /** weights held after the close, cash last */
  held: Float64Array;
  /** one-way turnover ½ Σ|Δw| over the assets and cash (0 without a trade) */
  turnover: number;
  /** cost as a fraction of `before` */
  cost: number;
  traded: boolean;
  /** holdings after the close */
  shares: Float64Array;
  cash: number;
}

/** Targets approved at a date's close (n risky + cash last) and the cost rate the trade pays. */
export interface ApprovedTrade {
  weights: Float64Array;
  cost: number;
}

export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerError';
  }
}

/** The weights of holdings at a close: shares_i × close_i / V and cash / V, with V. */
export function weightsOf(
  shares: ArrayLike<number>,
  cash: number,
  close: ArrayLike<number>,
): { weights: Float64Array; value: number } {
  const n = shares.length;
  const w = new Float64Array(n + 1);
  let v = cash;
  for (let i = 0; i < n; i++) {
    w[i] = shares[i]! * close[i]!;
    v += w[i]!;
  }
  if (!(v > 0)) throw new LedgerError(`the book is worth ${v}: nothing left to allocate`);
  for (let i = 0; i < n; i++) w[i] = w[i]! / v;
  w[n] = cash / v;
  return { weights: w, value: v };
}

/**
 * Run the book from its opening date to the last date of `m` (rule in the file overview). `trades` maps a date to
 * the targets approved at its close and their cost rate. Gives one row per date from the opening on.
 * Throws LedgerError when the opening date is not a date of the matrix or the book is worth nothing.
 */
export function runLedger(m: PriceMatrix, opening: Opening, trades: ReadonlyMap<string, ApprovedTrade>): LedgerDay[] {
  const n = m.tickers.length;
  if (opening.shares.length !== n)
    throw new LedgerError(`the opening holdings have ${opening.shares.length} tickers, the universe ${n}`);
  const start = m.dates.indexOf(opening.date);
  if (start < 0)
    throw new LedgerError(
      `the book's opening date ${opening.date} is not a date on which every member of ${m.universe} has a price`,
    );
  for (const d of trades.keys())
    if (d < opening.date)
      throw new LedgerError(`an approval on ${d} is before the book's opening date ${opening.date}`);
  const shares = Float64Array.from(opening.shares);
  let cash = opening.cash;
  const out: LedgerDay[] = [];
  for (let t = start; t < m.dates.length; t++) {
    const close = m.close[t]!;
    const date = m.dates[t]!;
    const { weights: drifted, value: before } = weightsOf(shares, cash, close);
    const trade = trades.get(date);
    const w = trade?.weights;
    let after = before;
    let turnover = 0;
    let costFrac = 0;
    let held = drifted;
    if (w) {
      if (w.length !== n + 1)
        throw new LedgerError(`the targets approved on ${date} have ${w.length - 1} tickers, the universe ${n}`);
      let risky = 0;
      for (let i = 0; i < n; i++) risky += Math.abs(w[i]! - drifted[i]!);
      turnover = 0.5 * (risky + Math.abs(w[n]! - drifted[n]!));
      costFrac = trade!.cost * risky;
      after = before * (1 - costFrac);
      for (let i = 0; i < n; i++) shares[i] = (w[i]! * after) / close[i]!;
      cash = w[n]! * after;
      held = Float64Array.from(w);
    }
    out.push({
      date,
      before,
      after,
      drifted,
      held,
      turnover,
      cost: costFrac,
      traded: w !== undefined,
      shares: Float64Array.from(shares),
      cash,
    });
  }
  return out;
}

/**
 * The daily net returns of ledger rows from row `from` on, the way a backtest counts them: the first is the
 * first day's trade cost (after / before − 1), then after_t / after_{t−1} − 1.
 */
export function ledgerReturns(days: readonly LedgerDay[], from = 0): Float64Array {
  const r = new Float64Array(Math.max(0, days.length - from));
  for (let k = from; k < days.length; k++)
    r[k - from] = k === from ? days[k]!.after / days[k]!.before - 1 : days[k]!.after / days[k - 1]!.after - 1;
  return r;
}
