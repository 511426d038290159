/** src-main/metrics/paired.ts: the paired Sharpe-difference tests against known and hand-computed cases. */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  defaultBlockLength,
  jobsonKorkieMemmel,
  normalCdf,
  normalQuantile,
  sharpeDifferenceTest,
  stationaryBootstrapIndices,
} from '../../src-main/metrics/paired';
import { sharpe } from '../../src-main/metrics';

/** n iid normal daily returns with the given mean and sd, from a seeded stream. */
function normals(n: number, mean: number, sd: number, seed: string): Float64Array {
  const rng = seedrandom(seed);
  return Float64Array.from({ length: n }, () => {
    const u = Math.max(rng(), 1e-12);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  });
}

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.1586553, 6);
    expect(normalCdf(3)).toBeCloseTo(0.9986501, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(() => normalQuantile(1)).toThrow(/probability in \(0, 1\)/);
  });
});

describe("Jobson-Korkie with Memmel's correction", () => {
  // a hand-worked example of six days (sample moments, n - 1):
  //   a = 0.01, -0.02, 0.015, 0.005, -0.01, 0.02     mean 0.0033333, sd 0.0153840 -> SR_a = 0.2166757
  //   b = 0.008, -0.015, 0.01, 0, -0.012, 0.011      mean 0.0003333, sd 0.0114310 -> SR_b = 0.0291606
  //   rho = 0.9818781
  //   Var = [2 - 2 rho + (SR_a² + SR_b² - 2 SR_a SR_b rho²) / 2] / 6
  //       = [0.0362439 + (0.0469483 + 0.0008503 - 0.0121828) / 2] / 6 = 0.0090086
  //   z = (0.2166757 - 0.0291606) / sqrt(0.0090086) = 1.9756357, p = 2 (1 - Phi(1.9756357)) = 0.0481961
  const a = [0.01, -0.02, 0.015, 0.005, -0.01, 0.02];
  const b = [0.008, -0.015, 0.01, 0.0, -0.012, 0.011];

  it('gives the hand-computed z and p', () => {
    const r = jobsonKorkieMemmel(0.2166756950087197, 0.029160592175990218, 0.9818780510034092, 6);
    expect(r.se ** 2).toBeCloseTo(0.009008630506089963, 12);
    expect(r.z).toBeCloseTo(1.9756356993174309, 10);
    expect(r.p).toBeCloseTo(0.04819605233326141, 6);
  });

  it('is what the paired test reports as its cross-check, annualised', () => {
    const t = sharpeDifferenceTest(a, b, { resamples: 50 });
    expect(t.jobsonKorkie.correlation).toBeCloseTo(0.9818780510034092, 12);
    expect(t.jobsonKorkie.z).toBeCloseTo(1.9756356993174309, 10);
    expect(t.jobsonKorkie.p).toBeCloseTo(0.04819605233326141, 6);
    expect(t.difference).toBeCloseTo((0.2166756950087197 - 0.029160592175990218) * Math.sqrt(252), 10);
    expect(t.sharpe).toBeCloseTo(sharpe(a), 12);
    expect(t.benchmarkSharpe).toBeCloseTo(sharpe(b), 12);
    const half = 1.959964 * Math.sqrt(0.009008630506089963) * Math.sqrt(252);
    expect(t.jobsonKorkie.low).toBeCloseTo(t.difference - half, 4);
    expect(t.jobsonKorkie.high).toBeCloseTo(t.difference + half, 4);
  });
});

