/**
 * A trained EIIE network as the strategy decides with it: exported to ONNX from the same forward definition
 * (network.ts eiieForward over OnnxOps) and run by ONNX Runtime. The graph's inputs are `x` [batch, N, n] (the
 * windows, network.ts eiieFeatures) and `held` [batch, N] (the risky weights held before the decision); its output
 * `w` [batch, N + 1] is the portfolio, cash first.
 */
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import { eiieForward, type EiieShape } from './network';

/** The ONNX policy of a trained network over `nAssets` assets. */
export function exportEiieOnnx(shape: EiieShape, nAssets: number, params: ParamValues): Uint8Array {
  return buildOnnxModel({
    graphName: 'eiie_policy',
    params,
    inputs: [
      { name: 'x', dims: ['batch', nAssets, shape.window] },
      { name: 'held', dims: ['batch', nAssets] },
    ],
    outputs: [{ name: 'w', dims: ['batch', nAssets + 1] }],
    build: (ops, i) => ({ w: eiieForward(ops, shape, nAssets, i.x!, i.held!) }),
    docString: 'HDRL Desk EIIE policy (Jiang, Xu and Liang 2017, CNN evaluators): portfolio over [cash, assets]',
  });
}

/** An exported EIIE policy opened in ONNX Runtime. */
export class EiiePolicy {
  private constructor(
    private readonly model: OnnxModel,
    readonly shape: EiieShape,
    readonly nAssets: number,
  ) {}

  static async open(bytes: Uint8Array, shape: EiieShape, nAssets: number): Promise<EiiePolicy> {
    return new EiiePolicy(await OnnxModel.create(bytes), shape, nAssets);
  }

  /** Portfolios [batch * (N + 1)], cash first, for windows x [batch * N * n] and held risky weights [batch * N]. */
  run(x: Float32Array, held: Float32Array, batch = 1): Float32Array {
    const N = this.nAssets;
    if (x.length !== batch * N * this.shape.window || held.length !== batch * N)
      throw new RangeError(`EIIE policy: inputs do not hold ${batch} period(s) of ${N} assets`);
    return this.model.runSync({
      x: { data: x, dims: [batch, N, this.shape.window] },
      held: { data: held, dims: [batch, N] },
    }).w!.data;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
