/**
 * The graph-attention building block (src-main/agents/networks/gat.ts): attention weights worked out by hand on a
 * three-node graph, the forward pass against a float64 reference written here from the paper's equations (the
 * softmax taken over the neighbours only, no large negative constant), the three implementations of the op
 * vocabulary against each other, the training engine's gradient through the masked softmax against finite
 * differences of the reference, the mask's guarantees, and the refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../../src-main/compute/backend';
import type { Ops } from '../../../src-main/compute/ops';
import { initParams, type ParamValues } from '../../../src-main/compute/params';
import { flatten } from '../../../src-main/compute/train/common';
import {
  GAT_LEAKY_SLOPE,
  gatLayer,
  gatLayerSpecs,
  gatSpecs,
  gatStack,
  gatStackLayers,
  type GatDropout,
  type GatLayerConfig,
  type GatStackConfig,
} from '../../../src-main/agents/networks/gat';
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

// ---------------------------------------------------------------- float64 reference

type P64 = ReadonlyMap<string, ArrayLike<number>>;
const leaky = (v: number) => (v > 0 ? v : GAT_LEAKY_SLOPE * v);

/** What the reference reads besides the parameters: sizes, the adjacency (one [N, N] or [B, N, N]) and masks. */
interface RefGraph {
  B: number;
  N: number;
  adjacency: ArrayLike<number>;
  batchedAdjacency: boolean;
}

/**
 * One layer over h [B, N, F] (flat): per head z = h W_k, e_ij = leaky(a_src . z_i + a_dst . z_j), alpha = softmax
 * over the neighbours j of i (an edge, or j = i), out_i = sum_j alpha_ij z_j; heads joined; residual; layer norm;
 * activation. Gives out [B, N, width] and alpha [B, K, N, N] (flat).
 */
function refLayer(
  p: P64,
  prefix: string,
  cfg: GatLayerConfig,
  G: RefGraph,
  h: ArrayLike<number>,
  drop?: { features?: ArrayLike<number>; attention?: ArrayLike<number> },
) {
  const { B, N } = G;
  const { inDim: F, headDim: Fh, heads: K } = cfg;
  const width = cfg.combine === 'concat' ? K * Fh : Fh;
  const W = p.get(`${prefix}/W`)!;
  const aSrc = p.get(`${prefix}/a_src`)!;
  const aDst = p.get(`${prefix}/a_dst`)!;
  const x = Array.from(h, (v, i) => v * (drop?.features ? drop.features[i]! : 1));
  const edge = (b: number, i: number, j: number) =>
    i === j || G.adjacency[(G.batchedAdjacency ? b * N * N : 0) + i * N + j] === 1;
  const out = new Float64Array(B * N * width);
  const alpha = new Float64Array(B * K * N * N);
  for (let b = 0; b < B; b++) {
    const heads: number[][][] = []; // [K][N][Fh]
    for (let k = 0; k < K; k++) {
      const z = Array.from({ length: N }, (_, i) =>
        Array.from({ length: Fh }, (_, f) => {
          let s = 0;
          for (let r = 0; r < F; r++) s += x[(b * N + i) * F + r]! * W[r * K * Fh + k * Fh + f]!;
          return s;
        }),
      );
      const src = z.map((zi) => zi.reduce((s, v, f) => s + v * aSrc[k * Fh + f]!, 0));
      const dst = z.map((zj) => zj.reduce((s, v, f) => s + v * aDst[k * Fh + f]!, 0));
      heads.push(
        z.map((_, i) => {
          const nb = Array.from({ length: N }, (_, j) => j).filter((j) => edge(b, i, j));
          const e = nb.map((j) => leaky(src[i]! + dst[j]!));
          const top = Math.max(...e);
          const w = e.map((v) => Math.exp(v - top));
          const total = w.reduce((s, v) => s + v, 0);
          const o = new Array<number>(Fh).fill(0);
          nb.forEach((j, n) => {
            const a = w[n]! / total;
            const at = ((b * K + k) * N + i) * N + j;
            alpha[at] = a;
            const used = a * (drop?.attention ? drop.attention[at]! : 1);
            for (let f = 0; f < Fh; f++) o[f] = o[f]! + used * z[j]![f]!;
          });
          return o;
        }),
      );
    }
    for (let i = 0; i < N; i++) {
      let v =
        cfg.combine === 'concat'
          ? heads.flatMap((hk) => hk[i]!)
          : Array.from({ length: Fh }, (_, f) => heads.reduce((s, hk) => s + hk[i]![f]!, 0) / K);
      if (cfg.residual) {
        const xi = x.slice((b * N + i) * F, (b * N + i + 1) * F);
        const R = p.get(`${prefix}/res/W`);
        v = v.map((vo, c) => vo + (R ? xi.reduce((s, xr, r) => s + xr * R[r * width + c]!, 0) : xi[c]!));
      }
      const mean = v.reduce((s, q) => s + q, 0) / width;
      const variance = v.reduce((s, q) => s + (q - mean) ** 2, 0) / width;
      const g = p.get(`${prefix}/ln/g`)!;
      const be = p.get(`${prefix}/ln/b`)!;
      v = v.map((q, c) => ((q - mean) / Math.sqrt(variance + cfg.lnEps)) * g[c]! + be[c]!);
      if (cfg.activation) v = v.map(leaky);
      out.set(v, (b * N + i) * width);
    }
  }
  return { out, alpha };
}

