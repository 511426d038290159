/**
 * Execution costs: what one rebalance pays, split into commission, half-spread and market impact — the one place a
 * trade is priced (docs/backtest-conventions.md "Execution costs: spread and market impact"). The simulator
 * (simulate.ts) asks it on rebalancing days only and takes the total out of the value at the close, once.
 *
 * A rebalance at the close of day t moves the drifted weights to the targets. For each RISKY asset i let
 * d_i = |w_target,i - w_drift,i| (cash is never charged: simulate.ts says why) and V the book's value just before
 * the trade in the prices' currency: `bookValue` x the run's value path (1 at the start of the window) x the day's
 * growth. The three parts, each a fraction of the value before the trade:
 * - commission  c x Σ d_i, c the proportional `cost` (the only part without the model, computed as it always was);
 * - spread      Σ s_i x d_i, s_i the asset's half-spread (`halfSpreadBp` / 10^4, or its own value by ticker):
 *               every unit bought pays half the bid-ask spread above the mid, every unit sold half below it;
 * - impact      Σ k x σ_i,t x sqrt(d_i V / ADV_i,t) x d_i: the square-root law, under which a trade of value
 *               Q = d_i V costs about k σ sqrt(Q / ADV) of its value, so the cost in currency grows as Q^(3/2).
 *               It is charged only with the model on and only on assets that trade (d_i > 0).
 * - σ_i,t  the sample standard deviation (n - 1) of asset i's daily simple returns over the `window` returns that
 *          end at the close of t (closes t - window .. t; fewer where the data begin later, at least 2);
 * - ADV_i,t the mean traded value (close x volume, PriceMatrix.tradedValue) over the `window` days that end at t,
 *          taken over the days whose volume is known when they are at least half of those days; otherwise the
 *          proxy `advProxy`. Every asset trade priced with the proxy is counted, so a run can say how much of its
 *          impact rests on it.
 * Both read rows up to t only: what is known at the close where the trade happens, nothing later.
 *
 * Defaults (IMPACT_DEFAULTS), each a named setting of the run:
 * - halfSpreadBp 5: the bundled Dow stocks of the 1990s were quoted in eighths of a dollar and, from 1997, in
 *   sixteenths; a sixteenth on a $60 share is a spread of about 10 bp, half of it 5 bp. Large US stocks quote a
 *   spread of a few basis points today, so for recent data this errs on the high side.
 * - impactK 1: the prefactor of the square-root law is found to be of order one in study after study (Tóth et al.
 *   2011, "Anomalous price impact and the critical nature of liquidity"; Bouchaud, Bonart, Donier and Gould 2018,
 *   "Trades, Quotes and Prices"), with estimates mostly between 0.5 and 1; 1, the top of that range, errs towards
 *   charging too much rather than too little.
 * - bookValue 100 million: a PM's book of that size in the currency of the prices (dollars for the bundled data).
 *   Impact depends on absolute size while the engine works in fractions: a book four times larger pays twice the
 *   impact per unit traded.
 * - window 20 trading days (about a month): the usual span of a "20-day ADV" and of a short-horizon volatility.
 * - advProxy 100 million a day per asset: the bundled data have closes only, so their average daily traded value is
 *   assumed. It is about what a Dow member traded in the 1990s (one to a few million shares a day at $30 to $100
 *   a share); volumes grew several-fold over the decade, so it overstates the impact of the late years and
 *   understates that of the early ones. Impact scales as 1 / sqrt(ADV): a proxy wrong by a factor 4 is wrong by
 *   a factor 2 in impact. Runs say when they used it.
 *
 * The learned strategies train in their own environments with the proportional cost only (agents/samp/env.ts and
 * the other families' environments); the model applies to the backtest of every strategy.
 */
import type { RunImpact } from '../../src-shared/domain/runConfig';
import { sampleStd } from '../metrics';
import type { PriceMatrix } from './prices';

/** The settings of the half-spread and market-impact model (their meaning: the file header; the shape: RunImpact). */
export type ImpactSettings = RunImpact;

