/**
 * Deep Deterministic Policy Gradient (Lillicrap et al. 2016), the learner SAMP-HDRL trains its agents with
 * (SAMP-HDRL step 7). Generic over the actor and critic: a `DdpgModel` says which parameters each
 * has and how to run them (written against `Ops`, run here with `TfOps`). Read top to bottom:
 *
 *   critic target  y = rewardScale * r + gamma * (1 - done) * Q'(s', mu'(s'))
 *   critic loss    L_Q  = mean (Q(s, a) - y)^2                       -> Adam(criticLr) on critic params
 *   actor loss     L_mu = -mean Q(s, mu(s)) + R(s)                   -> Adam(actorLr) on actor params
 *                  (R: the model's optional regulariser, e.g. minus an entropy bonus against weight collapse)
 *   soft update    theta' <- tau * theta + (1 - tau) * theta'         (both target networks, after each update)
 *
 * Gradients are clipped by global norm (`gradClipNorm`, 0 = off) before Adam. Nothing here draws random
 * numbers: initial weights come from params.ts (seeded), exploration noise and replay sampling from the
 * trainer's seeded streams, so the same seed, config and backend give the same weights.
 */
import type * as tfType from '@tensorflow/tfjs';
import { TfOps } from '../compute/ops';
import { initParams, type ParamSpec, type ParamValues } from '../compute/params';
import type { NoiseConfig } from './noise';

type Tensor = tfType.Tensor;

/** DDPG hyperparameters (paper: not disclosed; defaults follow Lillicrap et al. 2016 where sensible). */
export interface DdpgConfig {
  /** Adam learning rate of the actor */
  actorLr: number;
  /** Adam learning rate of the critic */
  criticLr: number;
  /** discount factor per trading day */
  gamma: number;
  /** soft target update rate */
  tau: number;
  /** transitions per update */
  batchSize: number;
  /** replay capacity (transitions) */
  bufferSize: number;
  /** transitions stored before the first update */
  warmup: number;
  /** environment steps between updates (1 = update every step) */
  updateEvery: number;
  /** clip gradients to this global L2 norm (0 = no clipping) */
  gradClipNorm: number;
  /** reward multiplier inside the critic target (daily log returns are ~1e-2; 100 puts them near 1) */
  rewardScale: number;
  /** exploration noise on the actor's logits */
  noise: NoiseConfig;
}

/** State inputs of a batch, by name (e.g. x [B,N,L], wprev [B,N]). */
export type StateTensors = Record<string, Tensor>;

/** What DDPG needs to know about an actor-critic pair. */
export interface DdpgModel {
  /** trainable actor parameters */
  actorSpecs: ParamSpec[];
  /** trainable critic parameters */
  criticSpecs: ParamSpec[];
  /**
   * Deterministic action mu(s) [B, N] (may read optional noise inputs from s when acting), and optionally a
   * scalar regulariser added to the actor loss, computed from the same forward pass.
   */
  actor(ops: TfOps, s: StateTensors): ActorOutput;
  /** Q(s, a) [B, 1] */
  critic(ops: TfOps, s: StateTensors, a: Tensor): Tensor;
}

/** What an actor gives: the action and an optional scalar term added to the actor loss. */
export interface ActorOutput {
  action: Tensor;
  regularizer?: Tensor;
}

/** One sampled minibatch as tensors. */
export interface DdpgBatch {
  s: StateTensors;
  a: Tensor;
  /** [B, 1] unscaled rewards */
  r: Tensor;
  s2: StateTensors;
  /** [B, 1] 1 where the episode truly ended (no bootstrap) */
  done: Tensor;
}

let variableRun = 0;

function toVariables(
  tf: typeof tfType,
  values: ParamValues,
  tag: string,
  trainable: boolean,
): Map<string, tfType.Variable> {
  const out = new Map<string, tfType.Variable>();
  for (const [name, v] of values) {
    const init = tf.tensor(v.data, v.shape, 'float32');
    out.set(name, tf.variable(init, trainable, `${tag}/${name}`));
    init.dispose(); // the variable holds its own reference to the data
  }
  return out;
}

/**
 * Soft target update theta' <- tau * theta + (1 - tau) * theta' for every parameter name of `online`
 * (SAMP-HDRL step 7, DDPG target networks). Mutates `target` in place and leaves no tensor behind,
 * inside tf.tidy or not (the variable holds its own reference to the new values).
 */
export function softUpdate(
  tf: typeof tfType,
  online: Map<string, Tensor>,
  target: Map<string, tfType.Variable>,
  tau: number,
): void {
  for (const [name, p] of online) {
    const t = target.get(name);
    if (!t) throw new Error(`target has no parameter ${name}`);
    const next = tf.tidy(() => tf.add(tf.mul(p, tau), tf.mul(t, 1 - tau)));
    t.assign(next);
    next.dispose();
  }
}

/** Read a variable map back into plain float32 values. */
export function readParams(map: Map<string, Tensor>): ParamValues {
  const out: ParamValues = new Map();
  for (const [name, t] of map)
    out.set(name, { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) });
  return out;
}

/** A DDPG learner holding actor, critic, their targets and two Adam optimisers. */
export class Ddpg {
  readonly actorVars: Map<string, tfType.Variable>;
  readonly criticVars: Map<string, tfType.Variable>;
  readonly actorTarget: Map<string, tfType.Variable>;
  readonly criticTarget: Map<string, tfType.Variable>;
  private readonly actorOps: TfOps;
  private readonly criticOps: TfOps;
  private readonly actorTargetOps: TfOps;
  private readonly criticTargetOps: TfOps;
  private readonly actorOpt: tfType.Optimizer;
  private readonly criticOpt: tfType.Optimizer;
  updates = 0;

