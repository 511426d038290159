/**
 * The PPN update graph (src-main/compute/train/ppn.ts): the cost-sensitive reward against a hand computation (a
 * network whose weights are all zero decides the uniform portfolio, so every term is arithmetic on the prices:
 * the log return net of the cost on the drifted weights the portfolio-vector memory gives, the turnover penalty and
 * the variance penalty, each switched on alone), one update's loss against the float64 recomputation of the whole
 * network (test/helpers/ppn-reference.ts), and the loss gradient the graph feeds Adam against central differences
 * of that recomputation for parameters of both streams and of the decision module.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { initParams, type ParamValues } from '../../src-main/compute/params';
import { tfjsAdam } from '../../src-main/compute/train/adam';
import { adamFeeds, flatten, openGraph, unflatten } from '../../src-main/compute/train/common';
import { buildPpnUpdate, OnnxPpn, type PpnUpdateSettings } from '../../src-main/compute/train/ppn';
import { ppnSpecs, type PpnShape } from '../../src-main/agents/ppn/network';
import { PortfolioVectorMemory } from '../../src-main/agents/eiie/osbl';
import { ppnReferenceLoss } from '../helpers/ppn-reference';

const S: PpnShape = { window: 5, lstmHidden: 3, tccbChannels: [2, 3], tccbKernel: 2, corrFeatures: 3 };
const N = 2;

function zeroParams(): ParamValues {
  return new Map(
    ppnSpecs(S, N).map((sp) => [
      sp.name,
      { shape: [...sp.shape], data: new Float32Array(sp.shape.reduce((a, b) => a * b, 1)) },
    ]),
  );
}

describe('PPN cost-sensitive reward', () => {
  // two periods; the memory starts in cash, period 1 holds the uniform portfolio it decides, drifted by day 2's prices
  const y1 = [1, 1.02, 0.99];
  const y2 = [1, 0.97, 1.05];
  const pvm = new PortfolioVectorMemory(10, 11, N);
  const held1 = pvm.held(10, [1.01, 1.01]); // cash drifts to cash
  pvm.write(10, Float32Array.of(1 / 3, 1 / 3, 1 / 3), 1);
  const held2 = pvm.held(11, y1.slice(1));
  const x = new Float32Array(2 * N * S.window).fill(1);
  const held = Float32Array.of(...held1, ...held2);
  const y = Float32Array.of(...y1, ...y2);
  const c = 0.01;

  // by hand: w = (1/3, 1/3, 1/3) both periods
  //   period 1: held (1, 0, 0): traded 2/3; growth (1 + 1.02 + 0.99) / 3 = 3.01 / 3
  //   period 2: held (1, 1.02, 0.99) / 3.01 (the uniform row drifted): traded |1/3 - 1.02/3.01| + |1/3 - 0.99/3.01|
  //             = (0.05 + 0.04) / 9.03; growth (1 + 0.97 + 1.05) / 3 = 3.02 / 3
  const traded1 = 2 / 3;
  const traded2 = 0.09 / 9.03;
  const r1 = Math.log((1 - c * traded1) * (3.01 / 3));
  const r2 = Math.log((1 - c * traded2) * (3.02 / 3));
  const meanR = (r1 + r2) / 2;
  const variance = ((r1 - r2) / 2) ** 2;

  const step = (turnoverWeight: number, riskWeight: number) => {
    const learner = new OnnxPpn(S, N, { lr: 1e-3, costRate: c, turnoverWeight, riskWeight }, 1, { init: zeroParams() });
    const out = learner.update({ x, held, y }, 2);
    learner.dispose();
    return out;
  };

  it('uses the memory drifted weights as held', () => {
    [1 / 3.01, 1.02 / 3.01, 0.99 / 3.01].forEach((v, i) => expect(held2[i]).toBeCloseTo(v, 7));
  });

  it('is the mean log return net of the cost on the drifted weights', () => {
    const out = step(0, 0);
    for (let i = 0; i < 6; i++) expect(out.w[i]).toBeCloseTo(1 / 3, 6);
    expect(out.reward).toBeCloseTo(meanR, 6);
    expect(out.loss).toBeCloseTo(-meanR, 6);
  });

  it('adds gamma times the mean turnover', () => {
    expect(step(0.5, 0).loss).toBeCloseTo(-meanR + 0.5 * ((traded1 + traded2) / 2), 6);
  });

  it('adds lambda times the variance of the net log returns', () => {
    expect(step(0, 200).loss).toBeCloseTo(-meanR + 200 * variance, 6);
    expect(200 * variance).toBeGreaterThan(1e-3); // the term is visible at this precision
  });
});

describe('PPN update graph', () => {
  const B = 3;
  const settings: PpnUpdateSettings = { lr: 1e-3, costRate: 0.01, turnoverWeight: 0.05, riskWeight: 3 };
  const specs = ppnSpecs(S, N);
  const init = initParams(specs, 4);
  const rng = seedrandom('ppn-update');
  for (const [k, v] of init)
    if (/\/b[ifgo]?$/.test(k) || k === 'ppn/cash') v.data.forEach((_, i) => (v.data[i] = 0.2 * (rng() - 0.5)));
  const x = Float32Array.from({ length: B * N * S.window }, () => 0.9 + 0.2 * rng());
  const held = new Float32Array(B * (N + 1));
  const y = new Float32Array(B * (N + 1));
  for (let b = 0; b < B; b++) {
    const a = 0.5 * rng();
    const d = 0.5 * rng();
    held.set([1 - a - d, a, d], b * (N + 1));
    y.set([1, 0.96 + 0.08 * rng(), 0.96 + 0.08 * rng()], b * (N + 1));
  }
  const lossAt = (p: ParamValues) => ppnReferenceLoss(S, N, B, p, x, held, y, settings);

  it("reports one update's loss as the float64 recomputation does", () => {
    const learner = new OnnxPpn(S, N, settings, 1, { init });
    const res = learner.update({ x, held, y }, B);
    learner.dispose();
    expect(Math.abs(res.loss - lossAt(init))).toBeLessThan(1e-5);
  });

  it('feeds Adam the gradient of that loss (central differences), in both streams and the decision module', () => {
    const built = buildPpnUpdate(S, N, B, settings);
    const session = openGraph(built, {});
    const p0 = flatten(specs, init, 'init');
    const adam = tfjsAdam(settings.lr);
    const out = session.run({
      params: p0,
      adam_m: new Float32Array(p0.length),
      adam_v: new Float32Array(p0.length),
      ...adamFeeds(adam, 1, 1),
      x,
      held,
      y,
    });
    session.dispose();
    // from zero moments, Adam's first moment is (1 - beta1) g
    const grad = Float64Array.from(out.adam_m_next!, (v) => v / (1 - adam.beta1));
    // in each of these parameters, the entry with the largest gradient (so the check is not one of a flat spot)
    const names = [
      'ppn/lstm/l0/W',
      'ppn/tccb0/conv1/taps',
      'ppn/tccb0/res/W',
      'ppn/tccb1/conv2/mix/W',
      'ppn/tccb1/corr/assets',
      'ppn/collapse/W',
      'ppn/vote/W',
      'ppn/cash',
    ];
    const picks: [string, number][] = [];
    let o = 0;
    for (const sp of specs) {
      const size = sp.shape.reduce((a, b) => a * b, 1);
      if (names.includes(sp.name)) {
        let best = o;
        for (let j = o; j < o + size; j++) if (Math.abs(grad[j]!) > Math.abs(grad[best]!)) best = j;
        picks.push([sp.name, best]);
      }
      o += size;
    }
    expect(picks.length).toBe(names.length);
    const h = 1e-3;
    for (const [name, j] of picks) {
      const plus = Float64Array.from(p0);
      const minus = Float64Array.from(p0);
      plus[j]! += h;
      minus[j]! -= h;
      const pp = Float32Array.from(plus);
      const mm = Float32Array.from(minus);
      const fd = (lossAt(unflatten(specs, pp)) - lossAt(unflatten(specs, mm))) / (pp[j]! - mm[j]!);
      expect(Math.abs(fd), name).toBeGreaterThan(1e-5);
      expect(Math.abs(grad[j]! - fd), name).toBeLessThan(1e-3 * Math.abs(fd) + 1e-7);
    }
  });
});
