/**
 * The two training engines of SAMP-HDRL and ddpg-flat, as trainer.ts uses them (issue 14). The trainer's loop is
 * one piece of code; an engine gives it, per stage, a `DdpgLearner` (agents/learner.ts: acting and the update
 * step) and, for stage 2, the frozen upper agent (an `UpperRunner`: its w0 and embedding for a state, which
 * depend on the holdings and so are computed per step, not once per day):
 *   - `onnxSampEngine`: compute/train (OnnxDdpg on compute/train/samp.ts sampTrainModel), ONNX Runtime on the CPU
 *     provider (one thread) or CUDA; the frozen upper agent is the exported upper policy run by
 *     compute/onnx/runtime.ts, the very graph the strategy decides with. The default.
 *   - `tfjsSampEngine`: agents/ddpg.ts on TensorFlow.js with the models of {@link tfjsStageModel}, the reference
 *     the ONNX engine is parity-tested against (test/compute/train-ddpg.test.ts).
 * `openSampEngine()` opens the one compute/backend.ts trainingEngineChoice() selects.
 *
 * A learner runs one of the algorithms of {@link LearnerAlgorithm}: DDPG (every SAMP-HDRL stage and ddpg-flat) on
 * either engine, or TD3 (td3-flat; compute/train/td3.ts OnnxTd3) or SAC (sac-flat; compute/train/sac.ts OnnxSac)
 * on the ONNX Runtime engine only, since tfjs is the reference for DDPG alone. PPO (ppo-flat) and A2C (a2c-flat) are
 * on-policy: their learner is an `OnPolicyLearner` (compute/train/ppo.ts OnnxPpo, with PPO's clipped surrogate or
 * A2C's plain policy gradient as its rule) that the on-policy loop (onpolicy.ts) asks for with `onPolicyLearner`,
 * also on the ONNX Runtime engine only.
 */
import type * as tfType from '@tensorflow/tfjs';
import {
  loadTf,
  trainingEngineChoice,
  type TrainingEngineChoice,
  type TrainingEngineName,
} from '../../compute/backend';
import { OnnxModel } from '../../compute/onnx/runtime';
import { OnnxDdpg } from '../../compute/train/ddpg';
import { OnnxPpo, ppoFlatModel } from '../../compute/train/ppo';
import { OnnxSac } from '../../compute/train/sac';
import { OnnxTd3 } from '../../compute/train/td3';
import { sampTrainModel } from '../../compute/train/samp';
import type { DdpgModel, StateTensors } from '../ddpg';
import { TfjsDdpgLearner, type DdpgLearner, type OnPolicyLearner } from '../learner';
import { TfOps } from '../../compute/ops';
import type { ParamValues } from '../../compute/params';
import { criticForward } from '../networks/critic';
import { A2C_DEFAULTS, PPO_DEFAULTS, SAC_DEFAULTS, TD3_DEFAULTS, type SampConfig } from './config';
import { stageStateShapes, type SampStage } from './stages';
import {
  exportPolicyOnnx,
  flatPolicy,
  fusePolicy,
  lowerPolicy,
  readsHoldings,
  sampNets,
  sampSpecs,
  upperPolicy,
} from './policy';

type Tensor = tfType.Tensor;
export type { SampStage };

/** The frozen upper agent of stage 2: its w0 [B, N] and embedding [B, d] for states x [B, N, L], wprev [B, N]. */
export interface UpperRunner {
  run(x: Float32Array, wprev: Float32Array, batch: number): { w0: Float32Array; emb: Float32Array };
  dispose(): Promise<void>;
}

/**
 * The update a learner runs: DDPG, TD3 with the config's `td3` settings, SAC with its `sac` ones, PPO with its `ppo`
 * ones or A2C with its `a2c` ones (see the file overview).
 */
export type LearnerAlgorithm = 'ddpg' | 'td3' | 'sac' | 'ppo' | 'a2c';

/** The on-policy algorithms: trained by onpolicy.ts through an `OnPolicyLearner`, not by the replay loop. */
export type OnPolicyAlgorithm = Extract<LearnerAlgorithm, 'ppo' | 'a2c'>;

/** Whether `a` is trained on-policy (see {@link OnPolicyAlgorithm}). */
export function isOnPolicy(a: LearnerAlgorithm): a is OnPolicyAlgorithm {
  return a === 'ppo' || a === 'a2c';
}

