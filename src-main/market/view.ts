/**
 * MarketView: what a strategy may see when it decides at the close of day `t`. It exposes rows 0..t of the
 * price matrix and throws on any attempt to read a later row, so look-ahead is an error, not a silent leak.
 * (The look-ahead test in test/strategies/lookahead.test.ts proves it from the outside as well.)
 */
import type { PriceMatrix } from './prices';

export class LookAheadError extends Error {
  constructor(asked: number, t: number) {
    super(`look-ahead: read of day index ${asked} while deciding at day index ${t}`);
    this.name = 'LookAheadError';
  }
}

export class MarketView {
  readonly nAssets: number;
  readonly tickers: readonly string[];
  constructor(
    private readonly m: PriceMatrix,
    /** index of the decision day: the last row that may be read */
    readonly t: number,
  ) {
    if (t < 0 || t >= m.dates.length) throw new RangeError(`day index ${t} outside 0..${m.dates.length - 1}`);
    this.nAssets = m.tickers.length;
    this.tickers = m.tickers;
  }

  /** Number of visible days (t + 1). */
  get length(): number {
    return this.t + 1;
  }

  get date(): string {
    return this.m.dates[this.t]!;
  }

  dateAt(day: number): string {
    this.check(day);
    return this.m.dates[day]!;
  }

  /** Close prices of every asset on `day` (<= t). Do not mutate. */
  closes(day: number = this.t): Float64Array {
    this.check(day);
    return this.m.close[day]!;
  }

  close(day: number, asset: number): number {
    this.check(day);
    return this.m.close[day]![asset]!;
  }

  /** Price relatives close[day]/close[day-1] per asset (all ones for day 0). */
  relatives(day: number = this.t): Float64Array {
    this.check(day);
    const n = this.nAssets;
    const x = new Float64Array(n);
    if (day === 0) return x.fill(1);
    const a = this.m.close[day]!;
    const b = this.m.close[day - 1]!;
    for (let i = 0; i < n; i++) x[i] = a[i]! / b[i]!;
    return x;
  }

  /** Daily simple returns of the last `len` days ending at t: rows [t-len+1..t], each r[i] = x[i]-1. Fewer rows if history is short. */
  returnsWindow(len: number): Float64Array[] {
    const from = Math.max(1, this.t - len + 1);
    const out: Float64Array[] = [];
    for (let d = from; d <= this.t; d++) {
      const x = this.relatives(d);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! - 1;
      out.push(x);
    }
    return out;
  }

  /** Close rows [t-len+1..t] (fewer if history is short). */
  closeWindow(len: number): Float64Array[] {
    const from = Math.max(0, this.t - len + 1);
    return this.m.close.slice(from, this.t + 1);
  }

  /** A view of the same matrix at an earlier day (never later). */
  at(day: number): MarketView {
    this.check(day);
    return new MarketView(this.m, day);
  }

  private check(day: number): void {
    if (!Number.isInteger(day) || day < 0) throw new RangeError(`bad day index ${day}`);
    if (day > this.t) throw new LookAheadError(day, this.t);
  }
}
