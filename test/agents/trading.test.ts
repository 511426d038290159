/**
 * The trade rule (agents/samp/trading.ts bandedPartialTrade), counted by hand: the no-trade band decides which assets
 * trade, each moves `rate` of its gap, or closes it when the gap left would be under the band; never more than the
 * whole book in the assets. The training environment (PortfolioEnv.step) and the decisions (strategies/hadaps
 * hadapsTrade, which MPLS uses too) trade through it.
 */
import { describe, expect, it } from 'vitest';
import { applyNoTradeBand, bandedPartialTrade, partialTrade } from '../../src-main/agents/samp/trading';
import { PortfolioEnv } from '../../src-main/agents/samp/env';
import { MarketView } from '../../src-main/market/view';
import { matrixFromRelatives } from '../helpers/data';
import { hadapsTrade } from '../../src-main/strategies/hadaps';

const sum = (w: ArrayLike<number>): number => Array.from(w).reduce((a, b) => a + b, 0);

describe('bandedPartialTrade: band 0.02, rate 0.1', () => {
  it('from cash reaches 30 equal targets in 5 days, the cash going to 0', () => {
    const n = 30;
    const target = new Float64Array(n).fill(1 / n);
    let held: Float64Array = new Float64Array(n);
    // the gap a day before trading: 3.33, 3.0, 2.7, 2.43, 2.187 points; on day 5 the step would leave 1.968 < 2: closed
    const gaps = [1 / 30, 0.9 / 30, 0.81 / 30, 0.729 / 30, 0.6561 / 30];
    for (let day = 0; day < 5; day++) {
      expect(target[0]! - held[0]!).toBeCloseTo(gaps[day]!, 12);
      held = bandedPartialTrade(target, held, 0.02, 0.1);
      if (day < 4) expect(held[0]).toBeCloseTo((1 - 0.9 ** (day + 1)) / 30, 12);
    }
    expect(Array.from(held)).toEqual(Array.from(target));
    expect(1 - sum(held)).toBeCloseTo(0, 12);
    // and it stays there: nothing left to trade
    expect(Array.from(bandedPartialTrade(target, held, 0.02, 0.1))).toEqual(Array.from(target));

    // the rule before the fix (the band, then the rate) stalled each asset 1.97 points short: 59% of the book in cash
    let old: Float64Array = new Float64Array(n);
    for (let day = 0; day < 50; day++) old = partialTrade(applyNoTradeBand(target, old, 0.02), old, 0.1);
    expect(target[0]! - old[0]!).toBeCloseTo((0.6561 * 0.9) / 30, 12);
    expect(1 - sum(old)).toBeCloseTo(0.59049, 10);
  });

  it('is what the training environment and hadapsTrade trade', () => {
    const n = 30;
    const m = matrixFromRelatives(Array.from({ length: 8 }, () => new Array<number>(n).fill(1)));
    const env = new PortfolioEnv(new MarketView(m, 8), {
      firstDay: 0,
      lastDay: 7,
      costRate: 0.001,
      noTradeBand: 0.02,
      tradeRate: 0.1,
    });
    const target = new Float64Array(n).fill(1 / n);
    let held: Float64Array = new Float64Array(n);
    for (let day = 0; day < 5; day++) {
      const step = env.step(day, target, held);
      const dec = hadapsTrade(target, held, { noTradeBand: 0.02, tradeRate: 0.1 });
      expect(Array.from(step.executed)).toEqual(Array.from(dec));
      held = Float64Array.from(step.executed); // flat prices: no drift
    }
    expect(1 - sum(held)).toBeCloseTo(0, 12);
  });

  it('buys closed in full while a sell moves by the rate: the buys are scaled so the book sums to exactly 1', () => {
    const held = [0.5, 0.1, 0.1, 0.1, 0.1, 0.1];
    const target = [0.395, 0.121, 0.121, 0.121, 0.121, 0.121];
    // sell gap 0.105 -> a tenth: 0.4895 (0.0945 left, above the band); buy gaps 0.021 -> 0.0189 left < 0.02: closed,
    // to 0.121 each; 0.4895 + 5 x 0.121 = 1.0945 > 1 -> the buys keep f = (1 - 0.9895) / 0.105 = 0.1 of their trades
    const w = bandedPartialTrade(target, held, 0.02, 0.1);
    expect(w[0]).toBeCloseTo(0.4895, 15);
    for (let i = 1; i < 6; i++) expect(w[i]).toBeCloseTo(0.1021, 15);
    expect(sum(w)).toBeCloseTo(1, 14);
    expect(sum(w)).toBeLessThanOrEqual(1 + 1e-15);
    for (const x of w) expect(x).toBeGreaterThanOrEqual(0);
  });

  it('idle cash from a slow sell buys the assets whose own gaps are under the band (cash banded like an asset)', () => {
    // asset 0 sells from 0.5 to 0.05 by a tenth of its gap a day; 30 assets each 1.5 points under their 0.03 target:
    // no single buy clears the band, so before step 4 the sell's proceeds sat in cash (up to 45% of the book)
    const n = 31;
    const target = [0.05, ...new Array<number>(30).fill(0.95 / 30)];
    let held: Float64Array = Float64Array.from([0.5, ...new Array<number>(30).fill(0.95 / 30 - 0.015)]);
    let maxCash = 0;
    for (let day = 0; day < 40; day++) {
      held = bandedPartialTrade(target, held, 0.02, 0.1);
      maxCash = Math.max(maxCash, 1 - sum(held));
      expect(sum(held)).toBeLessThanOrEqual(1 + 1e-12);
      for (let i = 0; i < n; i++) expect(held[i]).toBeLessThanOrEqual(Math.max(target[i]!, 0.5) + 1e-12);
    }
    // the target holds no cash and neither does the book: the buys move by the rate in aggregate; it ends on target
    expect(maxCash).toBeLessThanOrEqual(1e-12);
    for (let i = 0; i < n; i++) expect(held[i]).toBeCloseTo(target[i]!, 12);
    // day 1 by hand: the sell moves 0.045 to 0.455, leaving 0.045 in cash where the cash's goal is 0 (no cash held
    // or targeted); the shortfall is 30 x 0.015 = 0.45, so each buy takes 0.045 / 0.45 = a tenth of its gap
    const day1 = bandedPartialTrade(target, [0.5, ...new Array<number>(30).fill(0.95 / 30 - 0.015)], 0.02, 0.1);
    expect(day1[0]).toBeCloseTo(0.455, 15);
    expect(day1[1]).toBeCloseTo(0.95 / 30 - 0.015 + 0.1 * 0.015, 14);
    expect(sum(day1)).toBeCloseTo(1, 14);
  });

  it('a traded asset whose step would leave a gap under the band closes it; others move by the rate', () => {
    // asset 0: gap 0.021 (0.0189 left < 0.02: closed); asset 1: gap 0.05 (0.045 left: a tenth); asset 2: gap 0.01 (kept)
    const w = bandedPartialTrade([0.221, 0.25, 0.21], [0.2, 0.2, 0.2], 0.02, 0.1);
    expect(w[0]).toBe(0.221);
    expect(w[1]).toBeCloseTo(0.205, 15);
    expect(w[2]).toBe(0.2);
    // sells close the same way
    const s = bandedPartialTrade([0.179, 0.2], [0.2, 0.2], 0.02, 0.1);
    expect(Array.from(s)).toEqual([0.179, 0.2]);
  });

  it('rate 1 is the band alone and band 0 the rate alone, exactly as before', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const book = (n: number): number[] => {
      const x = Array.from({ length: n + 1 }, rnd);
      const s = sum(x);
      return x.slice(0, n).map((v) => v / s);
    };
    for (let k = 0; k < 50; k++) {
      const w = book(10);
      const h = book(10);
      for (const band of [0, 0.01, 0.02, 0.05])
        expect(Array.from(bandedPartialTrade(w, h, band, 1))).toEqual(Array.from(applyNoTradeBand(w, h, band)));
      for (const rate of [0.05, 0.1, 0.25, 1])
        expect(Array.from(bandedPartialTrade(w, h, 0, rate))).toEqual(Array.from(partialTrade(w, h, rate)));
    }
    expect(() => bandedPartialTrade([1], [0], 0.02, 0)).toThrow(/trade rate/);
  });
});
