import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  maxSharpe,
  meanVariance,
  minVariance,
  optimizeStatic,
  regularisedCov,
  riskContributions,
  riskParity,
  sampleMeanCov,
} from '../../../src-main/strategies/classic/optimize';

const f64 = (a: number[]) => Float64Array.from(a);

describe('sampleMeanCov', () => {
  it('hand case', () => {
    // A = (0.01, 0.03, 0.02), B = (0.02, -0.02, 0.03): means (0.02, 0.01);
    // deviations A (-0.01, 0.01, 0), B (0.01, -0.03, 0.02); var A = 2e-4/2, var B = 14e-4/2, cov = (-1e-4 - 3e-4)/2
    const { mean, cov } = sampleMeanCov([f64([0.01, 0.02]), f64([0.03, -0.02]), f64([0.02, 0.03])]);
    expect(mean[0]).toBeCloseTo(0.02, 15);
    expect(mean[1]).toBeCloseTo(0.01, 15);
    expect(cov[0]).toBeCloseTo(1e-4, 15);
    expect(cov[3]).toBeCloseTo(7e-4, 15);
    expect(cov[1]).toBeCloseTo(-2e-4, 15);
    expect(cov[2]).toBeCloseTo(-2e-4, 15);
  });
});

describe('minimum variance', () => {
  it('two assets: w1 = (s2^2 - s12) / (s1^2 + s2^2 - 2 s12)', () => {
    // s1^2 = 0.04, s2^2 = 0.09, s12 = 0.01: w1 = 0.08 / 0.11
    const w = minVariance(f64([0.04, 0.01, 0.01, 0.09]), 2);
    expect(w[0]).toBeCloseTo(0.08 / 0.11, 10);
    expect(w[1]).toBeCloseTo(0.03 / 0.11, 10);
  });

  it('two assets with a binding bound: the closed form exceeds 1, long-only gives (1, 0)', () => {
    // s1^2 = 0.01, s2^2 = 0.09, s12 = 0.02: w1 = 0.07 / 0.06 > 1
    const w = minVariance(f64([0.01, 0.02, 0.02, 0.09]), 2);
    expect(w[0]).toBeCloseTo(1, 10);
    expect(w[1]).toBeCloseTo(0, 10);
  });
});

describe('mean-variance', () => {
  it('two assets: a = (s2^2 - s12)/D + (mu1 - mu2)/(gamma D), D = s1^2 + s2^2 - 2 s12', () => {
    // Sigma = [[0.04, 0.01], [0.01, 0.09]], mu = (0.10, 0.05), gamma = 5: a = 0.08/0.11 + 0.05/0.55 = 0.9/1.1
    const w = meanVariance(f64([0.1, 0.05]), f64([0.04, 0.01, 0.01, 0.09]), 5);
    expect(w[0]).toBeCloseTo(0.08 / 0.11 + 0.05 / 0.55, 10);
  });

  it('a very small gamma gives the highest-mean asset', () => {
    const w = meanVariance(f64([0.1, 0.05, 0.07]), f64([0.04, 0, 0, 0, 0.01, 0, 0, 0, 0.02]), 1e-4);
    expect(w[0]).toBeCloseTo(1, 8);
  });
});

describe('maximum Sharpe', () => {
  it('uncorrelated assets: w proportional to Sigma^-1 mu', () => {
    // Sigma = diag(0.04, 0.01), mu = (0.1, 0.05): Sigma^-1 mu = (2.5, 5) => (1/3, 2/3)
    const r = maxSharpe(f64([0.1, 0.05]), f64([0.04, 0, 0, 0.01]));
    expect(r.fellBackToMinVar).toBe(false);
    expect(r.weights[0]).toBeCloseTo(1 / 3, 9);
    expect(r.weights[1]).toBeCloseTo(2 / 3, 9);
  });

  it('drops an asset with a negative mean (long-only)', () => {
    // mu3 < 0: y3 = 0; the rest as above
    const r = maxSharpe(f64([0.1, 0.05, -0.02]), f64([0.04, 0, 0, 0, 0.01, 0, 0, 0, 0.02]));
    expect(r.weights[2]).toBeCloseTo(0, 10);
    expect(r.weights[0]).toBeCloseTo(1 / 3, 9);
  });

  it('falls back to minimum variance when no mean is positive', () => {
    const S = f64([0.04, 0.01, 0.01, 0.09]);
    const r = maxSharpe(f64([-0.01, -0.02]), S);
    expect(r.fellBackToMinVar).toBe(true);
    expect(r.weights[0]).toBeCloseTo(0.08 / 0.11, 9);
  });
});

