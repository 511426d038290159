import { describe, expect, it } from 'vitest';
import {
  clusterScores,
  DynamicGrouping,
  groupBySortino,
  regroupSchedule,
  sortinoRatios,
} from '../../../src-main/strategies/samp/logic/grouping';
import { MarketView } from '../../../src-main/market/view';
import type { PriceMatrix } from '../../../src-main/market/prices';
import { djiaSubset, matrixFromRelatives } from '../../helpers/data';

describe('clusterScores: K-means k=2 on 1-D scores', () => {
  it('reproduces a hand-run of Lloyd iterations', () => {
    // init [0],[10]: 0,1,2,3 -> low (3 is 3 from 0, 7 from 10); centroids 1.5, 10; stable
    const g = clusterScores(Float64Array.from([0, 1, 2, 3, 10]), { seed: 1 });
    expect(g.high).toEqual([false, false, false, false, true]);
    expect(g.ordinary).toEqual([true, true, true, true, false]);
    expect(g.centroids[0]).toBeCloseTo(1.5, 12);
    expect(g.centroids[1]).toBeCloseTo(10, 12);
    expect(g.degenerate).toBe(false);
    // [0, 4, 6, 10]: 4 -> low, 6 -> high, centroids 2 and 8
    const h = clusterScores(Float64Array.from([6, 0, 10, 4]), { seed: 1 });
    expect(h.high).toEqual([true, false, true, false]);
    expect(h.centroids).toEqual([2, 8]);
  });

  it('tie rule: an equidistant score goes to the ordinary group', () => {
    const g = clusterScores(Float64Array.from([0, 2, 4]), { seed: 0 });
    expect(g.high).toEqual([false, false, true]);
    expect(g.centroids).toEqual([1, 4]);
  });

  it('degenerate (all equal): rank split by index, both groups non-empty', () => {
    const g = clusterScores(Float64Array.from([1, 1, 1, 1, 1]), { seed: 0 });
    expect(g.degenerate).toBe(true);
    expect(g.high).toEqual([true, true, false, false, false]);
    const two = clusterScores(Float64Array.from([3, 3]), { seed: 0 });
    expect(two.high).toEqual([true, false]);
  });

  it('is deterministic with kmeans++ for a given seed, and agrees with extremes on separated data', () => {
    const s = Float64Array.from([0.1, 0.2, 0.15, 2.0, 2.2, 0.05, 1.9]);
    const a = clusterScores(s, { seed: 7, init: 'kmeans++' });
    const b = clusterScores(s, { seed: 7, init: 'kmeans++' });
    const c = clusterScores(s, { seed: 7 });
    expect(a.high).toEqual(b.high);
    expect(a.high).toEqual(c.high);
    expect(c.high).toEqual([false, false, false, true, true, false, true]);
  });
});

describe('groupBySortino on a market view', () => {
  // 4 assets over 6 days: A0, A1 steadily up with small dips; A2, A3 mostly down
  const rel = [
    [1.02, 1.01, 0.99, 0.98],
    [0.995, 1.02, 0.97, 1.01],
    [1.03, 0.99, 1.01, 0.96],
    [1.01, 1.03, 0.98, 0.99],
    [1.02, 1.01, 0.99, 1.0],
  ];
  const m = matrixFromRelatives(rel);

  it('scores with trailing Sortino and puts the better assets in the high-quality group', () => {
    const view = new MarketView(m, 5);
    const g = groupBySortino(view, { lookback: 5, seed: 0 });
    const expected = sortinoRatios(rel.map((r) => Float64Array.from(r, (x) => x - 1)));
    for (let i = 0; i < 4; i++) expect(g.scores[i]).toBeCloseTo(expected[i]!, 12);
    expect(g.high).toEqual([true, true, false, false]);
    expect(g.ordinary).toEqual([false, false, true, true]);
  });

  it('reads only the trailing lookback window', () => {
    const g = groupBySortino(new MarketView(m, 5), { lookback: 2, seed: 0 });
    const expected = sortinoRatios(rel.slice(3).map((r) => Float64Array.from(r, (x) => x - 1)));
    for (let i = 0; i < 4; i++) expect(g.scores[i]).toBeCloseTo(expected[i]!, 12);
  });
});

describe('regroupSchedule / DynamicGrouping (every 75 days; static = w/o dc)', () => {
  it('lists the regrouping days', () => {
    expect(regroupSchedule(10, 200, 75)).toEqual([10, 85, 160]);
    expect(regroupSchedule(10, 160, 75)).toEqual([10, 85, 160]);
    expect(regroupSchedule(10, 200, 75, true)).toEqual([10]);
    expect(regroupSchedule(10, 9)).toEqual([]);
  });

  const m = djiaSubset(700, 12);

  it('regroups on schedule, records each regrouping, and random access equals sequential access', () => {
    const seq = new DynamicGrouping({ start: 300, lookback: 120, seed: 3, every: 75 });
    for (let t = 300; t < 700; t++) seq.at(new MarketView(m, t));
    const recs = seq.records();
    expect(recs.map((r) => r.dayIndex)).toEqual([300, 375, 450, 525, 600, 675]);
    for (const r of recs) {
      expect(r.high.length + r.ordinary.length).toBe(12);
      expect(r.high.length).toBeGreaterThan(0);
      expect(r.ordinary.length).toBeGreaterThan(0);
      expect(r.date).toBe(m.dates[r.dayIndex]);
      // the recorded grouping is what groupBySortino gives on the schedule day
      const direct = groupBySortino(new MarketView(m, r.dayIndex), { lookback: 120, seed: 3 });
      expect(r.high).toEqual(m.tickers.filter((_, i) => direct.high[i]));
    }
    const rnd = new DynamicGrouping({ start: 300, lookback: 120, seed: 3, every: 75 });
    for (const t of [690, 301, 520, 449, 450]) {
      expect(rnd.at(new MarketView(m, t)).high).toEqual(seq.at(new MarketView(m, t)).high);
    }
    expect(rnd.isRegroupDay(450)).toBe(true);
    expect(rnd.isRegroupDay(451)).toBe(false);
  });

  it('static (w/o dc) groups once', () => {
    const st = new DynamicGrouping({ start: 300, lookback: 120, seed: 3, static: true });
    const g0 = st.at(new MarketView(m, 300));
    expect(st.at(new MarketView(m, 650))).toBe(g0);
    expect(st.records().map((r) => r.dayIndex)).toEqual([300]);
  });

  it('uses no data after the schedule day (prices changed after it do not change the grouping in force)', () => {
    const changed: PriceMatrix = {
      ...m,
      close: m.close.map((r, t) => (t > 375 ? r.map((v, i) => v * (1 + 0.5 * Math.sin(t + i))) : r)),
    };
    const a = new DynamicGrouping({ start: 300, lookback: 120, seed: 3 });
    const b = new DynamicGrouping({ start: 300, lookback: 120, seed: 3 });
    const ga = a.at(new MarketView(m, 440));
    const gb = b.at(new MarketView(changed, 440));
    expect(gb.high).toEqual(ga.high);
    expect(Array.from(gb.scores)).toEqual(Array.from(ga.scores));
  });

  it('refuses days before the start', () => {
    const g = new DynamicGrouping({ start: 300, lookback: 120, seed: 3 });
    expect(() => g.at(new MarketView(m, 299))).toThrow(RangeError);
  });
});
