/**
 * HADAPS's networks and its SAC update on the ONNX training engine (compute/train/hadaps.ts, agents/hadaps/network.ts):
 * layer shapes by hand, the class x intra product, batch norm's two forms, the exported policy against the learner's
 * acting graph, the running statistics, reproducibility by seed, and that updates move what they should.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { classLayout } from '../../src-main/agents/hadaps/classes';
import { resolveHadapsConfig, type HadapsConfig } from '../../src-main/agents/hadaps/config';
import {
  actionEntries,
  criticSpecs,
  inferValues,
  policyNets,
  policyStatSpecs,
  policyTrainSpecs,
  type HadapsShape,
} from '../../src-main/agents/hadaps/network';
import { exportHadapsOnnx, HadapsPolicy } from '../../src-main/agents/hadaps/policy';
import type { DdpgBatchArrays } from '../../src-main/agents/learner';
import { initParams } from '../../src-main/compute/params';
import { OnnxHadaps, splitCheckpoint, UniformStream } from '../../src-main/compute/train/hadapsLearner';

// six assets: class A of three, class B of two, class C of one (no intra layer), plus cash
const TICKERS = ['a1', 'b1', 'a2', 'c1', 'a3', 'b2'];
const ASSETS = TICKERS.map((t) => ({ ticker: t, class: t[0]!.toUpperCase(), sector: 'S' }));
const K = 4;

function shape(
  policy: HadapsConfig['policy'] = 'hierarchical',
  over: Partial<HadapsConfig> = {},
): HadapsShape & { cfg: HadapsConfig } {
  const cfg = resolveHadapsConfig('quick', { window: K, hidden: [8, 6], policy, ...over });
  return { n: TICKERS.length, layout: classLayout(TICKERS, ASSETS, 'auto'), cfg };
}

function states(rng: () => number, batch: number) {
  const n = TICKERS.length;
  const p = Float32Array.from({ length: batch * n * K }, () => rng() * 2 - 1);
  const v = Float32Array.from({ length: batch * n * K }, () => rng() - 0.5);
  const wprev = new Float32Array(batch * n);
  for (let b = 0; b < batch; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += wprev[b * n + i] = rng();
    for (let i = 0; i < n; i++) wprev[b * n + i] = (wprev[b * n + i]! / s) * 0.9;
  }
  return { p, v, wprev };
}

function batchOf(rng: () => number, batch: number): DdpgBatchArrays {
  const s = states(rng, batch);
  const s2 = states(rng, batch);
  const a = Float32Array.from(s2.wprev);
  return {
    s,
    s2,
    a,
    r: Float32Array.from({ length: batch }, () => rng() - 0.5),
    done: new Float32Array(batch).fill(0),
  };
}

describe('HADAPS networks', () => {
  it('has an inter-class layer over the classes and cash and one intra layer per class of two or more assets', () => {
    const sh = shape();
    expect(sh.layout.classes.map((c) => [c.name, c.members])).toEqual([
      ['A', [0, 2, 4]],
      ['B', [1, 5]],
      ['C', [3]],
    ]);
    // inter: volatility state of 6 assets x 4 days + 4 class weights held -> 4 (A, B, C, cash)
    // intra A: 3 x 4 prices + 3 weights -> 3; intra B: 2 x 4 + 2 -> 2; C has no layer
    expect(policyNets(sh).map((p) => [p.name, p.inDim, p.outDim])).toEqual([
      ['inter', 28, 4],
      ['intra0', 15, 3],
      ['intra1', 10, 2],
    ]);
    expect(actionEntries(sh)).toBe(9);
    const specs = new Map(policyTrainSpecs(sh).map((s) => [s.name, s.shape]));
    expect(specs.get('inter/l0/W')).toEqual([28, 8]);
    expect(specs.get('inter/l0/bn/gamma')).toEqual([8]);
    expect(specs.get('inter/l1/W')).toEqual([8, 6]);
    expect(specs.get('inter/head/W')).toEqual([6, 4]);
    expect(specs.get('intra1/head/W')).toEqual([6, 2]);
    const q = new Map(criticSpecs(sh).map((s) => [s.name, s.shape]));
    expect(q.get('q/s/l0/W')).toEqual([2 * 6 * 4 + 6, 8]);
    expect(q.get('q/w/l0/W')).toEqual([6, 8]);
    expect(q.get('q/out/W')).toEqual([12, 1]);
    // ablations
    expect(policyNets(shape('flat')).map((p) => [p.name, p.inDim, p.outDim])).toEqual([['flat', 2 * 24 + 7, 7]]);
    expect(policyNets(shape('intra-only')).map((p) => p.name)).toEqual(['intra0', 'intra1']);
    expect(policyNets(shape('inter-only')).map((p) => p.name)).toEqual(['inter']);
  });

  it('folds batch norm into scale = gamma / sqrt(var + eps) and shift = beta - mean x scale', () => {
    const sh = shape();
    const train = initParams(policyTrainSpecs(sh), 1);
    const stats = initParams(policyStatSpecs(sh), 1);
    train.get('inter/l0/bn/gamma')!.data.set([2, 1, 1, 1, 1, 1, 1, 1]);
    train.get('inter/l0/bn/beta')!.data.set([0.5, 0, 0, 0, 0, 0, 0, 0]);
    stats.get('inter/l0/bn/mean')!.data.set([1, 0, 0, 0, 0, 0, 0, 0]);
    stats.get('inter/l0/bn/var')!.data.set([3, 1, 1, 1, 1, 1, 1, 1]);
    const inf = inferValues(sh, train, stats);
    const scale = 2 / Math.sqrt(3 + 1e-5);
    expect(inf.get('inter/l0/bn/scale')!.data[0]).toBeCloseTo(scale, 6);
    expect(inf.get('inter/l0/bn/shift')!.data[0]).toBeCloseTo(0.5 - scale, 6);
    expect(inf.get('inter/l0/W')!.data).toEqual(train.get('inter/l0/W')!.data);
  });
});

describe('HADAPS learner', () => {
  it('decides the class x intra product: class weights from the inter layer, weights inside each class summing to 1', async () => {
    const sh = shape();
    const learner = new OnnxHadaps(sh, sh.cfg, 3, { batchSize: 4 });
    try {
      const rng = seedrandom('x');
      const s = states(rng, 1);
      const w = learner.act(s);
      const onnx = exportHadapsOnnx(sh, learner.actorParams());
      const policy = await HadapsPolicy.open(onnx, sh);
      const out = policy.run(s.p, s.v, s.wprev);
      await policy.dispose();
      // the exported policy decides as the learner's acting graph
      for (let i = 0; i < 6; i++) expect(out.weights[i]).toBeCloseTo(w[i]!, 5);
      const cls = out.classes;
      expect(cls[0]).toBeCloseTo(w[0]! + w[2]! + w[4]!, 6);
      expect(cls[1]).toBeCloseTo(w[1]! + w[5]!, 6);
      expect(cls[2]).toBeCloseTo(w[3]!, 6);
      expect(cls[0]! + cls[1]! + cls[2]! + cls[3]!).toBeCloseTo(1, 6);
      expect(cls[3]).toBeGreaterThan(0);
    } finally {
      learner.dispose();
    }
  });

  it('gives equal class weights in the intra-only ablation and equal weights inside classes in the inter-only one', () => {
    const rng = seedrandom('y');
    const s = states(rng, 1);
    const intra = new OnnxHadaps(shape('intra-only'), shape('intra-only').cfg, 1, { batchSize: 4 });
    const inter = new OnnxHadaps(shape('inter-only'), shape('inter-only').cfg, 1, { batchSize: 4 });
    try {
      const a = intra.act(s);
      expect(a[0]! + a[2]! + a[4]!).toBeCloseTo(0.25, 6);
      expect(a[1]! + a[5]!).toBeCloseTo(0.25, 6);
      expect(a[3]).toBeCloseTo(0.25, 6);
      const b = inter.act(s);
      expect(b[0]).toBeCloseTo(b[2]!, 6);
      expect(b[2]).toBeCloseTo(b[4]!, 6);
      expect(b[1]).toBeCloseTo(b[5]!, 6);
    } finally {
      intra.dispose();
      inter.dispose();
    }
  });

  it('updates the critics, the policy and the running statistics, the same way for the same seed', () => {
    const run = (seed: number) => {
      const sh = shape();
      const l = new OnnxHadaps(sh, sh.cfg, seed, { batchSize: 4 });
      try {
        const before = l.policyState();
        const rng = seedrandom('batches');
        const losses = [1, 2, 3].map(() => l.update(batchOf(rng, 4)));
        const after = l.policyState();
        return { before, after, losses, critic: l.criticParams(), infer: l.actorParams() };
      } finally {
        l.dispose();
      }
    };
    const a = run(5);
    const b = run(5);
    const c = run(6);
    for (const x of a.losses) expect(Number.isFinite(x.criticLoss) && Number.isFinite(x.actorLoss)).toBe(true);
    expect(a.after.train.get('inter/head/W')!.data).toEqual(b.after.train.get('inter/head/W')!.data);
    expect(a.critic.get('q/out/W')!.data).toEqual(b.critic.get('q/out/W')!.data);
    expect(a.after.train.get('inter/head/W')!.data).not.toEqual(c.after.train.get('inter/head/W')!.data);
    expect(a.after.train.get('intra0/l0/W')!.data).not.toEqual(a.before.train.get('intra0/l0/W')!.data);
    // running mean moved from 0 towards the batch means: 1 - 0.9^3 of the way
    const m = a.after.stats.get('inter/l0/bn/mean')!.data;
    expect(m.some((x) => Math.abs(x) > 1e-4)).toBe(true);
    const vr = a.after.stats.get('inter/l0/bn/var')!.data;
    expect(vr.every((x) => x > 0)).toBe(true);
    // the decision-time parameters the learner rewrites in place after each update are inferValues of its state
    const sh = shape();
    const folded = inferValues(sh, a.after.train, a.after.stats);
    const held = splitCheckpoint(a.infer).infer;
    expect([...held.keys()]).toEqual([...folded.keys()]);
    for (const [k, v] of folded) expect(held.get(k)!.data, k).toEqual(v.data);
    expect(folded.get('inter/l0/bn/shift')!.data).not.toEqual(new Float32Array(8));
  });

  it('draws dropout masks as the uniform stream does, draw by draw', () => {
    const loop = new UniformStream('7|hadaps|dropout');
    const fast = new UniformStream('7|hadaps|dropout');
    for (const keep of [0.7, 0.5, 0.9]) {
      const want = Float32Array.from({ length: 1001 }, () => (loop.next() < keep ? 1 / keep : 0));
      const got = new Float32Array(1001);
      fast.fillMask(got, keep, 1 / keep);
      expect(got).toEqual(want);
      expect(got.filter((x) => x === 0).length).toBeGreaterThan(0);
    }
    expect(fast.next()).toBe(loop.next());
  });
});
