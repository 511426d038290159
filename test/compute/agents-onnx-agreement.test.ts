/**
 * The same network definition run by tfjs (TfOps) and by ONNX Runtime (OnnxOps export) gives the same numbers
 * to 1e-5 on random inputs, for every network and the full policy graphs (docs/architecture.md "Compute").
 */
import { describe, expect, it, beforeAll } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../src-main/compute/backend';
import { TfOps } from '../../src-main/compute/ops';
import { initParams, type ParamSpec, type ParamValues } from '../../src-main/compute/params';
import { upperForward, upperSpecs, type UpperNetConfig } from '../../src-main/agents/networks/upper';
import { lowerForward, lowerSpecs, type LowerNetConfig } from '../../src-main/agents/networks/lower';
import { criticForward, criticSpecs } from '../../src-main/agents/networks/critic';
import { buildOnnxModel } from '../../src-main/compute/onnx/emitter';
import { OnnxModel, type FloatTensor } from '../../src-main/compute/onnx/runtime';
import { resolveSampConfig } from '../../src-main/agents/samp/config';
import {
  exportPolicyOnnx,
  flatPolicy,
  lowerPolicy,
  sampNets,
  sampSpecs,
  upperPolicy,
} from '../../src-main/agents/samp/policy';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

const N = 7;
const L = 12;
const upperCfg: UpperNetConfig = { window: L, dModel: 12, heads: 3, layers: 2, ffHidden: 20, lnEps: 1e-5 };
const lowerCfg: LowerNetConfig = {
  window: L,
  channels: 6,
  blocks: 2,
  kernel: 9,
  smallKernel: 3,
  sparseTaps: 3,
  sparseDilation: 4,
  headHidden: 10,
  embedDim: 12,
  conditioning: 'film',
  lnEps: 1e-5,
};

function randn(n: number, rng: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
}

/** Perturb initialised parameters so zero-initialised biases and unit gains are exercised too. */
function randomParams(specs: ParamSpec[], seed: number): ParamValues {
  const p = initParams(specs, seed);
  const rng = seedrandom(`perturb${seed}`);
  for (const v of p.values()) for (let i = 0; i < v.data.length; i++) v.data[i] = v.data[i]! + (rng() - 0.5) * 0.2;
  return p;
}

