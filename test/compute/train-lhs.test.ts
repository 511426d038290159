/**
 * The Long/Hold/Short classifier update graph (src-main/compute/train/lhs.ts) against a plain-JavaScript
 * recomputation, for the MLP and the CNN: the loss it reports is the class-weighted cross-entropy of the network's
 * softmax (the network written loop by loop in float64 here, the convolution as a valid cross-correlation), and
 * its first Adam step moves each parameter by lr g / (|g| + eps) with g the loss's gradient by central differences.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { initParams, type ParamValues } from '../../src-main/compute/params';
import { flatten, unflatten } from '../../src-main/compute/train/common';
import { OnnxLhs } from '../../src-main/compute/train/lhs';
import { lhsConvWidth, lhsSpecs, type LhsShape } from '../../src-main/agents/lhs/network';

const LR = 1e-3;
const B = 5;
const SHAPES: LhsShape[] = [
  { model: 'mlp', window: 4, hidden: 3, convMaps: 2, convKernel: 2 },
  { model: 'cnn', window: 5, hidden: 3, convMaps: 2, convKernel: 3 },
];

const relu = (v: number) => Math.max(0, v);

/** dense layer `prefix` on the vector h, in float64 */
function dense(params: ParamValues, prefix: string, h: number[]): number[] {
  const W = params.get(`${prefix}/W`)!;
  const b = params.get(`${prefix}/b`)!.data;
  const [fanIn, fanOut] = W.shape as [number, number];
  expect(h.length).toBe(fanIn);
  return Array.from({ length: fanOut }, (_, o) => h.reduce((s, v, i) => s + v * W.data[i * fanOut + o]!, b[o]!));
}

/** The class probabilities of one window, loop by loop. */
function probabilities(s: LhsShape, params: ParamValues, x: ArrayLike<number>): number[] {
  const win = Array.from({ length: s.window }, (_, j) => x[j]!);
  let logits: number[];
  if (s.model === 'mlp') {
    const h1 = dense(params, 'lhs/mlp/d1', win).map(relu);
    const h2 = dense(params, 'lhs/mlp/d2', h1).map(relu);
    logits = dense(params, 'lhs/mlp/out', h2);
  } else {
    const W = params.get('lhs/cnn/conv/W')!.data;
    const b = params.get('lhs/cnn/conv/b')!.data;
    const maps: number[] = []; // [t * convMaps + c]
    for (let t = 0; t < lhsConvWidth(s); t++)
      for (let c = 0; c < s.convMaps; c++) {
        let v = b[c]!;
        for (let k = 0; k < s.convKernel; k++) v += win[t + k]! * W[k * s.convMaps + c]!;
        maps.push(relu(v));
      }
    logits = dense(params, 'lhs/cnn/out', dense(params, 'lhs/cnn/d1', maps).map(relu));
  }
  const e = logits.map((v) => Math.exp(v));
  const z = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / z);
}

/** -sum_b weight_b log p_b,y_b */
function loss(s: LhsShape, params: ParamValues, x: Float32Array, y: number[], weight: Float32Array): number {
  let l = 0;
  for (let b = 0; b < B; b++) {
    const p = probabilities(s, params, x.subarray(b * s.window, (b + 1) * s.window));
    l -= weight[b]! * Math.log(p[y[b]!]! + 1e-12);
  }
  return l;
}

describe('Long/Hold/Short classifier update graph', () => {
  for (const s of SHAPES)
    it(`${s.model}: reports the weighted cross-entropy and takes the Adam step of its gradient`, () => {
      const specs = lhsSpecs(s);
      const init = initParams(specs, 7);
      // biases away from zero, so every ReLU's kink and every bias gradient is exercised
      for (const [k, v] of init) if (k.endsWith('/b')) v.data.forEach((_, i) => (v.data[i] = 0.05 * (i + 1) - 0.04));
      const rng = seedrandom(`lhs-update-${s.model}`);
      const x = Float32Array.from({ length: B * s.window }, () => 4 * (rng() - 0.5));
      const y = [0, 1, 2, 1, 0];
      const target = new Float32Array(B * 3);
      y.forEach((c, b) => (target[b * 3 + c] = 1));
      const raw = [2, 0.5, 3, 0.5, 2];
      const weight = Float32Array.from(raw, (v) => v / raw.reduce((a, u) => a + u, 0));

      const learner = new OnnxLhs(s, LR, 1, { init });
      const before = flatten(specs, init, 'init');
      const got = learner.update({ x, target, weight }, B);
      const after = learner.vector();
      learner.dispose();

      expect(Math.abs(got - loss(s, init, x, y, weight))).toBeLessThan(1e-5);

      const h = 1e-3;
      let checked = 0;
      for (let j = 0; j < before.length; j++) {
        const plus = Float64Array.from(before);
        const minus = Float64Array.from(before);
        plus[j]! += h;
        minus[j]! -= h;
        const at = (v: Float64Array) => unflatten(specs, Float32Array.from(v));
        const pp = Float32Array.from(plus);
        const mm = Float32Array.from(minus);
        const grad = (loss(s, at(plus), x, y, weight) - loss(s, at(minus), x, y, weight)) / (pp[j]! - mm[j]!);
        if (Math.abs(grad) < 1e-3) continue; // Adam's sign-like first step is ill-conditioned near g = 0
        checked++;
        const want = -LR * (grad / (Math.abs(grad) + 1e-7));
        expect(Math.abs(after[j]! - before[j]! - want), `parameter ${j}`).toBeLessThan(2e-5);
      }
      expect(checked).toBeGreaterThan(before.length / 3);
    });
});
