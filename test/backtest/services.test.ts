/** The strategies.* and runs.* channels through the real dispatcher (contract validation both ways), and runs.start as a job. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { openEngine, type Engine } from '../../src-main/engine';
import { dispatch } from '../../src-main/services';
import { metricValue } from '../../src-main/services/runs';
import type { JobInfo, RunInfo, RunSeries, RunSummary, RunWeights, StrategyInfo } from '../../src-shared/contract';
import type { RunConfigInput } from '../../src-shared/domain/runConfig';
import { testRunConfig } from '../helpers/runData';

let engine: Engine;
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-runs-svc-'));
  engine = openEngine({ dbPath: path.join(dir, 's.db'), shell: 'cli' }); // loads the bundled DJIA universe
});
afterAll(() => {
  engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const r = await dispatch(engine, channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message} ${JSON.stringify(r.error.issues ?? [])}`);
  return r.value as T;
}

describe('runs channels', () => {
  it('strategies.list gives every classic baseline with its params and the hindsight mark', async () => {
    const list = await call<StrategyInfo[]>('strategies.list', {});
    const ids = list.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['ubah', 'crp', 'bcrp', 'olmar']));
    expect(list.find((s) => s.id === 'bcrp')!.hindsight).toBe(true);
    expect(list.find((s) => s.id === 'crp')!.hindsight).toBe(false);
  });

  it('runs.list tells experiments apart: same settings share a key across seeds, other settings do not', async () => {
    const w = { universe: 'djia30', strategies: ['crp'], from: '2000-07-03', to: '2000-07-31' };
    const a = await runBacktest(engine.db, { ...w, cost: 0.001, seeds: 2 });
    const [b] = await runBacktest(engine.db, { ...w, cost: 0.002 });
    const [c] = await runBacktest(engine.db, { ...w, cost: 0.001, rebalance: 'weekly', riskFreeRate: 0.02 });
    const list = await call<RunSummary[]>('runs.list', { universe: 'djia30', strategy: 'crp' });
    const by = (id: string | null) => list.find((x) => x.id === id)!;
    expect(by(a[0]!.runId).settingsKey).toMatch(/^[0-9a-f]{16}$/);
    expect(by(a[0]!.runId).settingsKey).toBe(by(a[1]!.runId).settingsKey);
    expect(by(a[0]!.runId).seed).not.toBe(by(a[1]!.runId).seed);
    expect(by(b!.runId).settingsKey).not.toBe(by(a[0]!.runId).settingsKey);
    expect(by(a[0]!.runId).settingsText).toBe('cost 0.10% · daily');
    expect(by(b!.runId).settingsText).toBe('cost 0.20% · daily');
    expect(by(c!.runId).settingsText).toBe('cost 0.10% · weekly · risk-free 2.00%');
    // key order in the stored config does not matter, nor the seed (the fields: src-shared/domain/settings.ts)
    const { settingsKey } = await import('../../src-main/services/runs');
    const run = (config: RunConfigInput) => ({
      strategy: 'eg',
      windowFrom: '2000-07-03',
      windowTo: '2000-07-31',
      config,
    });
    expect(settingsKey(run(testRunConfig({ cost: 0.001, params: { eta: 0.05, x: 2 }, seed: 1 })))).toBe(
      settingsKey(run({ ...testRunConfig({ seed: 9 }), params: { x: 2, eta: 0.05 }, cost: 0.001 })),
    );
    expect(settingsKey(run(testRunConfig({ params: { eta: 0.05 } })))).not.toBe(
      settingsKey(run(testRunConfig({ params: { eta: 0.1 } }))),
    );
  });

  it('runs.list / get / series / weights / delete on a stored run', async () => {
    const [r] = await runBacktest(engine.db, {
      universe: 'djia30',
      strategies: ['crp'],
      from: '2000-06-01',
      to: '2000-06-30',
      cost: 0.001,
    });
    const id = r!.runId!;
    const list = await call<RunSummary[]>('runs.list', { universe: 'djia30', strategy: 'crp' });
    expect(list.map((x) => x.id)).toContain(id);
    const info = await call<RunInfo>('runs.get', { id });
    expect(info).toMatchObject({
      id,
      status: 'complete',
      strategy: 'crp',
      windowFrom: '2000-06-01',
      windowTo: '2000-06-30',
      hindsight: false,
      agents: ['final'],
    });
    expect(info.flags).toContain('close-to-equal-weight');
    expect(info.metrics.sharpe).toBeCloseTo(r!.metrics!.sharpe, 12);
    expect((info.config as { tickers: string[] }).tickers.length).toBe(30);
    const s = await call<RunSeries>('runs.series', { id });
    expect(s.dates.length).toBe(22);
    expect(s.returns[0]).toBeCloseTo(-0.001, 15); // the initial purchase
    expect(s.drawdown.every((d) => d <= 0)).toBe(true);
    const w = await call<RunWeights>('runs.weights', { id, date: '2000-06-02' });
    expect(w.tickers.length).toBe(30);
    expect(w.final.weights.every((x) => Math.abs(x - 1 / 30) < 1e-15)).toBe(true);
    expect(w.final.cash).toBe(0);
    expect(w.previous!.date).toBe('2000-06-01');
    const missing = await dispatch(engine, 'runs.weights', { id, date: '1999-01-04' });
    expect(missing.ok ? null : missing.error.code).toBe('NOT_FOUND');
    expect(await call('runs.delete', { id })).toEqual({ id, deleted: true });
    const gone = await dispatch(engine, 'runs.get', { id });
    expect(gone.ok ? null : gone.error.code).toBe('NOT_FOUND');
  });

  it('metric values cross as numbers, inf / -inf or null', () => {
    expect([metricValue(1.5), metricValue(Infinity), metricValue(-Infinity), metricValue(Number.NaN)]).toEqual([
      1.5,
      'inf',
      '-inf',
      null,
    ]);
  });

  it('runs.start validates the request', async () => {
    const bad = await dispatch(engine, 'runs.start', { universe: 'djia30', strategies: ['crp'], cost: 2 });
    expect(bad.ok ? null : bad.error.code).toBe('BAD_REQUEST');
    const unknown = await dispatch(engine, 'runs.start', { universe: 'djia30', strategies: ['no-such'] });
    expect(unknown.ok ? null : unknown.error.code).toBe('INVALID_INPUT');
  });

  it('runs.start runs the backtest as a job in its own process', async () => {
    const job = await call<JobInfo>('runs.start', {
      universe: 'djia30',
      strategies: ['crp', 'ubah'],
      from: '2000-11-01',
      to: '2000-11-30',
    });
    expect(job.kind).toBe('backtest');
    const end = await engine.jobs.wait(job.id);
    expect(end.status, end.error ?? '').toBe('succeeded');
    const runs = (end.result as { runs: { runId: string; strategy: string; status: string }[] }).runs;
    expect(runs.map((x) => [x.strategy, x.status])).toEqual([
      ['crp', 'complete'],
      ['ubah', 'complete'],
    ]);
    const info = await call<RunInfo>('runs.get', { id: runs[1]!.runId });
    expect(info.status).toBe('complete');
    expect(info.pid).not.toBe(process.pid); // written by the job process
  });
});
