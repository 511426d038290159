/**
 * reports/allocation.ts and reports/tearSheet.ts on a real database: classic runs backtested on the bundled DJIA data (crp, ubah, eg over
 * 2000-01-03..2000-12-29, lookback 252; eg with a second seed and a weekly-rebalanced variant) and one
 * hand-written SAMP-HDRL-shaped run (groups, rebound state, agent weights, a stored explanation). Expected values
 * come from what runs.weights / runs.get / runs.series / market.regimes return and from hand computations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestRunResult } from '../../src-main/backtest/run';
import { equalWeightVerdicts } from '../../src-main/backtest/summary';
import type { Metrics } from '../../src-main/metrics';
import { dispatch } from '../../src-main/services';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { completeRun, getRun, getRunMetrics, insertRunningRun, newRunId } from '../../src-main/store/runs';
import {
  buildAllocationReport,
  buildBacktestReport,
  equalWeightCaveat,
  fitName,
  topDrivers,
  REPORT_NAME_MAX,
  ReportInputError,
  shortLabel,
} from '../../src-main/reports';
import type { AllocationReportData } from '../../src-main/reports/model';
import { driftWeights } from '../../src-shared/domain/portfolio';
import { equalWeightVerdict } from '../../src-shared/domain';
import type { RegimesResponse, RunInfo, RunSeries, RunWeights } from '../../src-shared/contract';
import { tempEngine } from '../helpers/engine';
import { testReboundFlag, testRunConfig, testSampDetail, TEST_REBOUND_THRESHOLDS } from '../helpers/runData';
import { EXPLAIN_METHOD, type RunExplanation } from '../../src-main/explain/runExplain';

let engine: ReturnType<typeof tempEngine>;
const ids: Record<string, string> = {};
let eg2 = '';
let egWeekly = '';
let samp = '';
let tickers: string[] = [];
const SAMP_DATES = ['2000-06-01', '2000-06-02', '2000-06-05'];
const HIGH = ['MSFT', 'INTC', 'IBM'];

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const r = await dispatch(engine, channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/** n + 1 weights: risky by ticker, cash last. */
function vec(f: (t: string) => number, cash: number): Float64Array {
  return Float64Array.from([...tickers.map(f), cash]);
}

