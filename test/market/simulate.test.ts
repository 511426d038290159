import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { InvalidDecisionError, parseRebalance, rebalancePeriod, simulate } from '../../src-main/market/simulate';
import { LookAheadError, type MarketView } from '../../src-main/market/view';
import type { StrategyDecision, StrategyInstance } from '../../src-main/strategies/types';
import { matrixFromRelatives } from '../helpers/data';

/** A strategy returning the same weights every day. */
const constant = (w: number[]): StrategyInstance => ({ decide: () => Float64Array.from(w) });

// prices: day0 [1, 1]; day1 relatives [1.1, 0.9]; day2 relatives [1.0, 1.2]
const m2 = matrixFromRelatives([
  [1.1, 0.9],
  [1.0, 1.2],
]);

describe('simulate: timing, drift and cost (hand-computed)', () => {
  it('50/50 CRP without cost: value 1, 1, 1.1', () => {
    const r = simulate(m2, constant([0.5, 0.5]), {
      strategyId: 'crp',
      testStart: 0,
      testEnd: 2,
      settings: { cost: 0 },
    });
    expect(Array.from(r.value)).toEqual([1, 1, expect.closeTo(1.1, 14)]);
    expect(Array.from(r.ret)).toEqual([0, 0, expect.closeTo(0.1, 14)]);
    // day 1 drift: 0.55 / 0.45; day 2 drift: 0.5/1.1, 0.6/1.1
    expect(Array.from(r.drifted[1]!)).toEqual([expect.closeTo(0.55, 14), expect.closeTo(0.45, 14), 0]);
    expect(Array.from(r.drifted[2]!)).toEqual([expect.closeTo(0.5 / 1.1, 14), expect.closeTo(0.6 / 1.1, 14), 0]);
    // one-way turnover: initial purchase 1, then 0.05 (0.55 -> 0.5 and 0.45 -> 0.5), then 0.5/1.1 - ... = 0.0454..
    expect(Array.from(r.turnover)).toEqual([1, expect.closeTo(0.05, 14), expect.closeTo(0.05 / 1.1, 14)]);
    expect(Array.from(r.target[0]!)).toEqual([0.5, 0.5, 0]);
    expect(r.dates).toEqual(m2.dates);
  });

  it('cost 1 %: the initial purchase and every rebalance pay c x sum |dw| over the risky assets', () => {
    const r = simulate(m2, constant([0.5, 0.5]), {
      strategyId: 'crp',
      testStart: 0,
      testEnd: 2,
      settings: { cost: 0.01 },
    });
    // day 0: buy 100 % from cash: cost 0.01 -> V0 = 0.99
    // day 1: g = 1, trade 0.1 (risky) -> cost 0.001 -> V1 = 0.99 * 0.999 = 0.98901
    // day 2: g = 1.1, trade 2 x (0.5 - 0.5/1.1) = 0.0909.. -> cost 0.000909.. -> V2 = 0.98901 * 1.1 * (1 - 0.01 * 0.1/1.1)
    expect(r.value[0]).toBeCloseTo(0.99, 14);
    expect(r.value[1]).toBeCloseTo(0.98901, 14);
    expect(r.value[2]).toBeCloseTo(0.98901 * 1.1 * (1 - 0.001 / 1.1), 14);
    expect(Array.from(r.cost)).toEqual([
      expect.closeTo(0.01, 15),
      expect.closeTo(0.001, 15),
      expect.closeTo(0.001 / 1.1, 15),
    ]);
    expect(r.ret[0]).toBeCloseTo(-0.01, 15);
    expect(r.ret[1]).toBeCloseTo(-0.001, 15);
  });

  it('cash is not charged: buying 50 % from cash costs c x 0.5, one-way turnover 0.5', () => {
    const r = simulate(m2, constant([0.5, 0]), {
      strategyId: 'half',
      testStart: 0,
      testEnd: 1,
      settings: { cost: 0.01 },
    });
    expect(r.cost[0]).toBeCloseTo(0.005, 15); // not 0.01 (that would charge the cash leg too)
    expect(r.turnover[0]).toBeCloseTo(0.5, 15);
    expect(Array.from(r.target[0]!)).toEqual([0.5, 0, 0.5]);
    // day 1: cash earns 0 (rf 0), asset 0 earns 10 %: g = 0.5 * 1.1 + 0.5 = 1.05
    expect(Array.from(r.drifted[1]!)).toEqual([expect.closeTo(0.55 / 1.05, 14), 0, expect.closeTo(0.5 / 1.05, 14)]);
    // rebalance back: risky trade |0.5 - 0.55/1.05| = 0.025/1.05
    expect(r.cost[1]).toBeCloseTo((0.01 * 0.025) / 1.05, 15);
    expect(r.value[1]).toBeCloseTo(0.995 * 1.05 * (1 - (0.01 * 0.025) / 1.05), 14);
  });

  it('cash earns the daily equivalent of the annual risk-free rate', () => {
    const m = matrixFromRelatives(Array.from({ length: 5 }, () => [1.01]));
    const rf = Math.pow(1.001, 252) - 1; // daily 0.1 %
    const r = simulate(m, constant([0]), {
      strategyId: 'cash',
      testStart: 0,
      testEnd: 5,
      settings: { riskFreeRate: rf, cost: 0.01 },
    });
    expect(r.cost[0]).toBe(0); // nothing bought
    for (let k = 0; k <= 5; k++) expect(r.value[k]).toBeCloseTo(Math.pow(1.001, k), 12);
  });

  it('history before testStart is not traded: value starts at 1 at the close of testStart', () => {
    const m = matrixFromRelatives([[2], [1.5], [1.1]]);
    const r = simulate(m, constant([1]), { strategyId: 'one', testStart: 2, testEnd: 3, settings: { cost: 0 } });
    expect(Array.from(r.value)).toEqual([1, expect.closeTo(1.1, 14)]);
    expect(r.dates).toEqual(m.dates.slice(2));
  });
});