describe('the block-bootstrap test of the Sharpe difference', () => {
  it('identical series: difference 0, p = 1 for both tests, an interval of width 0', () => {
    const r = normals(252, 0.0005, 0.01, 'same');
    const t = sharpeDifferenceTest(r, r);
    expect(t.difference).toBe(0);
    expect(t.bootstrap.p).toBe(1);
    expect(t.jobsonKorkie.p).toBe(1);
    expect([t.bootstrap.low, t.bootstrap.high]).toEqual([0, 0]);
    expect(t.bootstrap.used).toBe(2000);
    expect(t.bootstrap.blockLength).toBe(6); // round(252^(1/3))
  });

  it('a clear edge on the same market days: small p from both tests, an interval above 0', () => {
    const market = normals(504, 0.0003, 0.012, 'market');
    const ewNoise = normals(504, 0, 0.002, 'ew-noise');
    const edgeNoise = normals(504, 0, 0.002, 'edge-noise');
    const ew = Float64Array.from(market, (x, i) => x + ewNoise[i]!);
    const edge = Float64Array.from(market, (x, i) => x + 0.0015 + edgeNoise[i]!);
    const t = sharpeDifferenceTest(edge, ew);
    expect(t.difference).toBeGreaterThan(1);
    expect(t.bootstrap.p).toBeLessThan(0.01);
    expect(t.jobsonKorkie.p).toBeLessThan(0.01);
    expect(t.bootstrap.low).toBeGreaterThan(0);
    expect(t.jobsonKorkie.low).toBeGreaterThan(0);
    // the reverse comparison is the mirror image
    const back = sharpeDifferenceTest(ew, edge);
    expect(back.difference).toBeCloseTo(-t.difference, 12);
    expect(back.bootstrap.p).toBeLessThan(0.01);
    expect(back.bootstrap.high).toBeLessThan(0);
  });

  it('no edge: two independent draws of the same law are not told apart', () => {
    const t = sharpeDifferenceTest(normals(252, 0.0004, 0.01, 'x'), normals(252, 0.0004, 0.01, 'y'));
    expect(t.bootstrap.p).toBeGreaterThan(0.1);
    expect(t.jobsonKorkie.p).toBeGreaterThan(0.1);
    expect(t.bootstrap.low).toBeLessThan(0);
    expect(t.bootstrap.high).toBeGreaterThan(0);
  });

  it('for iid returns and blocks of one day, the bootstrap interval is about as wide as the normal-theory one', () => {
    const x = normals(1000, 0.0005, 0.01, 'iid-a');
    const y = Float64Array.from(normals(1000, 0.0003, 0.01, 'iid-b'), (v, i) => 0.5 * v + 0.5 * x[i]!);
    const t = sharpeDifferenceTest(x, y, { blockLength: 1 });
    const boot = t.bootstrap.high - t.bootstrap.low;
    const jk = t.jobsonKorkie.high - t.jobsonKorkie.low;
    expect(boot / jk).toBeGreaterThan(0.8);
    expect(boot / jk).toBeLessThan(1.25);
  });

  it('is reproducible: the same seed gives the same figures, another seed other resamples', () => {
    const a = normals(252, 0.0006, 0.01, 'r-a');
    const b = normals(252, 0.0004, 0.01, 'r-b');
    expect(sharpeDifferenceTest(a, b, { seed: 7 })).toEqual(sharpeDifferenceTest(a, b, { seed: 7 }));
    const other = sharpeDifferenceTest(a, b, { seed: 8 });
    expect(other.bootstrap.p).not.toBe(sharpeDifferenceTest(a, b, { seed: 7 }).bootstrap.p);
    expect(other.difference).toBe(sharpeDifferenceTest(a, b, { seed: 7 }).difference);
  });

  it('refuses series of different days and bad settings, and has no test for a constant series', () => {
    expect(() => sharpeDifferenceTest([0.01, 0.02, 0.03], [0.01, 0.02])).toThrow(
      /strategy has 3 days, the benchmark 2/,
    );
    expect(() => sharpeDifferenceTest([0.01, 0.02, 0.03], [0.01, 0.02, 0.0], { resamples: 0 })).toThrow(/resamples/);
    expect(() => sharpeDifferenceTest([0.01, 0.02, 0.03], [0.01, 0.02, 0.0], { blockLength: 0.5 })).toThrow(
      /block length/,
    );
    const flat = sharpeDifferenceTest([0.01, 0.01, 0.01, 0.01], [0.01, -0.02, 0.03, 0.0]);
    expect(flat.bootstrap.p).toBeNaN();
    expect(flat.jobsonKorkie.p).toBeNaN();
    expect(sharpeDifferenceTest([0.01, 0.02], [0.0, 0.01]).bootstrap.p).toBeNaN();
  });
});

describe('stationary bootstrap indices', () => {
  it('blocks run over consecutive days, wrap round the end, and last blockLength days on average', () => {
    const rng = seedrandom('blocks');
    const long = stationaryBootstrapIndices(new Uint32Array(10), 1e12, rng);
    for (let t = 1; t < 10; t++) expect(long[t]).toBe((long[t - 1]! + 1) % 10);
    const idx = stationaryBootstrapIndices(new Uint32Array(200_000), 8, seedrandom('mean'));
    let blocks = 1;
    for (let t = 1; t < idx.length; t++) if (idx[t] !== (idx[t - 1]! + 1) % idx.length) blocks++;
    expect(idx.length / blocks).toBeGreaterThan(7.5);
    expect(idx.length / blocks).toBeLessThan(8.5);
  });

  it('default block length is round(n^(1/3))', () => {
    expect([defaultBlockLength(252), defaultBlockLength(756), defaultBlockLength(1)]).toEqual([6, 9, 1]);
  });
});
