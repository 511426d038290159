/**
 * What the tests of the op-vocabulary building blocks (lstm.test.ts, gat.test.ts) run a network with: the same
 * `forward(ops, inputs)` three ways — TensorFlow.js (TfOps), an exported ONNX model in ONNX Runtime (OnnxOps, the
 * batch axis symbolic) and a forward graph of the training engine (TrainOps) — and the engine's gradient of
 * sum_k sum(out_k * R_k) (fixed random R_k) with respect to the flat parameter vector, which the tests hold against
 * central finite differences of their own float64 reference implementations.
 */
import { expect } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { TfOps, type Ops } from '../../../src-main/compute/ops';
import { initParams, sizeOf, type ParamSpec, type ParamValues } from '../../../src-main/compute/params';
import { buildOnnxModel } from '../../../src-main/compute/onnx/emitter';
import { OnnxModel } from '../../../src-main/compute/onnx/runtime';
import { flatten } from '../../../src-main/compute/train/common';
import { backward } from '../../../src-main/compute/train/gradients';
import { Graph, Tape, type Val } from '../../../src-main/compute/train/graph';
import { flattenGrads, paramBlock, TrainOps } from '../../../src-main/compute/train/ops';
import { TrainSession } from '../../../src-main/compute/train/session';

/** A network under test: its named inputs and outputs over any op vocabulary. */
export type Forward = <T>(ops: Ops<T>, inputs: Record<string, T>) => Record<string, T>;

/** One input: its values and shape; `batched` marks a leading batch axis (symbolic in the ONNX export). */
export interface TestInput {
  name: string;
  shape: number[];
  data: Float32Array;
  batched: boolean;
}

/** Uniform values in [-scale, scale). */
export function uniform(n: number, rng: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
}

/** Seeded initial parameters with every value moved a little, so zero biases and unit gains are exercised too. */
export function randomParams(specs: readonly ParamSpec[], seed: number, spread = 0.4): ParamValues {
  const p = initParams(specs, seed);
  const rng = seedrandom(`perturb${seed}`);
  for (const v of p.values()) for (let i = 0; i < v.data.length; i++) v.data[i] = v.data[i]! + (rng() - 0.5) * spread;
  return p;
}

/** Largest |a_i - b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The outputs by TfOps. */
export function runTfjs(
  tf: typeof tfType,
  p: ParamValues,
  inputs: readonly TestInput[],
  f: Forward,
): Record<string, Float32Array> {
  const ops = new TfOps(tf, new Map([...p].map(([k, v]) => [k, tf.tensor(v.data, v.shape)])));
  try {
    return tf.tidy(() => {
      const x = Object.fromEntries(inputs.map((i) => [i.name, tf.tensor(i.data, i.shape)]));
      return Object.fromEntries(
        Object.entries(f(ops, x)).map(([k, t]) => [k, Float32Array.from(t.dataSync() as Float32Array)]),
      );
    });
  } finally {
    ops.disposeConstants();
    for (const t of ops.params.values()) t.dispose();
  }
}

/**
 * The outputs of the exported ONNX model in ONNX Runtime (batch axes symbolic, so -1 reshapes are exercised);
 * `outputs` gives each output's rank (its dimensions are declared symbolic).
 */
export async function runOnnxExport(
  p: ParamValues,
  inputs: readonly TestInput[],
  outputs: Record<string, number>,
  f: Forward,
): Promise<Record<string, Float32Array>> {
  const dims = (i: TestInput) => (i.batched ? ['batch', ...i.shape.slice(1)] : i.shape);
  const bytes = buildOnnxModel({
    graphName: 'network_test',
    params: p,
    inputs: inputs.map((i) => ({ name: i.name, dims: dims(i) })),
    outputs: Object.entries(outputs).map(([name, rank]) => ({
      name,
      dims: Array.from({ length: rank }, (_, d) => `${name}_${d}`),
    })),
    build: (o, x) => f(o, x),
  });
  const model = await OnnxModel.create(bytes);
  try {
    const got = model.runSync(Object.fromEntries(inputs.map((i) => [i.name, { data: i.data, dims: i.shape }])));
    return Object.fromEntries(Object.keys(outputs).map((k) => [k, got[k]!.data]));
  } finally {
    await model.dispose();
  }
}

