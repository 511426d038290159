/**
 * MPLS's graph network on the ONNX training engine (src-main/compute/train/mplsGraph.ts): at the issue's shape
 * (4 layers, 64 wide, 4 heads) the engine's forward graph, the exported ONNX model in ONNX Runtime and TensorFlow.js
 * give the same scores, embeddings and attention to 1e-5; the update reports the MSE of the forward pass and takes
 * the Adam step of that loss's gradient (signs from central differences of the forward graph); the dropout masks
 * have the rate and values of inverted dropout, reach the graph, and follow the seed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../src-main/compute/backend';
import { OnnxModel } from '../../src-main/compute/onnx/runtime';
import { initParams } from '../../src-main/compute/params';
import { flatten, unflatten } from '../../src-main/compute/train/common';
import {
  dropoutMasks,
  dropoutMaskShapes,
  exportGraphNetOnnx,
  graphNetForward,
  graphNetSpecs,
  GraphNetRunner,
  OnnxGraphNet,
  type GraphNetShape,
} from '../../src-main/compute/train/mplsGraph';
import { maxAbsDiff, randomParams, runTfjs, uniform } from '../agents/networks/helpers';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

const ISSUE: GraphNetShape = { nodes: 7, inDim: 6, layers: 4, hidden: 64, heads: 4, embedWidth: 8, lnEps: 1e-5 };
const SMALL: GraphNetShape = { nodes: 5, inDim: 3, layers: 2, hidden: 8, heads: 2, embedWidth: 3, lnEps: 1e-5 };

/** A random symmetric 0/1 adjacency per sample with an empty diagonal (the GAT adds the self loops). */
function adjacencies(B: number, N: number, rng: () => number): Float32Array {
  const a = new Float32Array(B * N * N);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < N; i++)
      for (let j = i + 1; j < N; j++) {
        const e = rng() < 0.5 ? 1 : 0;
        a[b * N * N + i * N + j] = e;
        a[b * N * N + j * N + i] = e;
      }
  return a;
}

