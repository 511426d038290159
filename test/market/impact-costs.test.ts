/**
 * The execution-cost model (src-main/market/costs.ts) through the simulator: commission, half-spread and
 * square-root impact computed by hand on two assets, charged once per rebalance on the risky legs only, priced from
 * data up to the trade's close, growing with the book as a square root; and the simulator without the model
 * unchanged.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { ExecutionCosts, IMPACT_DEFAULTS, resolveImpact } from '../../src-main/market/costs';
import type { PriceMatrix } from '../../src-main/market/prices';
import { simulate } from '../../src-main/market/simulate';
import type { StrategyInstance } from '../../src-main/strategies/types';
import { getStrategy, resolveParams } from '../../src-main/strategies/registry';
import { computeMetrics } from '../../src-main/metrics';
import { djiaSubset } from '../helpers/data';

const constant = (w: number[]): StrategyInstance => ({ decide: () => Float64Array.from(w) });
/** A strategy that holds `first` on day 0 of its window and `then` afterwards. */
const switching = (first: number[], then: number[]): StrategyInstance => {
  let k = 0;
  return { decide: () => Float64Array.from(k++ === 0 ? first : then) };
};

/**
 * Two assets over 7 days. A's returns alternate +1 %, -1 %; B's +2 %, -2 % (so over any 4 of them the mean is 0 and
 * the sample std is r x sqrt(4/3)). A trades 50 million a day; B alternates 16 and 32 million (24 million on
 * average over any 4 days).
 */
function twoAssets(): PriceMatrix {
  const ra = [0.01, -0.01, 0.01, -0.01, 0.01, -0.01];
  const rb = [0.02, -0.02, 0.02, -0.02, 0.02, -0.02];
  const close: Float64Array[] = [Float64Array.of(100, 50)];
  for (let t = 0; t < ra.length; t++) {
    const p = close[t]!;
    close.push(Float64Array.of(p[0]! * (1 + ra[t]!), p[1]! * (1 + rb[t]!)));
  }
  const tradedValue = close.map((_, t) => Float64Array.of(50e6, t % 2 === 0 ? 16e6 : 32e6));
  const dates = close.map((_, t) => `2020-01-${String(t + 1).padStart(2, '0')}`);
  return { universe: 'two', dates, tickers: ['A', 'B'], close, tradedValue };
}

const MODEL = {
  halfSpreadBp: 5,
  halfSpreadBpByTicker: { B: 10 },
  impactK: 0.8,
  bookValue: 10e6,
  window: 4,
  advProxy: 1e9,
};

