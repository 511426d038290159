/**
 * The reuse key of a trained SAMP model: the same revision, training engine, variant, config, seed and data up to
 * the end of training give the same key; a change to any of them gives another; prices after the training window do not
 * count (the training cannot read them).
 */
import { describe, expect, it } from 'vitest';
import { resolveSampConfig } from '../../../src-main/agents/samp/config';
import { SAMP_TRAINING_REVISION, sampTrainingKey } from '../../../src-main/strategies/samp/model';
import { trainingEngineChoice } from '../../../src-main/compute/backend';
import { djiaSubset } from '../../helpers/data';

describe('sampTrainingKey', () => {
  const prices = djiaSubset(300, 6);
  const cfg = resolveSampConfig('quick');
  const key = (
    o: Partial<{
      variant: 'samp-hdrl' | 'ddpg-flat';
      seed: number;
      revision: number;
      trainEnd: number;
      cfg: typeof cfg;
      p: typeof prices;
      engine: string;
    }> = {},
  ) =>
    sampTrainingKey(
      o.variant ?? 'samp-hdrl',
      o.cfg ?? cfg,
      o.seed ?? 1,
      o.p ?? prices,
      120,
      o.trainEnd ?? 199,
      o.revision ?? SAMP_TRAINING_REVISION,
      o.engine ?? trainingEngineChoice().key,
    );

  it('is stable for the same inputs and changes with each of them', () => {
    const base = key();
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(key()).toBe(base);
    expect(sampTrainingKey('samp-hdrl', cfg, 1, prices, 120, 199)).toBe(base); // the current revision by default
    expect(key({ revision: SAMP_TRAINING_REVISION + 1 })).not.toBe(base);
    // a model trained by one engine is never taken for one trained by another
    const engines = new Set(['onnx-cpu', 'onnx-cuda', 'tfjs'].map((engine) => key({ engine })));
    expect(engines.size).toBe(3);
    expect(engines.has(base)).toBe(true);
    expect(key({ seed: 2 })).not.toBe(base);
    expect(key({ variant: 'ddpg-flat' })).not.toBe(base);
    expect(key({ trainEnd: 198 })).not.toBe(base);
    expect(key({ cfg: resolveSampConfig('quick', { stage1Episodes: cfg.stage1Episodes + 1 }) })).not.toBe(base);
    // every setting of issue 15 is part of the key
    const changed: Parameters<typeof resolveSampConfig>[1][] = [
      { featureScaling: 'rebased' },
      { volatilityWindow: 61 },
      { holdingsInput: false },
      { turnoverPenalty: 0.03 },
      { noTradeBand: 0.01 },
      { validationDays: 200 },
      { updatesPerStage: 1001 },
      { patience: 5 },
      { lrSchedule: 'constant' },
      { lrFloor: 0.2 },
      { entropyBonus: { lower: 0.07 } },
      { entropyBonus: { upper: 0.05 } },
      { entropyBonus: { flat: 0.05 } },
    ];
    const keys = new Set(changed.map((o) => key({ cfg: resolveSampConfig('quick', o) })));
    expect(keys.size).toBe(changed.length);
    expect(keys.has(base)).toBe(false);
    const at = (t: number, f: number) => ({
      ...prices,
      close: prices.close.map((row, d) => (d === t ? row.map((v) => v * f) : row)),
    });
    expect(key({ p: at(199, 1.01) })).not.toBe(base);
    expect(key({ p: at(0, 1.01) })).not.toBe(base);
    expect(key({ p: at(200, 1.01) })).toBe(base);
  });
});
