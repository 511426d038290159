/**
 * What the strategic and tactical levels read about a class (docs/three-level.md "Class signals"): each risky
 * class is an equal-weight basket of its assets, rebalanced daily (its daily return is the mean of its members'
 * simple returns), and from the closes up to the day of the decision only:
 *   - trend: the basket's return over the last `shortWindow` and `longWindow` days (the buy-and-hold equal-weight
 *     basket from then to now);
 *   - volatility: the sample standard deviation of its daily returns over the last `volatilityWindow` days;
 *   - drawdown: how far its index stands below its highest close over the last `drawdownWindow` days (0 at a
 *     high, negative below).
 * Each window is shortened where the data begin later (a volatility needs at least two returns, else it is 0).
 * Cash has no signals (all 0).
 */
import { sampleStd } from '../../metrics';
import type { ClassLayout } from '../hadaps/classes';

/** The windows of the class signals, in trading days. */
export interface SignalWindows {
  shortWindow: number;
  longWindow: number;
  volatilityWindow: number;
  drawdownWindow: number;
}

/** One risky class's signals at a close. */
export interface ClassSignals {
  trendShort: number;
  trendLong: number;
  volatility: number;
  drawdown: number;
}

/** Reads the closes of a day (a MarketView's `closes`, or a matrix row): never a day after the decision. */
export type Closes = (day: number) => Float64Array;

/** The buy-and-hold return of an equal-weight basket of `members` from the close of `from` to that of `to`. */
export function basketReturn(closes: Closes, members: readonly number[], from: number, to: number): number {
  const a = closes(from);
  const b = closes(to);
  let s = 0;
  for (const i of members) s += b[i]! / a[i]!;
  return s / members.length - 1;
}

/** The basket's daily returns over the `count` days ending at `t` (fewer where the data begin later). */
export function basketDailyReturns(closes: Closes, members: readonly number[], t: number, count: number): Float64Array {
  const c = Math.max(0, Math.min(count, t));
  const out = new Float64Array(c);
  let next = closes(t - c);
  for (let k = 0; k < c; k++) {
    const prev = next;
    next = closes(t - c + 1 + k);
    let s = 0;
    for (const i of members) s += next[i]! / prev[i]!;
    out[k] = s / members.length - 1;
  }
  return out;
}

/** The signals of every risky class of `layout` at the close of `t` (see the file overview). */
export function classSignals(closes: Closes, t: number, layout: ClassLayout, w: SignalWindows): ClassSignals[] {
  const longest = Math.max(w.volatilityWindow, w.drawdownWindow);
  return layout.classes.map((c) => {
    const daily = basketDailyReturns(closes, c.members, t, longest);
    const L = daily.length;
    const vol = daily.subarray(L - Math.min(L, w.volatilityWindow));
    let index = 1;
    let peak = 1;
    for (let k = L - Math.min(L, w.drawdownWindow); k < L; k++) {
      index *= 1 + daily[k]!;
      peak = Math.max(peak, index);
    }
    return {
      trendShort: basketReturn(closes, c.members, Math.max(0, t - w.shortWindow), t),
      trendLong: basketReturn(closes, c.members, Math.max(0, t - w.longWindow), t),
      volatility: vol.length >= 2 ? sampleStd(vol) : 0,
      drawdown: index / peak - 1,
    };
  });
}
