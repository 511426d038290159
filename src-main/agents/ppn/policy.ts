/**
 * A trained PPN network as the strategy decides with it: exported to ONNX from the same forward definition
 * (network.ts ppnForward over OnnxOps) and run by ONNX Runtime. The graph's inputs are `x` [batch, N, n] (the
 * windows, agents/eiie/network.ts eiieFeatures) and `held` [batch, N] (the risky weights held before the decision);
 * its output `w` [batch, N + 1] is the portfolio, cash first. The network is built for N assets (its correlational
 * convolutions mix exactly N), so a policy serves the universe it was trained on.
 */
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import { exportWindowPolicyOnnx, WindowPolicy } from '../eiie/policy';
import { ppnForward, type PpnShape } from './network';

/** The ONNX policy of a trained network over `nAssets` assets (the interface and runner are EIIE's). */
export function exportPpnOnnx(shape: PpnShape, nAssets: number, params: ParamValues): Uint8Array {
  return exportWindowPolicyOnnx({
    graphName: 'ppn_policy',
    docString: 'HDRL Desk PPN policy (Zhang et al. 2020, LSTM and TCCB streams): portfolio over [cash, assets]',
    window: shape.window,
    nAssets,
    params,
    forward: (ops, x, held) => ppnForward(ops, shape, nAssets, x, held),
  });
}

/** An exported PPN policy opened in ONNX Runtime. */
export class PpnPolicy extends WindowPolicy {
  static async open(bytes: Uint8Array, shape: PpnShape, nAssets: number): Promise<PpnPolicy> {
    return new PpnPolicy(await OnnxModel.create(bytes), 'PPN', shape.window, nAssets);
  }
}