describe('simulate: rebalancing frequency', () => {
  const rng = seedrandom('rebalance');
  const m = matrixFromRelatives(
    Array.from({ length: 12 }, () => [0.9 + 0.2 * rng(), 0.9 + 0.2 * rng(), 0.9 + 0.2 * rng()]),
  );

  it('decide is called every day; trades only every N days; drift otherwise (buy and hold when N exceeds the window)', () => {
    let calls = 0;
    const s: StrategyInstance = { decide: () => (calls++, Float64Array.from([1 / 3, 1 / 3, 1 / 3])) };
    const r = simulate(m, s, {
      strategyId: 'ew',
      testStart: 0,
      testEnd: 12,
      settings: { rebalance: 1000, cost: 0.01 },
    });
    expect(calls).toBe(13);
    expect(Array.from(r.rebalanced)).toEqual([1, ...new Array(12).fill(0)]);
    // value = (1 - 0.01) x mean over assets of price_t / price_0 (buy and hold)
    for (let k = 1; k <= 12; k++) {
      const bh = (m.close[k]![0]! + m.close[k]![1]! + m.close[k]![2]!) / 3;
      expect(r.value[k]).toBeCloseTo(0.99 * bh, 12);
      expect(r.turnover[k]).toBe(0);
      expect(Array.from(r.held[k]!)).toEqual(Array.from(r.drifted[k]!));
    }
  });

  it('weekly = every 5 trading days from the first test day', () => {
    const r = simulate(m, constant([0.2, 0.3, 0.5]), {
      strategyId: 'c',
      testStart: 1,
      testEnd: 12,
      settings: { rebalance: 'weekly' },
    });
    const days = Array.from(r.rebalanced).flatMap((x, k) => (x ? [k] : []));
    expect(days).toEqual([0, 5, 10]);
    expect(Array.from(r.turnover).every((x, k) => (days.includes(k) ? x > 0 : x === 0))).toBe(true);
  });

  it('parses the settings', () => {
    expect([rebalancePeriod('daily'), rebalancePeriod('weekly'), rebalancePeriod(21)]).toEqual([1, 5, 21]);
    expect(parseRebalance('Weekly')).toBe('weekly');
    expect(parseRebalance('10')).toBe(10);
    expect(() => parseRebalance('0')).toThrow(RangeError);
    expect(() => parseRebalance('monthly')).toThrow(/daily, weekly/);
  });
});

describe('simulate matches a straightforward reference loop', () => {
  it('random weights with cash, cost 0.2 %, rebalance every 3 days, risk-free 3 %', () => {
    const rng = seedrandom('ref');
    const n = 4;
    const rel = Array.from({ length: 60 }, () => Array.from({ length: n }, () => 0.95 + 0.1 * rng()));
    const m = matrixFromRelatives(rel);
    const decisions: number[][] = [];
    const s: StrategyInstance = {
      decide(view) {
        const raw = Array.from({ length: n }, () => rng());
        const tot = raw.reduce((a, b) => a + b) / 0.9; // 10 % cash on average
        const w = raw.map((x) => x / tot);
        decisions[view.t] = w;
        return Float64Array.from(w);
      },
    };
    const c = 0.002;
    const rf = 0.03;
    const r = simulate(m, s, {
      strategyId: 'rand',
      testStart: 5,
      testEnd: 60,
      settings: { cost: c, rebalance: 3, riskFreeRate: rf },
    });
    // reference: plain arrays, value bookkeeping in money units
    const cashD = Math.pow(1 + rf, 1 / 252) - 1;
    let hold = new Array(n).fill(0) as number[]; // money in each asset
    let cash = 1;
    for (let k = 0; k <= 55; k++) {
      const t = 5 + k;
      if (k > 0) {
        hold = hold.map((h, i) => h * (m.close[t]![i]! / m.close[t - 1]![i]!));
        cash *= 1 + cashD;
      }
      const V = hold.reduce((a, b) => a + b, 0) + cash;
      if (k % 3 === 0) {
        const tgt = decisions[t]!;
        let traded = 0;
        for (let i = 0; i < n; i++) traded += Math.abs(tgt[i]! * V - hold[i]!);
        const after = V - c * traded;
        hold = tgt.map((w) => w * after);
        cash = after * (1 - tgt.reduce((a, b) => a + b, 0));
      }
      expect(r.value[k]).toBeCloseTo(hold.reduce((a, b) => a + b, 0) + cash, 12);
    }
  });
});

