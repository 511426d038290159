/**
 * A trained HADAPS policy as the strategy decides with it: exported to ONNX from the same decision-mode forward
 * the learner acts with (network.ts policyMeans over mlpInfer, then policyWeights; batch norm folded into scale and
 * shift), run by ONNX Runtime. Inputs `p`, `v` [batch, N, k] (features.ts) and `wprev` [batch, N] (the risky weights
 * held); outputs `weights` [batch, N] (the risky weights; cash is what they leave) and `classes` [batch, C] (each
 * class's weight, cash last).
 */
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import { classCount } from './classes';
import { classWeights, mlpInfer, policyMeans, policyWeights, type HadapsShape } from './network';

/** The ONNX policy of decision-time parameters `params` (network.ts policyInferSpecs). */
export function exportHadapsOnnx(sh: HadapsShape, params: ParamValues): Uint8Array {
  const k = sh.cfg.window;
  return buildOnnxModel({
    graphName: 'hadaps_policy',
    params,
    inputs: [
      { name: 'p', dims: ['batch', sh.n, k] },
      { name: 'v', dims: ['batch', sh.n, k] },
      { name: 'wprev', dims: ['batch', sh.n] },
    ],
    outputs: [
      { name: 'weights', dims: ['batch', sh.n] },
      { name: 'classes', dims: ['batch', classCount(sh.layout)] },
    ],
    build: (ops, i) => {
      const s = { p: i.p!, v: i.v!, wprev: i.wprev! };
      const layers = sh.cfg.hidden.length;
      const w = policyWeights(
        ops,
        sh,
        policyMeans(ops, sh, s, (prefix, x) => mlpInfer(ops, prefix, x, layers)),
      );
      return { weights: w, classes: classWeights(ops, sh, w) };
    },
    docString:
      'HDRL Desk HADAPS policy (hierarchical inter-class / intra-class SAC policy): risky weights and class weights',
  });
}

/** An exported HADAPS policy opened in ONNX Runtime. */
export class HadapsPolicy {
  private constructor(
    private readonly model: OnnxModel,
    readonly sh: HadapsShape,
  ) {}

  static async open(bytes: Uint8Array, sh: HadapsShape): Promise<HadapsPolicy> {
    return new HadapsPolicy(await OnnxModel.create(bytes), sh);
  }

  /** Risky weights [batch * N] and class weights [batch * C] for states p, v [batch * N * k] and held weights. */
  run(
    p: Float32Array,
    v: Float32Array,
    wprev: Float32Array,
    batch = 1,
  ): { weights: Float32Array; classes: Float32Array } {
    const { n } = this.sh;
    const k = this.sh.cfg.window;
    if (p.length !== batch * n * k || v.length !== batch * n * k || wprev.length !== batch * n)
      throw new RangeError(`HADAPS policy: inputs do not hold ${batch} state(s) of ${n} assets x ${k} days`);
    const out = this.model.runSync({
      p: { data: p, dims: [batch, n, k] },
      v: { data: v, dims: [batch, n, k] },
      wprev: { data: wprev, dims: [batch, n] },
    });
    return { weights: out.weights!.data, classes: out.classes!.data };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
