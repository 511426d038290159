/**
 * The two training engines of SAMP-HDRL and ddpg-flat, as trainer.ts uses them (issue 14). The trainer's loop is
 * one piece of code; an engine gives it, per stage, a `DdpgLearner` (agents/learner.ts: acting and the update
 * step) and, for stage 2, the frozen upper agent's outputs:
 *   - `onnxSampEngine`: compute/train (OnnxDdpg on compute/train/samp.ts sampTrainModel), ONNX Runtime on the CPU
 *     provider (one thread) or CUDA; the frozen upper outputs come from the exported upper policy run by
 *     compute/onnx/runtime.ts, the very graph the strategy decides with. The default.
 *   - `tfjsSampEngine`: agents/ddpg.ts on TensorFlow.js with the models of {@link tfjsStageModel}, the reference
 *     the ONNX engine is parity-tested against (test/compute/train-ddpg.test.ts).
 * `openSampEngine()` opens the one compute/backend.ts trainingEngineChoice() selects.
 */
import type * as tfType from '@tensorflow/tfjs';
import { loadTf, trainingEngineChoice, type TrainingEngineChoice, type TrainingEngineName } from '../../compute/backend';
import { OnnxModel } from '../../compute/onnx/runtime';
import { OnnxDdpg } from '../../compute/train/ddpg';
import { sampTrainModel } from '../../compute/train/samp';
import type { DdpgModel, StateTensors } from '../ddpg';
import { TfjsDdpgLearner, type DdpgLearner } from '../learner';
import { TfOps } from '../../compute/ops';
import type { ParamValues } from '../../compute/params';
import { criticForward } from '../networks/critic';
import type { SampConfig } from './config';
import type { PortfolioEnv } from './env';
import { stageStateShapes, type SampStage } from './stages';
import { exportPolicyOnnx, flatPolicy, fusePolicy, lowerPolicy, sampNets, sampSpecs, upperPolicy, type SampNets } from './policy';

type Tensor = tfType.Tensor;
export type { SampStage };

/** The frozen upper agent's w0 [N] and embedding [d] per day index (stage 2 input). */
export type UpperOutputs = Map<number, { w0: Float32Array; emb: Float32Array }>;

/** What the trainer needs from a training engine. */
export interface SampTrainEngine {
  readonly name: TrainingEngineName;
  /** what trained a model, as its artifacts record it: 'onnxruntime-cpu', 'onnxruntime-cuda', or the tfjs backend */
  readonly label: string;
  /** the learner of a stage over `nAssets` assets, initialised from `seed` */
  learner(stage: SampStage, cfg: SampConfig, nAssets: number, seed: number): DdpgLearner;
  /** the frozen upper agent's outputs for days first..last */
  upperOutputs(cfg: SampConfig, env: PortfolioEnv, upper: ParamValues, first: number, last: number): Promise<UpperOutputs>;
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
  const beta = cfg.ddpg.entropyCoef;
  const critic = (ops: TfOps, s: StateTensors, a: Tensor) => criticForward(ops, nets.critic, N, s.x!, a, s.wprev!, 'critic');
  const withEntropy = (w: Tensor) => (beta > 0 ? { action: w, regularizer: tf.mul(-beta, meanEntropy(tf, w)) } : { action: w });
  if (stage === 'flat') return { actorSpecs: specs.flat, criticSpecs: specs.critic, actor: (ops, s) => withEntropy(flatPolicy(ops, nets, N, s.x!, s.noise0)), critic };
  if (stage === 'upper') return { actorSpecs: specs.upper, criticSpecs: specs.critic, actor: (ops, s) => withEntropy(upperPolicy(ops, nets, N, s.x!, s.noise0).w0), critic };
  return {
    actorSpecs: specs.lower,
    criticSpecs: specs.critic,
    actor: (ops, s) => {
      const l = lowerPolicy(ops, nets, N, s.x!, s.emb!, s.m1!, s.m2!, s.noise0, s.noise1);
      const action = fusePolicy(ops, cfg.fusionA, s.w0!, l.w1, l.w2, s.c1!, s.c2!);
      if (!(beta > 0)) return { action };
      return { action, regularizer: tf.mul(-beta, tf.add(meanEntropy(tf, l.w1), meanEntropy(tf, l.w2))) };
    },
    critic,
  };
}

