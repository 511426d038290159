/**
 * The plain tanh RNN layer (src-main/agents/networks/rnn.ts): two steps computed by hand, the three implementations
 * of the op vocabulary (tfjs, the exported ONNX model, the training engine) against a float64 reference written
 * here from h_t = tanh([x_t, h_{t-1}] W + b), the engine's gradient against finite differences of that reference
 * through every step, its initialisation and its refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../../src-main/compute/backend';
import type { Ops } from '../../../src-main/compute/ops';
import { initParams, type ParamValues } from '../../../src-main/compute/params';
import { flatten } from '../../../src-main/compute/train/common';
import { rnnLayer, rnnLayerSpecs } from '../../../src-main/agents/networks/rnn';
import {
  dot,
  engineGradient,
  finiteDifferences,
  lossWeights,
  maxAbsDiff,
  randomParams,
  runEngineForward,
  runOnnxExport,
  runTfjs,
  uniform,
  unflatten64,
  type Forward,
  type TestInput,
} from './helpers';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

type P64 = ReadonlyMap<string, ArrayLike<number>>;

/** One layer over x [B, L, n] (flat) from h = 0, in float64: outputs [B, L, H] and the last h [B, H]. */
function refLayer(p: P64, x: ArrayLike<number>, B: number, L: number, n: number, H: number) {
  const W = p.get('rnn/W')!;
  const b = p.get('rnn/b')!;
  const outs = new Float64Array(B * L * H);
  const last = new Float64Array(B * H);
  for (let s = 0; s < B; s++) {
    let h = new Array<number>(H).fill(0);
    for (let t = 0; t < L; t++) {
      const v = [...Array.from({ length: n }, (_, k) => x[(s * L + t) * n + k]!), ...h];
      h = h.map((_, u) => Math.tanh(v.reduce((a, vr, r) => a + vr * W[r * H + u]!, b[u]!)));
      outs.set(h, (s * L + t) * H);
    }
    last.set(h, s * H);
  }
  return { outs, last };
}

const asP64 = (p: ParamValues): P64 => new Map([...p].map(([k, v]) => [k, v.data]));

/** The layer as a network under test: input x, outputs `outputs` and `last`. */
const layer =
  (L: number, n: number, H: number): Forward =>
  <T>(ops: Ops<T>, i: Record<string, T>) => {
    const r = rnnLayer(ops, 'rnn', i.x!, L, n, H);
    return { outputs: r.outputs, last: r.last };
  };

describe('RNN forward', () => {
  it('by hand: two steps of two units from the zero state', async () => {
    const specs = rnnLayerSpecs('rnn', 1, 2);
    const p = initParams(specs, 1);
    // rows: x_t, then h_{t-1} of units 0 and 1; columns: units 0 and 1
    p.get('rnn/W')!.data.set([0.5, -1, 0.8, 0.3, -0.4, 1.2]);
    p.get('rnn/b')!.data.set([0.1, -0.2]);
    const x: TestInput = { name: 'x', shape: [1, 2, 1], data: Float32Array.of(0.6, -0.9), batched: true };
    // step 1 reads x only: h1 = tanh(0.6 [0.5, -1] + [0.1, -0.2]) = tanh([0.4, -0.8])
    const h1 = [Math.tanh(0.4), Math.tanh(-0.8)];
    // step 2: h2_u = tanh(-0.9 W[0, u] + h1_0 W[1, u] + h1_1 W[2, u] + b_u)
    const h2 = [
      Math.tanh(-0.9 * 0.5 + h1[0]! * 0.8 + h1[1]! * -0.4 + 0.1),
      Math.tanh(-0.9 * -1 + h1[0]! * 0.3 + h1[1]! * 1.2 - 0.2),
    ];
    const f = layer(2, 1, 2);
    const all = {
      tfjs: runTfjs(tf, p, [x], f),
      onnx: await runOnnxExport(p, [x], { outputs: 3, last: 2 }, f),
      engine: runEngineForward(specs, p, [x], ['outputs', 'last'], f),
    };
    for (const [k, got] of Object.entries(all)) {
      expect(maxAbsDiff(got.outputs!, [...h1, ...h2]), k).toBeLessThan(1e-6);
      expect(maxAbsDiff(got.last!, h2), k).toBeLessThan(1e-6);
    }
    // the recurrence is there: without the rows reading h the second step differs
    expect(Math.abs(h2[1]! - Math.tanh(-0.9 * -1 - 0.2))).toBeGreaterThan(0.1);
  });

  it('tfjs, the ONNX export and the training engine agree with the float64 reference to 1e-5', async () => {
    const L = 9;
    const n = 2;
    const H = 5;
    const B = 3;
    const specs = rnnLayerSpecs('rnn', n, H);
    const p = randomParams(specs, 5);
    const x: TestInput = {
      name: 'x',
      shape: [B, L, n],
      data: uniform(B * L * n, seedrandom('rnn-agree'), 1.5),
      batched: true,
    };
    const f = layer(L, n, H);
    const ref = refLayer(asP64(p), x.data, B, L, n, H);
    const got = {
      tfjs: runTfjs(tf, p, [x], f),
      onnx: await runOnnxExport(p, [x], { outputs: 3, last: 2 }, f),
      engine: runEngineForward(specs, p, [x], ['outputs', 'last'], f),
    };
    for (const [k, o] of Object.entries(got)) {
      expect(maxAbsDiff(o.outputs!, ref.outs), k).toBeLessThan(1e-5);
      expect(maxAbsDiff(o.last!, ref.last), k).toBeLessThan(1e-5);
    }
  });
});

