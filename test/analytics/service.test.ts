/**
 * analytics.compare and analytics.verdicts on the database of ./fixture.ts (real classic runs, a learned strategy
 * stored by hand): every figure is checked against the stored metrics or an independent computation from the
 * stored days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/services';
import { cumulativeReturn } from '../../src-main/metrics';
import { sharpeDifferenceTest } from '../../src-main/metrics/paired';
import { getRunDays, getRunMetrics } from '../../src-main/store/runs';
import { equalWeightVerdict } from '../../src-shared/domain';
import type { AnalyticsCompareResponse, LearnedVerdict } from '../../src-shared/contract/analytics';
import { analyticsFixture, type AnalyticsFixture } from './fixture';

let engine: AnalyticsFixture['engine'];
let ids: Record<string, string>;
let samp: string[];

async function call<T>(channel: string, req: object): Promise<T> {
  const r = await dispatch(engine, channel, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  ({ engine, ids, samp } = await analyticsFixture());
}, 300_000);

afterAll(() => engine?.close());

describe('analytics.compare', () => {
  let a: AnalyticsCompareResponse;
  beforeAll(async () => {
    a = await call('analytics.compare', { ids: [samp[0], ids.crp, ids.bcrp, ids.minvar] });
  });

  it('compares every run with equal weight (crp) on its window, and crp with nothing', () => {
    const byStrategy = new Map(a.runs.map((r) => [r.strategy, r]));
    expect(byStrategy.get('samp-hdrl')!.benchmark!.id).toBe(ids.crp);
    expect(byStrategy.get('minvar')!.benchmark!.strategy).toBe('crp');
    expect(byStrategy.get('crp')!.benchmark).toBeNull();
    expect(byStrategy.get('crp')!.relative).toBeNull();
    // seed 1 is crp's returns × 1.1 plus ±0.03-0.04 % a day: beta near 1.1, a small tracking error
    const rel = byStrategy.get('samp-hdrl')!.relative!;
    expect(rel.days).toBe(getRunDays(engine.db, ids.crp!).dates.length);
    expect(rel.beta).toBeGreaterThan(1.09);
    expect(rel.beta).toBeLessThan(1.11);
    expect(rel.informationRatio).toBeCloseTo(rel.activeReturn! / rel.trackingError!, 12);
    // hindsight marked, the learned run marked
    expect(byStrategy.get('bcrp')!.hindsight).toBe(true);
    expect(byStrategy.get('samp-hdrl')!.learned).toBe(true);
  });

  it('a chosen benchmark replaces equal weight', async () => {
    const b = await call<AnalyticsCompareResponse>('analytics.compare', {
      ids: [samp[0], ids.crp],
      benchmark: 'minvar',
    });
    expect(b.runs.map((r) => r.benchmark?.id)).toEqual([ids.minvar, ids.minvar]);
  });

  it('turnover and cost drag are the stored metrics of the engine', () => {
    for (const r of a.runs) {
      const m = getRunMetrics(engine.db, r.id);
      expect(r.trading.annualTurnover).toBeCloseTo(m.annualTurnover!, 12);
      expect(r.trading.costDrag).toBeCloseTo(m.costDrag!, 12);
      const d = getRunDays(engine.db, r.id);
      expect(r.trading.months.reduce((s, x) => s + x.cost!, 0)).toBeCloseTo(
        d.cost.reduce((s, x) => s + x, 0),
        12,
      );
    }
  });

  it("stress windows compound the stored days inside them; the benchmark column is crp's", () => {
    const r = a.runs.find((x) => x.strategy === 'minvar')!;
    const s = r.stress.find((x) => x.id === 'dotcom-2000')!;
    const days = (id: string) => getRunDays(engine.db, id);
    const within = (id: string) => {
      const d = days(id);
      return d.ret.filter((_, i) => d.dates[i]! >= '2000-03-10' && d.dates[i]! <= '2000-04-14');
    };
    expect(s.ret).toBeCloseTo(cumulativeReturn(within(ids.minvar!)), 12);
    expect(s.benchmarkRet).toBeCloseTo(cumulativeReturn(within(ids.crp!)), 12);
    expect(s.partial).toBe(false);
    expect(r.stress.map((x) => x.id)).toEqual(['dotcom-2000', 'techslide-2000']);
  });

  it('every histogram counts every day over the shared bins; rolling volatility has a value per date', () => {
    for (const r of a.runs) {
      expect(r.histogram).toHaveLength(a.bins.length - 1);
      expect(r.histogram.reduce((s, c) => s + c, 0)).toBe(r.dates.length);
      expect(r.rollingVol).toHaveLength(r.dates.length);
      expect(r.rollingVol[a.rollingDays - 2]).toBeNull();
      expect(r.rollingVol[a.rollingDays - 1]).toBeGreaterThan(0);
    }
  });

  it('focuses on the learned run: its weights by group and cash add up to the book, and risk sums to the variance', () => {
    const f = a.focus!;
    expect(f.run.id).toBe(samp[0]);
    const g = new Map(f.weights.byGroup!.map((s) => [s.name, s.values]));
    expect(g.get('High-quality')![0]).toBeCloseTo(0.6, 12);
    expect(g.get('Ordinary')![0]).toBeCloseTo(0.35, 12);
    expect(f.weights.cash[0]).toBeCloseTo(0.05, 12);
    const total = f.weights.bySector.reduce((s, x) => s + x.values[0]!, 0) + f.weights.cash[0]!;
    expect(total).toBeCloseTo(1, 12);
    const risk = f.risk!;
    expect(risk.date).toBe('2000-12-29');
    expect(risk.lookbackDays).toBe(252);
    expect(risk.assets.reduce((s, x) => s + x.contribution!, 0)).toBeCloseTo(risk.variance!, 15);
    expect(risk.sectors.reduce((s, x) => s + x.share!, 0)).toBeCloseTo(1, 12);
  });

  it('never focuses a hindsight run when another is there, and takes the focus asked for', async () => {
    const b = await call<AnalyticsCompareResponse>('analytics.compare', { ids: [ids.bcrp, ids.minvar] });
    expect(b.focus!.run.strategy).toBe('minvar');
    expect(b.focus!.weights.byGroup).toBeNull();
    const c = await call<AnalyticsCompareResponse>('analytics.compare', {
      ids: [ids.bcrp, ids.minvar],
      focus: ids.bcrp,
    });
    expect(c.focus!.run.strategy).toBe('bcrp');
  });

  it("stitches crp's 1999 and 2000 windows into one record whose total is the product of the windows' returns", async () => {
    const b = await call<AnalyticsCompareResponse>('analytics.compare', { ids: [ids.crp] });
    const st = b.stitched!;
    expect(st.segments.map((s) => s.from)).toEqual(['1999-01-04', '2000-01-03']);
    const c99 = getRunMetrics(engine.db, ids.crp1999!).cumulativeReturn!;
    const c00 = getRunMetrics(engine.db, ids.crp!).cumulativeReturn!;
    expect(st.segments[0]!.ret).toBeCloseTo(c99, 12);
    expect(st.segments[1]!.ret).toBeCloseTo(c00, 12);
    expect(st.total).toBeCloseTo((1 + c99) * (1 + c00) - 1, 12);
    expect(st.values.at(-1)).toBeCloseTo(1 + st.total!, 12);
    expect(st.segments[1]!.gapDays).toBe(0); // 1999-12-31 and 2000-01-03 are consecutive trading days
    expect(st.benchmark!.total).toBeCloseTo(st.total!, 12); // crp is its own equal weight
  });

  it("gives the learned group's verdict over its seeds with the paired test's p-value of the seeds' book", async () => {
    const v = a.verdicts;
    expect(v).toHaveLength(1);
    expect(v[0]!.seeds).toBe(2);
    const fig = (id: string) => ({
      sharpe: getRunMetrics(engine.db, id).sharpe!,
      cumulativeReturn: getRunMetrics(engine.db, id).cumulativeReturn!,
    });
    const expected = equalWeightVerdict(samp.map(fig), [fig(ids.crp!)]);
    expect(v[0]!.outcome).toBe(expected.outcome);
    expect(v[0]!.sharpe).toBeCloseTo(expected.sharpe.mean, 12);
    expect(v[0]!.seedsBeating).toBe(expected.seedsBeating);
    const r1 = getRunDays(engine.db, samp[0]!).ret;
    const r2 = getRunDays(engine.db, samp[1]!).ret;
    const book = r1.map((x, i) => (x + r2[i]!) / 2);
    expect(v[0]!.pValue).toBeCloseTo(sharpeDifferenceTest(book, getRunDays(engine.db, ids.crp!).ret).bootstrap.p, 12);
    expect(v[0]!.pairedDays).toBe(book.length);
    const all = await call<LearnedVerdict[]>('analytics.verdicts', { universe: 'djia30' });
    expect(all).toEqual(v);
  });

  it('refuses what it cannot answer, saying why', async () => {
    const err = async (req: object, ch = 'analytics.compare') => {
      const r = await dispatch(engine, ch, req);
      return r.ok ? null : r.error;
    };
    expect(await err({ ids: ['r-nope'] })).toMatchObject({ code: 'NOT_FOUND', message: 'run r-nope not found' });
    expect(await err({ ids: [ids.crp], focus: ids.ubah })).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('not one of the runs'),
    });
    expect(await err({ ids: [ids.crp], benchmark: 'nosuch' })).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'unknown benchmark strategy "nosuch"',
    });
    expect(await err({ ids: Array.from({ length: 13 }, (_, i) => `r-${i}`) })).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await err({ ids: [] })).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await err({ universe: 'nosuch' }, 'analytics.verdicts')).toMatchObject({
      code: 'NOT_FOUND',
      message: 'universe nosuch not found',
    });
  });
});
