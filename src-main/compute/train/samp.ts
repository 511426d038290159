/**
 * The SAMP-HDRL actor-critic pairs of agents/samp/trainer.ts, described for the ONNX Runtime training engine
 * (ddpg.ts): the same policies (agents/samp/policy.ts) and critic (agents/networks/critic.ts), the same entropy
 * bonus, the same state inputs.
 *   'upper' (stage 1): actor = upper Transformer, action = w0; state x [N, L], wprev [N]
 *   'lower' (stage 2): actor = two lower SLaK agents through the fusion a w0 + (1 - a)(c1 w1 + c2 w2); state adds
 *                      the frozen upper outputs w0 [N], emb [d], the day's masks m1, m2 [N] and capital split c1, c2 [1]
 *   'flat'  (ddpg-flat): actor = one unconditioned SLaK agent; state x, wprev
 */
import { criticForward } from '../../agents/networks/critic';
import type { SampConfig } from '../../agents/samp/config';
import { flatPolicy, fusePolicy, lowerPolicy, sampNets, sampSpecs, upperPolicy } from '../../agents/samp/policy';
import type { TrainDdpgModel } from './ddpg';
import type { Val } from './graph';
import type { TrainOps } from './ops';

/** Mean over the batch of the entropy -sum_i w_i log(w_i + 1e-12) of w [B, N] (as trainer.ts meanEntropy). */
export function meanEntropy(ops: TrainOps, w: Val): Val {
  const s = ops.sum(ops.mul(w, ops.log(ops.add(w, ops.scalar(1e-12)))), 1, false);
  return ops.mul(ops.scalar(-1), ops.mean(s, 0, false));
}

/** The stage's actor-critic pair over `nAssets` assets (see file overview). */
export function sampTrainModel(stage: 'upper' | 'lower' | 'flat', cfg: SampConfig, nAssets: number): TrainDdpgModel {
  const N = nAssets;
  const L = cfg.window;
  const nets = sampNets(cfg);
  const specs = sampSpecs(nets);
  const beta = cfg.ddpg.entropyCoef;
  const critic = (ops: TrainOps, s: Record<string, Val>, a: Val) => criticForward(ops, nets.critic, N, s.x!, a, s.wprev!, 'critic');
  const bonus = (ops: TrainOps, ws: Val[]) => {
    const h = ws.map((w) => meanEntropy(ops, w)).reduce((x, y) => ops.add(x, y));
    return ops.mul(ops.scalar(-beta), h);
  };
  const base = { criticSpecs: specs.critic, action: [N], critic };
  if (stage === 'upper')
    return {
      ...base,
      actorSpecs: specs.upper,
      state: { x: [N, L], wprev: [N] },
      actor: (ops, s) => {
        const w0 = upperPolicy(ops, nets, N, s.x!).w0;
        return beta > 0 ? { action: w0, regularizer: bonus(ops, [w0]) } : { action: w0 };
      },
    };
  if (stage === 'flat')
    return {
      ...base,
      actorSpecs: specs.flat,
      state: { x: [N, L], wprev: [N] },
      actor: (ops, s) => {
        const w = flatPolicy(ops, nets, N, s.x!);
        return beta > 0 ? { action: w, regularizer: bonus(ops, [w]) } : { action: w };
      },
    };
  return {
    ...base,
    actorSpecs: specs.lower,
    state: { x: [N, L], wprev: [N], w0: [N], emb: [nets.upper.dModel], m1: [N], m2: [N], c1: [1], c2: [1] },
    actor: (ops, s) => {
      const l = lowerPolicy(ops, nets, N, s.x!, s.emb!, s.m1!, s.m2!);
      const action = fusePolicy(ops, cfg.fusionA, s.w0!, l.w1, l.w2, s.c1!, s.c2!);
      return beta > 0 ? { action, regularizer: bonus(ops, [l.w1, l.w2]) } : { action };
    },
  };
}
