/** src-shared/domain/stats.ts: mean ± std over seeds, hand-computed. */
import { describe, expect, it } from 'vitest';
import { meanStd } from '../../src-shared/domain';

describe('meanStd', () => {
  it('mean and sample standard deviation (n - 1)', () => {
    // 0.1, 0.2, 0.6: mean 0.3, squared deviations 0.04 + 0.01 + 0.09 = 0.14, / 2 = 0.07
    const s = meanStd([0.1, 0.2, 0.6]);
    expect(s.mean).toBeCloseTo(0.3, 15);
    expect(s.std).toBeCloseTo(Math.sqrt(0.07), 15);
    expect([s.n, s.missing]).toEqual([3, 0]);
  });

  it('leaves NaN out and counts it', () => {
    expect(meanStd([1, Number.NaN, 2, 3])).toEqual({ mean: 2, std: 1, n: 3, missing: 1 });
    expect(meanStd([Number.NaN, Number.NaN])).toEqual({ mean: Number.NaN, std: null, n: 0, missing: 2 });
    expect(meanStd([])).toEqual({ mean: Number.NaN, std: null, n: 0, missing: 0 });
  });

  it('one value has no spread (null), identical values a spread of exactly 0', () => {
    expect(meanStd([4])).toEqual({ mean: 4, std: null, n: 1, missing: 0 });
    expect(meanStd([4, Number.NaN])).toEqual({ mean: 4, std: null, n: 1, missing: 1 });
    expect(meanStd([2.5, 2.5, 2.5]).std).toBe(0);
  });

  it('keeps infinities: an infinite mean has no spread; +inf and -inf together have no mean', () => {
    expect(meanStd([1, Infinity])).toEqual({ mean: Infinity, std: null, n: 2, missing: 0 });
    expect(meanStd([-Infinity, 3, Number.NaN])).toEqual({ mean: -Infinity, std: null, n: 2, missing: 1 });
    expect(meanStd([Infinity, -Infinity]).mean).toBeNaN();
  });
});
