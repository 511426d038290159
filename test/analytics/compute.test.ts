/** The pure analytics of src-main/analytics against cases worked out by hand. */
import { describe, expect, it } from 'vitest';
import {
  alignByDate,
  covarianceMatrix,
  distributionStats,
  histogram,
  histogramEdges,
  niceWidth,
  relativeStats,
  riskContribution,
  rollingVolatility,
  seedBook,
  stitchWindows,
  stressReturns,
  tradingOverTime,
  weightsOverTime,
} from '../../src-main/analytics';
import { annualTurnover, costDrag } from '../../src-main/metrics';

describe('relative figures', () => {
  it('match the hand computation for r = 2b + 0.1% a day', () => {
    const b = [0.01, -0.01, 0.01, -0.01];
    const r = b.map((x) => 2 * x + 0.001);
    const s = relativeStats(r, b);
    // a = r - b = b + 0.001: mean 0.001, sample variance 4 * 0.0001 / 3
    expect(s.days).toBe(4);
    expect(s.activeReturn).toBeCloseTo(0.252, 12);
    expect(s.trackingError).toBeCloseTo(Math.sqrt((0.0004 / 3) * 252), 12);
    expect(s.trackingError).toBeCloseTo(0.183303, 6);
    expect(s.informationRatio).toBeCloseTo(0.252 / 0.1833030277982336, 9);
    expect(s.beta).toBeCloseTo(2, 12);
    expect(s.correlation).toBeCloseTo(1, 12);
    // Jensen's alpha: (mean r - 2 mean b) * 252 = 0.001 * 252
    expect(s.alpha).toBeCloseTo(0.252, 12);
  });

  it('give beta -0.5 and correlation -1 for a strategy that moves half against the benchmark', () => {
    const b = [0.02, -0.01, 0.005, 0.0, -0.015];
    const s = relativeStats(
      b.map((x) => -0.5 * x),
      b,
    );
    expect(s.beta).toBeCloseTo(-0.5, 12);
    expect(s.correlation).toBeCloseTo(-1, 12);
  });

  it('of the benchmark against itself: no active return, no tracking error, an undefined ratio', () => {
    const b = [0.01, -0.02, 0.03];
    const s = relativeStats(b, b);
    expect(s.activeReturn).toBe(0);
    expect(s.trackingError).toBe(0);
    expect(s.informationRatio).toBeNaN();
    expect(s.beta).toBeCloseTo(1, 12);
  });

  it('refuse series of different days, and align dated series on the dates both have', () => {
    expect(() => relativeStats([0.1, 0.2], [0.1])).toThrow(/same days/);
    const al = alignByDate(
      { dates: ['d1', 'd2', 'd3'], ret: [1, 2, 3] },
      { dates: ['d2', 'd3', 'd4'], ret: [20, 30, 40] },
    );
    expect(al).toEqual({ dates: ['d2', 'd3'], a: [2, 3], b: [20, 30] });
  });
});

describe('risk contribution', () => {
  it('splits the variance of a hand-computed two-asset book', () => {
    const cov = [
      [0.04, 0.006],
      [0.006, 0.09],
    ];
    const rc = riskContribution(
      [0.6, 0.4],
      cov,
      ['A', 'B'],
      new Map([
        ['A', 'Tech'],
        ['B', 'Energy'],
      ]),
    );
    // Σw = (0.0264, 0.0396): contributions 0.6 * 0.0264 = 0.01584 and 0.4 * 0.0396 = 0.01584; wᵀΣw = 0.03168
    expect(rc.variance).toBeCloseTo(0.03168, 14);
    expect(rc.assets.map((a) => a.contribution)).toEqual([expect.closeTo(0.01584, 14), expect.closeTo(0.01584, 14)]);
    expect(rc.assets.map((a) => a.share)).toEqual([expect.closeTo(0.5, 12), expect.closeTo(0.5, 12)]);
    expect(rc.volatility).toBeCloseTo(Math.sqrt(0.03168 * 252), 12);
    expect(rc.sectors.map((s) => s.sector).sort()).toEqual(['Energy', 'Tech']);
  });

  it('sums to the portfolio variance, asset by asset and sector by sector, on a sampled covariance', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.04;
    const rets = Array.from({ length: 120 }, () => Array.from({ length: 5 }, rnd));
    const cov = covarianceMatrix(rets);
    const w = [0.3, 0.1, 0.25, 0.15, 0.1]; // 10% cash
    let quad = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) quad += w[i]! * cov[i]![j]! * w[j]!;
    const rc = riskContribution(
      w,
      cov,
      ['A', 'B', 'C', 'D', 'E'],
      new Map([
        ['A', 'X'],
        ['B', 'X'],
        ['C', 'Y'],
        ['D', 'Y'],
        ['E', 'Z'],
      ]),
    );
    expect(rc.variance).toBeCloseTo(quad, 15);
    expect(rc.assets.reduce((s, a) => s + a.contribution, 0)).toBeCloseTo(quad, 15);
    expect(rc.sectors.reduce((s, a) => s + a.contribution, 0)).toBeCloseTo(quad, 15);
    expect(rc.assets.reduce((s, a) => s + a.share, 0)).toBeCloseTo(1, 12);
  });

  it('estimates the sample covariance (n - 1)', () => {
    const cov = covarianceMatrix([
      [1, 2],
      [3, 6],
    ]);
    expect(cov.map((r) => Array.from(r))).toEqual([
      [2, 4],
      [4, 8],
    ]);
    expect(() => covarianceMatrix([[1, 2]])).toThrow(/at least 2 days/);
  });
});

