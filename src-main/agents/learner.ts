/**
 * The DDPG learner as the training loop sees it (issue 14): the trainer (samp/trainer.ts) owns everything around
 * the networks (episodes, environment, exploration noise, replay buffer and its sampling) and talks to a learner
 * only through plain float32 arrays, so one loop drives either training engine:
 *   - `TfjsDdpgLearner` (here): agents/ddpg.ts `Ddpg` on TensorFlow.js, the reference;
 *   - `OnnxDdpg` (compute/train/ddpg.ts): the same update as one ONNX graph run by ONNX Runtime;
 *   - `OnnxTd3` (compute/train/td3.ts): TD3 on the same engine, behind the same interface, so the loop drives it
 *     unchanged ({@link ActorCriticLearner} is the interface's algorithm-neutral name);
 *   - `OnnxSac` (compute/train/sac.ts): SAC, whose policy is stochastic: it explores by sampling that policy
 *     (`explore`) instead of taking the loop's logit noise.
 * The on-policy baselines (PPO) have no replay and no critic of actions: their loop (agents/onpolicy.ts) talks to an
 * {@link OnPolicyLearner} (`OnnxPpo`, compute/train/ppo.ts), which samples its policy with the log-probability and
 * the state value of each sample, and updates on minibatches of a rollout with their advantages and returns.
 * Arrays are row-major with the batch axis first; `shapes` says the per-sample shape of each state input and of
 * the action (without the batch axis).
 */
import type * as tfType from '@tensorflow/tfjs';
import { Ddpg, type DdpgConfig, type DdpgModel, type StateTensors } from './ddpg';
import type { ParamValues } from '../compute/params';

/** State inputs of a batch by name (e.g. x [B, N, L], wprev [B, N]), flat. */
export type StateArrays = Record<string, Float32Array>;

/** A minibatch as flat float32 arrays, row-major with the batch axis first. */
export interface DdpgBatchArrays {
  s: StateArrays;
  a: Float32Array;
  /** [B, 1] unscaled rewards */
  r: Float32Array;
  s2: StateArrays;
  /** [B, 1] 1 where the episode truly ended */
  done: Float32Array;
}

/** Per-sample shapes of a model's state inputs and action. */
export interface LearnerShapes {
  state: Record<string, number[]>;
  action: number[];
}

/** What the training loop needs from a DDPG learner. */
export interface DdpgLearner {
  /**
   * mu(s) for one state (batch 1, every state input of the model), with `noise[k]` (one vector of the action's
   * size per noisy actor input, see the model) added to the k-th actor's logits.
   */
  act(s: StateArrays, noise: readonly Float32Array[]): Float32Array;
  /**
   * One update (critic step, actor step, soft target update). Gives the critic loss and the actor loss; an update
   * that did not step the actor (TD3's delayed actor updates) says so with `actorStepped: false` and a NaN actor loss.
   */
  update(b: DdpgBatchArrays): { criticLoss: number; actorLoss: number; actorStepped?: boolean };
  /**
   * Only a learner with a stochastic policy (SAC) has it: an action sampled from that policy for one state, and the
   * mean standard deviation it sampled with (logit units). The loop then explores with it and draws no logit noise;
   * `act` with zero noise stays the deterministic policy the validation runs.
   */
  explore?(s: StateArrays): { action: Float32Array; std: number };
  /** Both learning rates become `f` times their configured values from the next update on (Adam moments kept). */
  setLearningRateScale(f: number): void;
  actorParams(): ParamValues;
  criticParams(): ParamValues;
  dispose(): void;
}

/** The learner interface under a name that fits every actor-critic algorithm the loop drives (DDPG, TD3, SAC). */
export type ActorCriticLearner = DdpgLearner;

/** A minibatch of an on-policy rollout, flat float32 arrays with the batch axis first. */
export interface OnPolicyBatch {
  s: StateArrays;
  /** [B, ...action] the sampled logits u the actions were the softmax of */
  u: Float32Array;
  /** [B, 1] log pi_old(u | s) when the sample was drawn */
  logp: Float32Array;
  /** [B, 1] advantages (before any per-batch normalisation) */
  adv: Float32Array;
  /** [B, 1] returns, the value network's targets */
  ret: Float32Array;
}

