/**
 * src-shared/domain/portfolio.ts: previous weights, turnover and the capital split, hand-computed, and equal to
 * what the engine (src-main/market/simulate.ts) books for the same days.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  allCash,
  book,
  capitalSplit,
  driftWeights,
  previousWeights,
  priceRelatives,
  tradeFigures,
} from '../../src-shared/domain/portfolio';
import { simulate } from '../../src-main/market/simulate';
import type { StrategyInstance } from '../../src-main/strategies/types';
import { allocationTurnover } from '../../src-main/reports/derive';
import { matrixFromRelatives } from '../helpers/data';

const close = (x: number) => expect.closeTo(x, 14);

describe('previous weights', () => {
  it('before the first decision the book is all cash: risky 0, cash 1 (never cash 0)', () => {
    expect(Array.from(previousWeights(null, null, 3))).toEqual([0, 0, 0, 1]);
    expect(Array.from(allCash(2))).toEqual([0, 0, 1]);
  });

  it('drift the held weights to the close: b_i x_i / g, cash at the risk-free growth', () => {
    // held 50% A, 30% B, 20% cash; A +10%, B -10%, cash +0.1%: g = 0.55 + 0.27 + 0.2002 = 1.0202
    const d = previousWeights([0.5, 0.3, 0.2], [1.1, 0.9], 2, 1.001);
    expect(Array.from(d)).toEqual([close(0.55 / 1.0202), close(0.27 / 1.0202), close(0.2002 / 1.0202)]);
    expect(d.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
  });

  it('the issue-17 case: a 13.08% target drifts to 13.11% when the stock beats the book by the right amount', () => {
    // JNJ held at 13.08% gains 0.3% on a day the rest of the book is flat: 0.1308 * 1.003 / (1 + 0.1308 * 0.003)
    const d = driftWeights(book([0.1308, 0.8], 0.0692), [1.003, 1]);
    expect(d[0]).toBeCloseTo((0.1308 * 1.003) / (1 + 0.1308 * 0.003), 14);
    expect(Number((d[0]! * 100).toFixed(2))).toBe(13.11);
  });

  it('refuses mismatched lengths and a missing price relative, naming the problem', () => {
    expect(() => driftWeights([0.5, 0.5], [1, 1])).toThrow(/2 held weights for 2 assets \(expected 3, cash last\)/);
    expect(() => previousWeights([0.5, 0.5], null, 1)).toThrow(/price relatives/);
    expect(() => priceRelatives([10, 0], [11, 5])).toThrow(/asset 1 \(0 then 5\)/);
    expect(Array.from(priceRelatives([10, 4], [11, 5]))).toEqual([close(1.1), close(1.25)]);
  });
});

describe('turnover and cost', () => {
  it('first day from cash: one-way turnover = Σ|w| of the risky weights (97.9% when 97.9% is invested)', () => {
    const target = book([0.4, 0.379, 0.2], 0.021);
    const t = tradeFigures(target, allCash(3), 0.001);
    expect(t.oneWay).toBeCloseTo(0.979, 14);
    // the cost is charged on the risky legs: 0.1% of 97.9% = 9.79 bp, not half of it
    expect(t.riskyTraded).toBeCloseTo(0.979, 14);
    expect(t.cost).toBeCloseTo(0.000979, 15);
    expect(t.oneWayPerYear).toBeCloseTo(0.979 * 252, 11);
    expect(t.costPerYear).toBeCloseTo(0.000979 * 252, 12);
  });

  it('a rebalance: ½ Σ over every slot, cash included', () => {
    // previous 50/30/20 cash, target 40/40/20: risky moves 0.1 + 0.1, cash none -> one-way 0.1
    const t = tradeFigures([0.4, 0.4, 0.2], [0.5, 0.3, 0.2], 0.002);
    expect(t.oneWay).toBeCloseTo(0.1, 15);
    expect(t.riskyTraded).toBeCloseTo(0.2, 15);
    expect(t.cost).toBeCloseTo(0.0004, 15);
    // selling 10% of A into cash: risky 0.1, cash 0.1 -> one-way 0.1
    expect(tradeFigures([0.4, 0.3, 0.3], [0.5, 0.3, 0.2], 0).oneWay).toBeCloseTo(0.1, 15);
  });

  it('equals the engine day by day: drifted weights, one-way turnover and cost of a random strategy with cash', () => {
    const rnd = seedrandom('portfolio');
    const days = 12;
    const n = 4;
    const m = matrixFromRelatives(
      Array.from({ length: days }, () => Array.from({ length: n }, () => 0.95 + 0.1 * rnd())),
    );
    const strategy: StrategyInstance = {
      decide: () => {
        const w = Array.from({ length: n }, () => rnd());
        const s = w.reduce((a, b) => a + b, 0) / (0.6 + 0.4 * rnd()); // invests 60-100%
        return Float64Array.from(w, (v) => v / s);
      },
    };
    const sim = simulate(m, strategy, {
      strategyId: 'random',
      testStart: 0,
      testEnd: days,
      settings: { cost: 0.0015, riskFreeRate: 0.05 },
    });
    const cashGrowth = Math.pow(1.05, 1 / 252);
    for (let k = 0; k < sim.dates.length; k++) {
      const t = sim.testStart + k;
      const prev =
        k === 0
          ? previousWeights(null, null, n)
          : previousWeights(sim.held[k - 1]!, priceRelatives(m.close[t - 1]!, m.close[t]!), n, cashGrowth);
      expect(Array.from(prev)).toEqual(Array.from(sim.drifted[k]!).map(close));
      const f = tradeFigures(sim.target[k]!, prev, 0.0015);
      expect(f.oneWay).toBeCloseTo(sim.turnover[k]!, 14);
      expect(f.cost).toBeCloseTo(sim.cost[k]!, 15);
    }
  });
});

describe('the reports use the same turnover', () => {
  it("an allocation report's turnover is one-way with cash (97.9% from cash), not Σ|trade| over the stocks", () => {
    const rows = [0.5, 0.479].map((weight) => ({ weight, previousWeight: 0 }));
    expect(allocationTurnover(rows, 0.021, 1)).toBeCloseTo(0.979, 14);
    // 50/30 + 20% cash to 40/40 + 20% cash: one-way 10%, where the old "traded" read 20%
    const moved = [
      { weight: 0.4, previousWeight: 0.5 },
      { weight: 0.4, previousWeight: 0.3 },
    ];
    expect(allocationTurnover(moved, 0.2, 0.2)).toBeCloseTo(0.1, 15);
    expect(allocationTurnover(moved, 0.2)).toBeCloseTo(0.1, 15);
  });
});

describe('capital split', () => {
  const tickers = ['AA', 'BB', 'CC', 'DD'];
  const groups: Record<string, string> = { AA: 'high', BB: 'ordinary', CC: 'high', DD: 'ordinary' };
  const groupOf = (t: string) => ({ key: groups[t]!, label: groups[t] === 'high' ? 'High-quality' : 'Ordinary' });

  it("the headline is the final mix: each group's target weights summed, and the cash as held", () => {
    // a = 0.3; lower agents' part 0.7 split c2 0.4 / c1 0.152 / cash 0.448 -> the book holds 0.7 * 0.448 = 31.36% cash
    const s = capitalSplit(tickers, [0.25, 0.1, 0.2136, 0.1228], 0.3136, groupOf, ['high', 'ordinary']);
    expect(s.parts.map((p) => [p.key, p.label, p.members])).toEqual([
      ['high', 'High-quality', ['AA', 'CC']],
      ['ordinary', 'Ordinary', ['BB', 'DD']],
    ]);
    expect(s.parts.map((p) => p.weight)).toEqual([close(0.4636), close(0.2228)]);
    expect(s.cash).toBe(0.3136);
    expect(s.invested + s.cash).toBeCloseTo(1, 14);
  });

  it('keeps the given order whatever the weights, so a group keeps its place (and its colour) between dates', () => {
    const a = capitalSplit(tickers, [0.4, 0.1, 0.4, 0.1], 0, groupOf, ['high', 'ordinary']);
    const b = capitalSplit(tickers, [0.1, 0.4, 0.1, 0.4], 0, groupOf, ['high', 'ordinary']);
    expect(a.parts.map((p) => p.key)).toEqual(['high', 'ordinary']);
    expect(b.parts.map((p) => p.key)).toEqual(['high', 'ordinary']);
    // without an order: largest first, ties by key
    expect(capitalSplit(tickers, [0.1, 0.4, 0.1, 0.4], 0, groupOf).parts.map((p) => p.key)).toEqual([
      'ordinary',
      'high',
    ]);
    expect(() => capitalSplit(tickers, [1], 0, groupOf)).toThrow(/4 tickers but 1 weights/);
  });
});