describe('the stitched out-of-sample record', () => {
  const w1 = {
    from: '1998-01-02',
    to: '1998-01-06',
    seeds: [{ dates: ['1998-01-02', '1998-01-05', '1998-01-06'], ret: [0.01, 0.02, -0.01] }],
  };
  const w2 = {
    from: '1999-01-04',
    to: '1999-01-06',
    seeds: [
      { dates: ['1999-01-04', '1999-01-05', '1999-01-06'], ret: [0.03, -0.02, 0.0] },
      { dates: ['1999-01-04', '1999-01-05', '1999-01-06'], ret: [0.01, 0.0, 0.02] },
    ],
  };

  it('is the product of the window returns, seeds averaged day by day', () => {
    const rec = stitchWindows([w2, w1]); // given out of order: chained by date
    const r1 = 1.01 * 1.02 * 0.99 - 1;
    const r2 = 1.02 * 0.99 * 1.01 - 1; // the seeds' mean returns: 2%, -1%, 1%
    expect(rec.segments.map((s) => [s.from, s.seeds, s.days])).toEqual([
      ['1998-01-02', 1, 3],
      ['1999-01-04', 2, 3],
    ]);
    expect(rec.segments[0]!.ret).toBeCloseTo(r1, 14);
    expect(rec.segments[1]!.ret).toBeCloseTo(r2, 14);
    expect(rec.total).toBeCloseTo((1 + r1) * (1 + r2) - 1, 14);
    expect(rec.values.at(-1)).toBeCloseTo(1 + rec.total, 14);
    // one axis: the second window starts where the first ended, not at 1
    expect(rec.values[3]).toBeCloseTo((1 + r1) * 1.02, 14);
    expect(rec.dates).toHaveLength(6);
  });

  it('leaves out a window that overlaps an earlier one, and counts the gap between windows', () => {
    const overlap = {
      from: '1998-01-05',
      to: '1998-01-07',
      seeds: [{ dates: ['1998-01-05', '1998-01-06', '1998-01-07'], ret: [0.5, 0.5, 0.5] }],
    };
    const rec = stitchWindows([w1, overlap, w2], () => 250);
    expect(rec.skipped).toEqual([{ from: '1998-01-05', to: '1998-01-07' }]);
    expect(rec.segments.map((s) => s.gapDays)).toEqual([0, 250]);
  });

  it('uses only the dates every seed has', () => {
    expect(
      seedBook([
        { dates: ['a', 'b'], ret: [0.02, 0.04] },
        { dates: ['b', 'c'], ret: [0.0, 0.1] },
      ]),
    ).toEqual({ dates: ['b'], ret: [0.02] });
  });
});

describe('stress windows', () => {
  it("compound the run's days inside each window and mark a partial cover", () => {
    const dates = ['1998-07-17', '1998-07-20', '1998-07-21', '1998-09-01', '2000-04-14', '2000-04-17'];
    const ret = [0.05, -0.02, -0.03, 0.04, -0.06, 0.01];
    const windows = [
      { id: 'a', label: 'A', from: '1998-07-20', to: '1998-08-31' },
      { id: 'b', label: 'B', from: '2000-03-10', to: '2000-04-14' },
      { id: 'c', label: 'C', from: '2005-01-01', to: '2005-02-01' },
    ];
    const s = stressReturns(dates, ret, (from) => (from === '1998-07-20' ? 2 : 25), windows);
    expect(s.map((x) => x.id)).toEqual(['a', 'b']); // no day in c: left out
    expect(s[0]!.ret).toBeCloseTo(0.98 * 0.97 - 1, 14);
    expect(s[0]!.days).toBe(2);
    expect(s[0]!.partial).toBe(false);
    expect(s[1]!.ret).toBeCloseTo(-0.06, 14);
    expect(s[1]!.partial).toBe(true);
  });
});

