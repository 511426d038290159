/**
 * The Q-networks of MAPS's agents (docs/drl-baselines.md "MAPS"), written once against the op vocabulary so the
 * training engine (compute/train/maps.ts) and the exported policy (policy.ts) run the same definition.
 *
 * Each of the K agents is one of the Long/Hold/Short baselines' networks (agents/lhs/network.ts, the MLP or the CNN
 * over one asset's window of n daily returns) whose three outputs are read as the Q-values of Long, Hold and Short
 * instead of as logits: the same layers, no softmax. The agents do not share parameters. Agent k's parameters are
 * the baseline's, renamed from `lhs/...` to `maps/agent<k>/...`: the seeded initialisation (compute/params.ts) draws
 * per parameter name, so every agent starts from different weights. `mapsQ` stacks the agents' outputs into
 * Q [B, K, 3] (row b, agent k, action in the class order of agents/lhs/classes.ts).
 */
import type { Ops } from '../../compute/ops';
import type { ParamSpec } from '../../compute/params';
import { CLASS_COUNT } from '../lhs/classes';
import { lhsLogits, lhsSpecs, type LhsShape } from '../lhs/network';
import type { MapsConfig } from './config';

/** The settings the networks' shapes depend on. */
export type MapsShape = Pick<MapsConfig, 'network' | 'agents' | 'window' | 'hidden' | 'convMaps' | 'convKernel'>;

/** One agent's network as the Long/Hold/Short baselines define it. */
function agentShape(s: MapsShape): LhsShape {
  return { model: s.network, window: s.window, hidden: s.hidden, convMaps: s.convMaps, convKernel: s.convKernel };
}

/** Agent k's name for the baseline parameter `name` (`lhs/mlp/d1/W` -> `maps/agent2/mlp/d1/W`). */
export function mapsParamName(k: number, name: string): string {
  if (!name.startsWith('lhs/')) throw new Error(`not a Long/Hold/Short network parameter: ${name}`);
  return `maps/agent${k}/${name.slice(4)}`;
}

/** The parameters of all K agents, agent by agent. */
export function mapsSpecs(s: MapsShape): ParamSpec[] {
  const one = lhsSpecs(agentShape(s));
  return Array.from({ length: s.agents }, (_, k) =>
    one.map((sp) => ({ ...sp, name: mapsParamName(k, sp.name) })),
  ).flat();
}

/** `ops` with every parameter read under agent k's name (everything else passes through). */
function agentOps<T>(ops: Ops<T>, k: number): Ops<T> {
  return new Proxy(ops, {
    get(target, prop) {
      if (prop === 'param') return (name: string) => target.param(mapsParamName(k, name));
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Q-values [B, K, 3] (agent k's Long, Hold, Short) of windows x [B, n]. */
export function mapsQ<T>(ops: Ops<T>, s: MapsShape, x: T): T {
  const shape = agentShape(s);
  const per = Array.from({ length: s.agents }, (_, k) =>
    ops.reshape(lhsLogits(agentOps(ops, k), shape, x), [-1, 1, CLASS_COUNT]),
  );
  return per.length === 1 ? per[0]! : ops.concat(per, 1);
}
