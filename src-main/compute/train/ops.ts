/**
 * `TrainOps`: the `Ops` vocabulary (compute/ops.ts) implemented for the training engine. Each call appends the
 * forward ONNX node(s) to a `Graph` (graph.ts), works out the static output shape, and, when an input is being
 * differentiated, records a tape entry that gradients.ts turns into backward nodes. So a network's one
 * `forward(ops, ...)` definition gives the forward pass, and through the tape its gradient, inside one ONNX graph.
 *
 * Parameters come from flat vectors: `paramBlock` splits one float32 vector (a graph input or an updated value)
 * into the named tensors of a spec list, and `flattenGrads` joins their gradients back into one vector, so the
 * optimiser (adam.ts) works on a handful of flat tensors instead of one tensor per parameter.
 *
 * Beyond the vocabulary, `log` (the actors' entropy bonus), `exp` and `tanh` (SAC's bounded log standard deviation,
 * sac.ts) are differentiable here; exported policies never use them.
 */
import { toeplitzPlacement, type Ops } from '../ops';
import { sizeOf, type ParamSpec } from '../params';
import { broadcastShapes, numel, resolveReshape, Tape, type Graph, type Val } from './graph';

function norm(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/**
 * How depthwiseConv1d is written: 'grouped' (one ONNX Conv with group = channels, its own gradient rule) or
 * 'toeplitz' (the batched matrix product with a Toeplitz matrix that TfOps uses on wasm, differentiated as
 * matMul/transpose/reshape). Same numbers; which is faster depends on the shapes and the execution provider.
 */
export type ConvImpl = 'grouped' | 'toeplitz';

/** Widest last axis {@link TrainOps.layerNorm} normalises with matrix products instead of a LayerNormalization node. */
export const MATRIX_LAYERNORM_MAX_CHANNELS = 8;

/** The constant C x C matrices of the matrix layer norm: P = I - 1/C (centring), J = 1/C (row mean), I. */
export function layerNormMatrices(g: Graph, C: number): { P: Val; J: Val; I: Val } {
  const eye = new Float32Array(C * C);
  for (let i = 0; i < C; i++) eye[i * C + i] = 1;
  return {
    P: g.constant(
      `ln:P:${C}`,
      eye.map((v) => v - 1 / C),
      [C, C],
    ),
    J: g.constant(`ln:J:${C}`, new Float32Array(C * C).fill(1 / C), [C, C]),
    I: g.constant(`ln:I:${C}`, eye, [C, C]),
  };
}

/** Ops that write forward ONNX nodes and record the differentiable ones on their inputs' tape. */
export class TrainOps implements Ops<Val> {
  readonly kind = 'onnx' as const;
  constructor(
    readonly graph: Graph,
    /** the parameter tensors `param(name)` gives (from {@link paramBlock}) */
    readonly params: ReadonlyMap<string, Val>,
    readonly conv: ConvImpl = 'toeplitz',
  ) {}

  /** Mark `out` as computed from `inputs` by `kind`; records a tape entry when an input is on a tape. */
  private record(kind: string, inputs: Val[], out: Val, info: Record<string, unknown> = {}): Val {
    let tape: Tape | null = null;
    for (const v of inputs) {
      if (!v.tape) continue;
      if (tape && tape !== v.tape) throw new Error(`${kind}: inputs are on two tapes (${tape.name}, ${v.tape.name})`);
      tape = v.tape;
    }
    if (!tape) return out;
    const val: Val = { name: out.name, shape: out.shape, tape };
    tape.entries.push({ kind, inputs, output: val, info });
    return val;
  }

  param(name: string): Val {
    const p = this.params.get(name);
    if (!p) throw new Error(`no parameter ${name}`);
    return p;
  }
  constant(key: string, data: Float32Array, shape: number[]): Val {
    return this.graph.constant(key, data, shape);
  }
  scalar(v: number): Val {
    return this.graph.scalar(v);
  }
  private binary(kind: 'add' | 'sub' | 'mul', op: string, a: Val, b: Val): Val {
    const out = this.graph.node1(op, [a, b], broadcastShapes(a.shape, b.shape));
    return this.record(kind, [a, b], out);
  }
  add(a: Val, b: Val): Val {
    return this.binary('add', 'Add', a, b);
  }
  sub(a: Val, b: Val): Val {
    return this.binary('sub', 'Sub', a, b);
  }
  mul(a: Val, b: Val): Val {
    return this.binary('mul', 'Mul', a, b);
  }
  matMul(a: Val, b: Val): Val {
    const ra = a.shape.length;
    const rb = b.shape.length;
    const k = a.shape[ra - 1]!;
    if (ra < 2 || rb < 2) throw new Error(`matMul: operands must have rank >= 2, got [${a.shape}] and [${b.shape}]`);
    if (b.shape[rb - 2] !== k) throw new Error(`matMul: inner dimensions differ, [${a.shape}] x [${b.shape}]`);
    if (rb !== 2 && (ra !== rb || a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])))
      throw new Error(
        `matMul: batched operands need equal leading axes (or a rank-2 right side), got [${a.shape}] x [${b.shape}]`,
      );
    const out = this.graph.node1('MatMul', [a, b], [...a.shape.slice(0, -1), b.shape[rb - 1]!]);
    return this.record('matMul', [a, b], out);
  }
  relu(x: Val): Val {
    return this.record('relu', [x], this.graph.node1('Relu', [x], [...x.shape]));
  }
  abs(x: Val): Val {
    return this.record('abs', [x], this.graph.node1('Abs', [x], [...x.shape]));
  }
  /** Natural logarithm (not in the Ops vocabulary; the entropy bonus uses it). */
  log(x: Val): Val {
    return this.record('log', [x], this.graph.node1('Log', [x], [...x.shape]));
  }
  /** e^x elementwise (not in the Ops vocabulary; SAC's standard deviation from its log). */
  exp(x: Val): Val {
    return this.record('exp', [x], this.graph.node1('Exp', [x], [...x.shape]));
  }
  /** Hyperbolic tangent elementwise (SAC bounds its log standard deviation with it; HADAPS's policy heads end in it). */
  tanh(x: Val): Val {
    return this.record('tanh', [x], this.graph.node1('Tanh', [x], [...x.shape]));
  }
  softmax(x: Val): Val {
    return this.record('softmax', [x], this.graph.node1('Softmax', [x], [...x.shape], { axis: -1 }));
  }
  /**
   * Layer normalisation over the last axis, in one of two forms (same numbers to float32 rounding):
   *   - up to {@link MATRIX_LAYERNORM_MAX_CHANNELS} channels, as small matrix products on [rows, C]: centring
   *     xc = x P with P = I - 1/C, the per-row variance already spread over the row as (xc * xc) J with J = 1/C,
   *     then y = Gemm(xhat, diag(gamma), beta). Every elementwise op then has two operands of one shape;
   *   - otherwise ONNX's LayerNormalization node (its mean and 1/std saved for the gradient).
   * Why: on the CPU provider a short row is expensive both for LayerNormalization and for ops that broadcast a
   * per-row [rows, 1] value over it. Stage 2 of the quick preset normalises 19,200 rows of 8 channels per call;
   * there the matrix form runs forward and backward in about a third of the time (490 vs 1,320 us, 960 x 20 rows
   * of 8), while at 32 or 64 channels the C x C products cost more than they save (32 vs 18 ms at 115,200 x 32).
   */
  layerNorm(x: Val, gamma: Val, beta: Val, eps: number): Val {
    const C = x.shape[x.shape.length - 1]!;
    if (
      C <= MATRIX_LAYERNORM_MAX_CHANNELS &&
      gamma.shape.length === 1 &&
      beta.shape.length === 1 &&
      gamma.shape[0] === C &&
      beta.shape[0] === C
    )
      return this.layerNormMatrix(x, gamma, beta, eps);
    const attrs = { axis: -1, epsilon: { f: eps } };
    const taped = x.tape || gamma.tape || beta.tape;
    if (!taped) return this.graph.node1('LayerNormalization', [x, gamma, beta], [...x.shape], attrs);
    const stat = [...x.shape.slice(0, -1), 1];
    const [y, mean, invStd] = this.graph.node(
      'LayerNormalization',
      [x, gamma, beta],
      [[...x.shape], stat, stat],
      attrs,
    );
    return this.record('layerNorm', [x, gamma, beta], y!, { mean, invStd });
  }
  /** The matrix form of {@link layerNorm}; records xhat, 1/std per element and diag(gamma) for the gradient. */
  private layerNormMatrix(x: Val, gamma: Val, beta: Val, eps: number): Val {
    const g = this.graph;
    const C = x.shape[x.shape.length - 1]!;
    const R = numel(x.shape) / C;
    const m = layerNormMatrices(g, C);
    const x2 = g.node1('Reshape', [x, g.ints([R, C])], [R, C]);
    const xc = g.node1('MatMul', [x2, m.P], [R, C]);
    const v = g.node1('MatMul', [g.node1('Mul', [xc, xc], [R, C]), m.J], [R, C]);
    const invStd = g.node1(
      'Reciprocal',
      [g.node1('Sqrt', [g.node1('Add', [v, g.scalar(eps)], [R, C])], [R, C])],
      [R, C],
    );
    const xhat = g.node1('Mul', [xc, invStd], [R, C]);
    const diag = g.node1('Mul', [m.I, gamma], [C, C]);
    const y = g.node1('Reshape', [g.node1('Gemm', [xhat, diag, beta], [R, C]), g.ints([...x.shape])], [...x.shape]);
    return this.record('layerNormMatrix', [x, gamma, beta], y, { xhat, invStd, diag });
  }
  private reduced(x: Val, axis: number, keepDims: boolean): { a: number; shape: number[] } {
    const a = norm(axis, x.shape.length);
    const shape = keepDims ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a);
    return { a, shape };
  }
  mean(x: Val, axis: number, keepDims: boolean): Val {
    const { a, shape } = this.reduced(x, axis, keepDims);
    const out = this.graph.node1('ReduceMean', [x], shape, { axes: [a], keepdims: keepDims ? 1 : 0 });
    return this.record('mean', [x], out, { axis: a });
  }
  sum(x: Val, axis: number, keepDims: boolean): Val {
    const { a, shape } = this.reduced(x, axis, keepDims);
    const out = this.graph.node1('ReduceSum', [x, this.graph.ints([a])], shape, { keepdims: keepDims ? 1 : 0 });
    return this.record('sum', [x], out, { axis: a });
  }
  reshape(x: Val, shape: number[]): Val {
    const to = resolveReshape(x.shape, shape);
    return this.record('reshape', [x], this.graph.node1('Reshape', [x, this.graph.ints(to)], to));
  }
  transpose(x: Val, perm: number[]): Val {
    if (perm.length !== x.shape.length || [...perm].sort().some((p, i) => p !== i))
      throw new Error(`transpose: perm [${perm}] does not fit rank ${x.shape.length}`);
    const out = this.graph.node1(
      'Transpose',
      [x],
      perm.map((p) => x.shape[p]!),
      { perm },
    );
    return this.record('transpose', [x], out, { perm });
  }
  concat(xs: Val[], axis: number): Val {
    const r = xs[0]!.shape.length;
    const a = norm(axis, r);
    for (const x of xs)
      if (x.shape.length !== r || x.shape.some((d, i) => i !== a && d !== xs[0]!.shape[i]))
        throw new Error(`concat: shapes ${xs.map((v) => `[${v.shape}]`).join(' ')} differ off axis ${a}`);
    const shape = xs[0]!.shape.map((d, i) => (i === a ? xs.reduce((s, x) => s + x.shape[a]!, 0) : d));
    return this.record('concat', xs, this.graph.node1('Concat', xs, shape, { axis: a }), { axis: a });
  }
  depthwiseConv1d(x: Val, w: Val, length: number, kernel: number, channels: number): Val {
    const [M, L, C] = x.shape as number[];
    if (x.shape.length !== 3 || L !== length || C !== channels)
      throw new Error(`depthwiseConv1d: x [${x.shape}] is not [M, ${length}, ${channels}]`);
    if (w.shape.length !== 2 || w.shape[0] !== kernel || w.shape[1] !== channels)
      throw new Error(`depthwiseConv1d: w [${w.shape}] is not [${kernel}, ${channels}]`);
    if (kernel % 2 !== 1) throw new Error(`depthwiseConv1d: kernel ${kernel} must be odd`);
    if (this.conv === 'toeplitz') {
      const E = this.constant(`toeplitz:${L}:${kernel}`, toeplitzPlacement(L, kernel), [kernel, L * L]);
      const T = this.reshape(this.matMul(this.transpose(w, [1, 0]), E), [C, L, L]);
      return this.transpose(this.matMul(this.transpose(x, [2, 0, 1]), T), [1, 2, 0]);
    }
    const g = this.graph;
    const h = (kernel - 1) / 2;
    const xt = g.node1('Transpose', [x], [M!, C, L], { perm: [0, 2, 1] });
    const wt = g.node1(
      'Reshape',
      [g.node1('Transpose', [w], [C, kernel], { perm: [1, 0] }), g.ints([C, 1, kernel])],
      [C, 1, kernel],
    );
    const y = g.node1('Conv', [xt, wt], [M!, C, L], {
      group: C,
      kernel_shape: [kernel],
      pads: [h, h],
      strides: [1],
      dilations: [1],
    });
    const out = g.node1('Transpose', [y], [M!, L, C], { perm: [0, 2, 1] });
    return this.record('dwconv', [x, w], out, { kernel });
  }
}

