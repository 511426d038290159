/** The two presets are complete and consistent; overrides merge field by field; bad values are refused. */
import { describe, expect, it } from 'vitest';
import { resolveSampConfig, SAMP_PRESETS } from '../../src-main/agents/samp/config';
import { checkLowerConfig } from '../../src-main/agents/networks/lower';
import { sampNets, sampSpecs } from '../../src-main/agents/samp/policy';
import { sizeOf } from '../../src-main/compute/params';

describe('SAMP-HDRL config', () => {
  it('quick and paper presets build valid networks; quick is the small one', () => {
    for (const name of ['quick', 'paper'] as const) {
      const cfg = resolveSampConfig(name);
      expect(cfg.preset).toBe(name);
      const nets = sampNets(cfg);
      expect(() => checkLowerConfig(nets.lower)).not.toThrow();
      expect(nets.upper.dModel % nets.upper.heads).toBe(0);
      expect(cfg.grouping.every).toBe(75); // paper value
      expect(cfg.costRate).toBe(0.001); // paper value
    }
    const count = (name: 'quick' | 'paper') => {
      const s = sampSpecs(sampNets(resolveSampConfig(name)));
      return [...s.upper, ...s.lower].reduce((a, p) => a + sizeOf(p.shape), 0);
    };
    expect(count('quick')).toBeLessThan(count('paper'));
    expect(SAMP_PRESETS.quick.window).toBe(20);
    expect(SAMP_PRESETS.quick.upper.layers).toBe(1);
    expect(SAMP_PRESETS.quick.lower.kernel).toBe(15);
  });

  it('merges nested overrides without touching the preset', () => {
    const cfg = resolveSampConfig('quick', { upper: { dModel: 32 }, ddpg: { noise: { sigma: 0.9 } } });
    expect(cfg.upper.dModel).toBe(32);
    expect(cfg.upper.heads).toBe(SAMP_PRESETS.quick.upper.heads);
    expect(cfg.ddpg.noise.sigma).toBe(0.9);
    expect(cfg.ddpg.noise.kind).toBe(SAMP_PRESETS.quick.ddpg.noise.kind);
    expect(cfg.preset).toBe('custom');
    expect(SAMP_PRESETS.quick.upper.dModel).toBe(16);
  });

  it('refuses out-of-range settings', () => {
    expect(() => resolveSampConfig('quick', { fusionA: 1.5 })).toThrow(RangeError);
    expect(() => resolveSampConfig('quick', { stage1Episodes: -1 })).toThrow(RangeError);
    const bad = sampNets(resolveSampConfig('quick', { lower: { sparseTaps: 5, sparseDilation: 7 } })).lower;
    expect(() => checkLowerConfig(bad)).toThrow(/sparse branch/);
  });
});

describe('effective number of holdings', () => {
  it('is N for equal weights, 1 for one asset, scale-free, 0 for no holdings', async () => {
    const { effectiveHoldings } = await import('../../src-main/strategies/samp/model');
    expect(effectiveHoldings([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(4, 12);
    expect(effectiveHoldings([0, 0.6, 0])).toBeCloseTo(1, 12);
    // [0.3, 0.1] -> (0.4)^2 / (0.09 + 0.01) = 1.6
    expect(effectiveHoldings([0.3, 0.1])).toBeCloseTo(1.6, 12);
    expect(effectiveHoldings([0, 0])).toBe(0);
  });
});
