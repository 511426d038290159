import { describe, expect, it } from 'vitest';
import { formatSpread, metricsTable, spread, summarizeByStrategy } from '../../src-main/backtest/summary';
import type { BacktestRunResult } from '../../src-main/backtest/run';
import { METRIC_NAMES, type Metrics } from '../../src-main/metrics';

function result(strategy: string, seed: number, from: string, sharpe: number, flags: string[] = [], hindsight = false): BacktestRunResult {
  const metrics = Object.fromEntries(METRIC_NAMES.map((k) => [k, 0])) as Metrics;
  metrics.sharpe = sharpe;
  metrics.cumulativeReturn = sharpe / 10;
  return { runId: null, strategy, label: strategy, hindsight, seed, window: { label: from, from, to: from, trainFrom: null, trainTo: null }, status: 'complete', metrics, ewDistance: 0.5, flags, timings: {} };
}

describe('summaries over seeds and windows', () => {
  it('spread: mean and sample std, NaN left out, one value has no std', () => {
    expect(spread([1, 2, 3, Number.NaN])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(spread([4])).toMatchObject({ mean: 4, n: 1 });
    expect(spread([4]).std).toBeNaN();
    expect(spread([1, Infinity]).mean).toBe(Infinity);
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
    expect(s[0]!.metrics.sharpe).toEqual({ mean: 2, std: 1, n: 3 });
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

describe('the equal-weight verdict', () => {
  it('says plainly, per window, whether a learning strategy beat equal weight on Sharpe and cumulative return', async () => {
    const { equalWeightVerdicts, resultsMarkdown } = await import('../../src-main/backtest/summary');
    const rs = [
      result('crp', 1, '1998-01-02', 1.0),
      result('samp-hdrl', 1, '1998-01-02', 1.5),
      result('samp-hdrl', 2, '1998-01-02', 1.3),
      result('crp', 1, '1999-01-04', 2.0),
      result('samp-hdrl', 1, '1999-01-04', 0.5),
      result('samp-hdrl', 2, '1999-01-04', 2.5), // mean 1.5 < 2.0: loses
    ];
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