describe('series', () => {
  it('rolling volatility is the annualised sample std of the last days, null until the window fills', () => {
    const v = rollingVolatility([0.01, 0.02, 0.03, 0.0], 3, 252);
    expect(v[0]).toBeNull();
    expect(v[1]).toBeNull();
    expect(v[2]).toBeCloseTo(0.01 * Math.sqrt(252), 12);
    expect(v[3]).toBeCloseTo(
      Math.sqrt(((0.02 - 0.05 / 3) ** 2 + (0.03 - 0.05 / 3) ** 2 + (0.05 / 3) ** 2) / 2) * Math.sqrt(252),
      12,
    );
    expect(() => rollingVolatility([0.1], 1)).toThrow(/at least 2 days/);
  });

  it('the histogram counts every return once over readable shared bins', () => {
    expect(niceWidth(0.0013)).toBeCloseTo(0.002, 15);
    expect(niceWidth(0.0022)).toBeCloseTo(0.0025, 15);
    const a = [-0.031, -0.004, 0.0, 0.012, 0.029];
    const b = [0.05];
    const edges = histogramEdges([a, b], 10);
    expect(edges[0]).toBeLessThanOrEqual(-0.031);
    expect(edges.at(-1)).toBeGreaterThanOrEqual(0.05);
    const w = edges[1]! - edges[0]!;
    expect(w).toBeCloseTo(0.01, 12);
    expect(histogram(a, edges).reduce((s, c) => s + c, 0)).toBe(a.length);
    expect(histogram(b, edges).reduce((s, c) => s + c, 0)).toBe(1);
    expect(histogram([0.0, 0.004, 0.011], [0, 0.01, 0.02])).toEqual([2, 1]);
  });

  it('distribution moments: a symmetric sample has no skew; best and worst days', () => {
    const s = distributionStats([-0.02, -0.01, 0, 0.01, 0.02]);
    expect(s.mean).toBeCloseTo(0, 15);
    expect(s.skew).toBeCloseTo(0, 12);
    // m2 = 0.0002, m4 = (2 * 0.02^4 + 2 * 0.01^4) / 5 = 6.8e-8: g2 = 6.8e-8 / 4e-8 - 3 = -1.3
    expect(s.kurtosis).toBeCloseTo(-1.3, 10);
    expect(s.best).toBe(0.02);
    expect(s.worst).toBe(-0.02);
    expect(distributionStats([-0.03, 0, 0, 0.01]).skew).toBeLessThan(0);
  });

  it('trading over time sums each month, leaving the initial purchase out of the turnover only', () => {
    const dates = ['2000-01-28', '2000-01-31', '2000-02-01', '2000-02-02'];
    const turnover = [1, 0.1, 0.2, 0.05];
    const cost = [0.001, 0.0002, 0.0004, 0.0001];
    const t = tradingOverTime(dates, turnover, cost);
    expect(t.months).toEqual([
      { month: '2000-01', turnover: 0.1, cost: expect.closeTo(0.0012, 15) },
      { month: '2000-02', turnover: expect.closeTo(0.25, 15), cost: expect.closeTo(0.0005, 15) },
    ]);
    expect(t.annualTurnover).toBeCloseTo(annualTurnover([0.1, 0.2, 0.05]), 15);
    expect(t.annualTurnover).toBeCloseTo((0.35 / 3) * 252, 12);
    expect(t.costDrag).toBeCloseTo(costDrag(cost), 15);
    expect(() => tradingOverTime(dates, turnover, cost.slice(1))).toThrow(/4 dates/);
  });
});

describe('weights over time', () => {
  const tickers = ['A', 'B', 'C', 'D'];
  const sectors = new Map([
    ['A', 'Tech'],
    ['B', 'Tech'],
    ['C', 'Energy'],
  ]);
  const rows = [
    [0.4, 0.3, 0.2, 0.0, 0.1],
    [0.5, 0.1, 0.1, 0.1, 0.2],
  ];
  it("by asset (the largest, then Other), by sector, by the day's groups, and cash", () => {
    const groups = (d: string) =>
      new Map([
        ['High-quality', d === 'd1' ? ['A'] : ['A', 'B']],
        ['Ordinary', d === 'd1' ? ['B', 'C'] : ['C']],
      ]);
    const w = weightsOverTime(['d1', 'd2'], rows, tickers, sectors, groups, 2);
    expect(w.byAsset).toEqual([
      { name: 'A', values: [0.4, 0.5] },
      { name: 'B', values: [0.3, 0.1] },
      { name: 'Other', values: [expect.closeTo(0.2, 15), expect.closeTo(0.2, 15)] },
    ]);
    expect(w.bySector.map((s) => s.name)).toEqual(['Tech', 'Energy', 'Unclassified']);
    expect(w.bySector[0]!.values).toEqual([expect.closeTo(0.7, 15), expect.closeTo(0.6, 15)]);
    const g = new Map(w.byGroup!.map((s) => [s.name, s.values]));
    expect(g.get('High-quality')).toEqual([0.4, expect.closeTo(0.6, 15)]);
    expect(g.get('Ordinary')).toEqual([expect.closeTo(0.5, 15), 0.1]);
    // D is in no group on d2: its weight shows as ungrouped, so the groups and cash still add up to the book
    expect(g.get('Ungrouped')).toEqual([0, expect.closeTo(0.1, 15)]);
    expect(w.cash).toEqual([0.1, 0.2]);
  });

  it('has no group view for a strategy that records none, and refuses rows of the wrong length', () => {
    expect(weightsOverTime(['d1', 'd2'], rows, tickers, sectors).byGroup).toBeNull();
    expect(() => weightsOverTime(['d1'], [[0.5, 0.5]], tickers, sectors)).toThrow(/expected 4 assets and cash/);
  });
});