describe('execution costs, computed by hand', () => {
  it('one purchase of two assets: each part to 1e-12', () => {
    const m = twoAssets();
    // day 4 of the matrix: four returns of each asset are known (days 1..4), the window is 4
    const r = simulate(m, constant([0.6, 0.2]), {
      strategyId: 'buy',
      testStart: 4,
      testEnd: 4,
      settings: { cost: 0.001, impact: MODEL },
    });
    // commission: 0.1 % of the 0.8 bought
    const commission = 0.001 * 0.8;
    // half-spread: 5 bp on A's 0.6, B's own 10 bp on its 0.2
    const spread = 0.0005 * 0.6 + 0.001 * 0.2;
    // A: sigma = 0.01 sqrt(4/3), traded 0.6 x 10 million against 50 million a day -> participation 0.12;
    //    sigma sqrt(0.12) = 0.01 sqrt(0.16) = 0.004; impact 0.8 x 0.004 x 0.6 = 0.00192
    // B: sigma = 0.02 sqrt(4/3), traded 2 million against 24 million -> 1/12; sigma sqrt(1/12) = 0.02 / 3;
    //    impact 0.8 x 0.02 / 3 x 0.2 = 0.0032 / 3
    const impact = 0.00192 + 0.0032 / 3;
    expect(r.costCommission[0]).toBeCloseTo(commission, 12);
    expect(r.costSpread[0]).toBeCloseTo(spread, 12);
    expect(r.costImpact[0]).toBeCloseTo(impact, 12);
    expect(r.cost[0]).toBeCloseTo(commission + spread + impact, 12);
    expect(r.value[0]).toBeCloseTo(1 - (commission + spread + impact), 12);
    expect(r.advProxyShare).toBe(0); // both from the data's traded values
  });

  it('the model reads sigma and ADV as defined: sample std of the trailing returns, mean traded value', () => {
    const m = twoAssets();
    const p = new ExecutionCosts(m, 0, MODEL);
    expect(p.volatility(0, 4)).toBeCloseTo(0.01 * Math.sqrt(4 / 3), 12);
    expect(p.volatility(1, 6)).toBeCloseTo(0.02 * Math.sqrt(4 / 3), 12);
    // at t = 2 only two returns exist: +1 %, -1 % -> mean 0, sample std 0.01 sqrt(2)
    expect(p.volatility(0, 2)).toBeCloseTo(0.01 * Math.sqrt(2), 12);
    expect(() => p.volatility(0, 1)).toThrow(/at least 2 daily returns of A up to 2020-01-02/);
    expect(p.averageDailyTradedValue(1, 4)).toBe(24e6);
    expect(p.averageDailyTradedValue(1, 0)).toBe(16e6); // one day of data: the one day
  });

  it('charges once, on rebalancing days only, and never the cash leg', () => {
    const m = twoAssets();
    // rebalance every 2 days from day 2: trades on days 2 and 4 (k = 0, 2), holds on day 3 (k = 1)
    const r = simulate(m, switching([0.5, 0], [0.25, 0.25]), {
      strategyId: 'switch',
      testStart: 2,
      testEnd: 4,
      settings: { cost: 0.001, rebalance: 2, impact: MODEL },
    });
    expect(Array.from(r.rebalanced)).toEqual([1, 0, 1]);
    // day 2: 0.5 of A bought from cash; the cash leg (0.5 sold) pays nothing
    const sigmaA2 = 0.01 * Math.sqrt(2);
    expect(r.costCommission[0]).toBeCloseTo(0.001 * 0.5, 12);
    expect(r.costSpread[0]).toBeCloseTo(0.0005 * 0.5, 12);
    expect(r.costImpact[0]).toBeCloseTo(0.8 * sigmaA2 * Math.sqrt((0.5 * 10e6) / 50e6) * 0.5, 12);
    // day 3: no trade, no cost of any kind
    expect([r.cost[1], r.costCommission[1], r.costSpread[1], r.costImpact[1]]).toEqual([0, 0, 0, 0]);
    // day 4: every part is charged on the drifted weights, and the parts add up to the day's cost
    const dr = r.drifted[2]!;
    const dA = Math.abs(0.25 - dr[0]!);
    const dB = Math.abs(0.25 - dr[1]!);
    expect(r.costCommission[2]).toBeCloseTo(0.001 * (dA + dB), 12);
    expect(r.costSpread[2]).toBeCloseTo(0.0005 * dA + 0.001 * dB, 12);
    expect(r.cost[2]).toBe(r.costCommission[2]! + r.costSpread[2]! + r.costImpact[2]!);
    // the book is worth 10 million x the value before the trade: the value of day 3 grown over day 4
    const h = r.held[1]!;
    const g = h[0]! * (m.close[4]![0]! / m.close[3]![0]!) + h[1]! * (m.close[4]![1]! / m.close[3]![1]!) + h[2]!;
    const before = r.value[1]! * g;
    const p = new ExecutionCosts(m, 0, MODEL);
    const expected =
      0.8 * p.volatility(0, 4) * Math.sqrt((dA * 10e6 * before) / 50e6) * dA +
      0.8 * p.volatility(1, 4) * Math.sqrt((dB * 10e6 * before) / 24e6) * dB;
    expect(r.costImpact[2]).toBeCloseTo(expected, 12);
    expect(r.value[2]).toBeCloseTo(before * (1 - r.cost[2]!), 14);
  });

  it('an all-cash book pays nothing and needs no history, even on its first day', () => {
    const m = twoAssets();
    const r = simulate(m, constant([0, 0]), {
      strategyId: 'cash',
      testStart: 0,
      testEnd: 3,
      settings: { cost: 0.001, impact: MODEL },
    });
    expect(Array.from(r.cost)).toEqual([0, 0, 0, 0]);
    expect(Array.from(r.value)).toEqual([1, 1, 1, 1]);
    expect(Number.isNaN(r.advProxyShare)).toBe(true); // no asset traded
  });

  it('impact grows with the book as a square root; commission and spread do not', () => {
    const m = twoAssets();
    const run = (bookValue: number) =>
      simulate(m, constant([0.6, 0.2]), {
        strategyId: 'buy',
        testStart: 4,
        testEnd: 4,
        settings: { cost: 0.001, impact: { ...MODEL, bookValue } },
      });
    const a = run(10e6);
    const b = run(40e6);
    const c = run(90e6);
    expect(b.costImpact[0]! / a.costImpact[0]!).toBeCloseTo(2, 12);
    expect(c.costImpact[0]! / a.costImpact[0]!).toBeCloseTo(3, 12);
    expect(b.costCommission[0]).toBe(a.costCommission[0]);
    expect(b.costSpread[0]).toBe(a.costSpread[0]);
  });

  it('takes the proxy where the data have no volume, or too few days of it, and says so', () => {
    const m = twoAssets();
    const { tradedValue, ...closesOnly } = m;
    const r = simulate(closesOnly, constant([0.6, 0.2]), {
      strategyId: 'buy',
      testStart: 4,
      testEnd: 4,
      settings: { cost: 0, impact: { ...MODEL, advProxy: 25e6 } },
    });
    // sigma_A sqrt(0.6 x 10 / 25) = 0.01 sqrt(4/3 x 0.24) = 0.01 sqrt(0.32); sigma_B sqrt(2 / 25) = 0.02 sqrt(4/3 x 0.08)
    const expected = 0.8 * 0.01 * Math.sqrt(0.32) * 0.6 + 0.8 * 0.02 * Math.sqrt((4 / 3) * 0.08) * 0.2;
    expect(r.costImpact[0]).toBeCloseTo(expected, 12);
    expect(r.advProxyShare).toBe(1);
    // A's volume known on 1 of its last 4 days (fewer than half): the proxy; B's on 2 of 4 (half): their mean
    const gaps = tradedValue!.map((row, t) => Float64Array.of(t === 4 ? row[0]! : NaN, t >= 3 ? row[1]! : NaN));
    const p = new ExecutionCosts({ ...m, tradedValue: gaps }, 0, { ...MODEL, advProxy: 25e6 });
    expect(p.averageDailyTradedValue(0, 4)).toBe(25e6);
    expect(p.averageDailyTradedValue(1, 4)).toBe(24e6); // days 3 and 4: 32 and 16 million
  });

  it('refuses what it cannot price, with the asset and the date', () => {
    const m = twoAssets();
    const idle = { ...m, tradedValue: m.close.map(() => Float64Array.of(0, 1e6)) };
    expect(() =>
      simulate(idle, constant([0.5, 0.5]), {
        strategyId: 'buy',
        testStart: 4,
        testEnd: 4,
        settings: { impact: MODEL },
      }),
    ).toThrow(/A traded nothing over the 4 days with a volume up to 2020-01-05/);
    expect(() =>
      simulate(m, constant([0.5, 0.5]), {
        strategyId: 'buy',
        testStart: 4,
        testEnd: 4,
        settings: { impact: { ...MODEL, bookValue: 1e15 } },
      }),
    ).toThrow(/would take .* of the book: a book of 1000000000000000 is too large/);
    expect(() => resolveImpact({ halfSpreadBpByTicker: { ZZZ: 3 } }, ['A', 'B'])).toThrow(/outside the universe: ZZZ/);
    expect(() => resolveImpact({ window: 1 }, ['A'])).toThrow(/window must be a whole number of days >= 2/);
    expect(() => resolveImpact({ bookValue: 0 }, ['A'])).toThrow(/bookValue must be/);
    expect(() => resolveImpact({ impactK: -1 }, ['A'])).toThrow(/impactK must be/);
    expect(() => resolveImpact({ halfSpreadBp: Number.NaN }, ['A'])).toThrow(/halfSpreadBp must be/);
    expect(resolveImpact({}, ['A'])).toEqual({ ...IMPACT_DEFAULTS, halfSpreadBpByTicker: {} });
  });
});

