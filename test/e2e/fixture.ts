/**
 * The runs the end-to-end suites open the desk on, stored through the engine as a user's backtest stores them.
 *
 * The decision-view suites share one database (`storeDecisionRuns`): real runs of the bundled DJIA data over
 * 2000-Q4 — equal weight (crp) and a hindsight reference (bcrp), SAMP-HDRL and the flat DDPG agent (quick preset, one
 * training episode per stage, so the suites stay fast). The flat agent runs last: the newest learned run, which a view
 * that merely opened on the newest run would show instead of the hierarchical strategy.
 */
import type { Engine } from '../../src-main/engine';
import { storeRuns } from '../helpers/runs';

export const DECISIONS_WINDOW = { universe: 'djia30', from: '2000-10-02', to: '2000-12-29', lookback: 500 };

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
