import { describe, expect, it } from 'vitest';
import { agentConcentration, concentration, runConcentration } from '../../src-main/explain/concentration';

describe('concentration', () => {
  it('HHI and effective N of one vector', () => {
    const c = concentration([0.5, 0.25, 0.25]);
    expect(c.hhi).toBeCloseTo(0.375, 15);
    expect(c.effectiveN).toBeCloseTo(8 / 3, 14);
  });
  it('renormalises the risky part, or counts cash as a holding', () => {
    expect(concentration([0.25, 0.25]).effectiveN).toBeCloseTo(2, 15);
    const c = concentration([0.25, 0.25], true); // 0.0625 * 2 + 0.25 = 0.375
    expect(c.hhi).toBeCloseTo(0.375, 15);
    const z = concentration([0, 0]);
    expect(Number.isNaN(z.hhi)).toBe(true);
    expect(z.effectiveN).toBe(0);
    expect(concentration([0, 0], true)).toEqual({ hhi: 1, effectiveN: 1 });
    expect(() => concentration([-0.1, 1])).toThrow();
  });
  it('summarises a run and flags near-equal weights', () => {
    const r = runConcentration([
      [0.5, 0.5],
      [1, 0],
    ]);
    expect(Array.from(r.hhi)).toEqual([0.5, 1]);
    expect(r.meanHhi).toBe(0.75);
    expect(r.meanEffectiveN).toBe(1.5);
    expect(r.minEffectiveN).toBe(1);
    expect(r.maxEffectiveN).toBe(2);
    expect(r.meanEqualness).toBe(0.75); // (2/2 + 1/2) / 2
    expect(r.nearEqual).toBe(false);
    const eq = runConcentration(Array.from({ length: 5 }, () => [0.25, 0.25, 0.25, 0.25]));
    expect(eq.meanEqualness).toBeCloseTo(1, 14);
    expect(eq.nearEqual).toBe(true);
  });
  it('per agent, with group sizes as the universe of each lower agent', () => {
    const out = agentConcentration(
      { lower1: [[0.5, 0.5, 0, 0]], lower2: [[0, 0, 0.9, 0.1]] },
      {},
      { lower1: 2, lower2: [2] },
    );
    expect(out.lower1!.meanEqualness).toBeCloseTo(1, 14);
    expect(out.lower1!.nearEqual).toBe(true);
    expect(out.lower2!.meanEffectiveN).toBeCloseTo(1 / 0.82, 12);
    expect(out.lower2!.nearEqual).toBe(false);
  });
});
