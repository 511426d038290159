/**
 * The learned Level 1's networks and exported policy (docs/three-level.md "Level 1, learned"), written once against
 * the op vocabulary:
 *
 *   policy   one small MLP applied to each class's row on its own (shared across the classes, cash included): the
 *            class's logit m_k = MLP(x_k); the target class weights are softmax(m) over the classes and cash. A class
 *            is scored from its own signals, the market's regimes and its weight held, and the softmax makes the
 *            scores one allocation, whatever the order of the classes.
 *   value    V(s) = the mean over the rows of a second MLP's output: the expected reward of the state.
 *
 * As the engine's PPO sees them (`strategicModel`, compute/train/ppo.ts PpoModel) a sample is one strategic
 * decision: state x [K, F] (strategic-env.ts), action [K] (the Gaussian over the logits, whose softmax is the
 * target). The exported ONNX policy computes softmax(m) for a batch of decisions, the learner's deterministic
 * forward: input `x` [batch, K, F], output `weights` [batch, K].
 */
import type { Ops } from '../../compute/ops';
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import type { PpoModel } from '../../compute/train/ppo';
import { mlp, mlpSpecs } from './network';
import type { StrategicConfig } from './strategic-config';
import { STRATEGIC_FEATURE_COUNT, strategicFeatureCount } from './strategic-env';

/** The class logits m(x) [B, K] of decision states x [B, K, F]. */
export function strategicLogits<T>(ops: Ops<T>, x: T, K: number, cfg: Pick<StrategicConfig, 'hidden'>): T {
  return ops.reshape(mlp(ops, 'strat/pi', x, cfg.hidden.length), [-1, K]);
}

/** The deterministic target class weights softmax(m(x)) [B, K]. */
export function strategicWeights<T>(ops: Ops<T>, x: T, K: number, cfg: Pick<StrategicConfig, 'hidden'>): T {
  return ops.softmax(strategicLogits(ops, x, K, cfg));
}

/** The policy and value networks as the engine's PPO takes them, for K classes (cash included); F follows `cfg`. */
export function strategicModel(K: number, cfg: Pick<StrategicConfig, 'hidden' | 'macro'>): PpoModel {
  const F = strategicFeatureCount(cfg);
  return {
    actorSpecs: mlpSpecs('strat/pi', F, cfg.hidden),
    valueSpecs: mlpSpecs('strat/v', F, cfg.hidden),
    state: { x: [K, F] },
    action: [K],
    logits: (ops, s) => strategicLogits(ops, s.x!, K, cfg),
    value: (ops, s) => ops.mean(ops.reshape(mlp(ops, 'strat/v', s.x!, cfg.hidden.length), [-1, K]), 1, true),
  };
}

/** The ONNX policy of trained parameters `params` (the actor of {@link strategicModel}) for K classes. */
export function exportStrategicOnnx(
  params: ParamValues,
  K: number,
  cfg: Pick<StrategicConfig, 'hidden' | 'macro'>,
): Uint8Array {
  return buildOnnxModel({
    graphName: 'strategic_policy',
    params,
    inputs: [{ name: 'x', dims: ['batch', K, strategicFeatureCount(cfg)] }],
    outputs: [{ name: 'weights', dims: ['batch', K] }],
    build: (ops, i) => ({ weights: strategicWeights(ops, i.x!, K, cfg) }),
    docString:
      'HDRL Desk strategic agent (three-level hierarchy, Level 1): the target weights of the asset classes and cash',
  });
}

/**
 * Class weights from the policy (its float32 softmax, exported or in training) as the hierarchy uses them: in float64,
 * rescaled to sum to 1 (the softmax's rounding leaves the sum a few 1e-8 off, and the tilts are bounded around
 * weights that sum to 1).
 */
export function strategicTargetOf(weights: ArrayLike<number>): Float64Array {
  const w = Float64Array.from(weights);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/** An exported strategic policy opened in ONNX Runtime. */
export class StrategicPolicy {
  private constructor(
    private readonly model: OnnxModel,
    readonly classes: number,
    readonly features: number,
  ) {}

  /** `features`: F of the config the policy was trained under (strategic-env.ts strategicFeatureCount). */
  static async open(
    bytes: Uint8Array,
    classes: number,
    features: number = STRATEGIC_FEATURE_COUNT,
  ): Promise<StrategicPolicy> {
    return new StrategicPolicy(await OnnxModel.create(bytes), classes, features);
  }

  /** The target class weights (cash last) of one decision state x [K x F]. */
  run(x: Float32Array): Float32Array {
    const K = this.classes;
    const F = this.features;
    if (x.length !== K * F)
      throw new RangeError(`strategic policy: ${x.length} values are not one state of ${K} classes x ${F}`);
    return this.model.runSync({ x: { data: x, dims: [1, K, F] } }).weights!.data;
  }

  /** The target class weights of one state as the hierarchy uses them ({@link strategicTargetOf}). */
  target(x: Float32Array): Float64Array {
    return strategicTargetOf(this.run(x));
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
