/**
 * Trained MAPS agents as the strategy decides with them: exported to ONNX from the same forward definition
 * (network.ts mapsQ over OnnxOps) and run by ONNX Runtime. The graph's input is `x` [batch, n] (one asset's window of
 * daily returns per row, agents/lhs/samples.ts lhsFeatures) and its output `q` [batch, K, 3] every agent's Q-values
 * of Long, Hold and Short. Combining the agents into a book (rules.ts mapsBook) happens outside the graph: the
 * vocabulary has no argmax, and the rule stays readable in one place.
 */
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { ParamValues } from '../../compute/params';
import { CLASS_COUNT } from '../lhs/classes';
import { mapsQ, type MapsShape } from './network';

/** The ONNX policy of trained agents. */
export function exportMapsOnnx(shape: MapsShape, params: ParamValues): Uint8Array {
  return buildOnnxModel({
    graphName: 'maps_policy',
    params,
    inputs: [{ name: 'x', dims: ['batch', shape.window] }],
    outputs: [{ name: 'q', dims: ['batch', shape.agents, CLASS_COUNT] }],
    build: (ops, i) => ({ q: mapsQ(ops, shape, i.x!) }),
    docString: `HDRL Desk MAPS: Q-values (long, hold, short) of ${shape.agents} agents`,
  });
}

/** Exported agents opened in ONNX Runtime. */
export class MapsPolicy {
  private constructor(
    private readonly model: OnnxModel,
    readonly shape: MapsShape,
  ) {}

  static async open(bytes: Uint8Array, shape: MapsShape): Promise<MapsPolicy> {
    return new MapsPolicy(await OnnxModel.create(bytes), shape);
  }

  /** Q-values [rows * K * 3] of windows x [rows * n]. */
  run(x: Float32Array, rows: number): Float32Array {
    const n = this.shape.window;
    if (!(Number.isInteger(rows) && rows >= 1) || x.length !== rows * n)
      throw new RangeError(`MAPS policy: ${x.length} inputs are not ${rows} window(s) of ${n} returns`);
    return this.model.runSync({ x: { data: x, dims: [rows, n] } }).q!.data;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
