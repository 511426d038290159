/**
 * The runs the end-to-end suites open the desk on, stored through the engine as a user's backtest stores them.
 *
 * `storeRuns` runs one request and checks that every strategy's run completed. The decision-view suites share one
 * database (`storeDecisionRuns`): real runs of the bundled DJIA data over 2000-Q4 — equal weight (crp) and a
 * hindsight reference (bcrp), SAMP-HDRL and the flat DDPG agent (quick preset, one training episode per stage, so the
 * suites stay fast). The flat agent runs last: the newest learned run, which a view that merely opened on the newest
 * run would show instead of the hierarchical strategy.
 */
import { expect } from 'vitest';
import { runBacktest, type BacktestRequest } from '../../src-main/backtest/run';
import type { Engine } from '../../src-main/engine';

export const DECISIONS_WINDOW = { universe: 'djia30', from: '2000-10-02', to: '2000-12-29', lookback: 500 };

/** The MPLS suites' runs: June 2000 of the bundled DJIA data (quick preset; no news, so sentiment is off). */
export const MPLS_JUNE_2000: BacktestRequest = {
  universe: 'djia30',
  strategies: ['crp', 'mpls'],
  from: '2000-06-01',
  to: '2000-06-30',
  lookback: 340,
  params: { mpls: { preset: 'quick' } },
};

/** Run `req` and check that every strategy's run completed; answers each strategy's run id. */
export async function storeRuns(engine: Engine, req: BacktestRequest): Promise<Record<string, string>> {
  const runs = await runBacktest(engine.db, req);
  expect(runs.map((r) => [r.strategy, r.status, r.error])).toEqual(
    req.strategies.map((s) => [s, 'complete', undefined]),
  );
  return Object.fromEntries(runs.map((r) => [r.strategy, r.runId!]));
}

/** Store the four runs; answers the ids of the two learned ones. */
export async function storeDecisionRuns(engine: Engine): Promise<{ sampRun: string; flatRun: string }> {
  await storeRuns(engine, { ...DECISIONS_WINDOW, strategies: ['crp', 'bcrp'] });
  const samp = await storeRuns(engine, {
    ...DECISIONS_WINDOW,
    strategies: ['samp-hdrl'],
    params: { 'samp-hdrl': { preset: 'quick', episodes: 1 } },
  });
  const flat = await storeRuns(engine, {
    ...DECISIONS_WINDOW,
    strategies: ['ddpg-flat'],
    params: { 'ddpg-flat': { preset: 'quick', episodes: 1 } },
  });
  return { sampRun: samp['samp-hdrl']!, flatRun: flat['ddpg-flat']! };
}
