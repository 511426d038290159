import { describe, expect, it } from 'vitest';
import {
  costsTable,
  formatMetric,
  formatP,
  formatSpread,
  metricsTable,
  pairedTests,
  resultsMarkdown,
  summarizeByStrategy,
} from '../../src-main/backtest/summary';
import { sharpeDifferenceTest } from '../../src-main/metrics/paired';
import { FLAG_CONCENTRATED } from '../../src-shared/domain';
import type { BacktestRunResult } from '../../src-main/backtest/run';
import { METRIC_NAMES, type Metrics } from '../../src-main/metrics';

function result(
  strategy: string,
  seed: number,
  from: string,
  sharpe: number,
  flags: string[] = [],
  hindsight = false,
): BacktestRunResult {
  const metrics = Object.fromEntries(METRIC_NAMES.map((k) => [k, 0])) as Metrics;
  metrics.sharpe = sharpe;
  metrics.cumulativeReturn = sharpe / 10;
  return {
    runId: null,
    strategy,
    label: strategy,
    hindsight,
    seed,
    window: { label: from, from, to: from, trainFrom: null, trainTo: null },
    status: 'complete',
    metrics,
    ewDistance: 0.5,
    flags,
    timings: {},
  };
}

describe('summaries over seeds and windows', () => {
  it('a metric over runs follows the domain rule: NaN left out and counted, one value shown without a spread', () => {
    const rs = [
      result('crp', 1, '1998-01-02', 1),
      result('crp', 2, '1998-01-02', 3),
      result('crp', 3, '1998-01-02', 2),
      result('crp', 4, '1998-01-02', Number.NaN),
    ];
    const s = summarizeByStrategy(rs)[0]!;
    expect(s.metrics.sharpe).toEqual({ mean: 2, std: 1, n: 3, missing: 1 });
    expect(formatSpread('sharpe', s.metrics.sharpe)).toBe('2.00 ± 1.00');
    const one = summarizeByStrategy([result('crp', 1, '1998-01-02', 4)])[0]!;
    expect(one.metrics.sharpe).toEqual({ mean: 4, std: null, n: 1, missing: 0 });
    expect(formatSpread('sharpe', one.metrics.sharpe)).toBe('4.00');
    expect(formatSpread('sharpe', { mean: Infinity, std: null, n: 2, missing: 0 })).toBe('inf');
  });
  it('groups by strategy, counts seeds, windows and flags; the table marks hindsight and ≈EW', () => {
    const rs = [
      result('crp', 1, '1998-01-02', 1, ['close-to-equal-weight']),
      result('crp', 1, '1999-01-04', 2, ['close-to-equal-weight']),
      result('crp', 1, '2000-01-03', 3),
      result('bcrp', 1, '1998-01-02', 5, [], true),
      { ...result('bcrp', 1, '1999-01-04', 0, [], true), status: 'failed' as const, metrics: null },
    ];
    const s = summarizeByStrategy(rs);
    expect(s.map((x) => [x.strategy, x.runs, x.failed, x.seeds, x.windows])).toEqual([
      ['crp', 3, 0, 1, 3],
      ['bcrp', 1, 1, 1, 2],
    ]);
    expect(s[0]!.metrics.sharpe).toEqual({ mean: 2, std: 1, n: 3, missing: 0 });
    expect(s[0]!.flags).toEqual({ 'close-to-equal-weight': 2 });
    expect(formatSpread('sharpe', s[0]!.metrics.sharpe)).toBe('2.00 ± 1.00');
    expect(formatSpread('cumulativeReturn', s[0]!.metrics.cumulativeReturn)).toBe('20.0% ± 10.0%');
    const t = metricsTable(s);
    expect(t).toMatch(/^crp\s+3\s+20\.0% ± 10\.0%/m);
    expect(t).toMatch(/^bcrp \*\s+1 \(\+1 failed\)/m);
    expect(t).toContain('≈EW 2/3');
    expect(t).toContain('* hindsight');
  });
});

