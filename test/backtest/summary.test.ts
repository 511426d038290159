import { describe, expect, it } from 'vitest';
import { formatSpread, metricsTable, summarizeByStrategy } from '../../src-main/backtest/summary';
import type { BacktestRunResult } from '../../src-main/backtest/run';
import { METRIC_NAMES, type Metrics } from '../../src-main/metrics';

function result(strategy: string, seed: number, from: string, sharpe: number, flags: string[] = [], hindsight = false): BacktestRunResult {
  const metrics = Object.fromEntries(METRIC_NAMES.map((k) => [k, 0])) as Metrics;
  metrics.sharpe = sharpe;
  metrics.cumulativeReturn = sharpe / 10;
  return { runId: null, strategy, label: strategy, hindsight, seed, window: { label: from, from, to: from, trainFrom: null, trainTo: null }, status: 'complete', metrics, ewDistance: 0.5, flags, timings: {} };
}

describe('summaries over seeds and windows', () => {
  it('a metric over runs follows the domain rule: NaN left out and counted, one value shown without a spread', () => {
    const rs = [result('crp', 1, '1998-01-02', 1), result('crp', 2, '1998-01-02', 3), result('crp', 3, '1998-01-02', 2), result('crp', 4, '1998-01-02', Number.NaN)];
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
    expect(v[0]).toMatch(/^1998: samp-hdrl beats equal weight \(crp\): Sharpe 1\.40 ± 0\.14 vs 1\.00/);
    expect(v[1]).toMatch(/^1999: samp-hdrl does not beat equal weight \(crp\)/);
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
      '1998: samp-hdrl does not beat equal weight (crp): Sharpe 1.20 vs 1.00, cumulative return 5.0% vs 10.0%',
      '1998: ddpg-flat cannot be compared with equal weight (crp): Sharpe - vs 1.00, cumulative return - vs 10.0%',
    ]);
    expect(glanceTable(rs, new Set(['samp-hdrl'])).split('\n')[3]).toBe('| samp-hdrl | 1.20 | 1.20 | 5.0% | 0/1 |');
  });
});

describe('over all windows, seed by seed', () => {
  // samp-hdrl: seed 1 Sharpe 1.5 (1998) and 0.5 (1999) -> 1.0; seed 2: 1.3 and 2.5 -> 1.9; over seeds 1.45 ± 0.636
  const rs = [
    ...TWO_YEARS,
    { ...result('samp-hdrl', 3, '1999-01-04', 9), status: 'failed' as const, metrics: null },
  ];

  it('averages each seed over its windows first, then takes mean and std over seeds', async () => {
    const { summarizeSeedsOverWindows } = await import('../../src-main/backtest/summary');
    const s = summarizeSeedsOverWindows(rs);
    const samp = s.find((x) => x.strategy === 'samp-hdrl')!;
    expect(samp.metrics.sharpe.mean).toBeCloseTo(1.45, 12);
    expect(samp.metrics.sharpe.std).toBeCloseTo(Math.sqrt(((1.0 - 1.45) ** 2 + (1.9 - 1.45) ** 2) / 1), 12);
    expect(samp.metrics.sharpe.n).toBe(2); // the failed seed is not a seed average
    expect([samp.runs, samp.failed, samp.seeds, samp.windows]).toEqual([4, 1, 3, 2]);
    // pooled over seeds x windows the std would be that of 1.5, 1.3, 0.5, 2.5 instead
    expect(summarizeByStrategy(rs).find((x) => x.strategy === 'samp-hdrl')!.metrics.sharpe.std).not.toBeCloseTo(samp.metrics.sharpe.std!, 3);
    const crp = s.find((x) => x.strategy === 'crp')!;
    expect(crp.metrics.sharpe).toMatchObject({ mean: 1.5, n: 1 });
  });

  it('the at-a-glance table: Sharpe per window and overall, and the runs that beat equal weight', async () => {
    const { glanceTable, resultsMarkdown } = await import('../../src-main/backtest/summary');
    const t = glanceTable(rs, new Set(['samp-hdrl']));
    const lines = t.split('\n');
    expect(lines[0]).toBe('| strategy | sharpe 1998-01-02 | sharpe 1999-01-04 | sharpe all | cum ret all | runs beating crp |');
    // runs beating crp on both Sharpe and cum ret: 1998 seed 1 (1.5 > 1) and seed 2 (1.3 > 1), 1999 seed 2 (2.5 > 2)
    expect(lines[2]).toBe('| crp (equal weight) | 1.00 | 2.00 | 1.50 | 15.0% |  |');
    expect(lines[3]).toBe('| samp-hdrl | 1.40 ± 0.14 | 1.50 ± 1.41 | 1.45 ± 0.64 | 14.5% ± 6.4% | 3/4 |');
    expect(glanceTable(rs, new Set())).toBe('');
    const md = resultsMarkdown(rs, { command: 'hdrl backtest x', codeVersion: 'v', learning: new Set(['samp-hdrl']) });
    expect(md.indexOf('## At a glance')).toBeLessThan(md.indexOf('## Test window'));
    expect(md).toMatch(/## All windows[\s\S]*\| samp-hdrl \| 4 \(\+1 failed\) \| 14\.5% ± 6\.4% \|/);
  });
});

