/**
 * MPLS's correlation graph (src-main/agents/mpls/correlation.ts): correlations and edges worked out by hand on four
 * assets (a negative correlation kept with its sign and linked), the refresh schedule on the absolute day index,
 * causality (closes after day t never change the graph at t), the cache, an asset whose returns do not vary, and
 * the refusals.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  correlationGraph,
  CorrelationGraphs,
  firstGraphDay,
  graphAtRefresh,
  refreshDayOf,
  type CorrelationSettings,
} from '../../../src-main/agents/mpls/correlation';

/** Closes starting at 100 from daily log returns rets[d][i] (day d + 1's return). */
function closesFrom(rets: number[][]): Float64Array[] {
  const n = rets[0]!.length;
  const out = [new Float64Array(n).fill(100)];
  for (const r of rets) out.push(out[out.length - 1]!.map((c, i) => c * Math.exp(r[i]!)));
  return out;
}

// Four returns per asset (window 4). A = (1, -1, 1, -1), B = (1, 1, -1, -1), C = (2, -1, 1, -2), D = -C, all
// x 0.01: every mean is 0, so rho = <u, v> / (|u| |v|) with |A|^2 = |B|^2 = 4, |C|^2 = |D|^2 = 10:
//   rho(A, B) = 0,  rho(A, C) = 6 / sqrt(40),  rho(B, C) = 2 / sqrt(40),  rho(C, D) = -1,
//   rho(A, D) = -6 / sqrt(40),  rho(B, D) = -2 / sqrt(40).
const A = [1, -1, 1, -1];
const B = [1, 1, -1, -1];
const C = [2, -1, 1, -2];
const HAND = closesFrom(A.map((_, k) => [A[k]!, B[k]!, C[k]!, -C[k]!].map((v) => v * 0.01)));
const SIX = 6 / Math.sqrt(40);
const TWO = 2 / Math.sqrt(40);

describe('correlation graph by hand', () => {
  const s: CorrelationSettings = { corrWindow: 4, refreshEvery: 2, threshold: 0.3 };
  const hand = () => correlationGraph((d) => HAND[d]!, 4, 4, s);

  it('gives the Pearson correlations of the log returns, signs kept', () => {
    const g = hand();
    const want = [
      [1, 0, SIX, -SIX],
      [0, 1, TWO, -TWO],
      [SIX, TWO, 1, -1],
      [-SIX, -TWO, -1, 1],
    ];
    expect(g.refreshDay).toBe(4);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(g.rho[i * 4 + j]).toBeCloseTo(want[i]![j]!, 12);
  });

  it('links |rho| >= threshold whatever the sign, with self loops', () => {
    // |rho(B, C)| = 0.316 >= 0.3; rho(A, B) = 0 is no edge
    expect(Array.from(hand().adjacency)).toEqual([1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const strict = correlationGraph((d) => HAND[d]!, 4, 4, { ...s, threshold: 0.5 });
    expect(Array.from(strict.adjacency)).toEqual([1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1]);
  });

  it('an asset whose returns do not vary has no correlation and no edge', () => {
    const flat = HAND.map((row) => Float64Array.of(row[0]!, row[2]!, 50));
    const f = correlationGraph((d) => flat[d]!, 3, 4, s);
    expect(f.rho[0 * 3 + 1]).toBeCloseTo(SIX, 12);
    expect(f.rho[0 * 3 + 2]).toBeNaN();
    expect(f.rho[2 * 3 + 1]).toBeNaN();
    expect(f.rho[2 * 3 + 2]).toBe(1);
    expect(Array.from(f.adjacency)).toEqual([1, 1, 0, 1, 1, 0, 0, 0, 1]);
  });
});

/** A random market of n assets over `days` closes with a common factor, so correlations are far from zero. */
function randomCloses(days: number, n: number, seed: string): Float64Array[] {
  const rng = seedrandom(seed);
  const rets: number[][] = [];
  for (let d = 1; d < days; d++) {
    const m = rng() - 0.5;
    rets.push(Array.from({ length: n }, (_, i) => 0.01 * ((i % 2 ? 1 : -1) * m + (rng() - 0.5))));
  }
  return closesFrom(rets);
}

describe('correlation graph schedule', () => {
  const s: CorrelationSettings = { corrWindow: 60, refreshEvery: 5, threshold: 0.3 };
  const closes = randomCloses(200, 6, 'schedule');

  it('starts at the first refresh day with corrWindow returns and refreshes on multiples of refreshEvery', () => {
    expect(firstGraphDay(s)).toBe(60);
    expect(firstGraphDay({ ...s, corrWindow: 61 })).toBe(65);
    expect(refreshDayOf(64, 5)).toBe(60);
    expect(refreshDayOf(65, 5)).toBe(65);
    let changes = 0;
    for (let t = 61; t < 200; t++) {
      const now = correlationGraph((d) => closes[d]!, 6, t, s);
      const before = correlationGraph((d) => closes[d]!, 6, t - 1, s);
      expect(now.refreshDay).toBe(t - (t % 5));
      const same = now.rho.every((v, i) => Object.is(v, before.rho[i]));
      // the graph moves on refresh days (random returns: every window differs) and only there
      expect(same, `day ${t}`).toBe(t % 5 !== 0);
      if (!same) changes++;
    }
    expect(changes).toBe(27); // 65, 70, ..., 195
  });

  it('is causal: closes after day t never change the graph in force at t', () => {
    for (const t of [60, 63, 64, 65, 99, 150]) {
      const clean = correlationGraph((d) => closes[d]!, 6, t, s);
      const poisoned = closes.map((row, d) => (d > t ? row.map((_, i) => (i % 2 ? Number.NaN : 1e30)) : row));
      const g = correlationGraph((d) => poisoned[d]!, 6, t, s);
      expect(Array.from(g.rho)).toEqual(Array.from(clean.rho));
      expect(Array.from(g.adjacency)).toEqual(Array.from(clean.adjacency));
      // and the graph does read the closes up to its refresh day
      const r = clean.refreshDay;
      const moved = closes.map((row, d) => (d === r ? row.map((c, i) => (i === 0 ? c * 1.5 : c)) : row));
      expect(correlationGraph((d) => moved[d]!, 6, t, s).rho[1]).not.toBe(clean.rho[1]);
    }
  });

  it('the cache computes each refresh day once and gives the same graph as a fresh computation', () => {
    const reads: number[] = [];
    const graphs = new CorrelationGraphs(
      (d) => {
        reads.push(d);
        return closes[d]!;
      },
      6,
      s,
    );
    const a = graphs.at(72);
    const n = reads.length;
    expect(Math.min(...reads)).toBe(10);
    expect(Math.max(...reads)).toBe(70);
    expect(graphs.at(74)).toBe(a);
    expect(reads.length).toBe(n);
    expect(Array.from(a.rho)).toEqual(Array.from(graphAtRefresh((d) => closes[d]!, 6, 70, s).rho));
  });

  it('refuses settings and days it cannot serve, naming them', () => {
    const c = (d: number) => closes[d]!;
    expect(() => correlationGraph(c, 6, 100, { ...s, corrWindow: 1 })).toThrow(/corrWindow/);
    expect(() => correlationGraph(c, 6, 100, { ...s, refreshEvery: 0 })).toThrow(/refreshEvery/);
    expect(() => correlationGraph(c, 6, 100, { ...s, threshold: 1.5 })).toThrow(/threshold/);
    expect(() => correlationGraph(c, 6, 59, s)).toThrow(/before the first graph day 60/);
    expect(() => graphAtRefresh(c, 6, 61, s)).toThrow(/not a refresh day/);
  });
});