describe('RNN gradients on the training engine', () => {
  it('every parameter, through all steps, matches finite differences of the float64 reference', () => {
    const L = 6;
    const n = 2;
    const H = 3;
    const B = 2;
    const specs = rnnLayerSpecs('rnn', n, H);
    const p = randomParams(specs, 8);
    const x: TestInput = {
      name: 'x',
      shape: [B, L, n],
      data: uniform(B * L * n, seedrandom('rnn-grad'), 1.5),
      batched: true,
    };
    // the loss reads the last state only, so every gradient comes back through all six steps
    const R = lossWeights({ last: [B, H] });
    const got = engineGradient(specs, p, [x], R, layer(L, n, H));
    const loss = (flat: Float64Array) => dot(refLayer(unflatten64(specs, flat), x.data, B, L, n, H).last, R.last!);
    const flat = Float64Array.from(flatten(specs, p, 'test'));
    const all = Array.from({ length: flat.length }, (_, i) => i);
    const want = finiteDifferences(loss, flat, all);
    // float32 engine against float64 differences: 1e-5 of the largest entry (as for the LSTM, lstm.test.ts)
    const scale = Math.max(...want.map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    for (let i = 0; i < all.length; i++)
      expect(Math.abs(got[i]! - want[i]!), `parameter ${i}`).toBeLessThan(1e-5 * scale);
  });
});

describe('RNN parameters and refusals', () => {
  it('W is Glorot over [in + H, H]; the bias starts at 0', () => {
    const specs = rnnLayerSpecs('l', 3, 4);
    expect(specs.map((s) => [s.name, s.shape])).toEqual([
      ['l/W', [7, 4]],
      ['l/b', [4]],
    ]);
    const p = initParams(specs, 9);
    expect(Array.from(p.get('l/b')!.data)).toEqual([0, 0, 0, 0]);
    const limit = Math.sqrt(6 / (7 + 4));
    const w = Array.from(p.get('l/W')!.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.7 * limit);
  });

  it('refuses a shape no graph can be built for, saying which setting', () => {
    expect(() => rnnLayerSpecs('x', 1, 0)).toThrow(/rnn: hidden must be a positive integer, got 0/);
    expect(() => rnnLayerSpecs('x', 1.5, 2)).toThrow(/inDim must be a positive integer, got 1.5/);
    const ops = { param: () => 0 } as unknown as Ops<number>;
    expect(() => rnnLayer(ops, 'x', 0, 0, 1, 2)).toThrow(/length must be a positive integer, got 0/);
  });
});