/** The model's defaults (sources in the file header). */
export const IMPACT_DEFAULTS: Readonly<ImpactSettings> = Object.freeze({
  halfSpreadBp: 5,
  halfSpreadBpByTicker: {},
  impactK: 1,
  bookValue: 100_000_000,
  window: 20,
  advProxy: 100_000_000,
});

/** Basis points in a unit. */
const BP = 10_000;

/**
 * The model's settings with the defaults filled in, checked against the universe's tickers. Takes what was given
 * (an absent or undefined field takes its default) and the tickers a per-asset half-spread may name.
 * @throws RangeError naming the first bad setting, or every ticker of halfSpreadBpByTicker outside the universe.
 */
export function resolveImpact(given: Partial<ImpactSettings>, tickers: readonly string[]): ImpactSettings {
  const pick = <K extends keyof ImpactSettings>(k: K): ImpactSettings[K] => given[k] ?? IMPACT_DEFAULTS[k];
  const s: ImpactSettings = {
    halfSpreadBp: pick('halfSpreadBp'),
    halfSpreadBpByTicker: { ...pick('halfSpreadBpByTicker') },
    impactK: pick('impactK'),
    bookValue: pick('bookValue'),
    window: pick('window'),
    advProxy: pick('advProxy'),
  };
  const spread = (v: number, what: string) => {
    if (!(Number.isFinite(v) && v >= 0 && v < BP))
      throw new RangeError(`${what} must be a number of basis points in [0, 10000), got ${v}`);
  };
  spread(s.halfSpreadBp, 'halfSpreadBp');
  const known = new Set(tickers);
  const unknown = Object.keys(s.halfSpreadBpByTicker).filter((tk) => !known.has(tk));
  if (unknown.length) throw new RangeError(`half-spread given for tickers outside the universe: ${unknown.join(', ')}`);
  for (const [tk, v] of Object.entries(s.halfSpreadBpByTicker)) spread(v, `the half-spread of ${tk}`);
  if (!(Number.isFinite(s.impactK) && s.impactK >= 0))
    throw new RangeError(`impactK must be a finite number >= 0, got ${s.impactK}`);
  if (!(Number.isFinite(s.bookValue) && s.bookValue > 0))
    throw new RangeError(`bookValue must be a finite amount > 0, got ${s.bookValue}`);
  if (!(Number.isInteger(s.window) && s.window >= 2))
    throw new RangeError(`window must be a whole number of days >= 2, got ${s.window}`);
  if (!(Number.isFinite(s.advProxy) && s.advProxy > 0))
    throw new RangeError(`advProxy must be a finite amount > 0, got ${s.advProxy}`);
  return s;
}

/** What one rebalance pays: each part a fraction of the value before the trade. */
export interface TradeCost {
  /** Σ |w_target,i - w_drift,i| over the risky assets (the commission's base) */
  traded: number;
  commission: number;
  spread: number;
  impact: number;
}

/** A TradeCost to fill (the simulator reuses one). */
export function emptyTradeCost(): TradeCost {
  return { traded: 0, commission: 0, spread: 0, impact: 0 };
}

/**
 * Prices the rebalances of one price matrix under one set of costs (the file header). Without the model (impact
 * null) it charges the commission alone, exactly as the simulator always did.
 */
export class ExecutionCosts {
  /** the settings in force, defaults filled in; null without the model */
  readonly impact: ImpactSettings | null;
  /** asset trades whose ADV came from the data's volume / from the proxy */
  advFromData = 0;
  advFromProxy = 0;
  private readonly halfSpread: Float64Array;
  private readonly returns: Float64Array;
  private lastAdvFromProxy = false;

  /**
   * @param m the price matrix the trades happen in (its traded values, where it has them, give the ADV)
   * @param commission the proportional cost c, in [0, 1)
   * @param impact the model's settings (missing fields take their defaults), or null for the commission alone
   */
  constructor(
    private readonly m: PriceMatrix,
    readonly commission: number,
    impact: Partial<ImpactSettings> | null,
  ) {
    if (!(commission >= 0 && commission < 1)) throw new RangeError(`cost must be in [0, 1), got ${commission}`);
    this.impact = impact ? resolveImpact(impact, m.tickers) : null;
    const s = this.impact;
    this.halfSpread = Float64Array.from(
      m.tickers,
      (tk) => (s ? (s.halfSpreadBpByTicker[tk] ?? s.halfSpreadBp) : 0) / BP,
    );
    this.returns = new Float64Array(s ? s.window : 0);
  }