  /**
   * @param seed initialises both networks (params.ts); `init` may supply starting values instead
   *   (e.g. to continue training), which must match the specs' names and shapes.
   */
  constructor(
    private readonly tf: typeof tfType,
    readonly model: DdpgModel,
    readonly cfg: DdpgConfig,
    seed: number,
    init: { actor?: ParamValues; critic?: ParamValues } = {},
  ) {
    const tag = `ddpg${variableRun++}`;
    const a0 = init.actor ?? initParams(model.actorSpecs, seed);
    const c0 = init.critic ?? initParams(model.criticSpecs, seed + 1);
    for (const s of model.actorSpecs) if (!a0.has(s.name)) throw new Error(`initial actor values miss ${s.name}`);
    this.actorVars = toVariables(tf, a0, `${tag}/actor`, true);
    this.criticVars = toVariables(tf, c0, `${tag}/critic`, true);
    this.actorTarget = toVariables(tf, a0, `${tag}/actorT`, false);
    this.criticTarget = toVariables(tf, c0, `${tag}/criticT`, false);
    this.actorOps = new TfOps(tf, this.actorVars as Map<string, Tensor>);
    this.criticOps = new TfOps(tf, this.criticVars as Map<string, Tensor>);
    this.actorTargetOps = new TfOps(tf, this.actorTarget as Map<string, Tensor>);
    this.criticTargetOps = new TfOps(tf, this.criticTarget as Map<string, Tensor>);
    this.actorOpt = tf.train.adam(cfg.actorLr);
    this.criticOpt = tf.train.adam(cfg.criticLr);
  }

  /**
   * Scale both learning rates to `f` times their configured values from the next update on (a learning-rate
   * schedule; the Adam moments are kept).
   */
  setLearningRateScale(f: number): void {
    if (!(f > 0 && Number.isFinite(f))) throw new RangeError(`learning-rate scale must be a positive number, got ${f}`);
    // tfjs's Adam reads its learningRate field at every applyGradients
    (this.actorOpt as unknown as { learningRate: number }).learningRate = this.cfg.actorLr * f;
    (this.criticOpt as unknown as { learningRate: number }).learningRate = this.cfg.criticLr * f;
  }

  /** mu(s) with the online actor; the caller owns (disposes) the result. */
  act(s: StateTensors): Tensor {
    return this.tf.tidy(() => this.model.actor(this.actorOps, s).action);
  }

  private clip(grads: tfType.NamedTensorMap): tfType.NamedTensorMap {
    const tf = this.tf;
    const c = this.cfg.gradClipNorm;
    if (!(c > 0)) return grads;
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(sq));
    const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(c), tf.maximum(norm, tf.scalar(1e-12))));
    const out: tfType.NamedTensorMap = {};
    for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
    return out;
  }

  /**
   * One DDPG update on a minibatch (critic step, actor step, soft target update).
   * Gives the critic's mean squared TD error and the actor loss -mean Q + R (both in scaled-reward units).
   */
  update(b: DdpgBatch): { criticLoss: number; actorLoss: number } {
    const tf = this.tf;
    const cfg = this.cfg;
    const [cl, al] = tf.tidy(() => {
      const y = tf.tidy(() => {
        const a2 = this.model.actor(this.actorTargetOps, b.s2).action;
        const q2 = this.model.critic(this.criticTargetOps, b.s2, a2);
        return tf.add(tf.mul(b.r, cfg.rewardScale), tf.mul(tf.mul(tf.sub(1, b.done), cfg.gamma), q2));
      });
      const criticList = [...this.criticVars.values()];
      const c = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(this.model.critic(this.criticOps, b.s, b.a), y))) as tfType.Scalar,
        criticList,
      );
      this.criticOpt.applyGradients(this.clip(c.grads));
      const actorList = [...this.actorVars.values()];
      const a = tf.variableGrads(() => {
        const out = this.model.actor(this.actorOps, b.s);
        const loss = tf.neg(tf.mean(this.model.critic(this.criticOps, b.s, out.action)));
        return (out.regularizer ? tf.add(loss, out.regularizer) : loss) as tfType.Scalar;
      }, actorList);
      this.actorOpt.applyGradients(this.clip(a.grads));
      return [c.value.dataSync()[0]!, a.value.dataSync()[0]!];
    });
    softUpdate(tf, this.actorVars as Map<string, Tensor>, this.actorTarget, cfg.tau);
    softUpdate(tf, this.criticVars as Map<string, Tensor>, this.criticTarget, cfg.tau);
    this.updates++;
    return { criticLoss: cl, actorLoss: al };
  }

  /** Current actor parameters as plain values. */
  actorParams(): ParamValues {
    return readParams(this.actorVars as Map<string, Tensor>);
  }

  /** Current critic parameters as plain values. */
  criticParams(): ParamValues {
    return readParams(this.criticVars as Map<string, Tensor>);
  }

  /** Free every tensor this learner holds (variables, optimiser state, cached constants). */
  dispose(): void {
    for (const m of [this.actorVars, this.criticVars, this.actorTarget, this.criticTarget])
      for (const v of m.values()) v.dispose();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
    for (const o of [this.actorOps, this.criticOps, this.actorTargetOps, this.criticTargetOps]) o.disposeConstants();
  }
}