/** A training-engine graph over the flat parameters `params` and the inputs; `tape` makes the parameters taped. */
function engineGraph(
  specs: readonly ParamSpec[],
  inputs: readonly TestInput[],
  f: Forward,
  tape: Tape | null,
): { g: Graph; params: Map<string, Val>; out: Record<string, Val> } {
  const g = new Graph();
  const params = paramBlock(g, specs, g.input('params', [specs.reduce((a, s) => a + sizeOf(s.shape), 0)]), tape);
  const ops = new TrainOps(g, params);
  const x = Object.fromEntries(inputs.map((i) => [i.name, g.input(i.name, i.shape)]));
  return { g, params, out: f(ops, x) };
}

function runEngine(
  g: Graph,
  specs: readonly ParamSpec[],
  p: ParamValues,
  inputs: readonly TestInput[],
): Record<string, Float32Array> {
  const session = TrainSession.open(g.encode('network_test'), g.inputs, g.outputs);
  try {
    return session.run({
      params: flatten(specs, p, 'test'),
      ...Object.fromEntries(inputs.map((i) => [i.name, i.data])),
    });
  } finally {
    session.dispose();
  }
}

/** The outputs by a forward graph of the training engine (TrainOps). */
export function runEngineForward(
  specs: readonly ParamSpec[],
  p: ParamValues,
  inputs: readonly TestInput[],
  outputs: readonly string[],
  f: Forward,
): Record<string, Float32Array> {
  const { g, out } = engineGraph(specs, inputs, f, null);
  for (const k of outputs) g.output(k, out[k]!);
  return runEngine(g, specs, p, inputs);
}

/** The weights R_k of the test loss sum_k sum(out_k * R_k), one per output (uniform in [-1, 1), seeded by name). */
export function lossWeights(shapes: Record<string, number[]>): Record<string, Float64Array> {
  return Object.fromEntries(
    Object.entries(shapes).map(([k, s]) => [k, Float64Array.from(uniform(sizeOf(s), seedrandom(`R:${k}`)))]),
  );
}

/**
 * The engine's gradient (flat, spec order) of sum_k sum(out_k * R_k) over the outputs named in `R`, at `p`:
 * TrainOps with the parameters taped, gradients.ts's backward, flattenGrads.
 */
export function engineGradient(
  specs: readonly ParamSpec[],
  p: ParamValues,
  inputs: readonly TestInput[],
  R: Record<string, Float64Array>,
  f: Forward,
): Float32Array {
  const { g, params, out } = engineGraph(specs, inputs, f, new Tape('test'));
  const ops = new TrainOps(g, params);
  let loss: Val | null = null;
  for (const [k, r] of Object.entries(R)) {
    const term = ops.sum(
      ops.mul(ops.reshape(out[k]!, [-1]), ops.constant(`R:${k}`, Float32Array.from(r), [r.length])),
      0,
      false,
    );
    loss = loss === null ? term : ops.add(loss, term);
  }
  const names = [...params.keys()];
  const grads = backward(g, loss!, [...params.values()]);
  g.output(
    'grad',
    flattenGrads(g, specs, new Map(names.flatMap((n, i) => (grads[i] ? [[n, grads[i]!] as const] : [])))),
  );
  return runEngine(g, specs, p, inputs).grad!;
}

/** Float64 parameters by name from a flat vector in spec order. */
export function unflatten64(specs: readonly ParamSpec[], flat: Float64Array): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  let o = 0;
  for (const s of specs) {
    const n = sizeOf(s.shape);
    out.set(s.name, flat.slice(o, o + n));
    o += n;
  }
  return out;
}

/**
 * Central finite differences (step `h`) of a float64 loss of the flat parameters at `flat`, for the entries
 * `indices`.
 */
export function finiteDifferences(
  loss: (flat: Float64Array) => number,
  flat: Float64Array,
  indices: readonly number[],
  h = 1e-6,
): number[] {
  return indices.map((i) => {
    const x = flat.slice();
    x[i] = flat[i]! + h;
    const up = loss(x);
    x[i] = flat[i]! - h;
    return (up - loss(x)) / (2 * h);
  });
}

/** sum(out * R) in float64. */
export function dot(out: ArrayLike<number>, R: ArrayLike<number>): number {
  expect(out.length).toBe(R.length);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i]! * R[i]!;
  return s;
}
