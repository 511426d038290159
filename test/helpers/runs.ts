/** Runs stored through the engine as a user's backtest stores them, for the suites that read them back. */
import { expect } from 'vitest';
import { runBacktest, type BacktestRequest } from '../../src-main/backtest/run';
import type { Engine } from '../../src-main/engine';

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