function refStack(p: P64, cfg: GatStackConfig, G: RefGraph, h: ArrayLike<number>, drops: (RefDrop | undefined)[] = []) {
  let x: ArrayLike<number> = h;
  const alphas: Float64Array[] = [];
  gatStackLayers(cfg).forEach((layer, k) => {
    const r = refLayer(p, `gat/l${k}`, layer, G, x, drops[k]);
    x = r.out;
    alphas.push(r.alpha);
  });
  return { out: x, alphas };
}
type RefDrop = { features?: ArrayLike<number>; attention?: ArrayLike<number> };

const asP64 = (p: ParamValues): P64 => new Map([...p].map(([k, v]) => [k, v.data]));

/** A fed dropout mask: each entry 0 with probability `rate`, else 1 / (1 - rate). */
function dropMask(n: number, rate: number, rng: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng() < rate ? 0 : 1 / (1 - rate)));
}

/** A random symmetric 0/1 adjacency [N, N] with a zero diagonal (the layer adds the self loops). */
function randomAdjacency(N: number, rng: () => number, density = 0.5): number[] {
  const a = new Array<number>(N * N).fill(0);
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) if (rng() < density) a[i * N + j] = a[j * N + i] = 1;
  return a;
}

/** The stack as a network under test: inputs h, adj and dropout masks f<k>, a<k>; outputs out and alpha<k>. */
function stackForward(
  cfg: GatStackConfig,
  N: number,
  masked: readonly { features: boolean; attention: boolean }[] = [],
): Forward {
  return <T>(ops: Ops<T>, i: Record<string, T>) => {
    const dropout = masked.length
      ? masked.map((m, k): GatDropout<T> => ({
          ...(m.features ? { features: i[`f${k}`]! } : {}),
          ...(m.attention ? { attention: i[`a${k}`]! } : {}),
        }))
      : undefined;
    const r = gatStack(ops, cfg, 'gat', N, i.h!, i.adj!, dropout);
    return { out: r.out, ...Object.fromEntries(r.attention.map((a, k) => [`alpha${k}`, a])) };
  };
}

// ---------------------------------------------------------------- forward

