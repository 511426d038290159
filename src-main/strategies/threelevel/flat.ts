/**
 * `three-level/flat`, the "flat single agent" ablation of the three-level hierarchy (docs/three-level.md
 * "The flat ablation"): one agent over all assets, no classes, no levels, deciding every day in the same backtest
 * (the same costs, and the same spread and impact when the run charges them).
 *
 * It is the flat SAC agent of the SAMP-HDRL family (`sac-flat`, strategies/samp, docs/drl-baselines.md) run under
 * this id, not a new agent: the hierarchy's learned daily and monthly levels are trained with the engine's SAC, so
 * the flat agent learning with the same algorithm from the same training window isolates what the levels add. Its
 * create is sac-flat's, so it trains (or loads) exactly the model a `sac-flat` run with the same parameters, seed and
 * window would, and its decisions record the flat agent's own detail; only the run's strategy id differs, which is
 * what puts it in the three-level results table beside the hierarchy.
 */
import { sampStrategies } from '../samp';
import type { StrategyDef } from '../types';

/** The flat agent the ablation runs. */
export const FLAT_AGENT = 'sac-flat';

/** The `three-level/flat` strategy: {@link FLAT_AGENT}'s definition under the ablation's id. */
export function flatThreeLevelStrategy(): StrategyDef {
  const agent = sampStrategies.find((s) => s.id === FLAT_AGENT);
  if (!agent) throw new Error(`three-level/flat: the flat agent ${FLAT_AGENT} is not registered`);
  return {
    ...agent,
    id: 'three-level/flat',
    group: 'three-level',
    label: 'Three-level ablation: flat single agent',
    description:
      "The three-level hierarchy's flat ablation (issue 20, docs/three-level.md): one agent over all assets, no " +
      `levels, trading every day — the ${FLAT_AGENT} agent, the engine's SAC as the hierarchy's learned levels use, ` +
      `run under this id. ${agent.description}`,
  };
}
