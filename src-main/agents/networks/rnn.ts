/**
 * A plain (Elman) recurrent layer with a tanh cell, written once against the op vocabulary (compute/ops.ts) with the
 * conventions of the LSTM beside it (lstm.ts): batch-first input, unrolled over a length fixed when the graph is
 * built, from the zero state, one matrix product per step over [x_t, h_{t-1}]. It is the evaluator of EIIE's RNN
 * variant (Jiang, Xu and Liang 2017; agents/eiie/network.ts); the LSTM variant uses lstm.ts.
 *
 * One layer over x [B, L, in], from h_0 = 0:
 *   h_t = tanh([x_t, h_{t-1}] W + b)              W [in + H, H], b [H]
 * giving every h_t as outputs [B, L, H] and the last state h_L [B, H]. Rows 0..in-1 of W read x_t, the next H rows
 * read h_{t-1}.
 *
 * Why not the LSTM with a flag: the LSTM's cell (four gates, a cell state, the forget-gate bias) has no setting that
 * reduces it to h_t = tanh(z_t); a flag would be a second network inside that file. What the two share, picking a
 * time step with a one-hot (lstm.ts `pick`) and the zero first state, is taken from there or written the same way.
 *
 * Parameters of a layer `p` (spec order): `p/W` [in + H, H], Glorot uniform over the whole matrix (fan in in + H,
 * fan out H), and `p/b` [H], zeros.
 */
import type { Ops } from '../../compute/ops';
import type { ParamSpec } from '../../compute/params';
import { pick } from './lstm';

/** Refuse a shape no graph can be built for, naming the setting. */
export function checkRnnShape(length: number, inDim: number, hidden: number): void {
  for (const [k, v] of Object.entries({ length, inDim, hidden }))
    if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`rnn: ${k} must be a positive integer, got ${v}`);
}

/** Parameter specs of one layer over `inDim` inputs with `hidden` units, names `${prefix}/W`, `${prefix}/b`. */
export function rnnLayerSpecs(prefix: string, inDim: number, hidden: number): ParamSpec[] {
  checkRnnShape(1, inDim, hidden);
  const rows = inDim + hidden;
  return [
    { name: `${prefix}/W`, shape: [rows, hidden], init: { kind: 'glorot', fanIn: rows, fanOut: hidden } },
    { name: `${prefix}/b`, shape: [hidden], init: { kind: 'zeros' } },
  ];
}

/**
 * One tanh RNN layer (file overview) over x [B, length, inDim] from the zero state, parameters `${prefix}/...`.
 * Gives every step's h as outputs [B, length, hidden] and the last h [B, hidden].
 */
export function rnnLayer<T>(
  ops: Ops<T>,
  prefix: string,
  x: T,
  length: number,
  inDim: number,
  hidden: number,
): { outputs: T; last: T } {
  checkRnnShape(length, inDim, hidden);
  const W = ops.param(`${prefix}/W`);
  const b = ops.param(`${prefix}/b`);
  let h: T | null = null;
  const hs: T[] = [];
  for (let t = 0; t < length; t++) {
    const xt = pick(ops, x, t, length, 1); // [B, in]
    const hPrev =
      h ?? ops.matMul(xt, ops.constant(`zeros:${inDim}x${hidden}`, new Float32Array(inDim * hidden), [inDim, hidden]));
    h = ops.tanh(ops.add(ops.matMul(ops.concat([xt, hPrev], 1), W), b));
    hs.push(ops.reshape(h, [-1, 1, hidden]));
  }
  return { outputs: hs.length === 1 ? hs[0]! : ops.concat(hs, 1), last: h! };
}