  /**
   * Price the trade at the close of day t from `drifted` to `target` (risky weights first, cash last; only the
   * first n entries are read) into `out`. `valueBefore` is the run's value just before the trade (1 at the start
   * of the window; the book is worth bookValue x it).
   * @throws RangeError when the model cannot price a traded asset (too little history for its volatility, nothing
   *   traded over its window) or the costs would take the whole value.
   */
  charge(t: number, drifted: ArrayLike<number>, target: ArrayLike<number>, valueBefore: number, out: TradeCost): void {
    const n = this.m.tickers.length;
    let traded = 0;
    for (let i = 0; i < n; i++) traded += Math.abs(target[i]! - drifted[i]!);
    out.traded = traded;
    out.commission = this.commission * traded;
    out.spread = 0;
    out.impact = 0;
    const s = this.impact;
    if (!s) return;
    const book = s.bookValue * valueBefore;
    let spread = 0;
    let impact = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(target[i]! - drifted[i]!);
      if (d === 0) continue;
      spread += this.halfSpread[i]! * d;
      const adv = this.averageDailyTradedValue(i, t);
      if (this.lastAdvFromProxy) this.advFromProxy++;
      else this.advFromData++;
      impact += s.impactK * this.volatility(i, t) * Math.sqrt((d * book) / adv) * d;
    }
    out.spread = spread;
    out.impact = impact;
    const total = out.commission + spread + impact;
    if (!(total < 1))
      throw new RangeError(
        `the costs of the rebalance at the close of ${this.m.dates[t]} would take ${(total * 100).toFixed(1)}% of the book: a book of ${s.bookValue} is too large for this market`,
      );
  }

  /**
   * σ_i,t: the sample standard deviation of asset i's daily simple returns over the `window` returns ending at the
   * close of t (fewer where the data begin later). Reads closes up to t only.
   * @throws RangeError with fewer than 2 returns (t < 2).
   */
  volatility(i: number, t: number): number {
    const s = this.impact;
    if (!s) throw new Error('volatility: the impact model is off');
    const count = Math.min(s.window, t);
    if (count < 2)
      throw new RangeError(
        `the impact model needs at least 2 daily returns of ${this.m.tickers[i]} up to ${this.m.dates[t]} for its volatility, and the data hold ${Math.max(0, count)}: start the test window later or give it more history`,
      );
    const close = this.m.close;
    for (let k = 0; k < count; k++) {
      const u = t - count + 1 + k;
      this.returns[k] = close[u]![i]! / close[u - 1]![i]! - 1;
    }
    return sampleStd(this.returns.subarray(0, count));
  }

  /**
   * ADV_i,t: the mean traded value of asset i over the `window` days ending at t (fewer where the data begin
   * later), over the days whose volume is known when they are at least half of them; otherwise the proxy. Reads
   * rows up to t only.
   * @throws RangeError when the known days traded nothing at all (no trade could be priced there).
   */
  averageDailyTradedValue(i: number, t: number): number {
    const s = this.impact;
    if (!s) throw new Error('averageDailyTradedValue: the impact model is off');
    const tv = this.m.tradedValue;
    const count = Math.min(s.window, t + 1);
    let known = 0;
    let sum = 0;
    if (tv)
      for (let u = t - count + 1; u <= t; u++) {
        const v = tv[u]![i]!;
        if (Number.isFinite(v)) {
          known++;
          sum += v;
        }
      }
    if (known === 0 || 2 * known < count) {
      this.lastAdvFromProxy = true;
      return s.advProxy;
    }
    this.lastAdvFromProxy = false;
    if (!(sum > 0))
      throw new RangeError(
        `${this.m.tickers[i]} traded nothing over the ${known} days with a volume up to ${this.m.dates[t]}: the impact model cannot price a trade in it`,
      );
    return sum / known;
  }
}
