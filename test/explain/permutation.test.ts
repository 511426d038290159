import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { permutationImportance, spearman } from '../../src-main/explain/permutation';
import { kernelShap, meanAbsShap } from '../../src-main/explain/shap';

function randomRows(n: number, d: number, seed: string): Float64Array[] {
  const rng = seedrandom(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length: d }, () => rng() * 2 - 1));
}

describe('permutation importance', () => {
  const f = (x: Float64Array) => 3 * x[0]! + 1 * x[1]! + 0 * x[2]! + 0.3 * x[3]!;
  const X = randomRows(200, 4, 'perm');
  const players = [[0], [1], [2], [3]];

  it('dummy feature gets exactly 0, larger weights rank higher, reproducible by seed', () => {
    const r = permutationImportance(f, X, players, { nRepeats: 4, seed: 2 });
    expect(r.importance[2]).toBe(0);
    expect(r.importance[0]).toBeGreaterThan(r.importance[1]!);
    expect(r.importance[1]).toBeGreaterThan(r.importance[3]!);
    const again = permutationImportance(f, X, players, { nRepeats: 4, seed: 2 });
    expect(Array.from(again.importance)).toEqual(Array.from(r.importance));
  });

  it('with a target: loss increase, baseline loss 0 for a perfect model', () => {
    const y = X.map((x) => f(x));
    const r = permutationImportance(f, X, players, { nRepeats: 3 }, y);
    expect(r.baselineLoss).toBe(0);
    expect(r.importance[2]).toBe(0);
    // E[(3 (x' - x))^2] = 9 * 2 Var(U(-1,1)) = 9 * 2/3 = 6, estimated from 3 x 200 draws
    expect(r.importance[0]).toBeGreaterThan(4.5);
    expect(r.importance[0]).toBeLessThan(7.5);
  });

  it('permutes a player group jointly (x0 - x1 with x0 == x1 has zero group importance)', () => {
    const rows = randomRows(50, 1, 'dup').map((r) => Float64Array.from([r[0]!, r[0]!]));
    const g = (x: Float64Array) => x[0]! - x[1]!;
    expect(permutationImportance(g, rows, [[0, 1]]).importance[0]).toBe(0);
    expect(permutationImportance(g, rows, [[0], [1]]).importance[0]).toBeGreaterThan(0);
  });

  it('ranks agree with mean |SHAP| on a linear model', () => {
    const bg = randomRows(30, 4, 'bgp');
    const shaps = X.slice(0, 40).map((x) => kernelShap(f, x, bg));
    const perm = permutationImportance(f, X, players, { nRepeats: 3 });
    expect(spearman(meanAbsShap(shaps), perm.importance)).toBe(1);
  });

  it('spearman with ties (hand-computed)', () => {
    expect(spearman([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(spearman([1, 1, 2], [1, 2, 3])).toBeCloseTo(1.5 / Math.sqrt(3), 14);
  });
});