/** Equal weight and two seeds of a learner over two years; the learner's 1999 mean Sharpe 1.5 < 2.0 loses. */
const TWO_YEARS = [
  result('crp', 1, '1998-01-02', 1.0),
  result('samp-hdrl', 1, '1998-01-02', 1.5),
  result('samp-hdrl', 2, '1998-01-02', 1.3),
  result('crp', 1, '1999-01-04', 2.0),
  result('samp-hdrl', 1, '1999-01-04', 0.5),
  result('samp-hdrl', 2, '1999-01-04', 2.5),
];

describe('the equal-weight verdict', () => {
  it('says plainly, per window, whether a learning strategy beat equal weight on Sharpe and cumulative return', async () => {
    const { equalWeightVerdicts, resultsMarkdown } = await import('../../src-main/backtest/summary');
    const rs = TWO_YEARS;
    const v = equalWeightVerdicts(rs, new Set(['samp-hdrl']));
    expect(v).toHaveLength(2);
    expect(v[0]).toMatch(/^1998-01-02: samp-hdrl beats equal weight \(crp\): Sharpe 1\.40 ± 0\.14 vs 1\.00/);
    expect(v[1]).toMatch(/^1999-01-04: samp-hdrl does not beat equal weight \(crp\)/);
    expect(equalWeightVerdicts(rs, new Set())).toEqual([]);
    const md = resultsMarkdown(rs, { command: 'hdrl backtest x', codeVersion: 'v', learning: new Set(['samp-hdrl']) });
    expect(md).toContain('## Test window 1998-01-02');
    expect(md).toContain('**samp-hdrl does not beat equal weight**');
    expect(md).toMatch(/\| samp-hdrl \| 2 \| 14\.0% ± 1\.4% \|/);
  });
});

describe('the equal-weight verdict: the domain rule in the CLI lines', () => {
  it('a higher Sharpe with a lower return does not beat; an undefined Sharpe cannot be compared', async () => {
    const { equalWeightVerdicts, glanceTable } = await import('../../src-main/backtest/summary');
    const lowReturn = result('samp-hdrl', 1, '1998-01-02', 1.2); // crp: Sharpe 1.0, return 10%
    lowReturn.metrics!.cumulativeReturn = 0.05;
    const rs = [result('crp', 1, '1998-01-02', 1.0), lowReturn, result('ddpg-flat', 1, '1998-01-02', Number.NaN)];
    const v = equalWeightVerdicts(rs, new Set(['samp-hdrl', 'ddpg-flat']));
    expect(v).toEqual([
      '1998-01-02: samp-hdrl does not beat equal weight (crp): Sharpe 1.20 vs 1.00, cumulative return 5.0% vs 10.0%',
      '1998-01-02: ddpg-flat cannot be compared with equal weight (crp): Sharpe - vs 1.00, cumulative return - vs 10.0%',
    ]);
    expect(glanceTable(rs, new Set(['samp-hdrl'])).split('\n')[3]).toBe('| samp-hdrl | 1.20 | 1.20 | 5.0% | 0/1 |');
  });

  it("names a window by its protocol's label: the mpls protocol's test window starting in 1998 is 'test', not '1998'", async () => {
    const { equalWeightVerdicts } = await import('../../src-main/backtest/summary');
    const inTest = (r: BacktestRunResult): BacktestRunResult => ({ ...r, window: { ...r.window, label: 'test' } });
    const v = equalWeightVerdicts(
      [inTest(result('crp', 1, '1998-12-30', 1.0)), inTest(result('mpls', 1, '1998-12-30', 0.5))],
      new Set(['mpls']),
    );
    expect(v).toEqual([
      'test: mpls does not beat equal weight (crp): Sharpe 0.50 vs 1.00, cumulative return 5.0% vs 10.0%',
    ]);
  });
});

