/**
 * A trained PPN network as the strategy decides with it: exported to ONNX from the same forward definition
 * (network.ts ppnForward over OnnxOps) and run by ONNX Runtime. The graph's inputs are `x` [batch, N, n] (the
 * windows, agents/eiie/network.ts eiieFeatures) and `held` [batch, N] (the risky weights held before the decision);
 * its output `w` [batch, N + 1] is the portfolio, cash first. The network is built for N assets (its correlational
 * convolutions mix exactly N), so a policy serves the universe it was trained on.
 */
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import { ppnForward, type PpnShape } from './network';

/** The ONNX policy of a trained network over `nAssets` assets. */
export function exportPpnOnnx(shape: PpnShape, nAssets: number, params: ParamValues): Uint8Array {
  return buildOnnxModel({
    graphName: 'ppn_policy',
    params,
    inputs: [
      { name: 'x', dims: ['batch', nAssets, shape.window] },
      { name: 'held', dims: ['batch', nAssets] },
    ],
    outputs: [{ name: 'w', dims: ['batch', nAssets + 1] }],
    build: (ops, i) => ({ w: ppnForward(ops, shape, nAssets, i.x!, i.held!) }),
    docString: 'HDRL Desk PPN policy (Zhang et al. 2020, LSTM and TCCB streams): portfolio over [cash, assets]',
  });
}

/** An exported PPN policy opened in ONNX Runtime. */
export class PpnPolicy {
  private constructor(
    private readonly model: OnnxModel,
    readonly shape: PpnShape,
    readonly nAssets: number,
  ) {}

  static async open(bytes: Uint8Array, shape: PpnShape, nAssets: number): Promise<PpnPolicy> {
    return new PpnPolicy(await OnnxModel.create(bytes), shape, nAssets);
  }

  /** Portfolios [batch * (N + 1)], cash first, for windows x [batch * N * n] and held risky weights [batch * N]. */
  run(x: Float32Array, held: Float32Array, batch = 1): Float32Array {
    const N = this.nAssets;
    if (x.length !== batch * N * this.shape.window || held.length !== batch * N)
      throw new RangeError(`PPN policy: inputs do not hold ${batch} period(s) of ${N} assets`);
    return this.model.runSync({
      x: { data: x, dims: [batch, N, this.shape.window] },
      held: { data: held, dims: [batch, N] },
    }).w!.data;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
