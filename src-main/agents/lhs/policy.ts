/**
 * A trained Long/Hold/Short classifier as the strategy decides with it: exported to ONNX from the same forward
 * definition (network.ts lhsForward over OnnxOps) and run by ONNX Runtime. The graph's input is `x` [batch, n] (one
 * asset's window of daily returns per row, samples.ts lhsFeatures) and its output `p` [batch, 3] the class
 * probabilities, Long, Hold, Short. Turning them into a book (classes.ts predictedClasses, longOnlyBook) happens
 * outside the graph: the vocabulary has no argmax, and the rule stays readable in one place.
 */
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import { CLASS_COUNT } from './classes';
import { lhsForward, type LhsShape } from './network';

/** The ONNX policy of a trained classifier. */
export function exportLhsOnnx(shape: LhsShape, params: ParamValues): Uint8Array {
  return buildOnnxModel({
    graphName: `lhs_${shape.model}_policy`,
    params,
    inputs: [{ name: 'x', dims: ['batch', shape.window] }],
    outputs: [{ name: 'p', dims: ['batch', CLASS_COUNT] }],
    build: (ops, i) => ({ p: lhsForward(ops, shape, i.x!) }),
    docString: `HDRL Desk ${shape.model.toUpperCase()} Long/Hold/Short classifier: class probabilities (long, hold, short)`,
  });
}

/** An exported classifier opened in ONNX Runtime. */
export class LhsPolicy {
  private constructor(
    private readonly model: OnnxModel,
    readonly shape: LhsShape,
  ) {}

  static async open(bytes: Uint8Array, shape: LhsShape): Promise<LhsPolicy> {
    return new LhsPolicy(await OnnxModel.create(bytes), shape);
  }

  /** Class probabilities [rows * 3] of windows x [rows * n]. */
  run(x: Float32Array, rows: number): Float32Array {
    const n = this.shape.window;
    if (!(Number.isInteger(rows) && rows >= 1) || x.length !== rows * n)
      throw new RangeError(`LHS policy: ${x.length} inputs are not ${rows} window(s) of ${n} returns`);
    return this.model.runSync({ x: { data: x, dims: [rows, n] } }).p!.data;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