describe('GAT forward', () => {
  // three nodes, one head, W = I, a_src = (1, 0), a_dst = (0, 1): e_ij = leaky(h_i[0] + h_j[1]);
  // an edge 0 - 1, node 2 alone; the adjacency's diagonal is 0 (the layer adds the self loops)
  const layer: GatLayerConfig = {
    inDim: 2,
    headDim: 2,
    heads: 1,
    combine: 'concat',
    residual: false,
    activation: false,
    lnEps: 1e-5,
  };
  const h = Float32Array.of(1, 0, -1, 2, 0.5, -1);
  const adjacency = Float32Array.of(0, 1, 0, 1, 0, 0, 0, 0, 0);
  const inputs: TestInput[] = [
    { name: 'h', shape: [1, 3, 2], data: h, batched: true },
    { name: 'adj', shape: [3, 3], data: adjacency, batched: false },
  ];
  const f: Forward = <T>(ops: Ops<T>, i: Record<string, T>) => {
    const r = gatLayer(ops, layer, 'g', 3, i.h!, i.adj!);
    return { out: r.out, alpha: r.attention };
  };
  const p = initParams(gatLayerSpecs(layer, 'g'), 1);
  p.get('g/W')!.data.set([1, 0, 0, 1]);
  p.get('g/a_src')!.data.set([1, 0]);
  p.get('g/a_dst')!.data.set([0, 1]);
  p.get('g/ln/g')!.data.set([1.5, 0.5]);
  p.get('g/ln/b')!.data.set([0.1, -0.2]);

  async function allThree(params: ParamValues) {
    return {
      tfjs: runTfjs(tf, params, inputs, f),
      onnx: await runOnnxExport(params, inputs, { out: 3, alpha: 4 }, f),
      engine: runEngineForward(gatLayerSpecs(layer, 'g'), params, inputs, ['out', 'alpha'], f),
    };
  }

  it('by hand: three nodes, one head — the attention weights and the output', async () => {
    // node 0 reads {0, 1}: e00 = leaky(1 + 0) = 1, e01 = leaky(1 + 2) = 3
    // node 1 reads {0, 1}: e10 = leaky(-1 + 0) = -0.2 (the slope below zero), e11 = leaky(-1 + 2) = 1
    // node 2 reads only itself
    const s = (a: number, b: number) => Math.exp(a) / (Math.exp(a) + Math.exp(b));
    const alpha = [s(1, 3), s(3, 1), 0, s(-0.2, 1), s(1, -0.2), 0, 0, 0, 1];
    const want = refLayer(asP64(p), 'g', layer, { B: 1, N: 3, adjacency, batchedAdjacency: false }, h);
    expect(maxAbsDiff(want.alpha, alpha)).toBeLessThan(1e-12);
    // node 2 alone: before the layer norm out = z_2 = (0.5, -1), which it maps to about (1, -1), then gamma, beta
    expect(want.out[4]).toBeCloseTo(1.5 * 1 + 0.1, 4);
    expect(want.out[5]).toBeCloseTo(0.5 * -1 - 0.2, 4);
    for (const [name, got] of Object.entries(await allThree(p))) {
      expect(maxAbsDiff(got.alpha!, alpha), name).toBeLessThan(1e-6);
      expect(maxAbsDiff(got.out!, want.out), name).toBeLessThan(1e-6);
    }
  });

  it('tfjs, the ONNX export and the training engine agree to 1e-5, and with the float64 reference, on a random 3-layer stack with dropout', async () => {
    const N = 5;
    const B = 3;
    // 12 wide: the engine's layer norm takes its LayerNormalization form; the first layer's residual is projected
    const cfg: GatStackConfig = {
      inDim: 3,
      hidden: 12,
      heads: 3,
      layers: 3,
      lastCombine: 'mean',
      residual: true,
      lnEps: 1e-5,
    };
    const rng = seedrandom('gat-agree');
    const p = randomParams(gatSpecs(cfg, 'gat'), 3);
    const adj = Float32Array.from(Array.from({ length: B }, () => randomAdjacency(N, rng)).flat());
    const masked = [
      { features: true, attention: true },
      { features: false, attention: true },
      { features: true, attention: false },
    ];
    const inputs: TestInput[] = [
      { name: 'h', shape: [B, N, 3], data: uniform(B * N * 3, rng, 2), batched: true },
      { name: 'adj', shape: [B, N, N], data: adj, batched: true },
      { name: 'f0', shape: [B, N, 3], data: dropMask(B * N * 3, 0.2, rng), batched: true },
      { name: 'a0', shape: [B, 3, N, N], data: dropMask(B * 3 * N * N, 0.2, rng), batched: true },
      { name: 'a1', shape: [B, 3, N, N], data: dropMask(B * 3 * N * N, 0.2, rng), batched: true },
      { name: 'f2', shape: [B, N, 12], data: dropMask(B * N * 12, 0.2, rng), batched: true },
    ];
    const f = stackForward(cfg, N, masked);
    const ranks = { out: 3, alpha0: 4, alpha1: 4, alpha2: 4 };
    const tfjs = runTfjs(tf, p, inputs, f);
    const onnx = await runOnnxExport(p, inputs, ranks, f);
    const engine = runEngineForward(gatSpecs(cfg, 'gat'), p, inputs, Object.keys(ranks), f);
    const data = (n: string) => inputs.find((i) => i.name === n)!.data;
    const ref = refStack(asP64(p), cfg, { B, N, adjacency: adj, batchedAdjacency: true }, data('h'), [
      { features: data('f0'), attention: data('a0') },
      { attention: data('a1') },
      { features: data('f2') },
    ]);
    expect(tfjs.out!.length).toBe(B * N * 12);
    for (const k of Object.keys(ranks)) {
      expect(maxAbsDiff(onnx[k]!, tfjs[k]!), k).toBeLessThan(1e-5);
      expect(maxAbsDiff(engine[k]!, tfjs[k]!), k).toBeLessThan(1e-5);
    }
    expect(maxAbsDiff(tfjs.out!, ref.out)).toBeLessThan(1e-5);
    ref.alphas.forEach((a, k) => expect(maxAbsDiff(tfjs[`alpha${k}`]!, a)).toBeLessThan(1e-5));
  });

  it('one [N, N] adjacency for the whole batch gives what the same graph repeated per sample gives', () => {
    const N = 4;
    const B = 2;
    const cfg: GatStackConfig = {
      inDim: 2,
      hidden: 4,
      heads: 2,
      layers: 2,
      lastCombine: 'concat',
      residual: false,
      lnEps: 1e-5,
    };
    const rng = seedrandom('gat-shared');
    const p = randomParams(gatSpecs(cfg, 'gat'), 5);
    const adj = randomAdjacency(N, rng);
    const h: TestInput = { name: 'h', shape: [B, N, 2], data: uniform(B * N * 2, rng), batched: true };
    const f = stackForward(cfg, N);
    const shared = runTfjs(tf, p, [h, { name: 'adj', shape: [N, N], data: Float32Array.from(adj), batched: false }], f);
    const repeated = runTfjs(
      tf,
      p,
      [h, { name: 'adj', shape: [B, N, N], data: Float32Array.from([...adj, ...adj]), batched: true }],
      f,
    );
    expect(maxAbsDiff(shared.out!, repeated.out!)).toBe(0);
    const ref = refStack(asP64(p), cfg, { B, N, adjacency: adj, batchedAdjacency: false }, h.data);
    expect(maxAbsDiff(shared.out!, ref.out)).toBeLessThan(1e-5);
  });
});