function onnxOnly(algorithm: LearnerAlgorithm): Error {
  return new Error(
    `${algorithm.toUpperCase()} trains on the ONNX Runtime engine only (the tfjs engine is the DDPG reference); unset HDRL_TRAIN_ENGINE or set it to onnx`,
  );
}

/** What the trainer needs from a training engine. */
export interface SampTrainEngine {
  readonly name: TrainingEngineName;
  /** what trained a model, as its artifacts record it: 'onnxruntime-cpu', 'onnxruntime-cuda', or the tfjs backend */
  readonly label: string;
  /** the learner of a stage over `nAssets` assets, initialised from `seed`, running `algorithm` (default 'ddpg') */
  learner(stage: SampStage, cfg: SampConfig, nAssets: number, seed: number, algorithm?: LearnerAlgorithm): DdpgLearner;
  /** the on-policy learner of the flat agent over `nAssets` assets (an engine without one cannot train PPO or A2C) */
  onPolicyLearner?(cfg: SampConfig, nAssets: number, seed: number, algorithm: OnPolicyAlgorithm): OnPolicyLearner;
  /** the frozen upper agent with actor parameters `upper` over `nAssets` assets */
  upperRunner(cfg: SampConfig, nAssets: number, upper: ParamValues): Promise<UpperRunner>;
}

/** Mean over the batch of the entropy -sum_i w_i log(w_i + 1e-12) of weights w [B, N] (nats; exact zeros add 0). */
export function meanEntropy(tf: typeof tfType, w: Tensor): Tensor {
  return tf.neg(tf.mean(tf.sum(tf.mul(w, tf.log(tf.add(w, 1e-12))), 1)));
}

/**
 * The tfjs actor-critic pair of a stage (the counterpart of compute/train/samp.ts sampTrainModel): the policies
 * of policy.ts (noise inputs s.noise0, s.noise1 when acting), the entropy bonus on each agent's softmax weights,
 * and the critic Q(s, a, w^drift).
 */
export function tfjsStageModel(tf: typeof tfType, stage: SampStage, cfg: SampConfig, nAssets: number): DdpgModel {
  const N = nAssets;
  const nets = sampNets(cfg);
  const specs = sampSpecs(nets);
  const beta = cfg.entropyBonus[stage];
  const critic = (ops: TfOps, s: StateTensors, a: Tensor) =>
    criticForward(ops, nets.critic, N, s.x!, a, s.wprev!, 'critic');
  const withEntropy = (w: Tensor) =>
    beta > 0 ? { action: w, regularizer: tf.mul(-beta, meanEntropy(tf, w)) } : { action: w };
  if (stage === 'flat')
    return {
      actorSpecs: specs.flat,
      criticSpecs: specs.critic,
      actor: (ops, s) => withEntropy(flatPolicy(ops, nets, N, s.x!, s.wprev!, s.noise0)),
      critic,
    };
  if (stage === 'upper')
    return {
      actorSpecs: specs.upper,
      criticSpecs: specs.critic,
      actor: (ops, s) => withEntropy(upperPolicy(ops, nets, N, s.x!, s.wprev!, s.noise0).w0),
      critic,
    };
  return {
    actorSpecs: specs.lower,
    criticSpecs: specs.critic,
    actor: (ops, s) => {
      const l = lowerPolicy(ops, nets, N, s.x!, s.wprev!, s.emb!, s.m1!, s.m2!, s.noise0, s.noise1);
      const action = fusePolicy(ops, cfg.fusionA, s.w0!, l.w1, l.w2, s.c1!, s.c2!);
      if (!(beta > 0)) return { action };
      return { action, regularizer: tf.mul(-beta, tf.add(meanEntropy(tf, l.w1), meanEntropy(tf, l.w2))) };
    },
    critic,
  };
}

