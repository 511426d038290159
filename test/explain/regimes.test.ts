import { describe, expect, it } from 'vitest';
import {
  equalWeightIndex,
  labelRegimes,
  labelRegimesFromIndex,
  percentileSorted,
  regimeShares,
} from '../../src-main/explain/regimes';
import type { PriceMatrix } from '../../src-main/market/prices';
import { loadDjia, matrixFromRelatives } from '../helpers/data';

const dates = (n: number) => Array.from({ length: n }, (_, t) => `2020-01-${String(t + 1).padStart(2, '0')}`);
const noVol = { volWindow: 2, minVolHistory: 1000 };

describe('trend regime', () => {
  const levels = Float64Array.from([1, 1.1, 1.2, 1.3, 1.2, 1.0, 0.9, 0.85]);
  it('labels by trailing return and moving average (hand-computed, window 3)', () => {
    // t4: R = 1.2/1.1 - 1 = 9% but 1.2 < MA 1.2333 -> sideways; t5: R = -16.7%, 1.0 < MA 1.1667 -> bear
    const r = labelRegimesFromIndex(levels, dates(8), {
      trendWindow: 3,
      trendThreshold: 0.05,
      confirmDays: 1,
      ...noVol,
    });
    expect(r.trend).toEqual(['sideways', 'bull', 'bull', 'bull', 'sideways', 'bear', 'bear', 'bear']);
    expect(r.trailingReturn[4]).toBeCloseTo(1.2 / 1.1 - 1, 12);
    expect(r.movingAverage[4]).toBeCloseTo((1.2 + 1.3 + 1.2) / 3, 12);
    expect(r.movingAverage[1]).toBeCloseTo(1.05, 12); // partial window during warm-up
    expect(r.changes.filter((c) => c.kind === 'trend')).toEqual([
      { dayIndex: 1, date: '2020-01-02', kind: 'trend', from: 'sideways', to: 'bull' },
      { dayIndex: 4, date: '2020-01-05', kind: 'trend', from: 'bull', to: 'sideways' },
      { dayIndex: 5, date: '2020-01-06', kind: 'trend', from: 'sideways', to: 'bear' },
    ]);
    expect(r.warmup.slice(0, 4)).toEqual([true, true, true, true]);
  });

  it('debounces: a new label must hold confirmDays days', () => {
    const r = labelRegimesFromIndex(levels, dates(8), {
      trendWindow: 3,
      trendThreshold: 0.05,
      confirmDays: 2,
      ...noVol,
    });
    expect(r.trend).toEqual(['sideways', 'sideways', 'bull', 'bull', 'bull', 'bull', 'bear', 'bear']);
  });
});