// ---------------------------------------------------------------- masking

describe('GAT masking', () => {
  const N = 4;
  // edges 0 - 1 and 1 - 2; node 3 has none but itself
  const adj = Float32Array.from([0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const layer: GatLayerConfig = {
    inDim: 3,
    headDim: 2,
    heads: 2,
    combine: 'concat',
    residual: true,
    activation: true,
    lnEps: 1e-5,
  };
  const specs = gatLayerSpecs(layer, 'g');
  const p = randomParams(specs, 11);
  const f: Forward = <T>(ops: Ops<T>, i: Record<string, T>) => {
    const r = gatLayer(ops, layer, 'g', N, i.h!, i.adj!);
    return { out: r.out, alpha: r.attention };
  };
  const run = (h: Float32Array) => {
    const inputs: TestInput[] = [
      { name: 'h', shape: [1, N, 3], data: h, batched: true },
      { name: 'adj', shape: [N, N], data: adj, batched: false },
    ];
    return { tfjs: runTfjs(tf, p, inputs, f), engine: runEngineForward(specs, p, inputs, ['out', 'alpha'], f) };
  };
  const base = uniform(N * 3, seedrandom('gat-mask'));

  it('a node with no edges but itself attends only to itself, in every head', () => {
    for (const got of Object.values(run(base)))
      for (let k = 0; k < 2; k++)
        expect(Array.from(got.alpha!.subarray((k * N + 3) * N, (k * N + 4) * N))).toEqual([0, 0, 0, 1]);
  });

  it("changing a non-neighbour's features, even to values whose scores dwarf the real ones, changes nothing", () => {
    const moved = base.slice();
    moved.set([40, -35, 50], 2 * 3); // node 2: not a neighbour of node 0
    moved.set([-60, 45, 30], 3 * 3); // node 3: nobody's neighbour
    const before = run(base);
    const after = run(moved);
    for (const impl of ['tfjs', 'engine'] as const) {
      const row = (r: Record<string, Float32Array>, i: number) => Array.from(r.out!.subarray(i * 4, (i + 1) * 4));
      expect(row(after[impl], 0), impl).toEqual(row(before[impl], 0));
      // node 1 is node 2's neighbour: it does see the change
      expect(maxAbsDiff(row(after[impl], 1), row(before[impl], 1)), impl).toBeGreaterThan(1e-3);
      // and node 0 still gives no weight to nodes 2 and 3
      for (let k = 0; k < 2; k++)
        expect(Array.from(after[impl].alpha!.subarray(k * N * N + 2, k * N * N + 4))).toEqual([0, 0]);
    }
  });
});

// ---------------------------------------------------------------- gradients

describe('GAT gradients on the training engine', () => {
  it('every parameter of a 2-layer stack, through the masked softmax, matches finite differences of the float64 reference', () => {
    const N = 4;
    const B = 2;
    const cfg: GatStackConfig = {
      inDim: 3,
      hidden: 4,
      heads: 2,
      layers: 2,
      lastCombine: 'mean',
      residual: true,
      lnEps: 1e-5,
    };
    const specs = gatSpecs(cfg, 'gat');
    const p = randomParams(specs, 6);
    const rng = seedrandom('gat-grad');
    // sample 0: a path 0 - 1 - 2 and node 3 alone; sample 1: a star around node 0
    const adj = Float32Array.from(
      [
        [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0],
        [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
      ].flat(),
    );
    const inputs: TestInput[] = [
      { name: 'h', shape: [B, N, 3], data: uniform(B * N * 3, rng, 1.5), batched: true },
      { name: 'adj', shape: [B, N, N], data: adj, batched: true },
    ];
    const R = lossWeights({ out: [B, N, 4], alpha0: [B, 2, N, N] });
    const got = engineGradient(specs, p, inputs, R, stackForward(cfg, N));
    const G = { B, N, adjacency: adj, batchedAdjacency: true };
    const loss = (flat: Float64Array) => {
      const r = refStack(unflatten64(specs, flat), cfg, G, inputs[0]!.data);
      return dot(r.out, R.out!) + dot(r.alphas[0]!, R.alpha0!);
    };
    const flat = Float64Array.from(flatten(specs, p, 'test'));
    const all = Array.from({ length: flat.length }, (_, i) => i);
    const want = finiteDifferences(loss, flat, all);
    // tolerance 1e-5 of the largest entry, as for the LSTM (lstm.test.ts): float32 rounding in the engine,
    // float64 differences in the reference; a wrong rule, or gradient leaking through a masked entry, is far off
    const scale = Math.max(...want.map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    for (let i = 0; i < all.length; i++)
      expect(Math.abs(got[i]! - want[i]!), `parameter ${i}`).toBeLessThan(1e-5 * scale);
    // the attention vectors do get a gradient through the softmax
    const a = specs.findIndex((s) => s.name === 'gat/l0/a_src');
    const o = specs.slice(0, a).reduce((s, sp) => s + sp.shape.reduce((x, y) => x * y, 1), 0);
    expect(Math.max(...Array.from(got.subarray(o, o + 4), Math.abs))).toBeGreaterThan(1e-3);
  });
});

// ---------------------------------------------------------------- specs and refusals

describe('GAT parameters and refusals', () => {
  it('a stack concatenates hidden / heads per head, averages on a mean last layer, and projects a residual only where widths differ', () => {
    const cfg: GatStackConfig = {
      inDim: 5,
      hidden: 8,
      heads: 4,
      layers: 2,
      lastCombine: 'mean',
      residual: true,
      lnEps: 1e-5,
    };
    expect(gatSpecs(cfg, 's').map((s) => [s.name, s.shape])).toEqual([
      ['s/l0/W', [5, 8]],
      ['s/l0/a_src', [4, 2]],
      ['s/l0/a_dst', [4, 2]],
      ['s/l0/res/W', [5, 8]],
      ['s/l0/ln/g', [8]],
      ['s/l0/ln/b', [8]],
      ['s/l1/W', [8, 32]],
      ['s/l1/a_src', [4, 8]],
      ['s/l1/a_dst', [4, 8]],
      ['s/l1/ln/g', [8]],
      ['s/l1/ln/b', [8]],
    ]);
    expect(gatStackLayers(cfg).map((l) => l.activation)).toEqual([true, false]);
  });

  it('refuses shapes it cannot build and the wrong number of dropout entries, saying which', () => {
    const cfg: GatStackConfig = {
      inDim: 3,
      hidden: 6,
      heads: 4,
      layers: 2,
      lastCombine: 'concat',
      residual: false,
      lnEps: 1e-5,
    };
    expect(() => gatSpecs(cfg, 'g')).toThrow(/hidden 6 is not divisible by heads 4/);
    expect(() => gatSpecs({ ...cfg, heads: 0 }, 'g')).toThrow(/heads must be a positive integer, got 0/);
    const ok = { ...cfg, heads: 3 };
    const f: Forward = <T>(ops: Ops<T>, i: Record<string, T>) => ({
      out: gatStack(ops, ok, 'gat', 2, i.h!, i.adj!, [{}]).out,
    });
    const inputs: TestInput[] = [
      { name: 'h', shape: [1, 2, 3], data: new Float32Array(6), batched: true },
      { name: 'adj', shape: [2, 2], data: new Float32Array(4), batched: false },
    ];
    expect(() => runTfjs(tf, randomParams(gatSpecs(ok, 'gat'), 1), inputs, f)).toThrow(
      /2 layers take 2 dropout entries, got 1/,
    );
  });
});
