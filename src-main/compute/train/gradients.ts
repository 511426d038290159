/**
 * Reverse-mode differentiation over a tape recorded by `TrainOps` (ops.ts): `backward(graph, loss, wrt)` walks
 * the tape from the end and, per entry, emits the ONNX nodes of that op's vector-Jacobian product (the rules
 * below, one per op kind), summing the contributions of values used more than once. Every gradient node is a
 * plain untaped ONNX node in the same graph as the forward pass.
 *
 * Where a derivative is not unique the rule follows TensorFlow.js, so parity tests against tfjs are exact:
 * relu'(0) = 0, abs'(0) = -1 (tfjs: step(x, -1)).
 */
import { broadcastShapes, numel, type Graph, type TapeEntry, type Val } from './graph';
import { layerNormMatrices } from './ops';

type Rule = (g: Graph, e: TapeEntry, gy: Val) => (Val | null)[];

/** Sum `gy` over the axes a numpy broadcast added to reach its shape from `shape`. */
export function unbroadcast(g: Graph, gy: Val, shape: readonly number[]): Val {
  const r = gy.shape.length;
  const k = r - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < r; i++) if (i < k || (shape[i - k] === 1 && gy.shape[i] !== 1)) axes.push(i);
  if (axes.length === 0) return gy;
  const kept = gy.shape.filter((_, i) => !axes.includes(i));
  const s = g.node1('ReduceSum', [gy, g.ints(axes)], kept, { keepdims: 0 });
  if (kept.length === shape.length && kept.every((d, i) => d === shape[i])) return s;
  return g.node1('Reshape', [s, g.ints([...shape])], [...shape]);
}

function neg(g: Graph, x: Val): Val {
  return g.node1('Neg', [x], [...x.shape]);
}
function mul(g: Graph, a: Val, b: Val): Val {
  return g.node1('Mul', [a, b], broadcastShapes(a.shape, b.shape));
}
/** Swap the last two axes. */
function swapLast(g: Graph, x: Val): Val {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return g.node1(
    'Transpose',
    [x],
    perm.map((p) => x.shape[p]!),
    { perm },
  );
}
/** Broadcast a reduced gradient (reduction over `axis`, keepDims or not) back to `shape`, times `scale`. */
function expandReduced(g: Graph, gy: Val, shape: readonly number[], axis: number, scale: number): Val {
  const keep = shape.map((d, i) => (i === axis ? 1 : d));
  let v = gy.shape.length === keep.length ? gy : g.node1('Reshape', [gy, g.ints(keep)], keep);
  if (scale !== 1) v = g.node1('Mul', [v, g.scalar(scale)], keep);
  return g.node1('Expand', [v, g.ints([...shape])], [...shape]);
}