function tfOps(p: ParamValues): TfOps {
  return new TfOps(tf, new Map([...p].map(([k, v]) => [k, tf.tensor(v.data, v.shape)])));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function compare(
  bytes: Uint8Array,
  feeds: Record<string, FloatTensor>,
  expected: Record<string, Float32Array>,
): Promise<void> {
  const model = await OnnxModel.create(bytes);
  try {
    const got = model.runSync(feeds);
    const gotAsync = await model.run(feeds);
    for (const [name, want] of Object.entries(expected)) {
      expect(maxAbsDiff(got[name]!.data, want)).toBeLessThan(1e-5);
      expect(Array.from(gotAsync[name]!.data)).toEqual(Array.from(got[name]!.data));
    }
  } finally {
    await model.dispose();
  }
}

describe('tfjs and ONNX Runtime agree to 1e-5', () => {
  it('upper agent (Transformer over assets): logits and embedding', async () => {
    const p = randomParams(upperSpecs(upperCfg), 3);
    const rng = seedrandom('x-upper');
    for (const B of [1, 5]) {
      const x = randn(B * N * L, rng);
      const ops = tfOps(p);
      const u = upperForward(ops, upperCfg, N, tf.tensor(x, [B, N, L]));
      const bytes = buildOnnxModel({
        graphName: 'upper',
        params: p,
        inputs: [{ name: 'x', dims: ['batch', N, L] }],
        outputs: [
          { name: 'logits', dims: ['batch', N] },
          { name: 'embedding', dims: ['batch', upperCfg.dModel] },
        ],
        build: (o, i) => {
          const r = upperForward(o, upperCfg, N, i.x!);
          return { logits: r.logits, embedding: r.embedding };
        },
      });
      await compare(
        bytes,
        { x: { data: x, dims: [B, N, L] } },
        { logits: u.logits.dataSync() as Float32Array, embedding: u.embedding.dataSync() as Float32Array },
      );
    }
  });

  it('lower agent (SLaK CNN) with FiLM conditioning and unconditioned', async () => {
    for (const conditioning of ['film', 'none'] as const) {
      const cfg = { ...lowerCfg, conditioning };
      const p = randomParams(lowerSpecs(cfg, 'lo'), 5);
      const rng = seedrandom(`x-lower-${conditioning}`);
      const B = 3;
      const x = randn(B * N * L, rng);
      const e = randn(B * 12, rng);
      const ops = tfOps(p);
      const y = lowerForward(ops, cfg, N, tf.tensor(x, [B, N, L]), tf.tensor(e, [B, 12]), 'lo');
      const bytes = buildOnnxModel({
        graphName: 'lower',
        params: p,
        inputs: [
          { name: 'x', dims: ['batch', N, L] },
          ...(conditioning === 'film' ? [{ name: 'e', dims: ['batch', 12] }] : []),
        ],
        outputs: [{ name: 'logits', dims: ['batch', N] }],
        build: (o, i) => ({ logits: lowerForward(o, cfg, N, i.x!, conditioning === 'film' ? i.e! : null, 'lo') }),
      });
      const feeds: Record<string, FloatTensor> = { x: { data: x, dims: [B, N, L] } };
      if (conditioning === 'film') feeds.e = { data: e, dims: [B, 12] };
      await compare(bytes, feeds, { logits: y.dataSync() as Float32Array });
    }
  });

  it('critic Q(s, a, w_prev)', async () => {
    const cfg = { window: L, hidden: 9 };
    const p = randomParams(criticSpecs(cfg), 8);
    const rng = seedrandom('x-critic');
    const B = 4;
    const x = randn(B * N * L, rng);
    const a = Float32Array.from({ length: B * N }, () => rng() / N);
    const w = Float32Array.from({ length: B * N }, () => rng() / N);
    const q = criticForward(tfOps(p), cfg, N, tf.tensor(x, [B, N, L]), tf.tensor(a, [B, N]), tf.tensor(w, [B, N]));
    const bytes = buildOnnxModel({
      graphName: 'critic',
      params: p,
      inputs: [
        { name: 'x', dims: ['batch', N, L] },
        { name: 'a', dims: ['batch', N] },
        { name: 'w', dims: ['batch', N] },
      ],
      outputs: [{ name: 'q', dims: ['batch', 1] }],
      build: (o, i) => ({ q: criticForward(o, cfg, N, i.x!, i.a!, i.w!) }),
    });
    await compare(
      bytes,
      { x: { data: x, dims: [B, N, L] }, a: { data: a, dims: [B, N] }, w: { data: w, dims: [B, N] } },
      { q: q.dataSync() as Float32Array },
    );
  });

  it('exported SAMP-HDRL policy graphs (hierarchical, upper-only, flat) match the tfjs policy', async () => {
    const cfg = resolveSampConfig('quick', {
      window: L,
      upper: { dModel: 8, heads: 2 },
      lower: { channels: 4, kernel: 9, sparseDilation: 4 },
    });
    const nets = sampNets(cfg);
    const specs = sampSpecs(nets);
    const p = randomParams([...specs.upper, ...specs.lower, ...specs.flat], 11);
    const rng = seedrandom('x-policy');
    const B = 2;
    const x = randn(B * N * L, rng);
    const m2 = Float32Array.from({ length: B * N }, (_, k) => (k % 3 === 0 ? 1 : 0));
    const m1 = m2.map((v) => 1 - v);
    const ops = tfOps(p);
    const xt = tf.tensor(x, [B, N, L]);
    // the drifted weights the holdings-aware actors read (config.ts holdingsInput)
    const wprev = Float32Array.from({ length: B * N }, () => rng() / N);
    const wt = tf.tensor(wprev, [B, N]);
    const u = upperPolicy(ops, nets, N, xt, wt);
    const l = lowerPolicy(ops, nets, N, xt, wt, u.embedding, tf.tensor(m1, [B, N]), tf.tensor(m2, [B, N]));
    const xf = { data: x, dims: [B, N, L] };
    const wf = { data: wprev, dims: [B, N] };
    await compare(
      exportPolicyOnnx('hierarchical', nets, N, p),
      { x: xf, wprev: wf, m1: { data: m1, dims: [B, N] }, m2: { data: m2, dims: [B, N] } },
      {
        w0: u.w0.dataSync() as Float32Array,
        embedding: u.embedding.dataSync() as Float32Array,
        w1: l.w1.dataSync() as Float32Array,
        w2: l.w2.dataSync() as Float32Array,
      },
    );
    await compare(
      exportPolicyOnnx('upper-only', nets, N, p),
      { x: xf, wprev: wf },
      { w0: u.w0.dataSync() as Float32Array },
    );
    await compare(
      exportPolicyOnnx('flat', nets, N, p),
      { x: xf, wprev: wf },
      { w: flatPolicy(ops, nets, N, xt, wt).dataSync() as Float32Array },
    );
  });
});