beforeAll(async () => {
  engine = tempEngine();
  const win = { universe: 'djia30', from: '2000-01-03', to: '2000-12-29', lookback: 252 };
  const res = await runBacktest(engine.db, { ...win, strategies: ['crp', 'ubah', 'eg'] });
  for (const r of res) ids[r.strategy] = r.runId!;
  eg2 = (await runBacktest(engine.db, { ...win, strategies: ['eg'], seedFirst: 2 }))[0]!.runId!;
  egWeekly = (await runBacktest(engine.db, { ...win, strategies: ['eg'], rebalance: 'weekly' }))[0]!.runId!;
  tickers = loadPriceMatrix(engine.db, 'djia30', { to: '2000-01-03' }).tickers;

  // a SAMP-HDRL-shaped run written by hand on the same test window (three stored days)
  samp = newRunId();
  insertRunningRun(engine.db, {
    id: samp,
    universe: 'djia30',
    strategy: 'samp-hdrl',
    config: testRunConfig({
      tickers,
      strategy: 'samp-hdrl',
      params: { preset: 'quick' },
      seed: 7,
      window: {
        label: '2000-01-03..2000-12-29',
        from: '2000-01-03',
        to: '2000-12-29',
        trainFrom: '1998-12-31',
        trainTo: '1999-12-31',
        validationFrom: null,
        validationTo: null,
        trainTruncated: false,
      },
    }),
    seed: 7,
    codeVersion: 'test',
    backend: 'wasm',
    windowFrom: '2000-01-03',
    windowTo: '2000-12-29',
    hindsight: false,
  });
  const ord = (t: string) => !HIGH.includes(t);
  const day01 = vec((t) => (ord(t) ? 0.3 / 27 : 0.2), 0.1);
  const day2 = vec((t) => (t === 'MSFT' ? 0.3 : t === 'INTC' ? 0.2 : t === 'IBM' ? 0.1 : 0.3 / 27), 0.1);
  const upper = vec(() => 1 / 30, 0);
  const lower1 = vec((t) => (ord(t) ? 1 / 27 : 0), 0);
  const lower2 = vec((t) => (t === 'MSFT' ? 0.5 : t === 'INTC' ? 0.3 : t === 'IBM' ? 0.2 : 0), 0);
  const groups = { high: HIGH, ordinary: tickers.filter(ord), groupingDate: '2000-05-31', degenerate: false };
  const quiet = { ...testSampDetail().rebound, thresholds: { ...TEST_REBOUND_THRESHOLDS, minDays: 3 } };
  completeRun(engine.db, samp, {
    dates: SAMP_DATES,
    value: [0.999, 1.004, 1.01],
    ret: [-0.001, 1.004 / 0.999 - 1, 1.01 / 1.004 - 1],
    turnover: [0.45, 0.01, 0.05],
    cost: [0.0009, 0.00002, 0.0001],
    weights: {
      final: [day01, day01, day2],
      upper: [upper, upper, upper],
      lower1: [lower1, lower1, lower1],
      lower2: [lower2, lower2, lower2],
    },
    metrics: { sharpe: -1, cumulativeReturn: 0.01 },
    details: [
      testSampDetail({ groups, rebound: quiet }),
      testSampDetail({ groups, rebound: quiet }),
      testSampDetail({
        groups,
        rebound: {
          ...quiet,
          capped: true,
          reasons: ['market in a downtrend'],
          flagsToday: [testReboundFlag('high', 2, '2000-06-05')],
          market: {
            phase: 'downtrend',
            inDowntrend: true,
            rebound: false,
            drawdown: 0.12,
            depth: 0.12,
            rise: 0.01,
            daysHeld: 0,
            thresholdsMet: { drawdown: true, rise: false, days: false },
          },
        },
      }),
    ],
    flags: [],
    timings: {},
  });
  // a stored explanation as explain/runExplain.ts writes it (one row per decision, every agent inside)
  const upperAttribution = { players: ['MSFT', 'INTC', 'IBM', 'GE'], values: [0.1, -0.3, 0.05, 0] };
  const explanation: RunExplanation = {
    runId: samp,
    date: '2000-06-05',
    settings: { nSamples: 1024, seed: 0 },
    agents: [
      {
        agent: 'upper',
        players: 'assets',
        ticker: 'MSFT',
        fx: 0.2,
        baseValue: 0.15,
        values: upperAttribution.players.map((player, i) => ({ player, value: upperAttribution.values[i]! })),
        exact: false,
        evaluations: 1024,
        efficiencyGap: 0,
      },
      {
        agent: 'upper',
        players: 'time blocks',
        ticker: 'MSFT',
        fx: 0.2,
        baseValue: 0.15,
        values: [{ player: 'last 5 days', value: 0.9 }],
        exact: true,
        evaluations: 8,
        efficiencyGap: 0,
      },
    ],
    allocation: null,
    capital: null,
    concentration: {},
    elapsedMs: 1,
    createdAt: '2000-06-06T00:00:00Z',
  };
  engine.db
    .prepare(
      `INSERT INTO explanations (run_id, date, agent, method, settings, result, created_at) VALUES (?, ?, 'all', ?, ?, ?, ?)`,
    )
    .run(samp, '2000-06-05', EXPLAIN_METHOD, '{}', JSON.stringify(explanation), explanation.createdAt);
}, 120_000);

afterAll(() => engine?.close());

function allRows(r: AllocationReportData) {
  return r.groups.flatMap((g) => g.rows.map((row) => ({ ...row, group: g.name })));
}