describe('over all windows, seed by seed', () => {
  // samp-hdrl: seed 1 Sharpe 1.5 (1998) and 0.5 (1999) -> 1.0; seed 2: 1.3 and 2.5 -> 1.9; over seeds 1.45 ± 0.636
  const rs = [...TWO_YEARS, { ...result('samp-hdrl', 3, '1999-01-04', 9), status: 'failed' as const, metrics: null }];

  it('averages each seed over its windows first, then takes mean and std over seeds', async () => {
    const { summarizeSeedsOverWindows } = await import('../../src-main/backtest/summary');
    const s = summarizeSeedsOverWindows(rs);
    const samp = s.find((x) => x.strategy === 'samp-hdrl')!;
    expect(samp.metrics.sharpe.mean).toBeCloseTo(1.45, 12);
    expect(samp.metrics.sharpe.std).toBeCloseTo(Math.sqrt(((1.0 - 1.45) ** 2 + (1.9 - 1.45) ** 2) / 1), 12);
    expect(samp.metrics.sharpe.n).toBe(2); // the failed seed is not a seed average
    expect([samp.runs, samp.failed, samp.seeds, samp.windows]).toEqual([4, 1, 3, 2]);
    // pooled over seeds x windows the std would be that of 1.5, 1.3, 0.5, 2.5 instead
    expect(summarizeByStrategy(rs).find((x) => x.strategy === 'samp-hdrl')!.metrics.sharpe.std).not.toBeCloseTo(
      samp.metrics.sharpe.std!,
      3,
    );
    const crp = s.find((x) => x.strategy === 'crp')!;
    expect(crp.metrics.sharpe).toMatchObject({ mean: 1.5, n: 1 });
  });

  it('the at-a-glance table: Sharpe per window and overall, and the runs that beat equal weight', async () => {
    const { glanceTable, resultsMarkdown } = await import('../../src-main/backtest/summary');
    const t = glanceTable(rs, new Set(['samp-hdrl']));
    const lines = t.split('\n');
    expect(lines[0]).toBe(
      '| strategy | sharpe 1998-01-02 | sharpe 1999-01-04 | sharpe all | cum ret all | runs beating crp |',
    );
    // runs beating crp on both Sharpe and cum ret: 1998 seed 1 (1.5 > 1) and seed 2 (1.3 > 1), 1999 seed 2 (2.5 > 2)
    expect(lines[2]).toBe('| crp (equal weight) | 1.00 | 2.00 | 1.50 | 15.0% |  |');
    expect(lines[3]).toBe('| samp-hdrl | 1.40 ± 0.14 | 1.50 ± 1.41 | 1.45 ± 0.64 | 14.5% ± 6.4% | 3/4 |');
    expect(glanceTable(rs, new Set())).toBe('');
    const md = resultsMarkdown(rs, { command: 'hdrl backtest x', codeVersion: 'v', learning: new Set(['samp-hdrl']) });
    expect(md.indexOf('## At a glance')).toBeLessThan(md.indexOf('## Test window'));
    expect(md).toMatch(/## All windows[\s\S]*\| samp-hdrl \| 4 \(\+1 failed\) \| 14\.5% ± 6\.4% \|/);
  });
});

/** n seeded daily returns around `mean` (uniform noise of width 4 %), dated within `year`. */
function series(year: string, n: number, mean: number, seed: number): { dates: string[]; ret: number[] } {
  let a = seed >>> 0;
  const u = () => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296;
  return {
    dates: Array.from({ length: n }, (_, i) => `${year}-d${String(i).padStart(3, '0')}`),
    ret: Array.from({ length: n }, () => mean + 0.04 * (u() - 0.5)),
  };
}

describe('the results document: caveats, the paired test, before and after costs, concentration', () => {
  // the TWO_YEARS runs with daily returns: samp-hdrl's two seeds and crp in 1998 and 1999
  const days = new Map<BacktestRunResult, { dates: string[]; ret: number[] }>();
  TWO_YEARS.forEach((r, k) =>
    days.set(r, series(r.window.from.slice(0, 4), 120, r.strategy === 'crp' ? 0.0005 : 0.001, 11 + k)),
  );
  const returnsOf = (r: BacktestRunResult) => days.get(r);

  it("tests the mean of the seeds' daily returns against equal weight's, per window and over all test days", () => {
    const rows = pairedTests(TWO_YEARS, new Set(['samp-hdrl']), returnsOf);
    expect(rows.map((r) => [r.strategy, r.reference, r.window, r.seeds, r.test.days])).toEqual([
      ['samp-hdrl', 'crp', '1998-01-02', 2, 120],
      ['samp-hdrl', 'crp', '1999-01-04', 2, 120],
      ['samp-hdrl', 'crp', 'all', 2, 240],
    ]);
    const [s1, s2, crp] = [TWO_YEARS[1]!, TWO_YEARS[2]!, TWO_YEARS[0]!].map((r) => days.get(r)!.ret);
    const mean98 = s1!.map((x, i) => (x + s2![i]!) / 2);
    expect(rows[0]!.test).toEqual(sharpeDifferenceTest(mean98, crp!));
    const [t1, t2, crp99] = [TWO_YEARS[4]!, TWO_YEARS[5]!, TWO_YEARS[3]!].map((r) => days.get(r)!.ret);
    const mean99 = t1!.map((x, i) => (x + t2![i]!) / 2);
    expect(rows[2]!.test).toEqual(sharpeDifferenceTest([...mean98, ...mean99], [...crp!, ...crp99!]));
    // "all" strings the windows together in date order, whatever order the results come in
    expect(pairedTests([...TWO_YEARS].reverse(), new Set(['samp-hdrl']), returnsOf)).toEqual(rows);
    // only the dates every averaged run has are used
    const short = new Map(days);
    short.set(TWO_YEARS[1]!, {
      dates: days.get(TWO_YEARS[1]!)!.dates.slice(10),
      ret: days.get(TWO_YEARS[1]!)!.ret.slice(10),
    });
    expect(pairedTests(TWO_YEARS, new Set(['samp-hdrl']), (r) => short.get(r))[0]!.test.days).toBe(110);
    // without daily returns there is nothing to test
    expect(pairedTests(TWO_YEARS, new Set(['samp-hdrl']), () => undefined)).toEqual([]);
  });

  it('writes the caveats, the p-values, the figures before and after costs and the concentration flag', () => {
    const rs = TWO_YEARS.map((r) => ({ ...r, metrics: { ...r.metrics! }, flags: [...r.flags] }));
    for (const r of rs) {
      Object.assign(r.metrics!, {
        grossSharpe: r.metrics!.sharpe + 0.5,
        grossSortino: r.metrics!.sortino + 0.75,
        grossOmega: r.metrics!.omega + 0.25,
        grossCumulativeReturn: r.metrics!.cumulativeReturn + 0.02,
        annualTurnover: 3,
        costDrag: 0.006,
        maxWeight: 0.2,
        minEffectiveN: 6,
      });
      days.set(r, days.get(TWO_YEARS[rs.indexOf(r)]!)!);
    }
    Object.assign(rs[4]!.metrics!, { maxWeight: 0.9999, minEffectiveN: 1.0002 });
    rs[4]!.flags.push(FLAG_CONCENTRATED);
    const md = resultsMarkdown(rs, {
      command: 'hdrl backtest x',
      codeVersion: 'v',
      learning: new Set(['samp-hdrl']),
      universe: 'djia30',
      returnsOf,
    });
    // caveats first: survivorship of the bundled universe, and what two windows cannot settle
    expect(md.indexOf('## Read with care')).toBeLessThan(md.indexOf('## At a glance'));
    expect(md).toContain('30 members of the Dow Jones Industrial Average of 2001, traded back to 1991');
    expect(md).toContain('The figures come from 2 test windows');
    expect(md).toContain('says nothing about whether an ordering of strategies would hold in another market regime');
    // the paired test: one row per window and one over all days, with both p-values
    const rows = pairedTests(rs, new Set(['samp-hdrl']), returnsOf);
    const all = rows[2]!.test;
    expect(md).toContain('## Against equal weight, day by day');
    expect(md).toContain(
      `| samp-hdrl | all | 240 | 2 | ${formatMetric('sharpe', all.sharpe)} | ${formatMetric('sharpe', all.benchmarkSharpe)} (crp) | ${formatMetric('sharpe', all.difference)} | ${formatMetric('sharpe', all.bootstrap.low)} to ${formatMetric('sharpe', all.bootstrap.high)} | ${formatP(all.bootstrap.p)} | ${formatP(all.jobsonKorkie.p)} |`,
    );
    expect(md).toMatch(/\| samp-hdrl \| 1998-01-02 \| 120 \| 2 \|/);
    // before and after costs, with the concentration guard at its worst day
    const costs = md.slice(md.indexOf('## Before and after costs'));
    expect(costs).toContain(
      '| strategy | runs | sharpe | gross sharpe | sortino | gross sortino | omega | gross omega | cum ret | gross cum ret | ann turnover | cost drag | max weight (worst) | min eff N (worst) | concentrated |',
    );
    expect(costs).toContain(
      '| samp-hdrl | 4 | 1.45 ± 0.64 | 1.95 ± 0.64 | 0.00 ± 0.00 | 0.75 ± 0.00 | 0.00 ± 0.00 | 0.25 ± 0.00 | 14.5% ± 6.4% | 16.5% ± 6.4% | 300% ± 0% | 0.60% ± 0.00% | 100.0% | 1.0 | 1/4 |',
    );
    expect(costs).toContain(
      '| crp (equal weight) | 2 | 1.50 | 2.00 | 0.00 | 0.75 | 0.00 | 0.25 | 15.0% | 17.0% | 300% | 0.60% | 20.0% | 6.0 | 0/2 |',
    );
    // the per-window tables show turnover a year at a time with the cost drag, the Omega ratio, the daily 95% VaR and CVaR, and the flag
    expect(md).toContain(
      '| strategy | runs | cum ret | ann ret | ann vol | sharpe | sortino | max dd | calmar | ann turnover | cost drag | holdings | cash | omega | VaR95 | CVaR95 | flags |',
    );
    expect(md).toMatch(/\| samp-hdrl \| 2 \|.*\| concentrated 1\/2 \|/);
  });

  it('says so when no daily returns were at hand, and names no universe it was not told', () => {
    const md = resultsMarkdown(TWO_YEARS, {
      command: 'hdrl backtest x',
      codeVersion: 'v',
      learning: new Set(['samp-hdrl']),
    });
    expect(md).toContain('No paired test: the daily returns');
    expect(md).not.toContain('Dow Jones');
    expect(md).toContain('If that list was drawn up after the test years');
  });

  it('the CLI tables: annual turnover and cost drag beside the net figures, the concentration flag explained', () => {
    const rs = [
      result('ddpg-flat', 1, '1998-01-02', 0.8, [FLAG_CONCENTRATED]),
      result('ddpg-flat', 2, '1998-01-02', 0.9),
      result('crp', 1, '1998-01-02', 1),
    ];
    rs[0]!.metrics!.annualTurnover = 12.6;
    rs[0]!.metrics!.costDrag = 0.0252;
    const t = metricsTable(summarizeByStrategy(rs));
    expect(t.split('\n')[0]).toMatch(/calmar\s+ann turnover\s+cost drag\s+holdings\s+cash\s+flags$/);
    expect(t).toContain('concentrated 1/2');
    expect(t).toContain('concentrated: on some day one stock held more than 50% of the book');
    const c = costsTable(rs, new Set(['ddpg-flat']));
    expect(c.split('\n')[0]).toMatch(
      /^strategy\s+runs\s+sharpe\s+gross sharpe\s+sortino\s+gross sortino\s+omega\s+gross omega\s+cum ret\s+gross cum ret\s+ann turnover\s+cost drag/,
    );
    expect(costsTable(rs, new Set())).toBe('');
  });
});
