/**
 * The forecaster of MPLS's volatility module (src-main/compute/train/mplsVolatility.ts): its forward pass against a
 * float64 reference written here from the file's equations (LSTM layers, a mask per layer's output, the passes made
 * by the first mask, pass-major rows, a linear head); the exported ONNX forecaster, the training engine's forward
 * and tfjs against each other to 1e-5; and the update graph's loss and first Adam step.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../src-main/compute/backend';
import { OnnxModel } from '../../src-main/compute/onnx/runtime';
import type { ParamValues } from '../../src-main/compute/params';
import { flatten, openGraph } from '../../src-main/compute/train/common';
import {
  buildVolatilityForward,
  dropName,
  exportVolatilityOnnx,
  OnnxVolatilityRegressor,
  volatilityForward,
  volatilitySpecs,
  type VolatilityNetShape,
} from '../../src-main/compute/train/mplsVolatility';
import { maxAbsDiff, randomParams, runTfjs, uniform, type TestInput } from '../agents/networks/helpers';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** One LSTM layer over one sequence seq [L][n] from the zero state (gates i, f, g, o): every step's h. */
function refLayer(p: ParamValues, prefix: string, seq: number[][], H: number): number[][] {
  const W = p.get(`${prefix}/W`)!.data;
  const bias = ['bi', 'bf', 'bg', 'bo'].flatMap((k) => Array.from(p.get(`${prefix}/${k}`)!.data));
  let h = new Array<number>(H).fill(0);
  let c = new Array<number>(H).fill(0);
  const out: number[][] = [];
  for (const xt of seq) {
    const v = [...xt, ...h];
    const z = bias.map((bj, j) => v.reduce((s, vr, r) => s + vr * W[r * 4 * H + j]!, bj));
    c = c.map((cu, u) => sigmoid(z[H + u]!) * cu + sigmoid(z[u]!) * Math.tanh(z[2 * H + u]!));
    h = c.map((cu, u) => sigmoid(z[3 * H + u]!) * Math.tanh(cu));
    out.push(h);
  }
  return out;
}

/**
 * The forecaster in float64: for pass p and window r, layer k's output times mask k [p, r] (the same at every
 * step), the last layer's final state times its mask, then the head. Rows pass-major. Without masks: one pass.
 */
function refForward(
  s: VolatilityNetShape,
  p: ParamValues,
  x: Float32Array,
  R: number,
  masks?: Float32Array[],
  P = 1,
): number[] {
  const { window: L, features: F, hidden: H } = s;
  const Wh = p.get('mplsvol/head/W')!.data;
  const bh = p.get('mplsvol/head/b')!.data[0]!;
  const out: number[] = [];
  for (let pass = 0; pass < P; pass++)
    for (let r = 0; r < R; r++) {
      const mask = (k: number) =>
        masks ? Array.from(masks[k]!.subarray((pass * R + r) * H, (pass * R + r + 1) * H)) : new Array(H).fill(1);
      let seq = Array.from({ length: L }, (_, t) => Array.from(x.subarray((r * L + t) * F, (r * L + t + 1) * F)));
      for (let k = 0; k < s.layers; k++) {
        const m = mask(k);
        seq = refLayer(p, `mplsvol/lstm/l${k}`, seq, H).map((h) => h.map((v, u) => v * m[u]!));
      }
      out.push(seq[L - 1]!.reduce((a, v, u) => a + v * Wh[u]!, bh));
    }
  return out;
}

/** A fed dropout mask of n units: 0 with probability `rate`, else 1 / (1 - rate). */
function dropMask(n: number, rate: number, rng: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng() < rate ? 0 : 1 / (1 - rate)));
}

