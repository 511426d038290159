import { describe, expect, it } from 'vitest';
import { MarketView } from '../../../src-main/market/view';
import { bcrp, beststock, crp, ubah } from '../../../src-main/strategies/classic/benchmarks';
import { driftWeights } from '../../../src-main/strategies/classic/simplex';
import { matrixFromRelatives } from '../../helpers/data';
import { drive, makeCtx } from './drive';

describe('ubah', () => {
  it('buys 1/n and then returns the drifted weights (hand case)', async () => {
    // relatives day 1: (1.1, 0.9), day 2: (1.0, 1.2) => prices (1,1), (1.1, 0.9), (1.1, 1.08)
    // weights: (0.5, 0.5); (1.1, 0.9)/2 = (0.55, 0.45); (1.1, 1.08)/2.18
    const m = matrixFromRelatives([
      [1.1, 0.9],
      [1.0, 1.2],
      [1.05, 1.0],
    ]);
    const w = await drive(ubah, m, { to: 2 });
    expect(Array.from(w[0]!)).toEqual([0.5, 0.5]);
    expect(w[1]![0]).toBeCloseTo(0.55, 14);
    expect(w[2]![0]).toBeCloseTo(1.1 / 2.18, 14);
    // so holding it needs no trade: each decision is the previous one drifted by the day's relatives
    expect(Array.from(w[2]!)).toEqual(Array.from(driftWeights(w[1]!, [1.0, 1.2])).map((v) => expect.closeTo(v, 14)));
  });

  it('starts at testStart, not at day 0', async () => {
    const m = matrixFromRelatives([
      [2, 1],
      [1.1, 0.9],
    ]);
    const w = await drive(ubah, m, { testStart: 1, to: 2 });
    expect(Array.from(w[0]!)).toEqual([0.5, 0.5]);
    expect(w[1]![0]).toBeCloseTo(0.55, 14);
  });
});

describe('crp', () => {
  it('is uniform every day', async () => {
    const m = matrixFromRelatives([
      [1.5, 0.5, 1],
      [0.7, 1.3, 1.1],
    ]);
    for (const w of await drive(crp, m, { to: 2 })) expect(Array.from(w)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
});

describe('bcrp (hindsight)', () => {
  it('cash vs a stock alternating x2 / x0.5: b* = (1/2, 1/2) (hand-solved), every day', async () => {
    // maximise log(1 + c) + log(1 - c/2): derivative 1/(1+c) - 1/(2-c) = 0 => c = 1/2
    const m = matrixFromRelatives([
      [1, 2],
      [1, 0.5],
      [1, 2],
      [1, 0.5],
    ]);
    const w = await drive(bcrp, m);
    expect(w.length).toBe(4);
    for (const d of w) expect(d[1]).toBeCloseTo(0.5, 8);
  });

  it('cash vs a stock x1.5 / x0.8: the optimum is on the boundary, all stock', async () => {
    // derivative 0.5/(1+0.5c) - 0.2/(1-0.2c) vanishes at c = 1.5 > 1, so c* = 1
    const m = matrixFromRelatives([
      [1, 1.5],
      [1, 0.8],
    ]);
    const w = await drive(bcrp, m);
    expect(w[0]![1]).toBeCloseTo(1, 9);
  });

  it('uses only the test window (future = relatives of testStart+1..testEnd)', async () => {
    // a crash of the stock before the test window must not matter
    const m = matrixFromRelatives([
      [1, 0.1],
      [1, 2],
      [1, 0.5],
    ]);
    const w = await drive(bcrp, m, { testStart: 1 });
    expect(w[0]![1]).toBeCloseTo(0.5, 8);
  });

  it('refuses to run without ctx.future', () => {
    const m = matrixFromRelatives([[1, 2]]);
    expect(() => bcrp.create(makeCtx(m))).toThrow(/hindsight/);
  });
});

describe('beststock (hindsight)', () => {
  it('holds the asset with the best test-window growth', async () => {
    // growth: A 1.2 * 0.9 = 1.08, B 0.8 * 1.4 = 1.12, C 1.1 * 1.0 = 1.1 => B
    const m = matrixFromRelatives([
      [1.2, 0.8, 1.1],
      [0.9, 1.4, 1.0],
    ]);
    const ctx = makeCtx(m, { hindsight: true });
    const inst = await beststock.create(ctx);
    const d = inst.decide(new MarketView(m, 0));
    const w = d instanceof Float64Array ? d : d.weights;
    expect(Array.from(w)).toEqual([0, 1, 0]);
  });
});
