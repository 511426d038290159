import { describe, expect, it } from 'vitest';
import {
  capitalSplit,
  capitalSplitAt,
  groupReturnSeries,
  groupUtility,
  splitFromUtilities,
} from '../../../src-main/strategies/samp/logic/utility';
import { MarketView } from '../../../src-main/market/view';
import { matrixFromRelatives } from '../../helpers/data';

describe('groupUtility (SAMP-HDRL step 4)', () => {
  it('matches a hand computation of mean - lambda * var plus the bounded momentum tilt', () => {
    // series [0.01, -0.01, 0.02, 0.00], periodsPerYear 1: mean 0.005; deviations 0.005,-0.015,0.015,-0.005;
    // sum of squares 5e-4; sample var 5e-4/3; U = 0.005 - 2 * 5e-4/3 = 0.0046667
    // momentum over 2 days: 1.02 * 1.00 - 1 = 0.02; z = 0.02 / sqrt(2 * 5e-4/3) = 1.0954451
    const u = groupUtility(Float64Array.from([0.01, -0.01, 0.02, 0.0]), {
      window: 4,
      momentumWindow: 2,
      periodsPerYear: 1,
      riskAversion: 2,
      maxTilt: 0.05,
      momentumScale: 1,
    });
    expect(u.mean).toBeCloseTo(0.005, 14);
    expect(u.variance).toBeCloseTo(5e-4 / 3, 14);
    expect(u.utility).toBeCloseTo(0.0046666667, 9);
    expect(u.momentumReturn).toBeCloseTo(0.02, 14);
    expect(u.momentumStrength).toBeCloseTo(1.0954451, 6);
    expect(u.tilt).toBeCloseTo(0.05 * 0.7988661, 6); // tanh(1.0954451) = 0.7988661
    expect(u.adjusted).toBeCloseTo(u.utility + u.tilt, 14);
  });

  it('annualises by periodsPerYear and bounds the tilt by maxTilt', () => {
    const series = Float64Array.from({ length: 60 }, (_, d) => 0.01 + (d % 2 ? 0.001 : -0.001));
    const u = groupUtility(series, { maxTilt: 0.03 });
    expect(u.mean).toBeCloseTo(0.01 * 252, 10);
    expect(u.tilt).toBeLessThanOrEqual(0.03);
    expect(u.tilt).toBeGreaterThan(0.0299); // very strong momentum saturates
  });
});

describe('splitFromUtilities', () => {
  it('softmax of [u1, u2, cash] / temperature', () => {
    // [0.1, 0.2, 0] / 0.1 = [1, 2, 0]: softmax = [0.2447285, 0.6652410, 0.0900306]
    const s = splitFromUtilities(0.1, 0.2, { temperature: 0.1 });
    expect(s.c1).toBeCloseTo(0.2447285, 6);
    expect(s.c2).toBeCloseTo(0.665241, 6);
    expect(s.cash).toBeCloseTo(0.0900306, 6);
    const nc = splitFromUtilities(0.1, 0.2, { temperature: 0.1, allowCash: false });
    expect(nc.c1).toBeCloseTo(0.2689414, 6);
    expect(nc.cash).toBe(0);
  });

  it('proportional to positive utility; cash floor when both are negative', () => {
    const q = splitFromUtilities(0.1, 0.3, { rule: 'proportional' });
    expect(q.c1).toBeCloseTo(0.25, 14);
    expect(q.c2).toBeCloseTo(0.75, 14);
    expect(q.cash).toBe(0);
    const p = splitFromUtilities(-0.1, 0.3, { rule: 'proportional' });
    expect(p).toEqual({ c1: 0, c2: 1, cash: 0 });
    expect(splitFromUtilities(-0.1, -0.3, { rule: 'proportional', cashFloor: 0.4 })).toEqual({
      c1: 0.3,
      c2: 0.3,
      cash: 0.4,
    });
    expect(splitFromUtilities(-0.1, -0.3, { rule: 'proportional', allowCash: false })).toEqual({
      c1: 0.5,
      c2: 0.5,
      cash: 0,
    });
  });

  it('equal rule for the w/o utility ablation', () => {
    expect(splitFromUtilities(5, -5, { rule: 'equal' })).toEqual({ c1: 0.5, c2: 0.5, cash: 0 });
  });

  it('fractions are non-negative, sum to 1, and survive extreme utilities', () => {
    for (const [a, b] of [
      [1e6, -1e6],
      [-50, -60],
      [0, 0],
      [3, 3],
    ] as const) {
      const s = splitFromUtilities(a, b, { temperature: 0.01 });
      expect(s.c1 + s.c2 + s.cash).toBeCloseTo(1, 12);
      for (const v of [s.c1, s.c2, s.cash]) expect(v).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('capitalSplit', () => {
  it('builds equal-weight group returns from the masks', () => {
    const rows = [Float64Array.from([0.01, 0.03, -0.02]), Float64Array.from([0.0, 0.02, 0.04])];
    expect(Array.from(groupReturnSeries(rows, [true, true, false]))).toEqual([0.02, 0.01]);
    expect(Array.from(groupReturnSeries(rows, [false, false, true]))).toEqual([-0.02, 0.04]);
    expect(() => groupReturnSeries(rows, [false, false, false])).toThrow();
  });

  it('moves capital toward the group with the better risk-adjusted, trending returns', () => {
    // asset 0 (ordinary) drifts down noisily, asset 1 (high) drifts up
    const rel = Array.from({ length: 80 }, (_, d) => [d % 2 ? 0.985 : 1.005, d % 2 ? 1.004 : 1.008]);
    const m = matrixFromRelatives(rel);
    const masks = { ordinary: [true, false], high: [false, true] };
    const a = capitalSplitAt(new MarketView(m, 80), masks);
    expect(a.high.adjusted).toBeGreaterThan(a.ordinary.adjusted);
    expect(a.split.c2).toBeGreaterThan(a.split.c1);
    expect(a.split.c1 + a.split.c2 + a.split.cash).toBeCloseTo(1, 12);
    // same as calling capitalSplit on the view's trailing window
    const b = capitalSplit(new MarketView(m, 80).returnsWindow(60), masks);
    expect(b.split.c2).toBeCloseTo(a.split.c2, 14);
  });
});
