/**
 * The EIIE update graph (src-main/compute/train/eiie.ts) against a plain-JavaScript recomputation, for each
 * evaluator (CNN, RNN, LSTM; the network in float64 from test/helpers/eiie-reference.ts): the loss it reports is
 * -mean log(mu_t y_t . w_t) + L2 over the evaluator's and the vote's weight matrices with the engine's cost on the
 * drifted weights, its first Adam step moves each parameter by lr g / (|g| + eps) with g the loss's gradient (here
 * by central differences in float64), and the portfolios it returns for the memory are the network's before the step.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { initParams, type ParamValues } from '../../src-main/compute/params';
import { flatten, unflatten } from '../../src-main/compute/train/common';
import { OnnxEiie } from '../../src-main/compute/train/eiie';
import { EIIE_EVALUATORS } from '../../src-main/agents/eiie/config';
import { eiieSpecs, type EiieShape } from '../../src-main/agents/eiie/network';
import { eiieReference } from '../helpers/eiie-reference';

const SHAPE = { window: 4, convMaps: 2, convKernel: 2, features: 3 };
const N = 2;
const B = 3;
const COST = 0.01;
const WD = 0.01;
const LR = 1e-3;

/** The loss of a batch in float64; the L2 covers `decayed`. */
function loss(
  S: EiieShape,
  decayed: readonly string[],
  params: ParamValues,
  x: Float32Array,
  held: Float32Array,
  y: Float32Array,
): number {
  let r = 0;
  for (let b = 0; b < B; b++) {
    const h = held.subarray(b * (N + 1), (b + 1) * (N + 1));
    const w = eiieReference(S, params, x.subarray(b * N * S.window), h.subarray(1), N);
    let traded = 0;
    let growth = 0;
    for (let i = 0; i <= N; i++) {
      growth += w[i]! * y[b * (N + 1) + i]!;
      if (i > 0) traded += Math.abs(w[i]! - h[i]!);
    }
    r += Math.log((1 - COST * traded) * growth);
  }
  let l2 = 0;
  for (const k of decayed) for (const v of params.get(k)!.data) l2 += v * v;
  return -r / B + WD * l2;
}

describe('EIIE update graph', () => {
  it.each(EIIE_EVALUATORS)(
    'reports the loss, returns the pre-step portfolios and takes the Adam step of the loss gradient (%s)',
    (evaluator) => {
      const S: EiieShape = { ...SHAPE, evaluator };
      // written out here, not taken from the code under test: the weight matrices of each evaluator and the vote
      const decayed = {
        cnn: ['eiie/conv1/W', 'eiie/conv2/W'],
        rnn: ['eiie/rnn/W'],
        lstm: ['eiie/lstm/l0/W'],
      }[evaluator].concat('eiie/vote/W');
      const specs = eiieSpecs(S);
      const init = initParams(specs, 4);
      for (const [k, v] of init)
        if (/\/b[ifgo]?$/.test(k) || k === 'eiie/cash') v.data.forEach((_, i) => (v.data[i] = 0.05 * (i + 1)));
      const rng = seedrandom('eiie-update');
      const x = Float32Array.from({ length: B * N * S.window }, () => 0.9 + 0.2 * rng());
      const held = new Float32Array(B * (N + 1));
      const y = new Float32Array(B * (N + 1));
      for (let b = 0; b < B; b++) {
        const a = 0.5 * rng();
        const c = 0.5 * rng();
        held.set([1 - a - c, a, c], b * (N + 1));
        y.set([1, 0.97 + 0.06 * rng(), 0.97 + 0.06 * rng()], b * (N + 1));
      }
      const L = (p: ParamValues) => loss(S, decayed, p, x, held, y);
      const learner = new OnnxEiie(S, N, { lr: LR, weightDecay: WD, costRate: COST }, 1, { init });
      const before = flatten(specs, init, 'init');
      const res = learner.update({ x, held, y }, B);
      const after = learner.vector();
      learner.dispose();

      expect(Math.abs(res.loss - L(init))).toBeLessThan(1e-5);
      for (let b = 0; b < B; b++) {
        const w = eiieReference(
          S,
          init,
          x.subarray(b * N * S.window),
          held.subarray(b * (N + 1) + 1, (b + 1) * (N + 1)),
          N,
        );
        w.forEach((v, i) => expect(Math.abs(res.w[b * (N + 1) + i]! - v)).toBeLessThan(1e-6));
      }

      // central differences of the float64 loss, then Adam's first step: -lr g / (|g| + eps)
      const h = 1e-4;
      let checked = 0;
      for (let j = 0; j < before.length; j++) {
        const plus = Float64Array.from(before);
        const minus = Float64Array.from(before);
        plus[j]! += h;
        minus[j]! -= h;
        const at = (v: Float64Array) => unflatten(specs, Float32Array.from(v));
        // float32 parameters: evaluate at the rounded points and divide by their actual distance
        const pp = Float32Array.from(plus);
        const mm = Float32Array.from(minus);
        const grad = (L(at(plus)) - L(at(minus))) / (pp[j]! - mm[j]!);
        if (Math.abs(grad) < 1e-3) continue; // Adam's sign-like first step is ill-conditioned near g = 0
        checked++;
        const want = -LR * (grad / (Math.abs(grad) + 1e-7));
        expect(Math.abs(after[j]! - before[j]! - want)).toBeLessThan(2e-5);
      }
      expect(checked).toBeGreaterThan(10);
    },
  );
});
