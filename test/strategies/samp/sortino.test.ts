import { describe, expect, it } from 'vitest';
import { sortinoRatios } from '../../../src-main/strategies/samp/logic/sortino';

const rows = (cols: number[][]) => cols[0]!.map((_, d) => Float64Array.from(cols, (c) => c[d]!));

describe('sortinoRatios (SAMP-HDRL step 1)', () => {
  it('matches a hand-computed 4-day Sortino with the full-sample downside deviation', () => {
    // r = [0.02, -0.01, 0.03, -0.02]: mean 0.005; downside^2 mean = (1e-4 + 4e-4) / 4 = 1.25e-4
    // ratio = 0.005 / sqrt(1.25e-4) = 1/sqrt(5); annualised sqrt(252/5) = sqrt(50.4) = 7.0993
    const s = sortinoRatios(rows([[0.02, -0.01, 0.03, -0.02]]));
    expect(s[0]).toBeCloseTo(Math.sqrt(50.4), 10);
    expect(s[0]).toBeCloseTo(7.09929574, 6);
    // the common mistake (divide by the 2 negative days) would give sqrt(25.2) = 5.02
    expect(Math.abs(s[0]! - Math.sqrt(25.2))).toBeGreaterThan(1);
  });

  it('uses the target (MAR) and the annualisation setting', () => {
    // target 0.01: excess = [0.01, -0.02, 0.02, -0.03]; mean -0.005; downside^2 = (4e-4 + 9e-4)/4 = 3.25e-4
    const s = sortinoRatios(rows([[0.02, -0.01, 0.03, -0.02]]), { target: 0.01, periodsPerYear: 1 });
    expect(s[0]).toBeCloseTo(-0.005 / Math.sqrt(3.25e-4), 12);
  });

  it('handles zero downside: +cap for a positive mean, 0 for a flat series; clips to the cap', () => {
    const s = sortinoRatios(
      rows([
        [0.01, 0.02, 0.0],
        [0, 0, 0],
        [0.5, -0.001, 0.5],
      ]),
      { cap: 7 },
    );
    expect(s[0]).toBe(7);
    expect(s[1]).toBe(0);
    expect(s[2]).toBe(7); // huge but finite ratio clipped
  });

  it('is NaN with fewer than minDays rows and computes per asset independently', () => {
    expect(Number.isNaN(sortinoRatios(rows([[0.01]]))[0]!)).toBe(true);
    const s = sortinoRatios(
      rows([
        [0.02, -0.01, 0.03, -0.02],
        [-0.02, 0.03, -0.01, 0.02],
      ]),
    );
    expect(s[1]).toBeCloseTo(Math.sqrt(50.4), 10); // same multiset of returns
  });
});