describe('no look-ahead', () => {
  it('costs up to day t are the same when every price and volume after t changes', () => {
    const rnd = seedrandom('impact');
    const days = 60;
    const n = 4;
    const close: Float64Array[] = [];
    const tradedValue: Float64Array[] = [];
    for (let t = 0; t < days; t++) {
      const prev = close[t - 1];
      close.push(Float64Array.from({ length: n }, (_, i) => (prev ? prev[i]! * (1 + 0.03 * (rnd() - 0.5)) : 50)));
      tradedValue.push(Float64Array.from({ length: n }, () => 1e7 * (0.5 + rnd())));
    }
    const dates = close.map((_, t) => new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10));
    const m: PriceMatrix = { universe: 'r', dates, tickers: ['A', 'B', 'C', 'D'], close, tradedValue };
    const cut = 40;
    const later = (x: Float64Array[], f: () => number) =>
      x.map((row, t) => (t <= cut ? row : Float64Array.from(row, (v) => v * f())));
    const scrambled: PriceMatrix = {
      ...m,
      close: later(m.close, () => 0.5 + rnd()),
      tradedValue: later(m.tradedValue!, () => 0.01 + 5 * rnd()),
    };
    const settings = { cost: 0.001, impact: { ...MODEL, bookValue: 5e7, window: 10 } };
    const opts = { strategyId: 'crp', testStart: 20, testEnd: days - 1, settings };
    const a = simulate(m, constant([0.25, 0.25, 0.25, 0.25]), opts);
    const b = simulate(scrambled, constant([0.25, 0.25, 0.25, 0.25]), opts);
    const upTo = cut - 20 + 1;
    for (const k of ['costCommission', 'costSpread', 'costImpact', 'cost', 'value'] as const)
      expect(Array.from(b[k].subarray(0, upTo))).toEqual(Array.from(a[k].subarray(0, upTo)));
    // the scrambled days do change the costs after the cut (the test can tell)
    expect(Array.from(b.costImpact.subarray(upTo))).not.toEqual(Array.from(a.costImpact.subarray(upTo)));
    const pa = new ExecutionCosts(m, 0, settings.impact);
    const pb = new ExecutionCosts(scrambled, 0, settings.impact);
    for (let i = 0; i < n; i++) {
      expect(pb.volatility(i, cut)).toBe(pa.volatility(i, cut));
      expect(pb.averageDailyTradedValue(i, cut)).toBe(pa.averageDailyTradedValue(i, cut));
    }
  });
});