describe('buildAllocationReport: weights, previous weights drifted, trades', () => {
  it('has the target weights runs.weights returns, previous weights drifted by hand, trades = ½ turnover', async () => {
    const date = '2000-06-15';
    const r = await buildAllocationReport(engine.db, ids.eg!, date);
    const w = await call<RunWeights>('runs.weights', { id: ids.eg, date });
    expect(r.header.date).toBe(date);
    const rows = allRows(r);
    expect(rows.map((x) => x.ticker).sort()).toEqual([...w.tickers].sort());
    // previous: runs.weights' previous decision (held, daily rebalancing), drifted with the day's relatives by hand
    const m = loadPriceMatrix(engine.db, 'djia30', { from: w.previous!.date, to: date });
    expect(m.dates).toEqual([w.previous!.date, date]);
    const g =
      w.tickers.reduce(
        (s, t, i) =>
          s + w.previous!.weights[i]! * (m.close[1]![m.tickers.indexOf(t)]! / m.close[0]![m.tickers.indexOf(t)]!),
        0,
      ) + w.previous!.cash;
    let half = 0;
    w.tickers.forEach((t, i) => {
      const row = rows.find((x) => x.ticker === t)!;
      expect(row.weight).toBe(w.final.weights[i]);
      const drift =
        (w.previous!.weights[i]! * (m.close[1]![m.tickers.indexOf(t)]! / m.close[0]![m.tickers.indexOf(t)]!)) / g;
      expect(row.previousWeight).toBeCloseTo(drift, 14);
      expect(row.trade).toBeCloseTo(row.weight - row.previousWeight, 15);
      half += Math.abs(row.trade);
    });
    expect(r.cashWeight).toBe(w.final.cash);
    half = 0.5 * (half + Math.abs(r.cashWeight - r.previousCashWeight!));
    // the simulator's stored one-way turnover of that day is the same trade
    const s = await call<RunSeries>('runs.series', { id: ids.eg });
    expect(half).toBeCloseTo(s.turnover[s.dates.indexOf(date)]!, 12);
  });

  it('on the first test day the previous portfolio is all cash', async () => {
    const r = await buildAllocationReport(engine.db, ids.crp!, '2000-01-03');
    for (const row of allRows(r)) {
      expect(row.previousWeight).toBe(0);
      expect(row.weight).toBeCloseTo(1 / 30, 15);
      expect(row.trade).toBe(row.weight);
    }
    expect(r.previousCashWeight).toBe(1);
  });

  it('weekly rebalancing drifts the HELD weights (turnover matches on a rebalancing day after a non-trading one)', async () => {
    const s = await call<RunSeries>('runs.series', { id: egWeekly });
    const date = s.dates[10]!; // day 10 trades, day 9 did not
    expect(s.turnover[9]).toBe(0);
    const r = await buildAllocationReport(engine.db, egWeekly, date);
    const half =
      0.5 * (allRows(r).reduce((a, x) => a + Math.abs(x.trade), 0) + Math.abs(r.cashWeight - r.previousCashWeight!));
    expect(half).toBeCloseTo(s.turnover[10]!, 12);
    expect(r.caveats.some((c) => c.startsWith('Rebalanced weekly'))).toBe(true);
  });

  it('defaults to the last decision date; groups by sector, largest first, rows by weight', async () => {
    const r = await buildAllocationReport(engine.db, ids.ubah!);
    expect(r.header.date).toBe('2000-12-29');
    const detail = await call<{ assets: { ticker: string; sector: string; name: string }[] }>('data.universe', {
      id: 'djia30',
    });
    for (const g of r.groups) {
      expect(g.total).toBeCloseTo(
        g.rows.reduce((s, x) => s + x.weight, 0),
        15,
      );
      for (const row of g.rows) {
        const a = detail.assets.find((x) => x.ticker === row.ticker)!;
        expect([row.sector, row.name]).toEqual([a.sector, a.name]);
        expect(g.name).toBe(a.sector);
      }
      for (let i = 1; i < g.rows.length; i++) expect(g.rows[i - 1]!.weight).toBeGreaterThanOrEqual(g.rows[i]!.weight);
    }
    for (let i = 1; i < r.groups.length; i++) expect(r.groups[i - 1]!.total).toBeGreaterThanOrEqual(r.groups[i]!.total);
    expect(r.groups.reduce((s, g) => s + g.total, 0) + r.cashWeight).toBeCloseTo(1, 12);
  });
});

