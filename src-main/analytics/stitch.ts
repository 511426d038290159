/**
 * One out-of-sample record across walk-forward windows: the test windows of one strategy and setting, put one
 * after the other on a single time axis, instead of each window's curve starting again at 1.
 *
 * - Seeds become one book per window: its daily return is the mean of the seeds' returns that day (the book of a
 *   PM who split the money evenly over the seeds' models; the same book the paired test of
 *   src-main/backtest/summary.ts tests), over the dates every seed has.
 * - Windows are chained in date order: the value enters window k+1 at what window k ended with, so the record's
 *   total return is the product of the windows' growths, prod(1 + R_k) - 1. Days between two windows (a gap in
 *   the protocol) are not in the record; they are counted in `gapDays` of the later segment.
 * - Windows must not overlap (the same day would be counted twice): a window that starts on or before the end of
 *   the previous one is left out and listed in `skipped`.
 */

/** A dated daily-return series. */
export interface DatedReturns {
  dates: readonly string[];
  ret: ArrayLike<number>;
}

/** The mean of several seeds' daily returns on the dates they all have, in date order. */
export function seedBook(series: readonly DatedReturns[]): { dates: string[]; ret: number[] } {
  const sums = new Map<string, { s: number; k: number }>();
  for (const x of series)
    x.dates.forEach((d, i) => {
      const e = sums.get(d) ?? { s: 0, k: 0 };
      e.s += x.ret[i]!;
      e.k++;
      sums.set(d, e);
    });
  const dates = [...sums.keys()].filter((d) => sums.get(d)!.k === series.length).sort();
  return { dates, ret: dates.map((d) => sums.get(d)!.s / series.length) };
}

/** One test window of the record. */
export interface StitchWindow {
  from: string;
  to: string;
  /** the seeds' daily returns in the window (each a dated series) */
  seeds: readonly DatedReturns[];
}

export interface StitchSegment {
  from: string;
  to: string;
  seeds: number;
  days: number;
  /** the window's compounded return, fraction */
  ret: number;
  /** the record's value at the end of the window (1 before the first window) */
  endValue: number;
  /** trading days between the previous window's last day and this one's first that are not in the record (by the calendar given), 0 for the first */
  gapDays: number;
}

export interface StitchedRecord {
  dates: string[];
  /** the book's daily returns, window after window */
  ret: number[];
  /** value, 1 before the first day */
  values: number[];
  segments: StitchSegment[];
  /** total return of the record, prod(1 + segment ret) - 1 */
  total: number;
  /** windows left out because they overlap an earlier one */
  skipped: { from: string; to: string }[];
}

/**
 * The stitched record of `windows` (see the file overview).
 * @param tradingDaysBetween trading days strictly between two dates (for the gaps); default counts none
 */
export function stitchWindows(
  windows: readonly StitchWindow[],
  tradingDaysBetween: (after: string, before: string) => number = () => 0,
): StitchedRecord {
  const sorted = [...windows]
    .filter((w) => w.seeds.length > 0)
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const out: StitchedRecord = { dates: [], ret: [], values: [], segments: [], total: 0, skipped: [] };
  let v = 1;
  let lastDay: string | null = null;
  for (const w of sorted) {
    const book = seedBook(w.seeds);
    if (book.dates.length === 0) continue;
    if (lastDay !== null && book.dates[0]! <= lastDay) {
      out.skipped.push({ from: w.from, to: w.to });
      continue;
    }
    let g = 1;
    book.dates.forEach((d, i) => {
      g *= 1 + book.ret[i]!;
      v *= 1 + book.ret[i]!;
      out.dates.push(d);
      out.ret.push(book.ret[i]!);
      out.values.push(v);
    });
    out.segments.push({
      from: w.from,
      to: w.to,
      seeds: w.seeds.length,
      days: book.dates.length,
      ret: g - 1,
      endValue: v,
      gapDays: lastDay === null ? 0 : tradingDaysBetween(lastDay, book.dates[0]!),
    });
    lastDay = book.dates[book.dates.length - 1]!;
  }
  out.total = v - 1;
  return out;
}
