/**
 * Derived parts of a tear sheet, as pure functions over plain arrays (docs/backtest-conventions.md:
 * the same conventions as src-main/metrics; docs/architecture.md "Reports").
 *
 * Conventions
 * - Dates are ISO calendar dates 'YYYY-MM-DD' in ascending order; the calendar month and year are read from the
 *   string itself (no time zone can move a day into another month).
 * - `dailyReturns[i]` is the simple return EARNED ON `dates[i]` (from the previous close to the close of
 *   dates[i]); so for an equity curve V over dates D, the returns are V[i]/V[i-1] - 1 on D[1..] (see
 *   {@link returnsFromValues}).
 * - Monthly / yearly returns compound the daily returns of the calendar period: prod(1 + r) - 1. A partial first
 *   or last period is included as it is (it covers only the days in the window).
 * - Drawdowns are negative fractions of the running peak VALUE (values, not returns, as input here).
 * - NaN inputs propagate into the period or the point they fall in; nothing is filtered.
 */
import { book, tradeFigures } from '../../src-shared/domain/portfolio';
import { fixed, pct } from './format';
import type { DrawdownPeriod, MonthlyReturn, ReportSeries, ReportVerdict, YearlyReturn } from './model';

/** Number of worst drawdowns a tear sheet lists by default. */
export const WORST_DRAWDOWNS_DEFAULT_K = 5;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function yearMonth(date: string): [number, number] {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw new RangeError(`month out of range in ${date}`);
  return [Number(m[1]), month];
}

function checkLengths(dates: readonly string[], other: ArrayLike<number>, what: string): void {
  if (dates.length !== other.length) {
    throw new RangeError(`${what}: ${dates.length} dates but ${other.length} values`);
  }
}

/**
 * Simple returns of a value series: r[i-1] = values[i] / values[i-1] - 1 for i = 1..n-1.
 * @param values portfolio values (> 0), one per date
 * @returns n - 1 daily simple returns, belonging to dates[1..n-1]
 */
export function returnsFromValues(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) out.push(values[i]! / values[i - 1]! - 1);
  return out;
}

/**
 * Calendar-month returns: the daily simple returns of each (year, month) compounded, prod(1 + r) - 1.
 * @param dates ISO dates, ascending, one per return (the day the return was earned on)
 * @param dailyReturns daily simple returns, fractions
 * @returns one entry per month present, in date order; month is 1..12
 * @throws RangeError when the lengths differ or a date is not 'YYYY-MM-DD'
 */
export function monthlyReturns(dates: readonly string[], dailyReturns: ArrayLike<number>): MonthlyReturn[] {
  checkLengths(dates, dailyReturns, 'monthlyReturns');
  const out: MonthlyReturn[] = [];
  let cur: { year: number; month: number; g: number } | null = null;
  for (let i = 0; i < dates.length; i++) {
    const [year, month] = yearMonth(dates[i]!);
    if (!cur || cur.year !== year || cur.month !== month) {
      if (cur) out.push({ year: cur.year, month: cur.month, ret: cur.g - 1 });
      cur = { year, month, g: 1 };
    }
    cur.g *= 1 + dailyReturns[i]!;
  }
  if (cur) out.push({ year: cur.year, month: cur.month, ret: cur.g - 1 });
  return out;
}

/**
 * Calendar-year returns: the daily simple returns of each year compounded, prod(1 + r) - 1.
 * @param dates ISO dates, ascending, one per return
 * @param dailyReturns daily simple returns, fractions
 * @returns one entry per year present, in date order
 * @throws RangeError when the lengths differ or a date is not 'YYYY-MM-DD'
 */
export function yearlyReturns(dates: readonly string[], dailyReturns: ArrayLike<number>): YearlyReturn[] {
  checkLengths(dates, dailyReturns, 'yearlyReturns');
  const out: YearlyReturn[] = [];
  let cur: { year: number; g: number } | null = null;
  for (let i = 0; i < dates.length; i++) {
    const [year] = yearMonth(dates[i]!);
    if (!cur || cur.year !== year) {
      if (cur) out.push({ year: cur.year, ret: cur.g - 1 });
      cur = { year, g: 1 };
    }
    cur.g *= 1 + dailyReturns[i]!;
  }
  if (cur) out.push({ year: cur.year, ret: cur.g - 1 });
  return out;
}

/**
 * Drawdown (underwater) series of a value series: dd[i] = values[i] / max(values[0..i]) - 1.
 * @param values portfolio values (> 0)
 * @returns fractions <= 0, same length (0 on a new high); NaN from the first NaN value on
 */
export function drawdownSeries(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  let peak = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v) || Number.isNaN(peak)) {
      peak = Number.NaN;
      out.push(Number.NaN);
      continue;
    }
    if (v > peak) peak = v;
    out.push(v / peak - 1);
  }
  return out;
}

/**
 * The k deepest drawdown episodes of a value series, deepest first (ties: the earlier first).
 * An episode starts at a running peak, reaches its trough (lowest value before recovery) and ends on the first
 * date the value is back at or above the peak; episodes never overlap. The last one may be unrecovered
 * (end null; days counted to the last date). `days` counts trading days (index difference) from start to end.
 * @param values portfolio values (> 0), one per date; NaN values are not allowed
 * @param dates ISO dates, same length
 * @param k number of episodes to return (default {@link WORST_DRAWDOWNS_DEFAULT_K})
 * @throws RangeError when the lengths differ or a value is NaN
 */