describe('simulate: validation and what the strategy sees', () => {
  const m = matrixFromRelatives([
    [1.1, 0.9],
    [1.0, 1.2],
    [1.0, 1.0],
  ]);
  const bad = (w: number[] | Float64Array, day = 1): StrategyInstance => ({
    decide: (v) =>
      v.t === day ? (w instanceof Float64Array ? w : Float64Array.from(w)) : Float64Array.from([0.5, 0.5]),
  });
  const run = (s: StrategyInstance) => simulate(m, s, { strategyId: 'badstrat', testStart: 0, testEnd: 3 });
  it.each([
    [[Number.NaN, 0.5], /weight of A0 is NaN/],
    [[Infinity, 0], /weight of A0 is Infinity/],
    [[-0.1, 0.5], /weight of A0 is negative/],
    [[0.7, 0.5], /sum to 1.2/],
    [[0.5], /expected 2 weights, got 1/],
  ])('rejects %j with a clear error naming strategy and date', (w, msg) => {
    let err: unknown;
    try {
      run(bad(w));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidDecisionError);
    expect((err as Error).message).toMatch(/strategy "badstrat"/);
    expect((err as Error).message).toContain(m.dates[1]);
    expect((err as Error).message).toMatch(msg);
  });
  it('accepts rounding noise within 1e-9 (negative -> 0, sum slightly above 1 -> scaled)', () => {
    const r = run(bad([-1e-12, 1 + 5e-10]));
    expect(r.target[1]![0]).toBe(0);
    expect(r.target[1]![1]).toBe(1);
    expect(r.target[1]![2]).toBe(0);
  });
  it('the view is at the decision day and refuses later rows', () => {
    const seen: number[] = [];
    let refused = false;
    const s: StrategyInstance = {
      decide(v: MarketView) {
        seen.push(v.t);
        if (v.t < 3) {
          try {
            v.closes(v.t + 1);
          } catch (e) {
            refused = e instanceof LookAheadError;
          }
        }
        return Float64Array.from([0.5, 0.5]);
      },
    };
    simulate(m, s, { strategyId: 's', testStart: 1, testEnd: 3 });
    expect(seen).toEqual([1, 2, 3]);
    expect(refused).toBe(true);
  });
  it('records agent weights and detail of a StrategyDecision', () => {
    const s: StrategyInstance = {
      decide: (v): StrategyDecision => ({
        weights: Float64Array.from([0.6, 0.4]),
        agents: { upper: Float64Array.from([0.5, 0.5]), lower1: Float64Array.from([1, 0]) },
        detail: { family: 'classic', note: `day ${v.t}` },
      }),
    };
    const r = simulate(m, s, { strategyId: 's', testStart: 0, testEnd: 2 });
    expect(Array.from(r.agents!.upper![1]!)).toEqual([0.5, 0.5]);
    expect(Array.from(r.agents!.lower1![2]!)).toEqual([1, 0]);
    expect(r.details!.map((d) => (d?.family === 'classic' ? d.note : null))).toEqual(['day 0', 'day 1', 'day 2']);
  });
  it('rejects a bad window and bad settings', () => {
    const s = constant([0.5, 0.5]);
    expect(() => simulate(m, s, { strategyId: 's', testStart: 2, testEnd: 1 })).toThrow(RangeError);
    expect(() => simulate(m, s, { strategyId: 's', testStart: 0, testEnd: 9 })).toThrow(RangeError);
    expect(() => simulate(m, s, { strategyId: 's', testStart: 0, testEnd: 1, settings: { cost: -0.1 } })).toThrow(
      /cost/,
    );
  });
  it('stops when the signal aborts', () => {
    const ac = new AbortController();
    const s: StrategyInstance = { decide: (v) => (v.t === 1 && ac.abort(), Float64Array.from([0.5, 0.5])) };
    expect(() => simulate(m, s, { strategyId: 's', testStart: 0, testEnd: 3, signal: ac.signal })).toThrow(/abort/i);
  });
});