/** The frozen upper agent computed with tfjs (the tfjs engine's stage 2 input). */
export function tfjsUpperRunner(tf: typeof tfType, cfg: SampConfig, nAssets: number, upper: ParamValues): UpperRunner {
  const nets = sampNets(cfg);
  const N = nAssets;
  const L = nets.upper.window;
  const vars = new Map<string, Tensor>();
  for (const [k, v] of upper) vars.set(k, tf.tensor(v.data, v.shape, 'float32'));
  const ops = new TfOps(tf, vars);
  return {
    run(x, wprev, batch) {
      const [w0, emb] = tf.tidy(() => {
        const u = upperPolicy(ops, nets, N, tf.tensor(x, [batch, N, L]), tf.tensor(wprev, [batch, N]));
        return [
          Float32Array.from(u.w0.dataSync() as Float32Array),
          Float32Array.from(u.embedding.dataSync() as Float32Array),
        ];
      });
      return { w0: w0!, emb: emb! };
    },
    async dispose() {
      for (const v of vars.values()) v.dispose();
      ops.disposeConstants();
    },
  };
}

/** The tfjs engine on the backend of `tf` (named `backend`, e.g. 'wasm'). */
export function tfjsSampEngine(tf: typeof tfType, backend: string): SampTrainEngine {
  return {
    name: 'tfjs',
    label: backend,
    learner: (stage, cfg, nAssets, seed, algorithm = 'ddpg') => {
      if (algorithm !== 'ddpg') throw onnxOnly(algorithm);
      return new TfjsDdpgLearner(tf, tfjsStageModel(tf, stage, cfg, nAssets), cfg.ddpg, seed, {
        state: stageStateShapes(stage, cfg, nAssets),
        action: [nAssets],
      });
    },
    onPolicyLearner: (_cfg, _nAssets, _seed, algorithm) => {
      throw onnxOnly(algorithm);
    },
    upperRunner: async (cfg, nAssets, upper) => tfjsUpperRunner(tf, cfg, nAssets, upper),
  };
}

/** The ONNX Runtime engine on `provider` (see file overview). */
export function onnxSampEngine(provider: 'cpu' | 'cuda' = 'cpu'): SampTrainEngine {
  return {
    name: 'onnx',
    label: `onnxruntime-${provider}`,
    learner: (stage, cfg, nAssets, seed, algorithm = 'ddpg') => {
      if (isOnPolicy(algorithm))
        throw new Error(`${algorithm.toUpperCase()} is on-policy: its learner comes from onPolicyLearner, not learner`);
      const model = sampTrainModel(stage, cfg, nAssets);
      const run = { provider, threads: 1 };
      if (algorithm === 'td3') return new OnnxTd3(model, cfg.ddpg, cfg.td3 ?? TD3_DEFAULTS, seed, run);
      if (algorithm === 'sac') return new OnnxSac(model, cfg.ddpg, cfg.sac ?? SAC_DEFAULTS, seed, run);
      return new OnnxDdpg(model, cfg.ddpg, seed, run);
    },
    onPolicyLearner: (cfg, nAssets, seed, algorithm) => {
      const model = ppoFlatModel(cfg, nAssets);
      const run = { provider, threads: 1 };
      if (algorithm === 'a2c') {
        const a2c = cfg.a2c ?? A2C_DEFAULTS;
        return new OnnxPpo(model, { kind: 'a2c' }, a2c, a2c.gradClipNorm, seed, run);
      }
      const ppo = cfg.ppo ?? PPO_DEFAULTS;
      return new OnnxPpo(model, { kind: 'ppo', clipEps: ppo.clipEps }, ppo, cfg.ddpg.gradClipNorm, seed, run);
    },
    async upperRunner(cfg, nAssets, upper) {
      const nets = sampNets(cfg);
      const N = nAssets;
      const L = cfg.window;
      const hold = readsHoldings(nets);
      const model = await OnnxModel.create(exportPolicyOnnx('upper-only', nets, N, upper));
      return {
        run(x, wprev, batch) {
          const r = model.runSync({
            x: { data: x, dims: [batch, N, L] },
            ...(hold ? { wprev: { data: wprev, dims: [batch, N] } } : {}),
          });
          return { w0: r.w0!.data, emb: r.embedding!.data };
        },
        dispose: () => model.dispose(),
      };
    },
  };
}

/** Open the engine `choice` names (default: the one the environment selects, compute/backend.ts). */
export async function openSampEngine(choice: TrainingEngineChoice = trainingEngineChoice()): Promise<SampTrainEngine> {
  if (choice.name === 'onnx') return onnxSampEngine(choice.provider);
  const { tf, info } = await loadTf();
  return tfjsSampEngine(tf, info.name);
}
