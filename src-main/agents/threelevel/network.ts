/**
 * Level 3's networks (docs/three-level.md "The learned agent"), written once against the op vocabulary:
 *
 *   policy   one small MLP applied to each asset's state on its own (shared across the assets, so one trained policy
 *            fits a book of any size): h = ReLU(Linear(...ReLU(Linear(x)))) (widths `hidden`), the trade logit
 *            m = Linear(h) [B, 1], and the fraction of the asset's gap to trade today sigmoid(m), written as
 *            (tanh(m / 2) + 1) / 2 (the vocabulary has tanh, and the two are the same function)
 *   critic   Q(x, a) = Linear(ReLU(Linear(...ReLU(Linear(concat(x, a)))))) [B, 1], one asset's state and fraction
 *
 * As a learner sees them (`executionModel`, the engine's TrainDdpgModel) a sample is ONE asset on one day: state x
 * [F] (env.ts `EXECUTION_FEATURES`), action [1]. SAC's exploration adds its Gaussian draw to the logit before the
 * sigmoid, so every action stays a fraction in (0, 1). The exported policy (policy.ts) computes sigmoid(m) for a
 * batch of asset states, the same forward as the learner's acting graph.
 */
import { dense, type Ops } from '../../compute/ops';
import { denseSpecs, type ParamSpec } from '../../compute/params';
import type { TrainDdpgModel } from '../../compute/train/ddpg';
import type { ExecutionConfig } from './config';

/** The logistic function over the op vocabulary: (tanh(x / 2) + 1) / 2. */
export function sigmoid<T>(ops: Ops<T>, x: T): T {
  const half = ops.scalar(0.5);
  return ops.mul(half, ops.add(ops.tanh(ops.mul(half, x)), ops.scalar(1)));
}

/** The parameters of an MLP `prefix`/l0.. of widths `hidden` ending in one output (Level 2's networks use it too). */
export function mlpSpecs(prefix: string, inDim: number, hidden: readonly number[]): ParamSpec[] {
  const out: ParamSpec[] = [];
  let d = inDim;
  hidden.forEach((h, l) => {
    out.push(...denseSpecs(`${prefix}/l${l}`, d, h));
    d = h;
  });
  return [...out, ...denseSpecs(`${prefix}/out`, d, 1)];
}

/** The forward of {@link mlpSpecs}'s MLP over x: ReLU hidden layers, a linear output [B, 1]. */
export function mlp<T>(ops: Ops<T>, prefix: string, x: T, layers: number): T {
  let h = x;
  for (let l = 0; l < layers; l++) h = ops.relu(dense(ops, `${prefix}/l${l}`, h));
  return dense(ops, `${prefix}/out`, h);
}

/** The policy's parameters for states of `features` entries. */
export function executionPolicySpecs(features: number, cfg: Pick<ExecutionConfig, 'hidden'>): ParamSpec[] {
  return mlpSpecs('exec', features, cfg.hidden);
}

/** A critic's parameters for states of `features` entries (one fraction besides). */
export function executionCriticSpecs(features: number, cfg: Pick<ExecutionConfig, 'hidden'>): ParamSpec[] {
  return mlpSpecs('q', features + 1, cfg.hidden);
}

/** The trade logit m(x) [B, 1] of asset states x [B, F]. */
export function tradeLogit<T>(ops: Ops<T>, x: T, cfg: Pick<ExecutionConfig, 'hidden'>): T {
  return mlp(ops, 'exec', x, cfg.hidden.length);
}

/** The deterministic fraction sigmoid(m(x)) [B, 1]. */
export function tradeFraction<T>(ops: Ops<T>, x: T, cfg: Pick<ExecutionConfig, 'hidden'>): T {
  return sigmoid(ops, tradeLogit(ops, x, cfg));
}

/** The policy and critic as the engine's SAC learner takes them (see the file overview). */
export function executionModel(features: number, cfg: Pick<ExecutionConfig, 'hidden'>): TrainDdpgModel {
  const layers = cfg.hidden.length;
  return {
    actorSpecs: executionPolicySpecs(features, cfg),
    criticSpecs: executionCriticSpecs(features, cfg),
    state: { x: [features] },
    action: [1],
    actor: (ops, s) => ({ action: tradeFraction(ops, s.x!, cfg) }),
    noiseInputs: 1,
    act: (ops, s, noise) => sigmoid(ops, ops.add(tradeLogit(ops, s.x!, cfg), noise[0]!)),
    critic: (ops, s, a) => mlp(ops, 'q', ops.concat([s.x!, a], 1), layers),
  };
}