/** One on-policy gradient step's figures. */
export interface OnPolicyLosses {
  /** the loss stepped on: policy loss - entCoef x entropy + vfCoef x value loss */
  loss: number;
  /** -mean of the (clipped) surrogate */
  policyLoss: number;
  /** mean (V(s) - R)^2 */
  valueLoss: number;
  /** the policy's entropy (nats) */
  entropy: number;
  /** share of the samples whose ratio lay outside the clip range (0 without clipping) */
  clipFraction: number;
  /** mean(log pi_old - log pi), an estimate of the KL divergence from the rollout's policy */
  approxKl: number;
}

/** What the on-policy loop (agents/onpolicy.ts) needs from a learner. */
export interface OnPolicyLearner {
  /** The deterministic policy (the Gaussian's mean through the softmax) for one state; `noise` is not used. */
  act(s: StateArrays, noise: readonly Float32Array[]): Float32Array;
  /**
   * A sample of the policy for one state: the action softmax(u), the logits u, log pi(u | s), V(s) and the mean
   * standard deviation it sampled with; `eps` (one standard normal per action entry) replaces the learner's draws.
   */
  sample(
    s: StateArrays,
    eps?: Float32Array,
  ): { action: Float32Array; u: Float32Array; logp: number; value: number; std: number };
  /** V(s) for one state. */
  value(s: StateArrays): number;
  /** One gradient step on a minibatch. */
  update(b: OnPolicyBatch): OnPolicyLosses;
  /** The learning rate becomes `f` times its configured value from the next step on (Adam moments kept). */
  setLearningRateScale(f: number): void;
  /** the policy's parameters as exported (the actor network alone) */
  actorParams(): ParamValues;
  /** the value network's parameters (stored as the stage's critic) */
  criticParams(): ParamValues;
  dispose(): void;
}

/**
 * The tfjs learner: a `Ddpg` fed with tensors made from the arrays inside tf.tidy, so nothing outlives a call.
 * Noise vectors reach the actor as state inputs `noise0`, `noise1`, ... [1, ...action].
 */
export class TfjsDdpgLearner implements DdpgLearner {
  readonly ddpg: Ddpg;
  constructor(
    private readonly tf: typeof tfType,
    model: DdpgModel,
    cfg: DdpgConfig,
    seed: number,
    private readonly shapes: LearnerShapes,
  ) {
    this.ddpg = new Ddpg(tf, model, cfg, seed);
  }

  private tensors(s: StateArrays, batch: number): StateTensors {
    const out: StateTensors = {};
    for (const [k, shape] of Object.entries(this.shapes.state)) {
      const v = s[k];
      if (!v) throw new Error(`batch state ${k} missing`);
      out[k] = this.tf.tensor(v, [batch, ...shape]);
    }
    return out;
  }

  act(s: StateArrays, noise: readonly Float32Array[]): Float32Array {
    const tf = this.tf;
    return tf.tidy(() => {
      const st = this.tensors(s, 1);
      noise.forEach((z, k) => (st[`noise${k}`] = tf.tensor(z, [1, ...this.shapes.action])));
      return Float32Array.from(this.ddpg.act(st).dataSync() as Float32Array);
    });
  }

  update(b: DdpgBatchArrays): { criticLoss: number; actorLoss: number } {
    const tf = this.tf;
    const B = b.r.length;
    return tf.tidy(() =>
      this.ddpg.update({
        s: this.tensors(b.s, B),
        s2: this.tensors(b.s2, B),
        a: tf.tensor(b.a, [B, ...this.shapes.action]),
        r: tf.tensor(b.r, [B, 1]),
        done: tf.tensor(b.done, [B, 1]),
      }),
    );
  }

  setLearningRateScale(f: number): void {
    this.ddpg.setLearningRateScale(f);
  }
  actorParams(): ParamValues {
    return this.ddpg.actorParams();
  }
  criticParams(): ParamValues {
    return this.ddpg.criticParams();
  }
  dispose(): void {
    this.ddpg.dispose();
  }
}
