import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  driftWeights,
  finalizeWeights,
  isOnSimplex,
  normalise,
  projectToSimplex,
} from '../../../src-main/strategies/classic/simplex';

describe('projectToSimplex (Duchi et al. 2008)', () => {
  it('leaves points already on the simplex unchanged', () => {
    expect(Array.from(projectToSimplex([0.2, 0.3, 0.5]))).toEqual([0.2, 0.3, 0.5].map((v) => expect.closeTo(v, 15)));
  });

  it('matches hand-computed projections', () => {
    // v = (1, 0.5, -1): sorted u = (1, 0.5, -1); j=1: 1 - (1-1)/1 = 1 > 0; j=2: 0.5 - (1.5-1)/2 = 0.25 > 0;
    // j=3: -1 - (0.5-1)/3 < 0  =>  rho = 2, theta = 0.25, w = max(v - 0.25, 0) = (0.75, 0.25, 0)
    const w = projectToSimplex([1, 0.5, -1]);
    expect(w[0]).toBeCloseTo(0.75, 14);
    expect(w[1]).toBeCloseTo(0.25, 14);
    expect(w[2]).toBe(0);
    // v = (0.6, 0.6): theta = (1.2 - 1)/2 = 0.1 => (0.5, 0.5)
    expect(Array.from(projectToSimplex([0.6, 0.6]))).toEqual([expect.closeTo(0.5, 15), expect.closeTo(0.5, 15)]);
    // v = (2, 0): theta = 1 => (1, 0)
    expect(Array.from(projectToSimplex([2, 0]))).toEqual([1, 0]);
    // v = (-3, -1): j=1: -1 - (-1-1) = 1 > 0; j=2: -3 - (-4-1)/2 = -0.5 < 0 => theta = -2 => (0, 1)
    expect(Array.from(projectToSimplex([-3, -1]))).toEqual([0, 1]);
  });

  it('gives the nearest simplex point (no random simplex point is closer)', () => {
    const rng = seedrandom('proj');
    for (let trial = 0; trial < 50; trial++) {
      const n = 2 + Math.floor(rng() * 6);
      const v = Array.from({ length: n }, () => 3 * (rng() - 0.5));
      const w = projectToSimplex(v);
      expect(isOnSimplex(w)).toBe(true);
      const d = (a: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + (x - v[i]!) ** 2, 0);
      for (let k = 0; k < 30; k++) {
        const e = Array.from({ length: n }, () => -Math.log(rng()));
        const s = e.reduce((a, b) => a + b, 0);
        expect(d(w)).toBeLessThanOrEqual(d(e.map((x) => x / s)) + 1e-12);
      }
    }
  });
});

describe('normalise / finalizeWeights / driftWeights', () => {
  it('normalise scales to sum 1 and rejects bad input', () => {
    expect(Array.from(normalise([1, 3]))).toEqual([0.25, 0.75]);
    expect(() => normalise([1, -1])).toThrow();
    expect(() => normalise([0, 0])).toThrow();
    expect(() => normalise([NaN, 1])).toThrow();
  });

  it('finalizeWeights clamps rounding negatives and throws on real errors', () => {
    const w = finalizeWeights([0.5, 0.5 + 1e-13, -1e-14], 'x');
    expect(w[2]).toBe(0);
    expect(isOnSimplex(w)).toBe(true);
    expect(() => finalizeWeights([0.5, NaN], 'x')).toThrow(/x/);
    expect(() => finalizeWeights([1.1, -0.1], 'x')).toThrow(/negative/);
  });

  it('driftWeights applies w_i x_i / (w . x)', () => {
    // (0.5, 0.5) after (1.1, 0.9): (0.55, 0.45) / 1.0
    const w = driftWeights([0.5, 0.5], [1.1, 0.9]);
    expect(w[0]).toBeCloseTo(0.55, 15);
    expect(w[1]).toBeCloseTo(0.45, 15);
  });
});
