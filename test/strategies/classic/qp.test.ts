import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { solveQpOnSimplex, solveSimplexQp } from '../../../src-main/strategies/classic/qp';
import { logOptimalPortfolio } from '../../../src-main/strategies/classic/logopt';

function randomPd(n: number, rng: () => number, scale = 1): Float64Array {
  // H = B B' / n + 0.01 I
  const B = Array.from({ length: n }, () => Array.from({ length: n }, () => rng() - 0.5));
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.01 : 0;
      for (let k = 0; k < n; k++) s += (B[i]![k]! * B[j]![k]!) / n;
      H[i * n + j] = s * scale;
    }
  return H;
}

describe('simplex QPs', () => {
  it('hand case: H = I is the Euclidean projection of c', () => {
    // min 1/2 |z|^2 - c'z = 1/2 |z - c|^2 + const: the projection of c = (0.2, 0) is (0.6, 0.4)
    const I = Float64Array.from([1, 0, 0, 1]);
    for (const solve of [solveQpOnSimplex, (H: Float64Array, c: Float64Array) => solveSimplexQp(H, c)]) {
      const z = solve(I, Float64Array.from([0.2, 0]));
      expect(z[0]).toBeCloseTo(0.6, 12);
      expect(z[1]).toBeCloseTo(0.4, 12);
      const y = solve(I, Float64Array.from([1, -1]));
      expect(Array.from(y)).toEqual([expect.closeTo(1, 12), expect.closeTo(0, 12)]);
    }
  });

  it('the active-set solver agrees with quadprog on random problems, from any warm start', () => {
    const rng = seedrandom('qp');
    for (let trial = 0; trial < 60; trial++) {
      const n = 2 + Math.floor(rng() * 29);
      const scale = [1e-4, 1, 1e3][trial % 3]!;
      const H = randomPd(n, rng, scale);
      const c = Float64Array.from({ length: n }, () => (rng() - 0.5) * scale + (trial % 2 ? 9 : 0));
      const ref = solveQpOnSimplex(H, c);
      const init = Float64Array.from({ length: n }, () => (rng() < 0.5 ? 0 : rng()));
      init[0] = 1;
      const s = init.reduce((a, b) => a + b, 0);
      const z = solveSimplexQp(
        H,
        c,
        init.map((v) => v / s),
      );
      for (let i = 0; i < n; i++) expect(z[i]).toBeCloseTo(ref[i]!, 6);
    }
  });
});

describe('logOptimalPortfolio', () => {
  it('cash and a stock alternating x2 / x0.5: optimum half and half (hand-solved)', () => {
    // f(c) = log(1 + c) + log(1 - c/2) (c = stock weight); f'(c) = 1/(1+c) - 1/(2 - c) = 0 => c = 1/2
    const rows = [Float64Array.from([1, 2]), Float64Array.from([1, 0.5])];
    for (const method of ['newton', 'multiplicative'] as const) {
      const r = logOptimalPortfolio(rows, 2, { method, tol: 1e-14, maxIter: 100000 });
      expect(r.weights[1]).toBeCloseTo(0.5, 6);
    }
  });

  it('boundary optimum: stock x1.5 / x0.8 against cash is all stock (hand-solved)', () => {
    // f'(c) = 0.5/(1+0.5c) - 0.2/(1-0.2c) > 0 on [0,1] (root at c = 1.5), so c* = 1
    const rows = [Float64Array.from([1, 1.5]), Float64Array.from([1, 0.8])];
    const r = logOptimalPortfolio(rows, 2);
    expect(r.weights[1]).toBeCloseTo(1, 9);
  });

  it('FTRL 1-day case: argmax log(1 + c) - (1/2)(c^2 + (1-c)^2) gives 2c^2 + c - 2 = 0 (hand-solved)', () => {
    // d/dc: 1/(1+c) - (2c - 1) = 0  <=>  2c^2 + c - 2 = 0  <=>  c = (-1 + sqrt(17)) / 4
    const r = logOptimalPortfolio([Float64Array.from([1, 2])], 2, { l2: 1, tol: 1e-15 });
    expect(r.weights[1]).toBeCloseTo((-1 + Math.sqrt(17)) / 4, 8);
  });

  it('satisfies the optimality conditions on random data (g_j <= m, = m on the support)', () => {
    const rng = seedrandom('logopt');
    for (let trial = 0; trial < 10; trial++) {
      const n = 3 + trial;
      const m = 5 + 20 * trial;
      const rows = Array.from({ length: m }, () =>
        Float64Array.from({ length: n }, () => Math.exp(0.03 * (rng() - 0.48) * 2)),
      );
      const { weights: b } = logOptimalPortfolio(rows, n, { tol: 1e-13, maxIter: 500 });
      const g = new Float64Array(n);
      for (const x of rows) {
        const bx = x.reduce((s, v, j) => s + v * b[j]!, 0);
        for (let j = 0; j < n; j++) g[j]! += x[j]! / bx;
      }
      for (let j = 0; j < n; j++) {
        expect(g[j]! / m).toBeLessThanOrEqual(1 + 1e-8);
        if (b[j]! > 1e-6) expect(g[j]! / m).toBeCloseTo(1, 6);
      }
    }
  });
});