describe('volatility regime', () => {
  it('compares realised vol with percentiles of past values only (hand-computed)', () => {
    const rets = [0.01, -0.01, 0.01, -0.01, 0.03, -0.03, 0.0, 0.0];
    const lv = [1];
    for (const r of rets) lv.push(lv[lv.length - 1]! * (1 + r));
    const r = labelRegimesFromIndex(Float64Array.from(lv), dates(9), {
      volWindow: 2,
      minVolHistory: 3,
      volLowPct: 0.33,
      volHighPct: 0.67,
      confirmDays: 1,
      periodsPerYear: 1,
    });
    const s = 0.02 / Math.SQRT2; // std of {0.01, -0.01}
    expect(r.realisedVol[2]).toBeCloseTo(s, 12);
    expect(r.realisedVol[5]).toBeCloseTo(0.04 / Math.SQRT2, 12);
    expect(r.vol).toEqual(['normal', 'normal', 'normal', 'normal', 'normal', 'stressed', 'stressed', 'normal', 'calm']);
    // t7: past = [s, s, s, 2s, 3s]; p67 at h = 2.68 -> s + 0.68 * (2s - s)
    expect(r.volLow[7]).toBeCloseTo(s, 12);
    expect(r.volHigh[7]).toBeCloseTo(s * 1.68, 12);
    expect(Number.isNaN(r.volLow[4]!)).toBe(true); // only 2 past values at t4
  });

  it('percentileSorted interpolates linearly', () => {
    expect(percentileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(percentileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(percentileSorted([10, 20], 0.33)).toBeCloseTo(13.3, 12);
  });
});

describe('labelRegimes on a price matrix', () => {
  it('builds the equal-weight daily rebalanced index', () => {
    const m = matrixFromRelatives([
      [1.1, 0.9],
      [1.0, 1.2],
    ]);
    // day 1: mean(1.1, 0.9) = 1.0; day 2: mean(1.0 / 1.1 * 1.1, ...) = relatives 1.0 and 1.2 -> 1.1
    expect(Array.from(equalWeightIndex(m)).map((v) => +v.toFixed(12))).toEqual([1, 1, 1.1]);
  });

  it('labels every DJIA day and does not look ahead (prices after t changed)', () => {
    const m = loadDjia();
    const a = labelRegimes(m);
    expect(a.trend.length).toBe(m.dates.length);
    expect(a.vol.length).toBe(m.dates.length);
    const t = 1500;
    const changed: PriceMatrix = {
      ...m,
      close: m.close.map((row, d) => (d > t ? row.map((v, i) => v * (d % 2 ? 0.6 : 1.7) * (1 + i / 100)) : row)),
    };
    const b = labelRegimes(changed);
    expect(b.trend.slice(0, t + 1)).toEqual(a.trend.slice(0, t + 1));
    expect(b.vol.slice(0, t + 1)).toEqual(a.vol.slice(0, t + 1));
    expect(Array.from(b.volHigh.slice(0, t + 1))).toEqual(Array.from(a.volHigh.slice(0, t + 1)));
    expect(b.changes.filter((c) => c.dayIndex <= t)).toEqual(a.changes.filter((c) => c.dayIndex <= t));
    // and the change did reach the labels after t
    expect(b.vol.slice(t + 1)).not.toEqual(a.vol.slice(t + 1));
    const shares = regimeShares(a);
    expect(shares.trend.bull + shares.trend.bear + shares.trend.sideways).toBeCloseTo(1, 12);
  });
});

describe('volatility percentiles over a trailing window', () => {
  it('forgets vol values older than volHistoryDays (a calm distant past does not make every later day stressed)', async () => {
    const { labelRegimesFromIndex } = await import('../../src-main/explain/regimes');
    const seedrandom = (await import('seedrandom')).default;
    const rng = seedrandom('regimes');
    // 300 calm days (sd 0.1%) then 300 volatile days (sd 2%), same noise shape
    const levels = new Float64Array(600);
    levels[0] = 1;
    for (let t = 1; t < 600; t++) levels[t] = levels[t - 1]! * (1 + (rng() - 0.5) * (t < 300 ? 0.0035 : 0.07));
    const dates = Array.from({ length: 600 }, (_, t) => `d${t}`);
    const base = { volWindow: 5, minVolHistory: 10, confirmDays: 1, trendWindow: 5 };
    const expanding = labelRegimesFromIndex(levels, dates, { ...base, volHistoryDays: Infinity });
    const trailing = labelRegimesFromIndex(levels, dates, { ...base, volHistoryDays: 100 });
    const share = (v: string[]) => v.slice(450).filter((x) => x === 'stressed').length / 150;
    // against the whole past (a third to a half of it calm) most late volatile days are "stressed";
    // against the last 100 days only about a third are (the 67th percentile of a like-for-like sample)
    expect(share(expanding.vol)).toBeGreaterThan(0.7);
    expect(share(trailing.vol)).toBeGreaterThan(0.15);
    expect(share(trailing.vol)).toBeLessThan(0.55);
    // the thresholds at day 550 are percentiles of exactly the last 100 full-window values before it
    const rv = Array.from(trailing.realisedVol.slice(450, 550)).sort((a, b) => a - b);
    const h = 99 * 0.67;
    expect(trailing.volHigh[550]).toBeCloseTo(
      rv[Math.floor(h)]! + (h - Math.floor(h)) * (rv[Math.floor(h) + 1]! - rv[Math.floor(h)]!),
      12,
    );
  });
});
