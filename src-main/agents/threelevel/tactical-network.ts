/**
 * Level 2's networks and exported policy (docs/three-level.md "Level 2"), written once against the op vocabulary:
 *
 *   policy   one small MLP applied to each class's state on its own (shared across the classes, cash included, so
 *            one trained policy fits any number of classes): the pre-tilt m = MLP(x) [B, 1] and the class's raw tilt
 *            tanh(m) in (-1, 1); the environment multiplies it by maxTilt and bounds the tilts together (tilts.ts)
 *   critic   Q(x, a) = MLP(concat(x, a)) [B, 1], one class's state and raw tilt
 *
 * As the learner sees them (`tacticalModel`, the engine's TrainDdpgModel) a sample is ONE class in one month, as
 * Level 3's samples are one asset on one day; SAC adds its Gaussian draw to m before the tanh. The exported ONNX
 * policy computes tanh(m) for a batch of class states, the learner's deterministic forward: input `x` [batch, F],
 * output `tilt` [batch, 1].
 */
import type { Ops } from '../../compute/ops';
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamSpec, ParamValues } from '../../compute/params';
import type { TrainDdpgModel } from '../../compute/train/ddpg';
import { mlp, mlpSpecs } from './network';
import type { TacticalConfig } from './tactical-config';
import { TACTICAL_FEATURE_COUNT } from './tactical-env';

/** The policy's parameters for states of `features` entries. */
export function tacticalPolicySpecs(features: number, cfg: Pick<TacticalConfig, 'hidden'>): ParamSpec[] {
  return mlpSpecs('tilt', features, cfg.hidden);
}

/** The deterministic raw tilt tanh(m(x)) [B, 1] of class states x [B, F]. */
export function rawTilt<T>(ops: Ops<T>, x: T, cfg: Pick<TacticalConfig, 'hidden'>): T {
  return ops.tanh(mlp(ops, 'tilt', x, cfg.hidden.length));
}

/** The policy and critic as the engine's SAC learner takes them (see the file overview). */
export function tacticalModel(features: number, cfg: Pick<TacticalConfig, 'hidden'>): TrainDdpgModel {
  const layers = cfg.hidden.length;
  return {
    actorSpecs: tacticalPolicySpecs(features, cfg),
    criticSpecs: mlpSpecs('q', features + 1, cfg.hidden),
    state: { x: [features] },
    action: [1],
    actor: (ops, s) => ({ action: rawTilt(ops, s.x!, cfg) }),
    noiseInputs: 1,
    act: (ops, s, noise) => ops.tanh(ops.add(mlp(ops, 'tilt', s.x!, layers), noise[0]!)),
    critic: (ops, s, a) => mlp(ops, 'q', ops.concat([s.x!, a], 1), layers),
  };
}

/** The ONNX policy of trained parameters `params` (tacticalPolicySpecs). */
export function exportTacticalOnnx(params: ParamValues, cfg: Pick<TacticalConfig, 'hidden'>): Uint8Array {
  return buildOnnxModel({
    graphName: 'tactical_policy',
    params,
    inputs: [{ name: 'x', dims: ['batch', TACTICAL_FEATURE_COUNT] }],
    outputs: [{ name: 'tilt', dims: ['batch', 1] }],
    build: (ops, i) => ({ tilt: rawTilt(ops, i.x!, cfg) }),
    docString:
      'HDRL Desk tactical agent (three-level hierarchy, Level 2): the raw tilt of each asset class, in (-1, 1)',
  });
}

/** An exported tactical policy opened in ONNX Runtime. */
export class TacticalPolicy {
  private constructor(private readonly model: OnnxModel) {}

  static async open(bytes: Uint8Array): Promise<TacticalPolicy> {
    return new TacticalPolicy(await OnnxModel.create(bytes));
  }

  /** The raw tilts of `batch` class states `x` [batch x F], each in (-1, 1). */
  run(x: Float32Array): Float32Array {
    if (x.length % TACTICAL_FEATURE_COUNT !== 0 || x.length === 0)
      throw new RangeError(
        `tactical policy: ${x.length} values are not whole class states of ${TACTICAL_FEATURE_COUNT}`,
      );
    const batch = x.length / TACTICAL_FEATURE_COUNT;
    return this.model.runSync({ x: { data: x, dims: [batch, TACTICAL_FEATURE_COUNT] } }).tilt!.data;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