const rules: Record<string, Rule> = {
  add: (g, e, gy) => e.inputs.map((x) => (x.tape ? unbroadcast(g, gy, x.shape) : null)),
  sub: (g, e, gy) => {
    const [a, b] = e.inputs as [Val, Val];
    return [a.tape ? unbroadcast(g, gy, a.shape) : null, b.tape ? neg(g, unbroadcast(g, gy, b.shape)) : null];
  },
  mul: (g, e, gy) => {
    const [a, b] = e.inputs as [Val, Val];
    return [
      a.tape ? unbroadcast(g, mul(g, gy, b), a.shape) : null,
      b.tape ? unbroadcast(g, mul(g, gy, a), b.shape) : null,
    ];
  },
  matMul: (g, e, gy) => {
    const [a, b] = e.inputs as [Val, Val];
    const ra = a.shape.length;
    const rb = b.shape.length;
    let ga: Val | null = null;
    let gb: Val | null = null;
    if (ra === 2 && rb === 2) {
      if (a.tape) ga = g.node1('Gemm', [gy, b], [...a.shape], { transB: 1 });
      if (b.tape) gb = g.node1('Gemm', [a, gy], [...b.shape], { transA: 1 });
    } else if (rb === 2) {
      const [k, m] = b.shape as [number, number];
      if (a.tape) ga = g.node1('MatMul', [gy, g.node1('Transpose', [b], [m, k], { perm: [1, 0] })], [...a.shape]);
      if (b.tape) {
        const a2 = g.node1('Reshape', [a, g.ints([-1, k])], [numel(a.shape) / k, k]);
        const gy2 = g.node1('Reshape', [gy, g.ints([-1, m])], [numel(gy.shape) / m, m]);
        gb = g.node1('Gemm', [a2, gy2], [k, m], { transA: 1 });
      }
    } else {
      if (a.tape) ga = g.node1('MatMul', [gy, swapLast(g, b)], [...a.shape]);
      if (b.tape) gb = g.node1('MatMul', [swapLast(g, a), gy], [...b.shape]);
    }
    return [ga, gb];
  },
  relu: (g, e, gy) => {
    const pos = g.node1('Greater', [e.output, g.scalar(0)], [...gy.shape]);
    return [g.node1('Where', [pos, gy, g.scalar(0)], [...gy.shape])];
  },
  abs: (g, e, gy) => {
    const pos = g.node1('Greater', [e.inputs[0]!, g.scalar(0)], [...gy.shape]);
    return [g.node1('Where', [pos, gy, neg(g, gy)], [...gy.shape])];
  },
  log: (g, e, gy) => [g.node1('Div', [gy, e.inputs[0]!], [...gy.shape])],
  // d e^x = e^x (the op's own output), d tanh x = 1 - tanh^2 x (tfjs writes both from the output too)
  exp: (g, e, gy) => [mul(g, gy, e.output)],
  tanh: (g, e, gy) => {
    const y = e.output;
    return [mul(g, gy, g.node1('Sub', [g.scalar(1), mul(g, y, y)], [...y.shape]))];
  },
  softmax: (g, e, gy) => {
    const y = e.output;
    const keep = [...y.shape.slice(0, -1), 1];
    const s = g.node1('ReduceSum', [mul(g, gy, y), g.ints([y.shape.length - 1])], keep, { keepdims: 1 });
    return [mul(g, y, g.node1('Sub', [gy, s], [...y.shape]))];
  },
  layerNorm: (g, e, gy) => {
    const [x, gamma, beta] = e.inputs as [Val, Val, Val];
    const mean = e.info.mean as Val;
    const invStd = e.info.invStd as Val;
    const shape = [...x.shape];
    const keep = [...shape.slice(0, -1), 1];
    const last = shape.length - 1;
    const xhat = mul(g, g.node1('Sub', [x, mean], shape), invStd);
    let gx: Val | null = null;
    if (x.tape) {
      const gxhat = mul(g, gy, gamma);
      const m1 = g.node1('ReduceMean', [gxhat], keep, { axes: [last], keepdims: 1 });
      const m2 = g.node1('ReduceMean', [mul(g, gxhat, xhat)], keep, { axes: [last], keepdims: 1 });
      const inner = g.node1('Sub', [g.node1('Sub', [gxhat, m1], shape), mul(g, xhat, m2)], shape);
      gx = mul(g, inner, invStd);
    }
    return [
      gx,
      gamma.tape ? unbroadcast(g, mul(g, gy, xhat), gamma.shape) : null,
      beta.tape ? unbroadcast(g, gy, beta.shape) : null,
    ];
  },
  // ops.ts layerNormMatrix, on rows [R, C] with xhat = (x - mean) / std and s = 1/std spread over each row:
  //   gxhat = gy diag(gamma);  dx = s * (gxhat P - xhat * ((gxhat * xhat) J))     (P = I - 1/C, J = 1/C)
  //   dgamma = sum over rows of gy * xhat;  dbeta = sum over rows of gy
  layerNormMatrix: (g, e, gy) => {
    const [x, gamma, beta] = e.inputs as [Val, Val, Val];
    const xhat = e.info.xhat as Val;
    const invStd = e.info.invStd as Val;
    const [R, C] = xhat.shape as [number, number];
    const gy2 = g.node1('Reshape', [gy, g.ints([R, C])], [R, C]);
    let gx: Val | null = null;
    if (x.tape) {
      const m = layerNormMatrices(g, C);
      const gxhat = g.node1('MatMul', [gy2, e.info.diag as Val], [R, C]);
      const spread = g.node1('MatMul', [mul(g, gxhat, xhat), m.J], [R, C]);
      const inner = g.node1('Sub', [g.node1('MatMul', [gxhat, m.P], [R, C]), mul(g, xhat, spread)], [R, C]);
      gx = g.node1('Reshape', [mul(g, inner, invStd), g.ints([...x.shape])], [...x.shape]);
    }
    return [
      gx,
      gamma.tape ? unbroadcast(g, mul(g, gy2, xhat), gamma.shape) : null,
      beta.tape ? unbroadcast(g, gy2, beta.shape) : null,
    ];
  },
  mean: (g, e, gy) => {
    const x = e.inputs[0]!;
    const axis = e.info.axis as number;
    return [expandReduced(g, gy, x.shape, axis, 1 / x.shape[axis]!)];
  },
  sum: (g, e, gy) => [expandReduced(g, gy, e.inputs[0]!.shape, e.info.axis as number, 1)],
  reshape: (g, e, gy) => {
    const x = e.inputs[0]!;
    return [g.node1('Reshape', [gy, g.ints([...x.shape])], [...x.shape])];
  },
  transpose: (g, e, gy) => {
    const perm = e.info.perm as number[];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [
      g.node1(
        'Transpose',
        [gy],
        inv.map((p) => gy.shape[p]!),
        { perm: inv },
      ),
    ];
  },
  concat: (g, e, gy) => {
    const axis = e.info.axis as number;
    const sizes = e.inputs.map((x) => x.shape[axis]!);
    const parts = g.node(
      'Split',
      [gy, g.ints(sizes)],
      e.inputs.map((x) => [...x.shape]),
      { axis },
    );
    return e.inputs.map((x, i) => (x.tape ? parts[i]! : null));
  },
  // y[m,t,c] = sum_k x[m, t+k-h, c] w[k,c] ('same' zero padding, h = (K-1)/2)
  //   dx[m,s,c] = sum_k gy[m, s-k+h, c] w[k,c]       -> the same conv of gy with the kernel reversed
  //   dw[k,c]   = sum_{m,t} x[m, t+k-h, c] gy[m,t,c]  -> a grouped conv, one group per channel, whose
  //               input is x as [1, C*M, L] and whose kernel is gy as [C, M, L]; output length K
  dwconv: (g, e, gy) => {
    const [x, w] = e.inputs as [Val, Val];
    const [M, L, C] = x.shape as [number, number, number];
    const K = e.info.kernel as number;
    const h = (K - 1) / 2;
    const conv = { strides: [1], dilations: [1], pads: [h, h] };
    let gx: Val | null = null;
    let gw: Val | null = null;
    const gyt = g.node1('Transpose', [gy], [M, C, L], { perm: [0, 2, 1] });
    if (x.tape) {
      const rev = g.node1('Slice', [w, g.ints([K - 1]), g.ints([-K - 1]), g.ints([0]), g.ints([-1])], [K, C]);
      const wt = g.node1(
        'Reshape',
        [g.node1('Transpose', [rev], [C, K], { perm: [1, 0] }), g.ints([C, 1, K])],
        [C, 1, K],
      );
      const y = g.node1('Conv', [gyt, wt], [M, C, L], { ...conv, group: C, kernel_shape: [K] });
      gx = g.node1('Transpose', [y], [M, L, C], { perm: [0, 2, 1] });
    }
    if (w.tape) {
      const xin = g.node1(
        'Reshape',
        [g.node1('Transpose', [x], [C, M, L], { perm: [2, 0, 1] }), g.ints([1, C * M, L])],
        [1, C * M, L],
      );
      const ker = g.node1('Transpose', [gy], [C, M, L], { perm: [2, 0, 1] });
      const y = g.node1('Conv', [xin, ker], [1, C, K], { ...conv, group: C, kernel_shape: [L] });
      gw = g.node1('Transpose', [g.node1('Reshape', [y, g.ints([C, K])], [C, K])], [K, C], { perm: [1, 0] });
    }
    return [gx, gw];
  },
};

