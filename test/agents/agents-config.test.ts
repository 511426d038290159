/**
 * The three presets are complete and consistent, grow from quick to paper, and share the issue-15 settings;
 * overrides merge field by field; bad values are refused with the setting's name; a stored config of an earlier
 * revision reads as it was trained.
 */
import { describe, expect, it } from 'vitest';
import {
  resolveSampConfig,
  SAMP_PRESETS,
  SAMP_PRESET_NAMES,
  withStoredDefaults,
  type SampConfig,
} from '../../src-main/agents/samp/config';
import { checkLowerConfig } from '../../src-main/agents/networks/lower';
import { sampNets, sampSpecs } from '../../src-main/agents/samp/policy';
import { sizeOf } from '../../src-main/compute/params';

describe('SAMP-HDRL config', () => {
  it('quick, standard and paper presets build valid networks, in growing size', () => {
    for (const name of SAMP_PRESET_NAMES) {
      const cfg = resolveSampConfig(name);
      expect(cfg.preset).toBe(name);
      const nets = sampNets(cfg);
      expect(() => checkLowerConfig(nets.lower)).not.toThrow();
      expect(nets.upper.dModel % nets.upper.heads).toBe(0);
      expect(cfg.grouping.every).toBe(75); // paper value
      expect(cfg.costRate).toBe(0.001); // paper value
      // the settings against turnover and under-training, the same in every preset
      expect(cfg).toMatchObject({
        featureScaling: 'volatility',
        holdingsInput: true,
        turnoverPenalty: 0.02,
        noTradeBand: 0.02,
        validationDays: 252,
        patience: 4,
        lrSchedule: 'cosine',
        lrFloor: 0.1,
      });
      expect(cfg.entropyBonus).toEqual({ upper: 0.1, lower: 0.05, flat: 0.1 });
      // the actors read the holdings: every agent has its holdings embedding
      const names = Object.values(sampSpecs(sampNets(cfg)))
        .flat()
        .map((p) => p.name);
      for (const agent of ['upper', 'lower1', 'lower2', 'flat']) expect(names).toContain(`${agent}/hold_w`);
    }
    const count = (name: 'quick' | 'standard' | 'paper') => {
      const s = sampSpecs(sampNets(resolveSampConfig(name)));
      return [...s.upper, ...s.lower].reduce((a, p) => a + sizeOf(p.shape), 0);
    };
    expect(count('quick')).toBeLessThan(count('standard'));
    expect(count('standard')).toBeLessThan(count('paper'));
    expect(SAMP_PRESETS.quick.updatesPerStage).toBeLessThan(SAMP_PRESETS.standard.updatesPerStage);
    expect(SAMP_PRESETS.standard.updatesPerStage).toBeLessThan(SAMP_PRESETS.paper.updatesPerStage);
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
    expect(() => resolveSampConfig('quick', { validationDays: -1 })).toThrow(/validationDays/);
    expect(() => resolveSampConfig('quick', { patience: 1.5 })).toThrow(/patience/);
    expect(() => resolveSampConfig('quick', { featureScaling: 'log' as 'rebased' })).toThrow(/featureScaling/);
    expect(() => resolveSampConfig('quick', { noTradeBand: -0.01 })).toThrow(/noTradeBand/);
    expect(() => resolveSampConfig('quick', { turnoverPenalty: Number.NaN })).toThrow(/turnoverPenalty/);
    expect(() => resolveSampConfig('quick', { lrFloor: 0 })).toThrow(/lrFloor/);
    expect(() => resolveSampConfig('quick', { entropyBonus: { lower: -1 } })).toThrow(/entropyBonus.lower/);
    expect(() => resolveSampConfig('huge' as 'quick')).toThrow(/unknown SAMP preset "huge"/);
    const bad = sampNets(resolveSampConfig('quick', { lower: { sparseTaps: 5, sparseDilation: 7 } })).lower;
    expect(() => checkLowerConfig(bad)).toThrow(/sparse branch/);
  });
});

describe('stored configs of earlier revisions', () => {
  it('read as they were trained: rebased features, price-only actors, no band', () => {
    const {
      featureScaling: _f,
      volatilityWindow: _v,
      holdingsInput: _h,
      noTradeBand: _b,
      ...old
    } = resolveSampConfig('quick');
    const c = withStoredDefaults(old as SampConfig);
    expect(c).toMatchObject({ featureScaling: 'rebased', holdingsInput: false, noTradeBand: 0 });
    expect(sampNets(c).upper.holdings).toBe(false);
    // a current config is left as it is
    expect(withStoredDefaults(resolveSampConfig('standard'))).toEqual(resolveSampConfig('standard'));
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
