/**
 * Aligned daily close prices of a universe: the one shape every strategy, simulation and explanation reads.
 * `close[t][i]` is the close of asset i (in `tickers` order) on `dates[t]`; every entry is a finite positive
 * number (the import rejects or forward-fills gaps, visibly, before data get here). Where the imported bars carry a
 * volume, `tradedValue[t][i]` is what changed hands that day in the prices' currency (the bar's own close x its
 * volume; NaN where the bar has no volume, and absent when no bar of the matrix has one): the execution-cost model
 * (costs.ts) reads it for the average daily traded value.
 */
export interface PriceMatrix {
  universe: string;
  /** ISO dates, strictly ascending */
  dates: string[];
  tickers: string[];
  /** close[t][i], t over dates, i over tickers */
  close: Float64Array[];
  /** close x volume per day and asset, same shape as close, NaN where unknown; absent when the data have no volume */
  tradedValue?: Float64Array[];
  /** sector / class / name per ticker, same order, where known */
  assets?: { ticker: string; name: string; class: string; sector: string }[];
}

/** Price relatives x[t][i] = close[t][i] / close[t-1][i] for t >= 1 (x[0] is all ones). */
export function priceRelatives(m: PriceMatrix): Float64Array[] {
  const n = m.tickers.length;
  return m.close.map((row, t) => {
    const x = new Float64Array(n);
    if (t === 0) x.fill(1);
    else {
      const prev = m.close[t - 1]!;
      for (let i = 0; i < n; i++) x[i] = row[i]! / prev[i]!;
    }
    return x;
  });
}

/** Index of the last date <= `date` (binary search), or -1. */
export function indexAtOrBefore(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! <= date) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Index of the first date >= `date`, or dates.length. */
export function indexAtOrAfter(dates: readonly string[], date: string): number {
  const i = indexAtOrBefore(dates, date);
  if (i >= 0 && dates[i] === date) return i;
  return i + 1;
}
