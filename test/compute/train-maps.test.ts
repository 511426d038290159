/**
 * The MAPS update graph (src-main/compute/train/maps.ts) against a plain-JavaScript recomputation: the diversity term
 * by hand on two agents whose action values are exact opposites over the minibatch, then for three MLP agents
 * written loop by loop in float64 the squared TD error, the diversity term and the loss the graph reports, and its
 * first Adam step, which moves each parameter by lr g / (|g| + eps) with g the loss's gradient by central
 * differences.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { mapsSpecs, type MapsShape } from '../../src-main/agents/maps/network';
import { initParams, type ParamValues } from '../../src-main/compute/params';
import { flatten, unflatten } from '../../src-main/compute/train/common';
import { MAPS_CORRELATION_EPSILON, OnnxMaps } from '../../src-main/compute/train/maps';

const LR = 1e-3;
const LAMBDA = 0.7;
const B = 5;
const SHAPE: MapsShape = { network: 'mlp', agents: 3, window: 4, hidden: 3, convMaps: 1, convKernel: 1 };

const relu = (v: number) => Math.max(0, v);

/** dense layer `prefix` on the vector h, in float64 */
function dense(params: ParamValues, prefix: string, h: number[]): number[] {
  const W = params.get(`${prefix}/W`)!;
  const b = params.get(`${prefix}/b`)!.data;
  const [fanIn, fanOut] = W.shape as [number, number];
  expect(h.length).toBe(fanIn);
  return Array.from({ length: fanOut }, (_, o) => h.reduce((s, v, i) => s + v * W.data[i * fanOut + o]!, b[o]!));
}

/** Q[b][k][a] of the MLP agents, loop by loop. */
function qValues(params: ParamValues, x: Float32Array): number[][][] {
  const n = SHAPE.window;
  return Array.from({ length: B }, (_, b) => {
    const win = Array.from(x.subarray(b * n, (b + 1) * n));
    return Array.from({ length: SHAPE.agents }, (_, k) => {
      const p = `maps/agent${k}/mlp`;
      return dense(params, `${p}/out`, dense(params, `${p}/d2`, dense(params, `${p}/d1`, win).map(relu)).map(relu));
    });
  });
}

/** The diversity term of Q[b][k][a] as the graph defines it: the mean correlation over ordered pairs of agents. */
function diversity(q: number[][][]): number {
  const rows = q.length;
  const K = q[0]!.length;
  const centred = (k: number) => {
    const out: number[] = [];
    for (let a = 0; a < 3; a++) {
      const mean = q.reduce((s, row) => s + row[k]![a]!, 0) / rows;
      for (let b = 0; b < rows; b++) out.push(q[b]![k]![a]! - mean);
    }
    return out;
  };
  const C = Array.from({ length: K }, (_, k) => centred(k));
  const dot = (u: number[], v: number[]) => u.reduce((s, x, i) => s + x * v[i]!, 0);
  let sum = 0;
  for (let j = 0; j < K; j++)
    for (let k = 0; k < K; k++)
      if (j !== k)
        sum +=
          dot(C[j]!, C[k]!) /
          Math.sqrt((dot(C[j]!, C[j]!) + MAPS_CORRELATION_EPSILON) * (dot(C[k]!, C[k]!) + MAPS_CORRELATION_EPSILON));
  return sum / (K * (K - 1));
}

/** Mean squared TD error of Q against the targets y [b][k][a] (flat). */
function td(q: number[][][], y: Float32Array): number {
  let s = 0;
  q.flat(2).forEach((v, i) => (s += (v - y[i]!) ** 2));
  return s / y.length;
}

describe('MAPS update graph', () => {
  it('the diversity term by hand: two agents whose centred values are opposite correlate at -1, equal ones at +1', () => {
    // agent 0: (1, 0, -1) then (3, 0, -3): centred (-1, 0, 1), (1, 0, -1); agent 1 the negative of that pattern
    const opposite = [
      [
        [1, 0, -1],
        [2, 0, -2],
      ],
      [
        [3, 0, -3],
        [0, 0, 0],
      ],
    ];
    // <C0, C1> = -4, |C0|^2 = |C1|^2 = 4
    expect(diversity(opposite)).toBeCloseTo(-4 / (4 + MAPS_CORRELATION_EPSILON), 12);
    const same = opposite.map((row) => [row[0]!, row[0]!.map((v) => 2 * v + 1)]);
    expect(diversity(same)).toBeCloseTo(1, 6);
  });

  it('reports the squared TD error, the diversity term and their weighted sum, and takes the Adam step of its gradient', () => {
    const specs = mapsSpecs(SHAPE);
    const init = initParams(specs, 7);
    // biases away from zero, so every ReLU's kink and every bias gradient is exercised
    for (const [k, v] of init) if (k.endsWith('/b')) v.data.forEach((_, i) => (v.data[i] = 0.05 * (i + 1) - 0.04));
    const rng = seedrandom('maps-update');
    const x = Float32Array.from({ length: B * SHAPE.window }, () => 4 * (rng() - 0.5));
    const target = Float32Array.from({ length: B * SHAPE.agents * 3 }, () => 2 * (rng() - 0.5));
    const loss = (p: ParamValues) => {
      const q = qValues(p, x);
      return td(q, target) + LAMBDA * diversity(q);
    };

    const learner = new OnnxMaps(SHAPE, LR, LAMBDA, 1, { init });
    const before = flatten(specs, init, 'init');
    const got = learner.update({ x, target }, B);
    const after = learner.vector();
    learner.dispose();

    const q0 = qValues(init, x);
    expect(Math.abs(got.td - td(q0, target))).toBeLessThan(1e-5);
    expect(Math.abs(got.diversity - diversity(q0))).toBeLessThan(1e-5);
    expect(Math.abs(got.loss - loss(init))).toBeLessThan(1e-5);
    // a case where the term matters: the agents' values are neither independent nor identical
    expect(Math.abs(got.diversity)).toBeGreaterThan(0.05);

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
      const grad = (loss(at(plus)) - loss(at(minus))) / (pp[j]! - mm[j]!);
      if (Math.abs(grad) < 1e-3) continue; // Adam's sign-like first step is ill-conditioned near g = 0
      checked++;
      const want = -LR * (grad / (Math.abs(grad) + 1e-7));
      expect(Math.abs(after[j]! - before[j]! - want), `parameter ${j}`).toBeLessThan(2e-5);
    }
    expect(checked).toBeGreaterThan(before.length / 3);
  });

  it('the diversity term moves the step: without it (lambda 0) the same minibatch steps differently', () => {
    const specs = mapsSpecs(SHAPE);
    const init = initParams(specs, 9);
    const rng = seedrandom('maps-lambda');
    const x = Float32Array.from({ length: B * SHAPE.window }, () => 4 * (rng() - 0.5));
    const target = Float32Array.from({ length: B * SHAPE.agents * 3 }, () => 2 * (rng() - 0.5));
    const step = (lambda: number) => {
      const l = new OnnxMaps(SHAPE, LR, lambda, 1, { init });
      const out = l.update({ x, target }, B);
      const v = l.vector();
      l.dispose();
      return { out, v };
    };
    const a = step(0);
    const b = step(LAMBDA);
    expect(a.out.loss).toBeCloseTo(a.out.td, 6);
    expect(b.out.loss).toBeCloseTo(b.out.td + LAMBDA * b.out.diversity, 5);
    expect(Array.from(a.v)).not.toEqual(Array.from(b.v));
  });
});
