import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { kernelShap, meanAbsShap, type ShapModel } from '../../src-main/explain/shap';

function randomRows(n: number, d: number, seed: string): Float64Array[] {
  const rng = seedrandom(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length: d }, () => rng() * 2 - 1));
}
const linear = (w: number[], b = 0): ShapModel => ({
  batch: (X) => Float64Array.from(X, (x) => x.reduce((a, v, i) => a + v * w[i]!, b)),
});
const colMeans = (rows: Float64Array[]) =>
  Array.from({ length: rows[0]!.length }, (_, j) => rows.reduce((a, r) => a + r[j]!, 0) / rows.length);
const sum = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0);

describe('Kernel SHAP, exact mode', () => {
  it('linear model: phi_i = w_i (x_i - E x_i)', () => {
    const w = [2, -1, 0.5, 3, 0];
    const bg = randomRows(20, 5, 'bg');
    const x = Float64Array.from([0.3, -0.7, 1.5, 0.2, 9]);
    const r = kernelShap(linear(w, 1), x, bg);
    expect(r.exact).toBe(true);
    const mu = colMeans(bg);
    w.forEach((wi, i) => expect(r.values[i]).toBeCloseTo(wi * (x[i]! - mu[i]!), 10));
    expect(r.fx).toBeCloseTo(sum(w.map((wi, i) => wi * x[i]!)) + 1, 12);
  });

  it('hand-computed interaction: f = x0 x1 + x2 at (2, 3, 1) against 0 splits the product equally', () => {
    const f = (x: Float64Array) => x[0]! * x[1]! + x[2]!;
    const r = kernelShap(f, Float64Array.from([2, 3, 1]), [new Float64Array(3)]);
    expect(Array.from(r.values).map((v) => +v.toFixed(12))).toEqual([3, 3, 1]);
    expect(r.baseValue).toBe(0);
    expect(r.fx).toBe(7);
    // three-way product: 1/3 each
    const p = kernelShap((x) => x[0]! * x[1]! * x[2]!, Float64Array.from([1, 1, 1]), [new Float64Array(3)]);
    Array.from(p.values).forEach((v) => expect(v).toBeCloseTo(1 / 3, 14));
  });

  const nonlinear: ShapModel = (x) =>
    Math.sin(x[0]!) * x[1]! + (x[2]! + x[3]!) ** 2 + Math.exp(x[4]! * x[0]!) + 0 * x[5]!;

  it('efficiency within 1e-8, symmetry of identical players, dummy gets 0', () => {
    // x2 and x3 enter symmetrically; give them equal values in x and a background symmetric in (x2, x3)
    const base = randomRows(15, 6, 'sym');
    const bg = [...base, ...base.map((r) => Float64Array.from([r[0]!, r[1]!, r[3]!, r[2]!, r[4]!, r[5]!]))];
    const x = Float64Array.from([0.4, -1.2, 0.8, 0.8, 0.5, 3]);
    const r = kernelShap(nonlinear, x, bg);
    expect(Math.abs(sum(r.values) - (r.fx - r.baseValue))).toBeLessThan(1e-8);
    expect(Math.abs(r.values[2]! - r.values[3]!)).toBeLessThan(1e-10);
    expect(Math.abs(r.values[5]!)).toBeLessThan(1e-12);
    expect(r.coalitions).toBe(64);
  });

  it('player groups: a group of a linear model gets the sum of its features; features in no player are held at x', () => {
    const w = [1, 2, 3, 4, 5, 6];
    const bg = randomRows(10, 6, 'grp');
    const x = Float64Array.from([1, 1, 1, 1, 1, 1]);
    const mu = colMeans(bg);
    const r = kernelShap(linear(w), x, bg, [[0, 1], [2], [3, 4]]);
    expect(r.values[0]).toBeCloseTo(1 * (1 - mu[0]!) + 2 * (1 - mu[1]!), 10);
    expect(r.values[2]).toBeCloseTo(4 * (1 - mu[3]!) + 5 * (1 - mu[4]!), 10);
    // feature 5 is unexplained: base value already includes 6 * x5
    expect(r.baseValue).toBeCloseTo(sum(w.slice(0, 5).map((wi, i) => wi * mu[i]!)) + 6, 10);
    expect(() => kernelShap(linear(w), x, bg, [[0, 1], [1]])).toThrow(/two players/);
  });
});