describe('volatility forecaster forward', () => {
  for (const layers of [2, 1]) {
    it(`${layers} layer(s): the float64 reference, tfjs, the training engine and the exported ONNX model agree (1e-5), passes pass-major`, async () => {
      const s: VolatilityNetShape = { window: 6, features: 2, hidden: 5, layers };
      const R = 3;
      const P = 4;
      const rng = seedrandom(`mplsvol-agree-${layers}`);
      const p = randomParams(volatilitySpecs(s), 11);
      const x = uniform(R * s.window * s.features, rng, 2);
      const masks = Array.from({ length: layers }, () => dropMask(P * R * s.hidden, 0.3, rng));
      // pass 0 all ones: the deterministic network
      for (const m of masks) m.fill(1, 0, R * s.hidden);
      const want = refForward(s, p, x, R, masks, P);

      const inputs: TestInput[] = [
        { name: 'x', shape: [R, s.window, s.features], data: x, batched: true },
        ...masks.map((m, k) => ({ name: dropName(k), shape: [P, R, 1, s.hidden], data: m, batched: true })),
      ];
      const tfjs = runTfjs(tf, p, inputs, (ops, i) => ({
        y: volatilityForward(
          ops,
          s,
          i.x!,
          masks.map((_, k) => i[dropName(k)]!),
        ),
      })).y!;

      const engine = openGraph(buildVolatilityForward(s, R, P), {});
      const eng = engine.run({
        params: flatten(volatilitySpecs(s), p, 'test'),
        x,
        ...Object.fromEntries(masks.map((m, k) => [dropName(k), m])),
      }).y!;
      const plain = openGraph(buildVolatilityForward(s, R), {}).run({
        params: flatten(volatilitySpecs(s), p, 'test'),
        x,
      }).y!;
      engine.dispose();

      const model = await OnnxModel.create(exportVolatilityOnnx(s, p));
      let onnx: Float32Array;
      try {
        onnx = model.runSync({
          x: { data: x, dims: [R, s.window, s.features] },
          ...Object.fromEntries(masks.map((m, k) => [dropName(k), { data: m, dims: [P, R, 1, s.hidden] }])),
        }).logvol!.data;
      } finally {
        await model.dispose();
      }

      expect(maxAbsDiff(tfjs, want)).toBeLessThan(1e-5);
      expect(maxAbsDiff(eng, tfjs)).toBeLessThan(1e-5);
      expect(maxAbsDiff(onnx, tfjs)).toBeLessThan(1e-5);
      // the maskless forward is pass 0 (all-ones masks) ...
      expect(maxAbsDiff(plain, want.slice(0, R))).toBeLessThan(1e-5);
      // ... and the masks reach the output: the other passes differ from it
      for (let pass = 1; pass < P; pass++)
        expect(maxAbsDiff(want.slice(pass * R, (pass + 1) * R), want.slice(0, R))).toBeGreaterThan(1e-3);
    });
  }

  it('refuses a wrong number of masks, naming both counts', () => {
    const s: VolatilityNetShape = { window: 3, features: 2, hidden: 2, layers: 2 };
    expect(() =>
      runTfjs(tf, randomParams(volatilitySpecs(s), 1), [], (ops) => ({
        y: volatilityForward(ops, s, ops.constant('x', new Float32Array(12), [2, 3, 2]), [
          ops.constant('m', new Float32Array(4), [1, 2, 1, 2]),
        ]),
      })),
    ).toThrow(/2 layers take 2 dropout masks, got 1/);
  });
});

describe('volatility forecaster update', () => {
  it('reports the masked minibatch MSE before its step; the first Adam step moves each parameter by lr against its gradient and lowers that MSE', () => {
    const s: VolatilityNetShape = { window: 5, features: 2, hidden: 4, layers: 2 };
    const B = 6;
    const lr = 1e-3;
    const rng = seedrandom('mplsvol-update');
    const x = uniform(B * s.window * s.features, rng, 1.5);
    const y = uniform(B, rng, 1);
    const drops = [dropMask(B * s.hidden, 0.3, rng), dropMask(B * s.hidden, 0.3, rng)];
    const learner = new OnnxVolatilityRegressor(s, lr, 0, 3);
    try {
      const p0 = learner.params();
      const mse = (p: ParamValues) => refForward(s, p, x, B, drops).reduce((a, v, b) => a + (v - y[b]!) ** 2, 0) / B;
      const before = mse(p0);
      const loss = learner.update({ x, y, drops }, B);
      expect(Math.abs(loss - before)).toBeLessThan(1e-5 * Math.max(1, before));
      const p1 = learner.params();
      // Adam's first step is lr g / (|g| + eps): about lr for every parameter with a gradient
      let moved = 0;
      for (const [name, v] of p0)
        v.data.forEach((a, i) => {
          const d = Math.abs(p1.get(name)!.data[i]! - a);
          expect(d).toBeLessThan(lr * 1.001);
          if (d > 0.9 * lr) moved++;
        });
      expect(moved).toBeGreaterThan(0.9 * flatten(volatilitySpecs(s), p0, 'p0').length);
      expect(mse(p1)).toBeLessThan(before);
      expect(learner.steps).toBe(1);
    } finally {
      learner.dispose();
    }
  });

  it('predict gives the deterministic forward of the current parameters', () => {
    const s: VolatilityNetShape = { window: 4, features: 2, hidden: 3, layers: 2 };
    const learner = new OnnxVolatilityRegressor(s, 1e-3, 1, 5);
    try {
      const x = uniform(7 * 4 * 2, seedrandom('mplsvol-predict'), 1);
      expect(maxAbsDiff(learner.predict(x, 7), refForward(s, learner.params(), x, 7))).toBeLessThan(1e-5);
    } finally {
      learner.dispose();
    }
  });
});