describe('MPLS graph network', () => {
  it('forward graph, exported ONNX model and tfjs agree to 1e-5 at the issue shape', async () => {
    const B = 3;
    const { nodes: N, inDim: F } = ISSUE;
    const rng = seedrandom('mpls-graph-parity');
    const params = randomParams(graphNetSpecs(ISSUE), 3, 0.2);
    const x = uniform(B * N * F, rng, 2);
    const adj = adjacencies(B, N, rng);

    const runner = new GraphNetRunner(ISSUE);
    const engine = runner.run(flatten(graphNetSpecs(ISSUE), params, 'test'), x, adj, B);
    runner.dispose();
    const model = await OnnxModel.create(exportGraphNetOnnx(ISSUE, params));
    const onnx = model.runSync({ x: { data: x, dims: [B, N, F] }, adjacency: { data: adj, dims: [B, N, N] } });
    await model.dispose();
    const tfjs = runTfjs(
      tf,
      params,
      [
        { name: 'x', shape: [B, N, F], data: x, batched: true },
        { name: 'adjacency', shape: [B, N, N], data: adj, batched: true },
      ],
      (ops, i) => {
        const o = graphNetForward(ops, ISSUE, i.x!, i.adjacency!);
        return { score: o.score, embed: o.embed, attention: o.attention };
      },
    );
    for (const k of ['score', 'embed', 'attention'] as const) {
      expect(maxAbsDiff(engine[k], onnx[k]!.data), `${k} engine vs onnx`).toBeLessThan(1e-5);
      expect(maxAbsDiff(engine[k], tfjs[k]!), `${k} engine vs tfjs`).toBeLessThan(1e-5);
    }
    expect(engine.score.length).toBe(B * N);
    expect(engine.embed.length).toBe(B * N * ISSUE.embedWidth);
    expect(engine.attention.length).toBe(B * ISSUE.heads * N * N);
    // the scores are not trivially equal, so the comparison says something
    expect(Math.max(...engine.score) - Math.min(...engine.score)).toBeGreaterThan(0.1);
    // attention rows sum to 1 and are 0 off the graph (plus self loops)
    for (let b = 0; b < B; b++)
      for (let h = 0; h < ISSUE.heads; h++)
        for (let i = 0; i < N; i++) {
          let s = 0;
          for (let j = 0; j < N; j++) {
            const a = engine.attention[((b * ISSUE.heads + h) * N + i) * N + j]!;
            if (i !== j && adj[b * N * N + i * N + j] === 0) expect(a).toBe(0);
            s += a;
          }
          expect(s).toBeCloseTo(1, 5);
        }
  });

  it('the update reports the forward MSE and steps each parameter by lr against its gradient', () => {
    const B = 4;
    const { nodes: N, inDim: F } = SMALL;
    const lr = 1e-3;
    const rng = seedrandom('mpls-graph-update');
    const specs = graphNetSpecs(SMALL);
    const init = randomParams(specs, 5, 0.2);
    const x = uniform(B * N * F, rng, 2);
    const adjacency = adjacencies(B, N, rng);
    const target = uniform(B * N, rng, 1.5);
    const runner = new GraphNetRunner(SMALL);
    const mse = (p: Float32Array) => {
      const s = runner.run(p, x, adjacency, B).score;
      let q = 0;
      for (let i = 0; i < s.length; i++) q += (s[i]! - target[i]!) ** 2;
      return q / s.length;
    };
    const learner = new OnnxGraphNet(SMALL, { lr, clip: 0, dropout: 0 }, 1, { init });
    const before = flatten(specs, init, 'init');
    const loss = learner.update({ x, adjacency, target }, B);
    const after = learner.vector();
    learner.dispose();
    expect(Math.abs(loss - mse(before))).toBeLessThan(1e-6);

    // Adam's first step is -lr g / (|g| + 1e-7): -lr sign(g) wherever |g| is well above float32 noise
    let checked = 0;
    const h = 1e-2;
    for (let j = 0; j < before.length; j++) {
      const up = before.slice();
      const down = before.slice();
      up[j] = before[j]! + h;
      down[j] = before[j]! - h;
      const g = (mse(up) - mse(down)) / (up[j]! - down[j]!);
      if (Math.abs(g) < 1e-2) continue;
      checked++;
      expect(Math.abs(after[j]! - before[j]! + lr * Math.sign(g)), `parameter ${j}`).toBeLessThan(2e-6);
    }
    runner.dispose();
    expect(checked).toBeGreaterThan(before.length / 3);
  });

  it('dropout masks: inverted dropout at the rate, per layer, reaching the graph, following the seed', () => {
    const B = 4;
    const { nodes: N, inDim: F } = SMALL;
    const shapes = dropoutMaskShapes(SMALL, B);
    expect(shapes).toEqual([
      { features: [B, N, F], attention: [B, 2, N, N] },
      { features: [B, N, 8], attention: [B, 2, N, N] },
    ]);
    const masks = dropoutMasks(SMALL, 64, 0.2, seedrandom.alea('m'));
    expect(Object.keys(masks)).toEqual(['drop_x0', 'drop_a0', 'drop_x1', 'drop_a1']);
    const all = Object.values(masks).flatMap((m) => Array.from(m));
    expect(new Set(all)).toEqual(new Set([0, Math.fround(1.25)]));
    const zeros = all.filter((v) => v === 0).length / all.length;
    expect(zeros).toBeGreaterThan(0.18);
    expect(zeros).toBeLessThan(0.22);

    const rng = seedrandom('mpls-graph-dropout');
    const batch = { x: uniform(B * N * F, rng, 2), adjacency: adjacencies(B, N, rng), target: uniform(B * N, rng) };
    const init = initParams(graphNetSpecs(SMALL), 2);
    const train = (seed: number, dropout: number) => {
      const l = new OnnxGraphNet(SMALL, { lr: 1e-2, clip: 1, dropout }, seed, { init });
      const losses = [1, 2, 3].map(() => l.update(batch, B));
      const v = l.vector();
      l.dispose();
      return { losses, v };
    };
    const plain = train(1, 0);
    const a = train(1, 0.2);
    const b = train(1, 0.2);
    const c = train(2, 0.2);
    // the masks change the loss from the first step on (same initial parameters)
    expect(a.losses[0]).not.toBe(plain.losses[0]);
    expect(Array.from(a.v)).toEqual(Array.from(b.v));
    expect(a.losses).toEqual(b.losses);
    expect(Array.from(c.v)).not.toEqual(Array.from(a.v));
    expect(unflatten(graphNetSpecs(SMALL), a.v).size).toBe(graphNetSpecs(SMALL).length);
  });

  it('refuses shapes and settings it cannot build, naming them', () => {
    expect(() => graphNetSpecs({ ...SMALL, embedWidth: 0 })).toThrow(/embedWidth/);
    expect(() => graphNetSpecs({ ...SMALL, hidden: 9 })).toThrow(/divisible/);
    expect(() => new OnnxGraphNet(SMALL, { lr: 1e-3, clip: 0, dropout: 1 }, 1)).toThrow(/dropout/);
    expect(() => new OnnxGraphNet(SMALL, { lr: 0, clip: 0, dropout: 0 }, 1)).toThrow(/lr/);
  });
});
