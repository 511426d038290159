/**
 * Every gradient rule of the ONNX Runtime training engine (src-main/compute/train/gradients.ts) against
 * TensorFlow.js's own gradients (tf.grads) of the same `Ops` expression, on small random shapes: for each op, the
 * loss sum(f(inputs) * R) with a fixed random R is differentiated by both, and every input's gradient must agree
 * to 1e-5 (relative to the gradient's size where it exceeds 1). Also checks the rule coverage and the refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../src-main/compute/backend';
import { TfOps, type Ops } from '../../src-main/compute/ops';
import { Graph, Tape, type Val } from '../../src-main/compute/train/graph';
import { MATRIX_LAYERNORM_MAX_CHANNELS, TrainOps, type ConvImpl } from '../../src-main/compute/train/ops';
import { backward, DIFFERENTIABLE_OPS } from '../../src-main/compute/train/gradients';
import { TrainSession } from '../../src-main/compute/train/session';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

/** The op vocabulary plus the elementwise ops only the training engine has (ops.ts TrainOps). */
type Fn = <T>(ops: Ops<T> & { log?: (x: T) => T; exp?: (x: T) => T; tanh?: (x: T) => T }, xs: T[]) => T;

function rand(n: number, rng: () => number, positive = false): Float32Array {
  return Float32Array.from({ length: n }, () => (positive ? 0.2 + rng() : rng() * 2 - 1));
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Gradients of sum(f(xs) * R) by the training engine (ONNX Runtime) and by tfjs. */
function bothGradients(
  shapes: number[][],
  f: Fn,
  opts: { positive?: boolean; seed?: string; values?: Float32Array[]; conv?: ConvImpl } = {},
): { onnx: Float32Array[]; tfjs: Float32Array[] } {
  const rng = seedrandom(opts.seed ?? 'grad');
  const values = opts.values ?? shapes.map((s) => rand(size(s), rng, opts.positive));
  // engine
  const g = new Graph();
  const tape = new Tape('test');
  const leaves: Val[] = shapes.map((s, i) => ({ ...g.input(`x${i}`, s), tape }));
  const ops = new TrainOps(g, new Map(), opts.conv);
  const y = f(ops, leaves);
  const R = rand(size([...y.shape]), seedrandom('R'));
  const loss = ops.sum(ops.mul(ops.reshape(y, [-1]), ops.constant('R', R, [R.length])), 0, false);
  const grads = backward(g, loss, leaves);
  grads.forEach((gr, i) => {
    if (!gr) throw new Error(`no gradient for input ${i}`);
    g.output(`g${i}`, gr);
  });
  const session = TrainSession.open(g.encode('grad_test'), g.inputs, g.outputs);
  const out = session.run(Object.fromEntries(values.map((v, i) => [`x${i}`, v])));
  session.dispose();
  // tfjs
  type Unary = (x: tfType.Tensor) => tfType.Tensor;
  const tops = new TfOps(tf, new Map()) as TfOps & { log?: Unary; exp?: Unary; tanh?: Unary };
  tops.log = (x) => tf.log(x);
  tops.exp = (x) => tf.exp(x);
  tops.tanh = (x) => tf.tanh(x);
  const fx = tf.grads((...xs: tfType.Tensor[]) => {
    const yy = f(tops, xs);
    return tf.sum(tf.mul(tf.reshape(yy, [-1]), tf.tensor(R))) as tfType.Scalar;
  });
  const tg = fx(values.map((v, i) => tf.tensor(v, shapes[i]!)));
  const tfjs = tg.map((t) => t.dataSync() as Float32Array);
  tops.disposeConstants();
  return { onnx: shapes.map((_, i) => out[`g${i}`]!), tfjs };
}

function expectClose(got: Float32Array, want: Float32Array, label: string): void {
  expect(got.length, label).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  expect(worst, label).toBeLessThan(1e-5);
}

function check(
  label: string,
  shapes: number[][],
  f: Fn,
  opts: { positive?: boolean; values?: Float32Array[]; conv?: ConvImpl } = {},
): void {
  const { onnx, tfjs } = bothGradients(shapes, f, { ...opts, seed: label });
  onnx.forEach((g, i) => expectClose(g, tfjs[i]!, `${label}, input ${i}`));
}

describe('gradient rules agree with tfjs to 1e-5', () => {
  it('add, sub, mul with broadcasting (leading axes, size-1 axes, scalars)', () => {
    check('add', [[2, 3, 4], [4]], (o, [a, b]) => o.add(a!, b!));
    check(
      'add-1',
      [
        [2, 1, 4],
        [3, 1],
      ],
      (o, [a, b]) => o.add(a!, b!),
    );
    check(
      'sub',
      [
        [2, 3, 1],
        [1, 3, 4],
      ],
      (o, [a, b]) => o.sub(a!, b!),
    );
    check(
      'mul',
      [
        [5, 3],
        [5, 1],
      ],
      (o, [a, b]) => o.mul(a!, b!),
    );
    check('mul-scalar', [[4, 2]], (o, [a]) => o.mul(o.scalar(-0.7), a!));
    check('mul-self', [[3, 3]], (o, [a]) => o.mul(a!, a!));
  });
  it('matMul: 2-D x 2-D, batched x 2-D, batched x batched', () => {
    check(
      'mm2',
      [
        [3, 4],
        [4, 5],
      ],
      (o, [a, b]) => o.matMul(a!, b!),
    );
    check(
      'mm3x2',
      [
        [2, 3, 4],
        [4, 5],
      ],
      (o, [a, b]) => o.matMul(a!, b!),
    );
    check(
      'mm4x4',
      [
        [2, 3, 4, 5],
        [2, 3, 5, 2],
      ],
      (o, [a, b]) => o.matMul(a!, b!),
    );
  });
  it("relu and abs, including exact zeros (tfjs conventions relu'(0) = 0, abs'(0) = -1)", () => {
    const v = Float32Array.from([0, -0.5, 0.25, 0, 1.5, -2, 0.75, 0]);
    check('relu', [[2, 4]], (o, [a]) => o.relu(a!), { values: [v] });
    check('abs', [[2, 4]], (o, [a]) => o.abs(a!), { values: [v] });
  });
  it('log, softmax, layerNorm', () => {
    check('log', [[3, 4]], (o, [a]) => o.log!(a!), { positive: true });
    check('softmax', [[3, 2, 5]], (o, [a]) => o.softmax(a!));
    // up to 8 channels the matrix form, wider rows the LayerNormalization node (ops.ts layerNorm)
    check('layerNorm', [[2, 3, 6], [6], [6]], (o, [x, g, b]) => o.layerNorm(x!, g!, b!, 1e-5));
    check('layerNorm8', [[4, 5, 8], [8], [8]], (o, [x, g, b]) => o.layerNorm(x!, g!, b!, 1e-5));
    check('layerNorm12', [[3, 2, 12], [12], [12]], (o, [x, g, b]) => o.layerNorm(x!, g!, b!, 1e-5));
  });
  it('layerNorm takes the matrix form up to 8 channels, the LayerNormalization node above; both give the tfjs values', () => {
    const run = (C: number) => {
      const g = new Graph();
      const tape = new Tape('ln');
      const x = { ...g.input('x', [4, 5, C]), tape };
      const ops = new TrainOps(g, new Map());
      g.output('y', ops.layerNorm(x, g.input('g', [C]), g.input('b', [C]), 1e-5));
      const rng = seedrandom(`ln${C}`);
      const feeds = { x: rand(20 * C, rng), g: rand(C, rng), b: rand(C, rng) };
      const session = TrainSession.open(g.encode('ln_test'), g.inputs, g.outputs);
      const y = session.run(feeds).y!;
      session.dispose();
      const want = tf.tidy(
        () =>
          new TfOps(tf, new Map())
            .layerNorm(tf.tensor(feeds.x, [4, 5, C]), tf.tensor(feeds.g), tf.tensor(feeds.b), 1e-5)
            .dataSync() as Float32Array,
      );
      expectClose(y, want, `layerNorm forward, ${C} channels`);
      return g.nodes.map((n) => n.opType);
    };
    expect(MATRIX_LAYERNORM_MAX_CHANNELS).toBe(8);
    for (const C of [3, 8]) {
      expect(run(C)).not.toContain('LayerNormalization');
      expect(run(C)).toContain('Gemm');
    }
    expect(run(9)).toContain('LayerNormalization');
  });
  it("exp and tanh (SAC's bounded log standard deviation), alone and composed as sac.ts composes them", () => {
    const wide = Float32Array.from({ length: 12 }, (_, i) => (i - 6) * 0.6);
    check('exp', [[3, 4]], (o, [a]) => o.exp!(a!), { values: [wide] });
    check('tanh', [[3, 4]], (o, [a]) => o.tanh!(a!), { values: [wide] });
    // e^(lo + (hi - lo)/2 (tanh(p) + 1)) times a noise row, broadcast over a batch
    check('exp-tanh', [[4], [3, 4]], (o, [p, eps]) =>
      o.mul(o.exp!(o.add(o.scalar(-1.5), o.mul(o.scalar(3.5), o.tanh!(p!)))), eps!),
    );
  });
  it('mean and sum over each axis, with and without kept dimensions', () => {
    for (const axis of [0, 1, 2])
      for (const keep of [true, false]) {
        check(`mean${axis}${keep}`, [[2, 3, 4]], (o, [a]) => o.mean(a!, axis, keep));
        check(`sum${axis}${keep}`, [[2, 3, 4]], (o, [a]) => o.sum(a!, axis, keep));
      }
  });
  it('reshape, transpose, concat', () => {
    check('reshape', [[2, 3, 4]], (o, [a]) =>
      o.mul(o.reshape(a!, [-1, 4]), o.reshape(o.transpose(a!, [1, 0, 2]), [6, 4])),
    );
    check('transpose', [[2, 3, 4, 5]], (o, [a]) => o.transpose(a!, [0, 2, 3, 1]));
    check(
      'concat',
      [
        [2, 3, 2],
        [2, 1, 2],
        [2, 4, 2],
      ],
      (o, xs) => o.concat(xs, 1),
    );
  });
  it('depthwise 1-D convolution (input and kernel), as a grouped Conv and in Toeplitz form', () => {
    for (const conv of ['grouped', 'toeplitz'] as const) {
      check(
        `dwconv-${conv}`,
        [
          [5, 9, 3],
          [5, 3],
        ],
        (o, [x, w]) => o.depthwiseConv1d(x!, w!, 9, 5, 3),
        { conv },
      );
      check(
        `dwconv-long-${conv}`,
        [
          [4, 7, 2],
          [7, 2],
        ],
        (o, [x, w]) => o.depthwiseConv1d(x!, w!, 7, 7, 2),
        { conv },
      );
    }
  });
  it('a value used by several ops accumulates every contribution', () => {
    check(
      'fanout',
      [
        [3, 4],
        [4, 4],
      ],
      (o, [x, w]) => {
        const h = o.relu(o.matMul(x!, w!));
        return o.add(o.softmax(h), o.mul(h, o.matMul(h, w!)));
      },
    );
  });
});

describe('backward', () => {
  it('has a rule for every op TrainOps records', () => {
    expect([...DIFFERENTIABLE_OPS].sort()).toEqual([
      'abs',
      'add',
      'concat',
      'dwconv',
      'exp',
      'layerNorm',
      'layerNormMatrix',
      'log',
      'matMul',
      'mean',
      'mul',
      'relu',
      'reshape',
      'softmax',
      'sub',
      'sum',
      'tanh',
      'transpose',
    ]);
  });
  it('refuses a non-scalar loss, a loss off any tape, and values of another tape', () => {
    const g = new Graph();
    const t1 = new Tape('one');
    const t2 = new Tape('two');
    const ops = new TrainOps(g, new Map());
    const a: Val = { ...g.input('a', [2, 2]), tape: t1 };
    const b: Val = { ...g.input('b', [2, 2]), tape: t2 };
    const c = g.input('c', [2, 2]);
    const y = ops.relu(a);
    expect(() => backward(g, y, [a])).toThrow(/scalar/);
    expect(() => backward(g, ops.sum(ops.sum(c, 0, false), 0, false), [a])).toThrow(/does not depend/);
    expect(() => backward(g, ops.sum(ops.sum(y, 0, false), 0, false), [b])).toThrow(/not on the loss's tape/);
    expect(() => ops.add(a, b)).toThrow(/two tapes/);
  });
});
