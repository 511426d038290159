/**
 * Kernel SHAP time per date per agent on a real trained SAMP-HDRL model (quick preset, one training episode per
 * stage so the bench stays short; the network sizes are those of the quick preset), at the default sample count.
 */
import { runBacktest } from '../src-main/backtest/run';
import { sampExplainable } from '../src-main/strategies/samp/explainable';
import { explainDecision, EXPLAIN_DEFAULTS } from '../src-main/explain/agents';
import { tempEngine } from '../test/helpers/engine';

export const title = 'Explanations: Kernel SHAP on a real SAMP-HDRL model';

export async function run() {
  const engine = tempEngine();
  try {
    const [r] = await runBacktest(engine.db, {
      universe: 'djia30',
      strategies: ['samp-hdrl'],
      from: '2000-10-02',
      to: '2000-12-29',
      lookback: 500,
      params: { 'samp-hdrl': { preset: 'quick', episodes: 1 } },
    });
    const ex = await sampExplainable(engine.db, r!.runId!);
    try {
      explainDecision(ex.policy, { nSamples: 128 }); // warm-up
      const out: { name: string; value: number; unit: string; note?: string }[] = [];
      for (const agent of ex.policy.agents) {
        const times: number[] = [];
        for (let k = 0; k < 3; k++) {
          const t0 = performance.now();
          explainDecision({ ...ex.policy, agents: [agent] });
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        const players = agent.mask.filter(Boolean).length;
        out.push({
          name: `${agent.name}: one date`,
          value: times[1]!,
          unit: 'ms',
          note: `${players} asset players${agent.name === 'upper' ? ' + 3 time blocks' : ''}, ${EXPLAIN_DEFAULTS.nSamples} samples, ${ex.policy.background.length} background windows, median of 3`,
        });
      }
      return out;
    } finally {
      await ex.close();
    }
  } finally {
    engine.close();
  }
}