describe('buildAllocationReport: header, regime, metrics, curves, caveats', () => {
  it('header from the run and the registry', async () => {
    const r = await buildAllocationReport(engine.db, ids.eg!);
    const info = await call<RunInfo>('runs.get', { id: ids.eg });
    expect(r.header).toMatchObject({
      universe: { id: 'djia30', name: 'DJIA 30 (1991-2001)' },
      strategy: { id: 'eg', label: 'Exponentiated Gradient (EG)' },
      seed: 1,
      runId: ids.eg,
      codeVersion: info.codeVersion,
      window: { from: '2000-01-03', to: '2000-12-29' },
      backend: null,
    });
    expect(r.header.dataSource).toMatch(/^R package fBasics, data set DowJones30 .* \(loaded \d{4}-\d{2}-\d{2}\)$/);
    expect(r.header.config.cost).toBe(0.001);
    expect(r.header.config.tickers).toBe(`30 assets: ${tickers.join(', ')}`);
  });

  it('regime is the market.regimes label of that date', async () => {
    const reg = await call<RegimesResponse>('market.regimes', { universe: 'djia30' });
    for (const date of ['2000-04-14', '2000-10-12', '2000-12-29']) {
      const r = await buildAllocationReport(engine.db, ids.crp!, date);
      const i = reg.dates.indexOf(date);
      expect(r.regime).toEqual({ trend: reg.trend[i], volatility: reg.volatility[i], date });
    }
  });

  it('metrics: the run first, its seeds, then every other complete run of the window (mean ± std over seeds)', async () => {
    const r = await buildAllocationReport(engine.db, ids.eg!);
    const mine = getRunMetrics(engine.db, ids.eg!);
    const first = r.metrics[0]!;
    expect(first.strategy).toBe('Exponentiated Gradient (EG) \u00b7 seed 1');
    expect(first.seeds).toBe(1);
    expect(first.metrics.sharpe).toEqual({ mean: mine.sharpe, std: null });
    expect(first.metrics.maxDrawdown).toEqual({ mean: mine.maxDrawdown, std: null });
    expect(first.closeToEqualWeight).toBe(true);
    // its own group: seeds 1 and 2 of the deterministic EG -> std exactly 0
    expect(r.metrics[1]!.strategy).toBe('Exponentiated Gradient (EG), 2 seeds');
    expect(r.metrics[1]!.seeds).toBe(2);
    expect(r.metrics[1]!.metrics.sharpe!.mean).toBeCloseTo(mine.sharpe!, 14);
    expect(r.metrics[1]!.metrics.sharpe!.std).toBe(0);
    const names = r.metrics.map((x) => x.strategy);
    for (const n of ['Buy and hold (UBAH)', 'Uniform constant rebalanced', 'SAMP-HDRL']) expect(names).toContain(n);
    // the weekly EG is another experiment (other settings): its own row
    expect(names.filter((n) => n.startsWith('Exponentiated Gradient (EG)'))).toEqual([
      'Exponentiated Gradient (EG) \u00b7 seed 1',
      'Exponentiated Gradient (EG), 2 seeds',
      'Exponentiated Gradient (EG) (weekly)', // same strategy, other settings: named by what differs
    ]);
    const crp = r.metrics.find((x) => x.strategy === 'Uniform constant rebalanced')!;
    expect(crp.metrics.sharpe).toEqual({ mean: getRunMetrics(engine.db, ids.crp!).sharpe, std: null });
    expect(crp.closeToEqualWeight).toBe(true);
    expect(r.metrics.find((x) => x.strategy === 'Buy and hold (UBAH)')!.closeToEqualWeight).toBe(false);
    // only the known metrics (no ewDistance / costTotal / finalValue columns)
    expect(Object.keys(first.metrics)).not.toContain('ewDistance');
  });

  it('equity starts at 1 the day before the window, then the stored values; drawdown from that path', async () => {
    const r = await buildAllocationReport(engine.db, ids.eg!);
    const s = await call<RunSeries>('runs.series', { id: ids.eg });
    const e = r.equity[0]!;
    expect(e.name).toBe(r.metrics[0]!.strategy);
    expect(e.dates[0]).toBe('1999-12-31');
    expect(e.values[0]).toBe(1);
    expect(e.dates.slice(1)).toEqual(s.dates);
    expect(e.values.slice(1)).toEqual(s.values);
    // equal-weight baselines come first among the curves
    expect(r.equity.slice(1, 3).map((x) => x.name)).toEqual(['Uniform constant rebalanced', 'Buy and hold (UBAH)']);
    expect(Math.min(...r.drawdown!.values)).toBeCloseTo(getRunMetrics(engine.db, ids.eg!).maxDrawdown!, 12);
  });

  it('caveats from the config: cost, rebalancing, look-ahead, seeds, equal-weight flag, past performance', async () => {
    const r = await buildAllocationReport(engine.db, ids.eg!, '2000-06-15');
    const text = r.caveats.join('\n');
    expect(text).toContain('Transaction costs assumed: 0.10% of the value traded');
    expect(text).toContain('Rebalanced daily');
    expect(text).toContain('Decisions use data up to each close only (look-ahead test in the suite');
    expect(text).toContain('seed 1 of 2 complete seeds');
    expect(text).toContain('identical across seeds');
    expect(text).toContain('close to equal weight');
    expect(text).toContain('days after 2000-06-15 included');
    expect(text).toMatch(/Past performance/);
    expect(text).not.toMatch(/equal weight by Sharpe/); // not a learning run
  });
});