/** Stack per-day Float32Arrays into one buffer. */
function stack(rows: Float32Array[]): Float32Array {
  const n = rows[0]!.length;
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, k) => out.set(r, k * n));
  return out;
}

/** Days first..last in chunks of at most `size`. */
function chunks(first: number, last: number, size: number): number[][] {
  const out: number[][] = [];
  for (let s = first; s <= last; s += size) {
    const days: number[] = [];
    for (let t = s; t <= Math.min(last, s + size - 1); t++) days.push(t);
    out.push(days);
  }
  return out;
}

/** The frozen upper agent's outputs computed with tfjs (the tfjs engine's stage 2 input). */
export function tfjsUpperOutputs(tf: typeof tfType, nets: SampNets, env: PortfolioEnv, upper: ParamValues, first: number, last: number): UpperOutputs {
  const N = env.nAssets;
  const L = nets.upper.window;
  const d = nets.upper.dModel;
  const vars = new Map<string, Tensor>();
  for (const [k, v] of upper) vars.set(k, tf.tensor(v.data, v.shape, 'float32'));
  const ops = new TfOps(tf, vars);
  const out: UpperOutputs = new Map();
  try {
    for (const days of chunks(first, last, 128)) {
      const [w0, emb] = tf.tidy(() => {
        const x = tf.tensor(stack(days.map((t) => env.features(t))), [days.length, N, L]);
        const u = upperPolicy(ops, nets, N, x);
        return [u.w0.dataSync() as Float32Array, u.embedding.dataSync() as Float32Array];
      });
      days.forEach((t, k) => out.set(t, { w0: w0.slice(k * N, (k + 1) * N), emb: emb.slice(k * d, (k + 1) * d) }));
    }
  } finally {
    for (const v of vars.values()) v.dispose();
    ops.disposeConstants();
  }
  return out;
}

/** The tfjs engine on the backend of `tf` (named `backend`, e.g. 'wasm'). */
export function tfjsSampEngine(tf: typeof tfType, backend: string): SampTrainEngine {
  return {
    name: 'tfjs',
    label: backend,
    learner: (stage, cfg, nAssets, seed) =>
      new TfjsDdpgLearner(tf, tfjsStageModel(tf, stage, cfg, nAssets), cfg.ddpg, seed, { state: stageStateShapes(stage, cfg, nAssets), action: [nAssets] }),
    upperOutputs: async (cfg, env, upper, first, last) => tfjsUpperOutputs(tf, sampNets(cfg), env, upper, first, last),
  };
}

/** The ONNX Runtime engine on `provider` (see file overview). */
export function onnxSampEngine(provider: 'cpu' | 'cuda' = 'cpu'): SampTrainEngine {
  return {
    name: 'onnx',
    label: `onnxruntime-${provider}`,
    learner: (stage, cfg, nAssets, seed) => new OnnxDdpg(sampTrainModel(stage, cfg, nAssets), cfg.ddpg, seed, { provider, threads: 1 }),
    async upperOutputs(cfg, env, upper, first, last) {
      const nets = sampNets(cfg);
      const N = env.nAssets;
      const L = cfg.window;
      const d = cfg.upper.dModel;
      const model = await OnnxModel.create(exportPolicyOnnx('upper-only', nets, N, upper));
      const out: UpperOutputs = new Map();
      try {
        for (const days of chunks(first, last, 128)) {
          const r = model.runSync({ x: { data: stack(days.map((t) => env.features(t))), dims: [days.length, N, L] } });
          const w0 = r.w0!.data;
          const emb = r.embedding!.data;
          days.forEach((t, k) => out.set(t, { w0: w0.slice(k * N, (k + 1) * N), emb: emb.slice(k * d, (k + 1) * d) }));
        }
      } finally {
        await model.dispose();
      }
      return out;
    },
  };
}

/** Open the engine `choice` names (default: the one the environment selects, compute/backend.ts). */
export async function openSampEngine(choice: TrainingEngineChoice = trainingEngineChoice()): Promise<SampTrainEngine> {
  if (choice.name === 'onnx') return onnxSampEngine(choice.provider);
  const { tf, info } = await loadTf();
  return tfjsSampEngine(tf, info.name);
}
