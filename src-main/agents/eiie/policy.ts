/**
 * A trained EIIE network as the strategy decides with it: exported to ONNX from the same forward definition
 * (network.ts eiieForward over OnnxOps) and run by ONNX Runtime. The graph's inputs are `x` [batch, N, n] (the
 * windows, network.ts eiieFeatures) and `held` [batch, N] (the risky weights held before the decision); its output
 * `w` [batch, N + 1] is the portfolio, cash first. PPN's policy (agents/ppn/policy.ts) has the same interface and is
 * exported and run by the same two pieces here (`exportWindowPolicyOnnx`, `WindowPolicy`).
 */
import { buildOnnxModel, type OnnxOps } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import { eiieForward, type EiieShape } from './network';

/**
 * The ONNX model of a policy over windows of `window` closes of `nAssets` assets and the weights held (inputs `x`,
 * `held`; output `w` over [cash, assets]) whose forward pass is `forward`.
 */
export function exportWindowPolicyOnnx(o: {
  graphName: string;
  docString: string;
  window: number;
  nAssets: number;
  params: ParamValues;
  forward: (ops: OnnxOps, x: string, held: string) => string;
}): Uint8Array {
  return buildOnnxModel({
    graphName: o.graphName,
    params: o.params,
    inputs: [
      { name: 'x', dims: ['batch', o.nAssets, o.window] },
      { name: 'held', dims: ['batch', o.nAssets] },
    ],
    outputs: [{ name: 'w', dims: ['batch', o.nAssets + 1] }],
    build: (ops, i) => ({ w: o.forward(ops, i.x!, i.held!) }),
    docString: o.docString,
  });
}

/** The ONNX policy of a trained network (any evaluator) over `nAssets` assets. */
export function exportEiieOnnx(shape: EiieShape, nAssets: number, params: ParamValues): Uint8Array {
  return exportWindowPolicyOnnx({
    graphName: 'eiie_policy',
    docString: `HDRL Desk EIIE policy (Jiang, Xu and Liang 2017, ${shape.evaluator.toUpperCase()} evaluators): portfolio over [cash, assets]`,
    window: shape.window,
    nAssets,
    params,
    forward: (ops, x, held) => eiieForward(ops, shape, nAssets, x, held),
  });
}

/** An exported window policy (EIIE's or PPN's) opened in ONNX Runtime; `label` names it in errors. */
export class WindowPolicy {
  protected constructor(
    private readonly model: OnnxModel,
    private readonly label: string,
    readonly window: number,
    readonly nAssets: number,
  ) {}

  /** Portfolios [batch * (N + 1)], cash first, for windows x [batch * N * n] and held risky weights [batch * N]. */
  run(x: Float32Array, held: Float32Array, batch = 1): Float32Array {
    const N = this.nAssets;
    if (x.length !== batch * N * this.window || held.length !== batch * N)
      throw new RangeError(`${this.label} policy: inputs do not hold ${batch} period(s) of ${N} assets`);
    return this.model.runSync({
      x: { data: x, dims: [batch, N, this.window] },
      held: { data: held, dims: [batch, N] },
    }).w!.data;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** An exported EIIE policy opened in ONNX Runtime. */
export class EiiePolicy extends WindowPolicy {
  static async open(bytes: Uint8Array, shape: EiieShape, nAssets: number): Promise<EiiePolicy> {
    return new EiiePolicy(await OnnxModel.create(bytes), 'EIIE', shape.window, nAssets);
  }
}