describe('risk parity', () => {
  it('two assets: w proportional to 1/sigma whatever the correlation', () => {
    // RC1 = RC2 <=> w1^2 s1^2 + w1 w2 s12 = w2^2 s2^2 + w1 w2 s12 <=> w1 s1 = w2 s2; sigma = (0.2, 0.1) => (1/3, 2/3)
    for (const s12 of [0, 0.01, -0.015]) {
      const w = riskParity(f64([0.04, s12, s12, 0.01]), 2);
      expect(w[0]).toBeCloseTo(1 / 3, 10);
    }
  });

  it('equal risk contributions on a random 8-asset covariance', () => {
    const rng = seedrandom('rp');
    const rows = Array.from({ length: 60 }, () =>
      Float64Array.from({ length: 8 }, (_, i) => (rng() - 0.5) * 0.02 * (1 + i / 4)),
    );
    const { cov } = sampleMeanCov(rows);
    const w = riskParity(cov, 8);
    const rc = riskContributions(w, cov);
    const total = rc.reduce((a, b) => a + b, 0);
    for (const r of rc) expect(r / total).toBeCloseTo(1 / 8, 9);
  });
});

describe('optimizeStatic', () => {
  // A = (0.01, -0.01, 0.01, -0.01), B = (0.02, 0.02, -0.02, -0.02): means 0, var A = 4e-4/3, var B = 16e-4/3, cov 0
  const returns = [f64([0.01, 0.02]), f64([-0.01, 0.02]), f64([0.01, -0.02]), f64([-0.01, -0.02])];

  it('minvar from sample moments: w1 = varB / (varA + varB) = 0.8', () => {
    expect(optimizeStatic('minvar', returns)[0]).toBeCloseTo(0.8, 6);
  });

  it('riskparity from sample moments: w proportional to 1/sd = (2/3, 1/3)', () => {
    expect(optimizeStatic('riskparity', returns)[0]).toBeCloseTo(2 / 3, 6);
  });

  it('maxsharpe with zero means falls back to minvar', () => {
    expect(optimizeStatic('maxsharpe', returns)[0]).toBeCloseTo(0.8, 6);
  });

  it('meanvar from sample moments (gamma = 100)', () => {
    // shift A's returns by +0.01: mu = (0.01, 0), var unchanged, D = 20e-4/3:
    // a = varB / D + mu1 / (gamma D) = 0.8 + 0.01 / (100 * 20e-4/3) = 0.8 + 0.01 / (0.2/3) = 0.8 + 0.15 = 0.95
    const shifted = returns.map((r) => f64([r[0]! + 0.01, r[1]!]));
    expect(optimizeStatic('meanvar', shifted, { gamma: 100 })[0]).toBeCloseTo(0.95, 6);
  });

  it('gives uniform weights with a single return row, and regularises a singular covariance', () => {
    expect(Array.from(optimizeStatic('minvar', [f64([0.01, 0.02, 0.03])]))).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // three identical assets: singular covariance; with the ridge the minimum-variance answer is uniform
    const same = Array.from({ length: 10 }, (_, t) =>
      f64([0.01 * Math.sin(t), 0.01 * Math.sin(t), 0.01 * Math.sin(t)]),
    );
    const w = optimizeStatic('minvar', same);
    for (const v of w) expect(v).toBeCloseTo(1 / 3, 6);
    const S = regularisedCov(f64([0, 0, 0, 0]), 2);
    expect(S[0]).toBeGreaterThan(0);
  });
});
