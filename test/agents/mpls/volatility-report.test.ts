/**
 * The forecast check behind `hdrl mpls-volatility` (src-main/cli/commands/mplsVolatility.ts): the EWMA and GARCH(1,1)
 * benchmarks read no return after the decision day and give the known volatility of a series whose daily moves are
 * all the same size; the evaluation compares the four forecasters on the protocol's test days, its LSTM and
 * constant figures being the module's own (volatilityErrors); the document names the command that made it.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import type { ClassLayout } from '../../../src-main/agents/hadaps/classes';
import { SectorSeries, type VolatilityConfig } from '../../../src-main/agents/mpls/volatility';
import {
  classicalForecasts,
  evaluateMplsVolatility,
  mplsVolatilityMarkdown,
  VOLATILITY_FORECASTERS,
} from '../../../src-main/cli/commands/mplsVolatility';
import { matrixFromRelatives } from '../../helpers/data';

const layout: ClassLayout = {
  basis: 'sector',
  classes: [
    { name: 'a', members: [0] },
    { name: 'b', members: [1, 2] },
  ],
  nAssets: 3,
  classOf: [0, 1, 1],
};

/** Daily relatives of three assets whose log returns follow GARCH(1,1) (seeded). */
function garchRelatives(days: number): number[][] {
  const rng = seedrandom('report-garch');
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const v = [1e-4, 1e-4, 1e-4];
  const r = [0, 0, 0];
  return Array.from({ length: days }, () =>
    r.map((_, i) => {
      v[i] = 2e-6 + 0.1 * r[i]! ** 2 + 0.88 * v[i]!;
      r[i] = Math.sqrt(v[i]!) * normal();
      return Math.exp(r[i]!);
    }),
  );
}

describe('EWMA and GARCH benchmarks', () => {
  it('a series moving 1% every day has EWMA and GARCH volatility of 1% a day, annualised', () => {
    const m = matrixFromRelatives(
      Array.from({ length: 300 }, (_, t) => [t % 2 ? Math.exp(0.01) : Math.exp(-0.01), 1, 1]),
    );
    const series = new SectorSeries((d) => m.close[d]!, m.close.length, layout);
    const days = [150, 200, 290];
    const f = classicalForecasts(series, 0, { start: 0, end: 100 }, days, 5);
    for (const v of f.ewma) expect(v).toBeCloseTo(0.01 * Math.sqrt(252), 10);
    for (const v of f.garch) expect(Math.abs(v / (0.01 * Math.sqrt(252)) - 1)).toBeLessThan(0.02);
  });

  it('forecasts at a day read no later return (the later closes poisoned give the same numbers)', () => {
    const m = matrixFromRelatives(garchRelatives(400));
    const clean = new SectorSeries((d) => m.close[d]!, m.close.length, layout);
    const cut = 300;
    const poisoned = new SectorSeries(
      (d) => (d > cut ? new Float64Array(3).fill(Number.NaN) : m.close[d]!),
      m.close.length,
      layout,
    );
    const days = [250, 280, cut];
    for (const s of [0, 1]) {
      const want = classicalForecasts(clean, s, { start: 0, end: 200 }, days, 5);
      const got = classicalForecasts(poisoned, s, { start: 0, end: 200 }, days, 5);
      expect(got).toEqual(want);
      for (const v of [...got.ewma, ...got.garch]) expect(Number.isFinite(v) && v > 0).toBe(true);
    }
  });
});

describe('mpls-volatility evaluation', () => {
  it('compares the four forecasters on every test day with h days after it, and writes a document naming its command', async () => {
    const m = { ...matrixFromRelatives(garchRelatives(600)), universe: 'synthetic' };
    const cfg: Partial<VolatilityConfig> = { window: 10, realisedWindow: 10, hidden: 8, epochs: 2, mcPasses: 3 };
    const e = await evaluateMplsVolatility({ m, protocol: 'mpls', seed: 3, cfg, layout });
    expect(e.windows).toHaveLength(1);
    const w = e.windows[0]!;
    // the 70/10/20 split of 601 days tests days 480..600 (vaEnd = floor(0.8 x 601) - 1 = 479); decision days stop 5 days before the end
    expect(w.testDays).toEqual([m.dates[480], m.dates[595]]);
    expect(w.days).toBe(116);
    for (const k of VOLATILITY_FORECASTERS) {
      expect(w.figures[k].count).toBe(116 * 2);
      expect(Number.isFinite(w.figures[k].qlike)).toBe(true);
    }
    expect(w.figures.lstm.rmse).not.toBe(w.figures.constant.rmse);
    expect(w.conservativeShare).toBeGreaterThanOrEqual(0);
    expect(w.conservativeShare).toBeLessThanOrEqual(1);
    const md = mplsVolatilityMarkdown(
      e,
      'npm run hdrl -- mpls-volatility --universe synthetic --protocol mpls --seed 3',
    );
    expect(md).toMatch(/^# MPLS volatility module/);
    expect(md).toContain('Made by `npm run hdrl -- mpls-volatility --universe synthetic --protocol mpls --seed 3`');
    const rows = md.split('\n').filter((l) => l.startsWith('| test |'));
    expect(md).toMatch(/The LSTM's RMSE log is below the constant forecast's in [01] of 1 windows/);
    // four forecasters, then the module's line
    expect(rows.map((l) => l.split('|')[2]!.trim().split(' ')[0])).toEqual([
      'LSTM',
      'constant',
      'EWMA',
      'GARCH(1,1)',
      m.dates[0],
    ]);
  });
});
