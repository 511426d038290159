/** src-shared/domain/verdict.ts: the one equal-weight rule, hand-computed. */
import { describe, expect, it } from 'vitest';
import { equalWeightReference, equalWeightVerdict, verdictPhrase } from '../../src-shared/domain';

const f = (sharpe: number, cumulativeReturn: number) => ({ sharpe, cumulativeReturn });
const EW = [f(1.0, 0.1)];

describe('equalWeightVerdict', () => {
  it('beats when mean Sharpe AND mean cumulative return are both higher; counts the seeds that do', () => {
    // means: Sharpe (1.5 + 0.8 + 1.2) / 3 = 1.1667 > 1, return (0.2 + 0.3 + 0.05) / 3 = 0.1833 > 0.1
    const v = equalWeightVerdict([f(1.5, 0.2), f(0.8, 0.3), f(1.2, 0.05)], EW);
    expect(v.outcome).toBe('beats');
    expect(v.sharpe.mean).toBeCloseTo(3.5 / 3, 14);
    expect(v.cumulativeReturn.mean).toBeCloseTo(0.55 / 3, 14);
    // seed by seed: only the first is higher on both (the second has the lower Sharpe, the third the lower return)
    expect([v.seedsBeating, v.seeds]).toEqual([1, 3]);
    expect([v.ewSharpe.mean, v.ewCumulativeReturn.mean]).toEqual([1.0, 0.1]);
  });

  it('a higher Sharpe with a lower return does not beat, nor the reverse', () => {
    expect(equalWeightVerdict([f(1.4, 0.08)], EW)).toMatchObject({
      outcome: 'does-not-beat',
      seedsBeating: 0,
      seeds: 1,
    });
    expect(equalWeightVerdict([f(0.9, 0.3)], EW)).toMatchObject({ outcome: 'does-not-beat', seedsBeating: 0 });
  });

  it('a tie is not a win', () => {
    expect(equalWeightVerdict([f(1.0, 0.2)], EW).outcome).toBe('does-not-beat');
    expect(equalWeightVerdict([f(1.3, 0.1)], EW).outcome).toBe('does-not-beat');
    expect(equalWeightVerdict([f(1.0, 0.1)], EW).outcome).toBe('does-not-beat');
  });

  it("compares with equal weight's mean over its runs", () => {
    const v = equalWeightVerdict([f(1.15, 0.2)], [f(1.0, 0.1), f(1.2, 0.1)]); // equal weight's mean Sharpe 1.1
    expect(v.ewSharpe.mean).toBeCloseTo(1.1, 15);
    expect(v.outcome).toBe('beats');
  });

  it('a seed with an undefined figure is left out of the mean and does not beat', () => {
    const v = equalWeightVerdict([f(1.5, 0.2), f(Number.NaN, 0.4)], EW);
    expect(v.sharpe).toEqual({ mean: 1.5, std: null, n: 1, missing: 1 });
    expect(v.cumulativeReturn.mean).toBeCloseTo(0.3, 15);
    expect(v).toMatchObject({ outcome: 'beats', seedsBeating: 1, seeds: 2 });
  });

  it('not comparable without an equal-weight run or without any defined figure', () => {
    expect(equalWeightVerdict([f(1.5, 0.2)], [])).toMatchObject({
      outcome: 'not-comparable',
      seedsBeating: 0,
      seeds: 1,
    });
    expect(equalWeightVerdict([f(Number.NaN, 0.2), f(Number.NaN, 0.3)], EW).outcome).toBe('not-comparable');
    expect(equalWeightVerdict([f(1.5, 0.2)], [f(1.0, Number.NaN)]).outcome).toBe('not-comparable');
    expect(equalWeightVerdict([], EW).outcome).toBe('not-comparable');
  });

  it('infinite figures compare as numbers', () => {
    expect(equalWeightVerdict([f(Infinity, 0.2)], EW).outcome).toBe('beats');
    expect(equalWeightVerdict([f(1.5, 0.2)], [f(Infinity, 0.1)]).outcome).toBe('does-not-beat');
  });
});

describe('the reference and the words', () => {
  it('crp, else ubah, else none', () => {
    expect(equalWeightReference(() => true)).toBe('crp');
    expect(equalWeightReference((id) => id === 'ubah')).toBe('ubah');
    expect(equalWeightReference(() => false)).toBeUndefined();
  });
  it('phrases', () => {
    expect(['beats', 'does-not-beat', 'not-comparable'].map((o) => verdictPhrase(o as 'beats'))).toEqual([
      'beats',
      'does not beat',
      'cannot be compared with',
    ]);
  });
});