describe('Kernel SHAP, sampled mode', () => {
  it('linear 30-player model: closed form recovered (additive => regression exact)', () => {
    const d = 30;
    const rng = seedrandom('w');
    const w = Array.from({ length: d }, () => rng() * 4 - 2);
    const bg = randomRows(25, d, 'bg30');
    const x = randomRows(1, d, 'x30')[0]!;
    const r = kernelShap(linear(w), x, bg, undefined, { nSamples: 1024, seed: 3 });
    expect(r.exact).toBe(false);
    const mu = colMeans(bg);
    w.forEach((wi, i) => expect(r.values[i]).toBeCloseTo(wi * (x[i]! - mu[i]!), 8));
  });

  it('nonlinear: efficiency exact, close to the exact values, dummy near 0, reproducible by seed', () => {
    const d = 10;
    const f: ShapModel = (x) =>
      Math.tanh(x[0]! + 2 * x[1]! * x[2]!) + x[3]! ** 2 - x[4]! * x[5]! + 0.5 * x[6]! + 0 * x[9]!;
    const bg = randomRows(12, d, 'nl');
    const x = Float64Array.from([0.9, -0.5, 0.7, 1.1, 0.3, -0.8, 0.2, 0.4, -0.6, 2]);
    const exact = kernelShap(f, x, bg);
    const s1 = kernelShap(f, x, bg, undefined, { exactMaxPlayers: 0, nSamples: 3000, seed: 11 });
    const s2 = kernelShap(f, x, bg, undefined, { exactMaxPlayers: 0, nSamples: 3000, seed: 11 });
    expect(Array.from(s1.values)).toEqual(Array.from(s2.values));
    expect(Math.abs(sum(s1.values) - (s1.fx - s1.baseValue))).toBeLessThan(1e-10);
    const scale = Math.max(...Array.from(exact.values, Math.abs));
    for (let i = 0; i < d; i++) expect(Math.abs(s1.values[i]! - exact.values[i]!)).toBeLessThan(0.05 * scale);
    expect(Math.abs(s1.values[9]!)).toBeLessThan(0.02 * scale);
  });

  it('with many samples converges to the exact values on a high-order interaction model (kernel weights matter)', () => {
    // f = prod(1 + x_i): every coalition size carries signal, so a wrong size distribution is off by ~7%
    const d = 8;
    const f: ShapModel = (z) => z.reduce((a, v) => a * (1 + v), 1);
    const bg = randomRows(10, d, 'prod');
    const x = Float64Array.from({ length: d }, (_, i) => 0.5 + 0.1 * i);
    const exact = kernelShap(f, x, bg);
    const s = kernelShap(f, x, bg, undefined, { exactMaxPlayers: 0, nSamples: 200_000, seed: 1 });
    const scale = Math.max(...Array.from(exact.values, Math.abs));
    for (let i = 0; i < d; i++) expect(Math.abs(s.values[i]! - exact.values[i]!)).toBeLessThan(0.025 * scale);
  });

  it('symmetric players get close values in sampled mode', () => {
    const d = 14;
    const f: ShapModel = (x) => (x[0]! + x[1]!) ** 3 + x.slice(2).reduce((a, v) => a + Math.sin(v), 0);
    const base = randomRows(10, d, 'ss');
    const bg = [
      ...base,
      ...base.map((r) => {
        const q = Float64Array.from(r);
        q[0] = r[1]!;
        q[1] = r[0]!;
        return q;
      }),
    ];
    const x = Float64Array.from({ length: d }, (_, i) => (i < 2 ? 0.9 : 0.1 * i));
    const r = kernelShap(f, x, bg, undefined, { nSamples: 2048, seed: 5 });
    expect(r.exact).toBe(false);
    expect(Math.abs(r.values[0]! - r.values[1]!)).toBeLessThan(0.05 * Math.abs(r.values[0]!));
  });

  it('per-row and batch models give the same answer; meanAbsShap averages |phi|', () => {
    const w = [1, -2, 3];
    const bg = randomRows(5, 3, 'pb');
    const x = Float64Array.from([1, 2, 3]);
    const a = kernelShap(linear(w), x, bg);
    const b = kernelShap((z) => z[0]! - 2 * z[1]! + 3 * z[2]!, x, bg, undefined, { batchSize: 7 });
    for (let i = 0; i < 3; i++) expect(b.values[i]).toBeCloseTo(a.values[i]!, 12);
    const m = meanAbsShap([a, { ...a, values: Float64Array.from(a.values, (v) => -3 * v) }]);
    for (let i = 0; i < 3; i++) expect(m[i]).toBeCloseTo(2 * Math.abs(a.values[i]!), 12);
  });
});