describe('without the model', () => {
  it('every figure is the proportional-cost simulation: value, returns and cost bit for bit, commission = cost', async () => {
    const m = djiaSubset(400, 8);
    for (const id of ['crp', 'olmar', 'eg', 'momentum']) {
      const def = await getStrategy(id);
      const make = () =>
        def.create({
          prices: m,
          trainStart: 0,
          trainEnd: 199,
          testStart: 200,
          testEnd: 399,
          seed: 1,
          params: resolveParams(def, {}),
          progress: () => {},
        });
      for (const rebalance of ['daily', 'weekly'] as const) {
        const opts = { strategyId: id, testStart: 200, testEnd: 399, settings: { cost: 0.0013, rebalance } };
        const r = simulate(m, await make(), opts);
        // the proportional convention, recomputed from the recorded weights: V_t = V_{t-1} g_t (1 - c Σ|Δw|)
        let V = 1;
        for (let k = 0; k < r.dates.length; k++) {
          const t = 200 + k;
          const dr = r.drifted[k]!;
          let g = 1;
          if (k > 0) {
            g = 0;
            const h = r.held[k - 1]!;
            for (let i = 0; i < 8; i++) g += h[i]! * (m.close[t]![i]! / m.close[t - 1]![i]!);
            g += h[8]!;
          }
          let risky = 0;
          if (r.rebalanced[k]) for (let i = 0; i < 8; i++) risky += Math.abs(r.target[k]![i]! - dr[i]!);
          const c = r.rebalanced[k] ? 0.0013 * risky : 0;
          expect(r.cost[k]).toBe(c);
          V = V * g * (1 - c);
          expect(r.value[k]).toBe(V);
        }
        expect(Array.from(r.costCommission)).toEqual(Array.from(r.cost));
        expect(r.costSpread.every((x) => x === 0) && r.costImpact.every((x) => x === 0)).toBe(true);
        expect(r.advProxyShare).toBeUndefined();
        const mt = computeMetrics({
          returns: r.ret,
          turnover: r.turnover.subarray(1),
          weights: r.target,
          nRisky: 8,
          cost: r.cost,
          costSplit: { commission: r.costCommission, spread: r.costSpread, impact: r.costImpact },
        });
        expect(mt.costCommission).toBe(mt.costDrag);
        expect([mt.costSpread, mt.costImpact]).toEqual([0, 0]);
      }
    }
  });
});
