// The pieces every one-network learner on the ONNX training engine shares (compute/train/learner.ts): the seeded
// minibatch order, and the learner's state kept across updates, checkpoints and sessions of several sizes.
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { OnnxLhs } from '../../src-main/compute/train/lhs';
import { shuffled } from '../../src-main/compute/train/learner';
import type { LhsShape } from '../../src-main/agents/lhs/network';

describe('shuffled', () => {
  it('is the Fisher-Yates permutation of the draws, from the last position down', () => {
    // draws 0.9, 0.1, 0.5: i = 3 swaps with floor(0.9 * 4) = 3, i = 2 with floor(0.1 * 3) = 0, i = 1 with floor(0.5 * 2) = 1
    const draws = [0.9, 0.1, 0.5];
    expect(Array.from(shuffled(4, () => draws.shift()!))).toEqual([2, 1, 0, 3]);
    expect(draws).toEqual([]);
  });

  it('gives every index once and the same order for the same seed', () => {
    const a = shuffled(50, seedrandom.alea('s'));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).toEqual(Array.from(shuffled(50, seedrandom.alea('s'))));
  });
});

describe('a one-network learner (AdamLearner through OnnxLhs)', () => {
  const shape: LhsShape = { model: 'mlp', window: 4, hidden: 3, convMaps: 2, convKernel: 2 };
  const batch = (b: number) => {
    const rng = seedrandom.alea(`batch${b}`);
    const target = new Float32Array(b * 3);
    for (let i = 0; i < b; i++) target[i * 3 + (i % 3)] = 1;
    return {
      x: Float32Array.from({ length: b * shape.window }, () => rng() - 0.5),
      target,
      weight: new Float32Array(b).fill(1 / b),
    };
  };

  it('counts its steps over minibatches of several sizes and gives the same run for the same seed', () => {
    const run = () => {
      const l = new OnnxLhs(shape, 1e-2, 7);
      const losses = [l.update(batch(4), 4), l.update(batch(2), 2), l.update(batch(4), 4)];
      const out = { steps: l.steps, losses, p: Array.from(l.vector()) };
      l.dispose();
      return out;
    };
    const a = run();
    expect(a.steps).toBe(3);
    expect(run()).toEqual(a);
  });

  it('restores a checkpoint without touching its copy, and refuses one of another length', () => {
    const l = new OnnxLhs(shape, 1e-2, 7);
    const start = l.vector();
    const before = l.probabilities(batch(3).x, 3);
    l.update(batch(4), 4);
    expect(Array.from(l.vector())).not.toEqual(Array.from(start));
    l.restore(start);
    start.fill(0);
    expect(Array.from(l.probabilities(batch(3).x, 3))).toEqual(Array.from(before));
    expect(() => l.restore(new Float32Array(3))).toThrow(/restore: 3 values, the network has \d+/);
    l.dispose();
  });
});