describe('buildAllocationReport: a SAMP-HDRL run', () => {
  it('groups as the strategy grouped, High-quality then Ordinary', async () => {
    const r = await buildAllocationReport(engine.db, samp);
    expect(r.header.date).toBe('2000-06-05');
    expect(r.header.strategy).toEqual({ id: 'samp-hdrl', label: expect.stringContaining('SAMP-HDRL') });
    expect(r.groups.map((g) => g.name)).toEqual(['High-quality', 'Ordinary']);
    expect(r.groups[0]!.rows.map((x) => [x.ticker, x.weight])).toEqual([
      ['MSFT', 0.3],
      ['INTC', 0.2],
      ['IBM', 0.1],
    ]);
    expect(r.groups[0]!.total).toBeCloseTo(0.6, 15);
    expect(r.groups[1]!.rows).toHaveLength(27);
    expect(r.groups[1]!.total).toBeCloseTo(0.3, 14);
    expect(r.cashWeight).toBeCloseTo(0.1, 15);
  });

  it('drifts the previous day (2000-06-02) over 2000-06-05 and keeps the cash leg', async () => {
    const r = await buildAllocationReport(engine.db, samp, '2000-06-05');
    const m = loadPriceMatrix(engine.db, 'djia30', { from: '2000-06-02', to: '2000-06-05' });
    const x = (t: string) => m.close[1]![m.tickers.indexOf(t)]! / m.close[0]![m.tickers.indexOf(t)]!;
    const b = (t: string) => (HIGH.includes(t) ? 0.2 : 0.3 / 27);
    const g = tickers.reduce((s, t) => s + b(t) * x(t), 0) + 0.1;
    const msft = allRows(r).find((row) => row.ticker === 'MSFT')!;
    expect(msft.previousWeight).toBeCloseTo((0.2 * x('MSFT')) / g, 14);
    expect(msft.trade).toBeCloseTo(0.3 - (0.2 * x('MSFT')) / g, 14);
    expect(r.previousCashWeight).toBeCloseTo(0.1 / g, 14);
  });

  it('rebound state, agent concentration and stored drivers', async () => {
    const r = await buildAllocationReport(engine.db, samp, '2000-06-05');
    expect(r.rebound!.flagged).toBe(true);
    expect(r.rebound!.detail).toMatchObject({
      'flags today': 'high',
      'risky cap active': 'yes',
      'cap reason': 'market in a downtrend',
      market: 'downtrend, dd -12.0%', // the detector's drawdown 0.12 (a fall) shown as a negative fraction
      'drawdown threshold': '10.0%',
      'min days held': 3,
    });
    expect(r.agents.map((a) => a.agent)).toEqual(['upper', 'lower1', 'lower2']);
    const [up, l1, l2] = r.agents;
    expect(up!.concentration.effectiveN).toBeCloseTo(30, 10);
    expect(up!.concentration.herfindahl).toBeCloseTo(1 / 30, 14);
    expect(l1!.concentration.effectiveN).toBeCloseTo(27, 10);
    expect(l2!.concentration.herfindahl).toBeCloseTo(0.25 + 0.09 + 0.04, 14);
    // the attribution to the assets' inputs (not the time blocks), strongest first
    expect(up!.topDrivers).toEqual([
      { player: 'INTC (weight on MSFT)', value: -0.3 },
      { player: 'MSFT (weight on MSFT)', value: 0.1 },
      { player: 'IBM (weight on MSFT)', value: 0.05 },
      { player: 'GE (weight on MSFT)', value: 0 },
    ]);
    expect(l1!.topDrivers).toEqual([]);
    const quiet = await buildAllocationReport(engine.db, samp, '2000-06-02');
    expect(quiet.rebound).toEqual({
      flagged: false,
      detail: expect.objectContaining({ 'flags today': 'none', 'risky cap active': 'no' }),
    });
    expect(quiet.caveats.join('\n')).toContain('Agent top drivers: not computed');
    expect(r.caveats.join('\n')).not.toContain('not computed');
  });

  it('says so when a learning run does not beat equal weight (crp, on Sharpe and cumulative return)', async () => {
    const r = await buildAllocationReport(engine.db, samp);
    const crp = getRunMetrics(engine.db, ids.crp!);
    const line = r.caveats.find((c) => c.includes('beat equal weight'))!;
    expect(line).toBe(
      `SAMP-HDRL \u00b7 seed 7 does NOT beat equal weight (crp) on this window: Sharpe -1.00 vs ${crp.sharpe!.toFixed(2)}, cumulative return 1.00% vs ${(crp.cumulativeReturn! * 100).toFixed(2)}%. Beating equal weight takes a higher Sharpe ratio and a higher cumulative return; one of the two is not enough.`,
    );
    expect(r.caveats.join('\n')).toContain('the only complete seed');
  });

  it('unknown run, unknown date and unfinished runs are refused', async () => {
    await expect(buildAllocationReport(engine.db, 'r-nope')).rejects.toMatchObject({
      name: 'ReportInputError',
      kind: 'not-found',
    });
    await expect(buildAllocationReport(engine.db, samp, '2000-06-06')).rejects.toMatchObject({ kind: 'not-found' });
    const id = newRunId();
    insertRunningRun(engine.db, {
      id,
      universe: 'djia30',
      strategy: 'crp',
      config: testRunConfig(),
      seed: 1,
      codeVersion: 't',
      windowFrom: '2000-01-03',
      windowTo: '2000-01-04',
      hindsight: false,
    });
    await expect(buildAllocationReport(engine.db, id)).rejects.toBeInstanceOf(ReportInputError);
    await expect(buildAllocationReport(engine.db, id)).rejects.toMatchObject({ kind: 'invalid' });
    engine.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  });
});