/**
 * Split a flat float32 vector `flat` [total] into the parameters of `specs` (spec order, row-major), as tape
 * leaves of `tape` when given. Gives name -> value.
 */
export function paramBlock(graph: Graph, specs: readonly ParamSpec[], flat: Val, tape: Tape | null): Map<string, Val> {
  const sizes = specs.map((s) => sizeOf(s.shape));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (flat.shape.length !== 1 || flat.shape[0] !== total)
    throw new Error(`parameter vector [${flat.shape}] does not hold ${total} values`);
  const parts = graph.node(
    'Split',
    [flat, graph.ints(sizes)],
    sizes.map((n) => [n]),
    { axis: 0 },
  );
  const out = new Map<string, Val>();
  specs.forEach((s, i) => {
    const v = s.shape.length === 1 ? parts[i]! : graph.node1('Reshape', [parts[i]!, graph.ints(s.shape)], [...s.shape]);
    out.set(s.name, { name: v.name, shape: v.shape, tape });
  });
  return out;
}

/** Join per-parameter gradients (spec order; a missing one counts as zeros) into one flat vector. */
export function flattenGrads(graph: Graph, specs: readonly ParamSpec[], grads: ReadonlyMap<string, Val>): Val {
  const parts = specs.map((s) => {
    const g = grads.get(s.name);
    const n = sizeOf(s.shape);
    if (!g) return graph.constant(`zeros:${n}`, new Float32Array(n), [n]);
    if (numel(g.shape) !== n) throw new Error(`gradient of ${s.name} has shape [${g.shape}], parameter [${s.shape}]`);
    return g.shape.length === 1 ? g : graph.node1('Reshape', [g, graph.ints([n])], [n]);
  });
  const total = specs.reduce((a, s) => a + sizeOf(s.shape), 0);
  return parts.length === 1 ? parts[0]! : graph.node1('Concat', parts, [total], { axis: 0 });
}

export { Tape };
