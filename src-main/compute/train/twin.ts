/**
 * Twin critics (Fujimoto et al. 2018, clipped double Q), the part TD3 (td3.ts) and SAC (sac.ts) share: two critics of
 * the model's critic architecture drawn independently (from `seed + 1` and `seed + 2`), a target copy of each, and
 * per critic its own Adam moments, eight flat vectors in all. In the update graph:
 *
 *   target value  min(Q1'(s', a'), Q2'(s', a')) of the two target critics at the learner's next action a'
 *                 (no tape; what the learner adds to it, SAC's entropy term, is its own)
 *   critic steps  each critic's regression step on the same target y (ddpg.ts criticStep), Q1 first
 *   soft update   theta_k' <- tau theta_k + (1 - tau) theta_k' from the stepped critics
 *
 * The learner decides when the soft update runs (TD3 with its delayed actor step, SAC on every update) and where the
 * eight vectors sit in its own state layout; the pieces here only build and read them. A stored checkpoint holds
 * both critics in one map, Q2 under its spec names prefixed {@link TWIN_PREFIX}.
 */
import type { DdpgConfig } from '../../agents/ddpg';
import type { ParamSpec, ParamValues } from '../params';
import { softUpdate } from './adam';
import { startVector, unflatten } from './common';
import type { OptimizerRule } from './common';
import { criticStep, type BatchInputs, type CriticModel, type StepResult } from './ddpg';
import type { Graph, Val } from './graph';
import { paramBlock, TrainOps, type ConvImpl } from './ops';

/** Prefix of the second critic's parameter names in a learner's stored critic map ({@link joinTwins}). */
export const TWIN_PREFIX = 'twin/';

/** The eight state vectors of the twin critics. */
export type TwinStateName =
  'critic1' | 'critic2' | 'critic1Target' | 'critic2Target' | 'critic1M' | 'critic1V' | 'critic2M' | 'critic2V';

/** Online critic values per critic, before or after an update. */
export interface Twins {
  critic1: ParamValues;
  critic2: ParamValues;
}

/**
 * The twins' starting vectors: critic k from the given values or drawn from `seed + k`, its target equal to it,
 * its Adam moments zero.
 */
export function twinStart(
  specs: readonly ParamSpec[],
  seed: number,
  init: { critic1?: ParamValues; critic2?: ParamValues } = {},
): Record<TwinStateName, Float32Array> {
  const c1 = startVector(specs, init.critic1, seed + 1, 'initial critic 1');
  const c2 = startVector(specs, init.critic2, seed + 2, 'initial critic 2');
  return {
    critic1: c1,
    critic2: c2,
    critic1Target: c1.slice(),
    critic2Target: c2.slice(),
    critic1M: new Float32Array(c1.length),
    critic1V: new Float32Array(c1.length),
    critic2M: new Float32Array(c2.length),
    critic2V: new Float32Array(c2.length),
  };
}

/** min(Q1'(s', a'), Q2'(s', a')) [B, 1] of the target critics at the next states `s2` and actions `next` (no tape). */
export function twinTargetValue(
  g: Graph,
  model: CriticModel,
  st: Pick<Record<TwinStateName, Val>, 'critic1Target' | 'critic2Target'>,
  s2: Record<string, Val>,
  next: Val,
  conv: ConvImpl,
): Val {
  const tq = (n: 'critic1Target' | 'critic2Target') =>
    model.critic(new TrainOps(g, paramBlock(g, model.criticSpecs, st[n], null), conv), s2, next);
  const q1 = tq('critic1Target');
  return g.node1('Min', [q1, tq('critic2Target')], [...q1.shape]);
}

/** Both critics' regression steps on the target `y`, Q1's first, each with its own tape and moments. */
export function twinCriticSteps(
  g: Graph,
  model: CriticModel,
  cfg: Pick<DdpgConfig, 'criticLr' | 'gradClipNorm'> & { rule?: OptimizerRule },
  st: Pick<Record<TwinStateName, Val>, 'critic1' | 'critic2' | 'critic1M' | 'critic1V' | 'critic2M' | 'critic2V'>,
  batch: Pick<BatchInputs, 's' | 'a'>,
  y: Val,
  c: { c1: Val; c2: Val },
  conv: ConvImpl,
): { q1: StepResult; q2: StepResult } {
  const step = (k: 1 | 2) =>
    criticStep(
      g,
      model,
      cfg,
      { p: st[`critic${k}`], m: st[`critic${k}M`], v: st[`critic${k}V`], ...c },
      batch,
      y,
      `critic${k}`,
      conv,
    );
  const q1 = step(1);
  return { q1, q2: step(2) };
}

/** The six online vectors the critic steps give (parameters and moments of each critic). */
export function twinStepped(steps: {
  q1: StepResult;
  q2: StepResult;
}): Record<Exclude<TwinStateName, 'critic1Target' | 'critic2Target'>, Val> {
  return {
    critic1: steps.q1.step.p,
    critic1M: steps.q1.step.m,
    critic1V: steps.q1.step.v,
    critic2: steps.q2.step.p,
    critic2M: steps.q2.step.m,
    critic2V: steps.q2.step.v,
  };
}

/** Both target critics moved by the soft update towards the stepped critics (critic 1's first). */
export function twinSoftUpdates(
  g: Graph,
  steps: { q1: StepResult; q2: StepResult },
  st: Pick<Record<TwinStateName, Val>, 'critic1Target' | 'critic2Target'>,
  tau: number,
): Record<'critic1Target' | 'critic2Target', Val> {
  const critic1Target = softUpdate(g, steps.q1.step.p, st.critic1Target, tau);
  return { critic1Target, critic2Target: softUpdate(g, steps.q2.step.p, st.critic2Target, tau) };
}

/** The twins' losses as an update reports them: each critic's, and their mean as the critic loss. */
export function twinLosses(out: Record<string, Float32Array>): {
  criticLoss: number;
  critic1Loss: number;
  critic2Loss: number;
} {
  const critic1Loss = out.critic1Loss![0]!;
  const critic2Loss = out.critic2Loss![0]!;
  return { criticLoss: (critic1Loss + critic2Loss) / 2, critic1Loss, critic2Loss };
}

/** The two critics of the flat vectors `critic1`, `critic2` (online or target ones). */
export function twinValues(specs: readonly ParamSpec[], critic1: Float32Array, critic2: Float32Array): Twins {
  return { critic1: unflatten(specs, critic1), critic2: unflatten(specs, critic2) };
}

/** Both critics in one map: Q1 under its spec names, Q2 under the same names prefixed {@link TWIN_PREFIX}. */
export function joinTwins(t: Twins): ParamValues {
  const out: ParamValues = new Map(t.critic1);
  for (const [k, v] of t.critic2) out.set(`${TWIN_PREFIX}${k}`, v);
  return out;
}