export function worstDrawdowns(
  values: ArrayLike<number>,
  dates: readonly string[],
  k: number = WORST_DRAWDOWNS_DEFAULT_K,
): DrawdownPeriod[] {
  checkLengths(dates, values, 'worstDrawdowns');
  const episodes: (DrawdownPeriod & { startIdx: number })[] = [];
  let peakIdx = 0;
  let troughIdx = -1; // -1: not in a drawdown
  const close = (endIdx: number | null): void => {
    const last = endIdx ?? values.length - 1;
    episodes.push({
      start: dates[peakIdx]!,
      trough: dates[troughIdx]!,
      end: endIdx === null ? null : dates[endIdx]!,
      depth: values[troughIdx]! / values[peakIdx]! - 1,
      days: last - peakIdx,
      startIdx: peakIdx,
    });
  };
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) throw new RangeError(`worstDrawdowns: NaN value at ${i}`);
    if (i === 0) continue;
    const peak = values[peakIdx]!;
    if (v >= peak) {
      if (troughIdx >= 0) close(i);
      troughIdx = -1;
      peakIdx = i;
    } else if (troughIdx < 0 || v < values[troughIdx]!) {
      troughIdx = i;
    }
  }
  if (troughIdx >= 0) close(null);
  episodes.sort((a, b) => a.depth - b.depth || a.startIdx - b.startIdx);
  return episodes.slice(0, Math.max(0, k)).map(({ startIdx: _s, ...p }) => p);
}

/** Tear-sheet parts of one equity curve, as {@link tearSheetParts} gives them. */
export interface TearSheetParts {
  underwater: ReportSeries;
  monthly: MonthlyReturn[];
  yearly: YearlyReturn[];
  worstDrawdowns: DrawdownPeriod[];
}

/**
 * Underwater series, monthly and yearly returns and worst drawdowns of one equity curve (the returns are
 * {@link returnsFromValues} on dates[1..], so the first date only sets the starting value).
 * @param equity value series (> 0) with its dates
 * @param k worst drawdowns to keep (default {@link WORST_DRAWDOWNS_DEFAULT_K})
 */
export function tearSheetParts(equity: ReportSeries, k: number = WORST_DRAWDOWNS_DEFAULT_K): TearSheetParts {
  checkLengths(equity.dates, equity.values, `tearSheetParts(${equity.name})`);
  const r = returnsFromValues(equity.values);
  const d = equity.dates.slice(1);
  return {
    underwater: {
      name: equity.name,
      dates: equity.dates.slice(),
      values: drawdownSeries(equity.values),
      ...(equity.hindsight ? { hindsight: true } : {}),
    },
    monthly: monthlyReturns(d, r),
    yearly: yearlyReturns(d, r),
    worstDrawdowns: worstDrawdowns(equity.values, equity.dates, k),
  };
}

/** "p = 0.123" with three decimals, "p < 0.001" below that, "no test" when there is none. */
export function pValueText(p: number): string {
  if (!Number.isFinite(p)) return 'no test';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/**
 * One line saying whether a learned strategy's group beats equal weight on its window, with the figures the rule
 * compares, how many seeds beat it and the paired test's p-value (the first page of every report).
 */
export function verdictText(v: ReportVerdict): string {
  const win = `${v.windowFrom} \u2013 ${v.windowTo}`;
  if (v.outcome === 'no-reference' || v.reference === null)
    return `${v.name} (${win}): no equal-weight run (crp or ubah) on this window with the same data and trading terms, so no verdict; run one to compare.`;
  if (v.outcome === 'not-comparable')
    return `${v.name} (${win}): Sharpe ratio or cumulative return undefined, so it cannot be compared with equal weight (${v.reference}).`;
  const phrase = v.outcome === 'beats' ? 'beats' : 'does NOT beat';
  const seeds = v.seeds > 1 ? `; ${v.seedsBeating} of ${v.seeds} seeds beat it on both` : '';
  const p = Number.isFinite(v.pValue)
    ? `; paired test of the Sharpe ratios ${pValueText(v.pValue)} over ${v.pairedDays} days`
    : '; no paired test (too few common days)';
  return `${v.name} (${win}) ${phrase} equal weight (${v.reference}): Sharpe ${fixed(v.sharpe, 2)} vs ${fixed(v.ewSharpe, 2)}, cumulative return ${pct(v.cumulativeReturn, 2)} vs ${pct(v.ewCumulativeReturn, 2)}${seeds}${p}.`;
}

/** What the verdict box of a report says when no learned strategy is in it. */
export const NO_LEARNED_VERDICT = 'No learned strategy in this report, so no equal-weight verdict applies.';

/**
 * One-way turnover of an allocation's trade: ½ Σ |target − previous| over the assets and cash, with the previous
 * weights drifted to the close (the one definition: src-shared/domain/portfolio.ts tradeFigures). Without a
 * previous cash weight the previous book's cash is its remainder 1 − Σ previous.
 */
export function allocationTurnover(
  rows: readonly { weight: number; previousWeight: number }[],
  cashWeight: number,
  previousCashWeight?: number | null,
): number {
  const target = book(
    rows.map((r) => r.weight),
    cashWeight,
  );
  const previous = book(
    rows.map((r) => r.previousWeight),
    previousCashWeight ?? undefined,
  );
  return tradeFigures(target, previous, 0).oneWay;
}
