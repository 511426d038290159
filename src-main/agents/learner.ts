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