/** Op kinds that have a gradient rule. */
export const DIFFERENTIABLE_OPS: readonly string[] = Object.keys(rules);

/**
 * Gradients of the scalar `loss` with respect to each of `wrt` (values on the loss's tape; a value the loss does
 * not depend on gets null). Emits the backward nodes into `graph`.
 */
export function backward(graph: Graph, loss: Val, wrt: readonly Val[]): (Val | null)[] {
  const tape = loss.tape;
  if (!tape) throw new Error('backward: the loss does not depend on any differentiated value');
  if (loss.shape.length !== 0) throw new Error(`backward: the loss must be a scalar, got shape [${loss.shape}]`);
  for (const w of wrt)
    if (w.tape !== tape) throw new Error(`backward: ${w.name} is not on the loss's tape ${tape.name}`);
  const grads = new Map<string, Val>([[loss.name, graph.scalar(1)]]);
  const end = tape.entries.findIndex((e) => e.output.name === loss.name);
  if (end < 0) throw new Error('backward: the loss was not recorded on its tape');
  for (let i = end; i >= 0; i--) {
    const e = tape.entries[i]!;
    const gy = grads.get(e.output.name);
    if (!gy) continue;
    const rule = rules[e.kind];
    if (!rule) throw new Error(`backward: no gradient rule for ${e.kind}`);
    const gin = rule(graph, e, gy);
    e.inputs.forEach((x, k) => {
      const gx = gin[k];
      if (!gx || x.tape !== tape) return;
      const have = grads.get(x.name);
      grads.set(x.name, have ? graph.node1('Add', [have, gx], [...x.shape]) : gx);
    });
  }
  return wrt.map((w) => grads.get(w.name) ?? null);
}
