/**
 * A trained execution agent as the evaluation (and, later, the three-level strategy) decides with it: the policy of
 * network.ts exported to ONNX from the same forward the learner acts with (sigmoid of the per-asset MLP's logit)
 * and run by ONNX Runtime. Input `x` [batch, F] (one row per asset, env.ts EXECUTION_FEATURES); output `fraction`
 * [batch, 1], the share of each asset's gap to trade today.
 */
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import type { ExecutionPolicy } from './baselines';
import type { ExecutionConfig } from './config';
import { FEATURE_COUNT } from './env';
import { tradeFraction } from './network';

/** The ONNX policy of trained parameters `params` (network.ts executionPolicySpecs). */
export function exportExecutionOnnx(params: ParamValues, cfg: Pick<ExecutionConfig, 'hidden'>): Uint8Array {
  return buildOnnxModel({
    graphName: 'execution_policy',
    params,
    inputs: [{ name: 'x', dims: ['batch', FEATURE_COUNT] }],
    outputs: [{ name: 'fraction', dims: ['batch', 1] }],
    build: (ops, i) => ({ fraction: tradeFraction(ops, i.x!, cfg) }),
    docString: 'HDRL Desk execution agent (three-level hierarchy, Level 3): the fraction of each asset gap to trade',
  });
}

/** An exported execution policy opened in ONNX Runtime; an {@link ExecutionPolicy} the environment runs. */
export class ExecutionAgentPolicy implements ExecutionPolicy {
  private constructor(
    private readonly model: OnnxModel,
    readonly name: string,
  ) {}

  static async open(bytes: Uint8Array, name = 'learned'): Promise<ExecutionAgentPolicy> {
    return new ExecutionAgentPolicy(await OnnxModel.create(bytes), name);
  }

  /** The fractions of `batch` asset states `x` [batch x F]. */
  run(x: Float32Array): Float32Array {
    if (x.length % FEATURE_COUNT !== 0 || x.length === 0)
      throw new RangeError(`execution policy: ${x.length} values are not whole asset states of ${FEATURE_COUNT}`);
    const batch = x.length / FEATURE_COUNT;
    return this.model.runSync({ x: { data: x, dims: [batch, FEATURE_COUNT] } }).fraction!.data;
  }

  fractions(features: Float32Array): Float64Array {
    return Float64Array.from(this.run(features));
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
