import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { corn, windowCorrelation } from '../../../src-main/strategies/classic/corn';
import { matrixFromRelatives } from '../../helpers/data';
import { drive } from './drive';

/** Pearson correlation of two equal-length arrays (NaN if either is constant). */
function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let c = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    c += (a[i]! - ma) * (b[i]! - mb);
    va += (a[i]! - ma) ** 2;
    vb += (b[i]! - mb) ** 2;
  }
  return va > 0 && vb > 0 ? c / Math.sqrt(va * vb) : NaN;
}

/** Log-optimal weight on asset 0 of two assets over `rows`, by bisection on the (decreasing) derivative. */
function logOptimal2(rows: number[][]): number {
  const d = (c: number) => rows.reduce((s, x) => s + (x[0]! - x[1]!) / (c * x[0]! + (1 - c) * x[1]!), 0);
  if (d(0) <= 0) return 0;
  if (d(1) >= 0) return 1;
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (d(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * CORN-K straight from Li, Hoi & Gopalkrishnan (2011), for two assets, written independently of the strategy:
 * expert (w, rho): days i whose window i-w..i-1 correlates >= rho with t-w+1..t (flattened Pearson), log-optimal
 * portfolio of their relatives (uniform if none); wealth-weighted mix of the topK richest experts.
 * x[d] = relatives of day d (x[0] unused); decisions at days 0..T-1; searched days i >= max(2, t - H + 1).
 */
function referenceCornK(x: number[][], W: number, P: number, K: number, H: number): number[] {
  const T = x.length - 1;
  const experts: { w: number; rho: number; c: number; logW: number }[] = [];
  for (let w = 1; w <= W; w++) for (let l = 1; l <= P; l++) experts.push({ w, rho: (l - 1) / P, c: 0.5, logW: 0 });
  const out = [0.5];
  for (let t = 1; t < T; t++) {
    for (const e of experts) e.logW += Math.log(e.c * x[t]![0]! + (1 - e.c) * x[t]![1]!);
    for (const e of experts) {
      const rows: number[][] = [];
      if (t - e.w + 1 >= 1) {
        const latest = x.slice(t - e.w + 1, t + 1).flat();
        for (let i = Math.max(2, t - H + 1); i <= t; i++) {
          if (i - e.w < 1) continue;
          if (pearson(x.slice(i - e.w, i).flat(), latest) >= e.rho) rows.push(x[i]!);
        }
      }
      e.c = rows.length ? logOptimal2(rows) : 0.5;
    }
    const order = experts.map((_, k) => k).sort((a, b) => experts[b]!.logW - experts[a]!.logW || a - b);
    const top = order.slice(0, K);
    const mx = experts[top[0]!]!.logW;
    let num = 0;
    let den = 0;
    for (const k of top) {
      const a = Math.exp(experts[k]!.logW - mx);
      num += a * experts[k]!.c;
      den += a;
    }
    out.push(num / den);
  }
  return out;
}

describe('CORN-K (Li et al. 2011)', () => {
  it('windowCorrelation from sums equals the Pearson correlation', () => {
    const a = [0.01, -0.02, 0.03, 0.0];
    const b = [0.02, 0.01, -0.01, 0.015];
    const s = (v: number[]) => v.reduce((p, q) => p + q, 0);
    const q = (v: number[]) => v.reduce((p, r) => p + r * r, 0);
    const c = a.reduce((p, v, i) => p + v * b[i]!, 0);
    expect(windowCorrelation(4, s(a), s(b), q(a), q(b), c)).toBeCloseTo(pearson(a, b), 12);
    expect(windowCorrelation(2, 0.2, 0.3, 0.02, 0.05, 0.03)).toBeNaN(); // first window constant (0.1, 0.1)
  });

  it('matches an independent brute-force CORN-K on a 2-asset series (incl. the maxHistory cut)', async () => {
    const rng = seedrandom('corn');
    const rel: number[][] = [];
    for (let d = 0; d < 60; d++) rel.push([Math.exp(0.03 * (rng() - 0.5)), Math.exp(0.03 * (rng() - 0.5))]);
    const m = matrixFromRelatives(rel);
    const x = [[1, 1], ...rel];
    const params = { maxWindow: 3, rhoLevels: 4, topK: 3, maxHistory: 25, solverIterations: 200, tolerance: 1e-15 };
    const got = await drive(corn, m, { params, to: 59 });
    const want = referenceCornK(x, 3, 4, 3, 25);
    expect(got.length).toBe(want.length);
    for (let t = 0; t < want.length; t++) expect(got[t]![0]).toBeCloseTo(want[t]!, 6);
  });

  it('with default solver settings stays close to the exact CORN-K', async () => {
    const rng = seedrandom('corn2');
    const rel: number[][] = [];
    for (let d = 0; d < 40; d++) rel.push([Math.exp(0.03 * (rng() - 0.5)), Math.exp(0.03 * (rng() - 0.5))]);
    const m = matrixFromRelatives(rel);
    const got = await drive(corn, m, { params: { maxWindow: 3, rhoLevels: 4, topK: 3 }, to: 39 });
    const want = referenceCornK([[1, 1], ...rel], 3, 4, 3, Infinity);
    for (let t = 0; t < want.length; t++) expect(Math.abs(got[t]![0]! - want[t]!)).toBeLessThan(1e-3);
  });

  it('searches the whole history by default, as the paper: a match 600 days back decides today', async () => {
    // Two assets. Day 1: (1.1, 1) (asset 0 up); day 2: (0.9, 1); days 3..599: (1, 1); day 600: (1.05, 1).
    // One expert (w = 1, rho = 0, topK = 1). At day 600 the latest window x_600 has asset 0 up; a flat day's
    // relatives are constant, so their correlation is undefined and they never match. The only day i whose
    // preceding day x_(i-1) correlates with it (+1: in both, asset 0 beat asset 1) is i = 2, after day 1; so the
    // expert's portfolio is log-optimal for x_2 = (0.9, 1) alone: everything in asset 1.
    const rel: number[][] = [
      [1.1, 1],
      [0.9, 1],
    ];
    while (rel.length < 599) rel.push([1, 1]);
    rel.push([1.05, 1]);
    const m = matrixFromRelatives(rel);
    const params = { maxWindow: 1, rhoLevels: 1, topK: 1 };
    const whole = await drive(corn, m, { params, to: 600 });
    expect(Array.from(whole[600]!)).toEqual([0, 1]);
    // every earlier day has no match (day 2's window x_1 = (1.1, 1) correlates -1 with x_2): uniform
    for (let t = 0; t < 600; t++) expect(Array.from(whole[t]!), `day ${t}`).toEqual([0.5, 0.5]);
    // the option still bounds the search: 504 days back from day 600 no longer reach day 2
    const bounded = await drive(corn, m, { params: { ...params, maxHistory: 504 }, to: 600 });
    expect(Array.from(bounded[600]!)).toEqual([0.5, 0.5]);
    // 0 is the whole history, spelled out
    const zero = await drive(corn, m, { params: { ...params, maxHistory: 0 }, to: 600 });
    expect(Array.from(zero[600]!)).toEqual([0, 1]);
  });
});