describe('buildBacktestReport', () => {
  it('one metrics row per group of seeds; curves, calendar returns and drawdowns agree with the stored metrics', async () => {
    const r = await buildBacktestReport(engine.db, [ids.crp!, ids.ubah!, ids.eg!, eg2]);
    expect(r.header).toMatchObject({
      universe: { id: 'djia30' },
      window: { from: '2000-01-03', to: '2000-12-29' },
      cost: 0.001,
      rebalance: 'daily, at the close',
    });
    expect(r.metrics.map((x) => [x.strategy, x.seeds])).toEqual([
      ['Buy and hold (UBAH)', 1],
      ['Uniform constant rebalanced', 1],
      ['Exponentiated Gradient (EG)', 2],
    ]);
    for (const [name, id] of [
      ['Buy and hold (UBAH)', ids.ubah!],
      ['Uniform constant rebalanced', ids.crp!],
      ['Exponentiated Gradient (EG)', ids.eg!],
    ] as const) {
      const m = getRunMetrics(engine.db, id);
      const year = r.yearly.find((p) => p.name === name)!.items;
      expect(year).toHaveLength(1);
      expect(year[0]!.year).toBe(2000);
      expect(year[0]!.ret).toBeCloseTo(m.cumulativeReturn!, 12); // the first day's cost included
      const months = r.monthly.find((p) => p.name === name)!.items;
      expect(months.map((x) => x.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(months.reduce((g, x) => g * (1 + x.ret), 1) - 1).toBeCloseTo(m.cumulativeReturn!, 12);
      const dd = r.worstDrawdowns.find((p) => p.name === name)!.items[0]!;
      expect(dd.depth).toBeCloseTo(m.maxDrawdown!, 12);
      expect(dd.days).toBe(m.maxDrawdownDays);
      expect(Math.min(...r.underwater.find((p) => p.name === name)!.values)).toBeCloseTo(m.maxDrawdown!, 12);
    }
    const w = await call<RunWeights>('runs.weights', { id: ids.eg });
    const last = r.lastWeights!.find((h) => h.run === 'Exponentiated Gradient (EG)')!;
    expect(last.date).toBe('2000-12-29');
    const flat = last.groups.flatMap((g) => g.rows);
    w.tickers.forEach((t, i) => expect(flat.find((x) => x.ticker === t)!.weight).toBe(w.final.weights[i]));
    expect(r.caveats.join('\n')).toContain('mean \u00b1 standard deviation over the selected seeds');
  });

  it('names groups with their window when windows differ, and says when a learning run loses to equal weight', async () => {
    const short = (
      await runBacktest(engine.db, { universe: 'djia30', strategies: ['crp'], from: '2000-11-01', to: '2000-11-30' })
    )[0]!.runId!;
    const r = await buildBacktestReport(engine.db, [ids.crp!, short, samp]);
    expect(r.metrics.map((x) => x.strategy)).toEqual([
      'UCRP 2000-01..2000-12', // 'Uniform constant rebalanced 2000-01..2000-12' is too long: the abbreviation
      'UCRP 2000-11..2000-11',
      'SAMP-HDRL 2000-01..2000-12',
    ]);
    expect(r.header.window).toEqual({ from: '2000-01-03', to: '2000-12-29' });
    expect(r.caveats.some((c) => c.startsWith('SAMP-HDRL 2000-01..2000-12 does NOT beat equal weight (crp)'))).toBe(
      true,
    );
    engine.db.prepare('DELETE FROM runs WHERE id = ?').run(short);
  });

  it('marks the curves the charts set apart: learned strategies highlighted, the equal-weight reference', async () => {
    const t = await buildBacktestReport(engine.db, [ids.crp!, ids.ubah!, ids.eg!, samp]);
    const looks = (xs: typeof t.equity) => xs.map((e) => [e.name, !!e.highlight, !!e.equalWeight]);
    expect(looks(t.equity)).toEqual([
      ['Buy and hold (UBAH)', false, false], // ubah is the reference only where no crp ran
      ['Uniform constant rebalanced', false, true],
      ['Exponentiated Gradient (EG)', false, false],
      ['SAMP-HDRL', true, false],
    ]);
    const noCrp = await buildBacktestReport(engine.db, [ids.ubah!, ids.eg!]);
    expect(looks(noCrp.equity)).toEqual([
      ['Buy and hold (UBAH)', false, true],
      ['Exponentiated Gradient (EG)', false, false],
    ]);
    // an allocation report highlights its own run, whatever its family
    const a = await buildAllocationReport(engine.db, ids.eg!);
    expect(a.equity.filter((e) => e.highlight).map((e) => e.name)).toEqual([a.equity[0]!.name]);
    expect(a.equity.filter((e) => e.equalWeight).map((e) => e.name)).toEqual(['Uniform constant rebalanced']);
  });

  it('refuses no run, unknown runs', async () => {
    await expect(buildBacktestReport(engine.db, [])).rejects.toMatchObject({ kind: 'invalid' });
    await expect(buildBacktestReport(engine.db, [ids.crp!, 'r-missing'])).rejects.toMatchObject({ kind: 'not-found' });
  });
});

describe('the equal-weight verdict: the reports and the CLI agree', () => {
  /** A hand-written learning run on crp's window and market with the given Sharpe and cumulative return. */
  function learningRun(strategy: string, sharpe: number, cumulativeReturn: number): string {
    const crp = getRun(engine.db, ids.crp!)!;
    const id = newRunId();
    insertRunningRun(engine.db, {
      id,
      universe: 'djia30',
      strategy,
      config: { ...crp.config, strategy, params: { preset: 'quick' } },
      seed: 1,
      codeVersion: 'test',
      windowFrom: crp.windowFrom,
      windowTo: crp.windowTo,
      hindsight: false,
    });
    const w = vec(() => 1 / 30, 0);
    completeRun(engine.db, id, {
      dates: [crp.windowTo],
      value: [1],
      ret: [0],
      turnover: [0],
      cost: [0],
      weights: { final: [w] },
      metrics: { sharpe, cumulativeReturn },
      flags: [],
      timings: {},
    });
    return id;
  }
  /** The stored run as the CLI's backtest returns it. */
  function asResult(id: string): BacktestRunResult {
    const r = getRun(engine.db, id)!;
    const window = { label: '', from: r.windowFrom, to: r.windowTo, trainFrom: r.trainFrom, trainTo: r.trainTo };
    return {
      runId: id,
      strategy: r.strategy,
      label: r.strategy,
      hindsight: r.hindsight,
      seed: r.seed,
      window,
      status: 'complete',
      metrics: getRunMetrics(engine.db, id) as Metrics,
      ewDistance: 0,
      flags: r.flags,
      timings: {},
    };
  }

  it('a higher Sharpe with a lower cumulative return does not beat crp in either; higher on both beats in both', async () => {
    const crp = getRunMetrics(engine.db, ids.crp!);
    const ubah = getRunMetrics(engine.db, ids.ubah!);
    const sharpe = Math.max(crp.sharpe!, ubah.sharpe!) + 0.5; // above both equal-weight baselines
    const lower = learningRun(
      'samp-hdrl/no-dc',
      sharpe,
      Math.min(crp.cumulativeReturn!, ubah.cumulativeReturn!) - 0.05,
    );
    const higher = learningRun('ddpg-flat', sharpe, Math.max(crp.cumulativeReturn!, ubah.cumulativeReturn!) + 0.05);
    try {
      const cli = equalWeightVerdicts(
        [ids.crp!, ids.ubah!, lower, higher].map(asResult),
        new Set(['samp-hdrl/no-dc', 'ddpg-flat']),
      );
      expect(cli.map((l) => l.replace(/\):.*/, ')'))).toEqual([
        '2000: samp-hdrl/no-dc does not beat equal weight (crp)',
        '2000: ddpg-flat beats equal weight (crp)',
      ]);
      for (const [id, beats] of [
        [lower, false],
        [higher, true],
      ] as const) {
        // what the caveats say, whatever the wording around it: [true] = beats, [false] = does not
        const said = (caveats: string[]) =>
          caveats
            .filter((c) => / beats equal weight| does NOT beat equal weight/.test(c))
            .map((c) => c.includes(' beats equal weight'));
        expect(said((await buildAllocationReport(engine.db, id)).caveats)).toEqual([beats]);
        expect(said((await buildBacktestReport(engine.db, [ids.crp!, id])).caveats)).toEqual([beats]);
      }
    } finally {
      for (const id of [lower, higher]) engine.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
    }
  });
});

describe('pure helpers', () => {
  it('driftWeights: w_i x_i / g with the cash leg growing at the risk-free rate', () => {
    // held 0.5 / 0.3 / cash 0.2, relatives 1.1 and 0.9, cash 1.001: g = 0.55 + 0.27 + 0.2002 = 1.0202
    const d = driftWeights([0.5, 0.3, 0.2], [1.1, 0.9], 1.001);
    expect(Array.from(d)).toEqual([0.55 / 1.0202, 0.27 / 1.0202, 0.2002 / 1.0202].map((v) => expect.closeTo(v, 15)));
  });

  it('equalWeightCaveat: the domain verdict in a sentence, with the figures compared and the seeds that beat', () => {
    const f = (sharpe: number, cumulativeReturn: number) => ({ sharpe, cumulativeReturn });
    const vs = (runs: { sharpe: number; cumulativeReturn: number }[]) => ({
      reference: 'crp',
      verdict: equalWeightVerdict(runs, [f(0.7, 0.1)]),
    });
    expect(equalWeightCaveat('X', vs([f(0.5, 0.05)]))).toBe(
      'X does NOT beat equal weight (crp) on this window: Sharpe 0.50 vs 0.70, cumulative return 5.00% vs 10.00%. On this evidence the learning strategy adds nothing over holding every asset equally.',
    );
    expect(equalWeightCaveat('X', vs([f(0.9, 0.05)]))).toBe(
      'X does NOT beat equal weight (crp) on this window: Sharpe 0.90 vs 0.70, cumulative return 5.00% vs 10.00%. Beating equal weight takes a higher Sharpe ratio and a higher cumulative return; one of the two is not enough.',
    );
    expect(equalWeightCaveat('X', vs([f(0.9, 0.2), f(0.6, 0.3)]))).toBe(
      'X beats equal weight (crp) on this window: Sharpe 0.75 vs 0.70, cumulative return 25.00% vs 10.00%; 1 of 2 seeds beat it on both.',
    );
    expect(equalWeightCaveat('X', vs([f(Number.NaN, 0.2)]))).toBe(
      'X: Sharpe ratio or cumulative return undefined, so it cannot be compared with equal weight (crp).',
    );
    expect(equalWeightCaveat('X', null)).toContain(
      'no equal-weight baseline (crp or ubah) was run on this test window with the same data and trading terms',
    );
  });

  it('shortLabel / fitName keep table names within REPORT_NAME_MAX characters, suffix first', () => {
    expect(shortLabel('Exponentiated Gradient (EG)')).toBe('Exponentiated Gradient (EG)');
    expect(shortLabel('Uniform constant rebalanced (UCRP)')).toBe('Uniform constant rebalanced');
    expect(shortLabel('Risk parity (equal risk contribution)')).toBe('Risk parity');
    expect(shortLabel('Passive Aggressive Mean Reversion (PAMR)')).toBe('PAMR');
    expect(shortLabel('SAMP-HDRL w/o dynamic clustering')).toBe('SAMP-HDRL w/o dynamic clustering');
    expect(fitName('Buy and hold (UBAH)', ' \u00b7 seed 3')).toBe('Buy and hold (UBAH) \u00b7 seed 3');
    expect(fitName('Uniform constant rebalanced', ' 2000-01..2000-12', 'Uniform constant rebalanced (UCRP)')).toBe(
      'UCRP 2000-01..2000-12',
    );
    const cut = fitName('SAMP-HDRL w/o dynamic clustering', ' \u00b7 seed 10');
    expect(cut).toBe('SAMP-HDRL w/o dynamic clu\u2026 \u00b7 seed 10');
    expect(cut.length).toBe(REPORT_NAME_MAX);
  });

  it('topDrivers: largest |value| first, ties by name, NaN left out, at most 10', () => {
    expect(
      topDrivers([
        { player: 'a', value: 1 },
        { player: 'c', value: Number.NaN },
        { player: 'b', value: -2 },
        { player: 'd', value: -1 },
      ]),
    ).toEqual([
      { player: 'b', value: -2 },
      { player: 'a', value: 1 },
      { player: 'd', value: -1 },
    ]);
    expect(topDrivers(Array.from({ length: 12 }, (_, i) => ({ player: `p${i}`, value: i })))).toHaveLength(10);
  });
});
