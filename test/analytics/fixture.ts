/**
 * A database for the analytics tests: real classic runs on the bundled DJIA data (crp, ubah, bcrp and minvar over
 * 2000; crp over 1999 too) and a learned strategy stored by hand, two seeds of 'samp-hdrl' on crp's 2000 days and
 * market (crp's returns scaled and shifted per seed) with SAMP-HDRL groups in every decision.
 */
import { runBacktest } from '../../src-main/backtest/run';
import { computeMetrics } from '../../src-main/metrics';
import { completeRun, getRun, getRunDays, insertRunningRun, newRunId } from '../../src-main/store/runs';
import { tempEngine } from '../helpers/engine';
import { testSampDetail } from '../helpers/runData';

export interface AnalyticsFixture {
  engine: ReturnType<typeof tempEngine>;
  /** run ids by strategy (2000), and crp1999 */
  ids: Record<string, string>;
  /** the two 'samp-hdrl' seeds */
  samp: string[];
}

/** A 'samp-hdrl' run stored by hand on crp's days and market. */
function storeLearned(engine: AnalyticsFixture['engine'], crpId: string, seed: number): string {
  const crp = getRun(engine.db, crpId)!;
  const d = getRunDays(engine.db, crp.id);
  const n = crp.config.tickers.length;
  const ret = d.ret.map((r, i) => r * (1 + 0.1 * seed) + (i % 2 ? 0.0004 : -0.0003) * seed);
  const value: number[] = [];
  ret.reduce((v, r) => (value.push(v * (1 + r)), v * (1 + r)), 1);
  const turnover = d.dates.map((_, i) => (i === 0 ? 1 : 0.02));
  const cost = d.dates.map((_, i) => (i === 0 ? 0.001 : 0.00004));
  // the first ten assets in the high-quality group, 60% of the book; the rest 35%; 5% cash
  const high = crp.config.tickers.slice(0, 10);
  const row = Float64Array.from({ length: n + 1 }, (_, i) => (i === n ? 0.05 : i < 10 ? 0.06 : 0.35 / (n - 10)));
  const weights = d.dates.map(() => row);
  const id = newRunId();
  const config = { ...crp.config, strategy: 'samp-hdrl', seed, params: { preset: 'quick' } };
  insertRunningRun(engine.db, {
    id,
    universe: 'djia30',
    strategy: 'samp-hdrl',
    config,
    seed,
    codeVersion: 'test',
    windowFrom: crp.windowFrom,
    windowTo: crp.windowTo,
    hindsight: false,
  });
  completeRun(engine.db, id, {
    dates: d.dates,
    value,
    ret,
    turnover,
    cost,
    weights: { final: weights },
    metrics: computeMetrics({ returns: ret, turnover: turnover.slice(1), weights, nRisky: n, cost }),
    details: d.dates.map(() =>
      testSampDetail({
        groups: { high, ordinary: crp.config.tickers.slice(10), groupingDate: crp.windowFrom, degenerate: false },
      }),
    ),
    flags: [],
    timings: {},
  });
  return id;
}

export async function analyticsFixture(): Promise<AnalyticsFixture> {
  const engine = tempEngine();
  const ids: Record<string, string> = {};
  const w2000 = { universe: 'djia30', from: '2000-01-03', to: '2000-12-29', lookback: 252 };
  for (const r of await runBacktest(engine.db, { ...w2000, strategies: ['crp', 'ubah', 'bcrp', 'minvar'] }))
    ids[r.strategy] = r.runId!;
  ids.crp1999 = (
    await runBacktest(engine.db, {
      universe: 'djia30',
      from: '1999-01-04',
      to: '1999-12-31',
      lookback: 252,
      strategies: ['crp'],
    })
  )[0]!.runId!;
  return { engine, ids, samp: [storeLearned(engine, ids.crp!, 1), storeLearned(engine, ids.crp!, 2)] };
}
