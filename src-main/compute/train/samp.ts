/**
 * The SAMP-HDRL actor-critic pairs of agents/samp/trainer.ts, described for the ONNX Runtime training engine
 * (ddpg.ts; the tfjs ones are agents/samp/engines.ts tfjsStageModel): the same policies (agents/samp/policy.ts) and critic (agents/networks/critic.ts), the same entropy
 * bonus, the same state inputs.
 *   'upper' (stage 1): actor = upper Transformer, action = w0; state x [N, L], wprev [N] (read by the critic,
 *                      and by the actors when the config's holdingsInput is on)
 *   'lower' (stage 2): actor = two lower SLaK agents through the fusion a w0 + (1 - a)(c1 w1 + c2 w2); state adds
 *                      the frozen upper outputs w0 [N], emb [d], the day's masks m1, m2 [N] and capital split c1, c2 [1]
 *   'flat'  (ddpg-flat): actor = one unconditioned SLaK agent; state x, wprev
 * State shapes and noise inputs per stage: agents/samp/stages.ts.
 */
import { criticForward } from '../../agents/networks/critic';
import type { SampConfig } from '../../agents/samp/config';
import { stageNoiseInputs, stageStateShapes, type SampStage } from '../../agents/samp/stages';
import { flatPolicy, fusePolicy, lowerPolicy, sampNets, sampSpecs, upperPolicy } from '../../agents/samp/policy';
import type { TrainDdpgModel } from './ddpg';
import type { Val } from './graph';
import type { TrainOps } from './ops';

/** Mean over the batch of the entropy -sum_i w_i log(w_i + 1e-12) of w [B, N] (as agents/samp/engines.ts meanEntropy). */
export function meanEntropy(ops: TrainOps, w: Val): Val {
  const s = ops.sum(ops.mul(w, ops.log(ops.add(w, ops.scalar(1e-12)))), 1, false);
  return ops.mul(ops.scalar(-1), ops.mean(s, 0, false));
}

/** The stage's actor-critic pair over `nAssets` assets (see file overview). */
export function sampTrainModel(stage: SampStage, cfg: SampConfig, nAssets: number): TrainDdpgModel {
  const N = nAssets;
  const nets = sampNets(cfg);
  const specs = sampSpecs(nets);
  const beta = cfg.entropyBonus[stage];
  const critic = (ops: TrainOps, s: Record<string, Val>, a: Val) =>
    criticForward(ops, nets.critic, N, s.x!, a, s.wprev!, 'critic');
  const bonus = (ops: TrainOps, ws: Val[]) => {
    const h = ws.map((w) => meanEntropy(ops, w)).reduce((x, y) => ops.add(x, y));
    return ops.mul(ops.scalar(-beta), h);
  };
  /** the stage's policy: its action and the softmax weights of the agents the entropy bonus applies to */
  let policy: (ops: TrainOps, s: Record<string, Val>, noise: Val[]) => { action: Val; agents: Val[] };
  let actorSpecs = specs.upper;
  if (stage === 'upper')
    policy = (ops, s, noise) => {
      const w0 = upperPolicy(ops, nets, N, s.x!, s.wprev!, noise[0]).w0;
      return { action: w0, agents: [w0] };
    };
  else if (stage === 'flat') {
    actorSpecs = specs.flat;
    policy = (ops, s, noise) => {
      const w = flatPolicy(ops, nets, N, s.x!, s.wprev!, noise[0]);
      return { action: w, agents: [w] };
    };
  } else {
    actorSpecs = specs.lower;
    policy = (ops, s, noise) => {
      const l = lowerPolicy(ops, nets, N, s.x!, s.wprev!, s.emb!, s.m1!, s.m2!, noise[0], noise[1]);
      return { action: fusePolicy(ops, cfg.fusionA, s.w0!, l.w1, l.w2, s.c1!, s.c2!), agents: [l.w1, l.w2] };
    };
  }
  return {
    actorSpecs,
    criticSpecs: specs.critic,
    state: stageStateShapes(stage, cfg, N),
    action: [N],
    critic,
    noiseInputs: stageNoiseInputs(stage),
    act: (ops, s, noise) => policy(ops, s, noise).action,
    actor: (ops, s) => {
      const p = policy(ops, s, []);
      return beta > 0 ? { action: p.action, regularizer: bonus(ops, p.agents) } : { action: p.action };
    },
  };
}
