/**
 * The capital split's settings as strategy parameters and variants (issue 15): which variant takes which
 * parameter, the config each gives (and so its reuse key), and — end to end on a tiny config — that every
 * decision records the rule it was made with: samp-hdrl calibrated and smoothed, samp-hdrl/fixed-temperature the
 * rule before issue 15, samp-hdrl/rebound-gate gated and never capped.
 */
import { describe, expect, it } from 'vitest';
import { configFromParams, sampParamSpecs, sampTrainingKey } from '../../../src-main/strategies/samp';
import { DecisionDetail, type SampDecisionDetail } from '../../../src-shared/domain/decision';
import { djiaSubset } from '../../helpers/data';
import { createVariant, decideAll, TINY_OVERRIDES } from './samp-helpers';

const names = (id: Parameters<typeof sampParamSpecs>[0]) => sampParamSpecs(id).map((p) => p.name);
const SPLIT = ['temperatureRule', 'calibration', 'temperature', 'smoothingHalfLife', 'reboundMode'];

describe('split parameters', () => {
  it('every variant that splits capital takes the split settings it uses', () => {
    expect(names('samp-hdrl')).toEqual(expect.arrayContaining([...SPLIT, 'fusionA']));
    expect(names('samp-hdrl/lower-only')).toEqual(expect.arrayContaining(SPLIT));
    expect(names('samp-hdrl/no-dc')).toEqual(expect.arrayContaining(SPLIT));
    // the variants fix theirs, the ablations drop those their rule ignores, the unsplit ones take none
    expect(names('samp-hdrl/fixed-temperature').filter((n) => SPLIT.includes(n))).toEqual([
      'temperature',
      'reboundMode',
    ]);
    expect(names('samp-hdrl/rebound-gate').filter((n) => SPLIT.includes(n))).toEqual([
      'temperatureRule',
      'calibration',
      'temperature',
      'smoothingHalfLife',
    ]);
    expect(names('samp-hdrl/no-utility').filter((n) => SPLIT.includes(n))).toEqual([
      'smoothingHalfLife',
      'reboundMode',
    ]);
    expect(names('samp-hdrl/no-rebound')).not.toContain('reboundMode');
    for (const id of ['samp-hdrl/upper-only', 'ddpg-flat'] as const)
      expect(names(id).filter((n) => SPLIT.includes(n))).toEqual([]);
  });

  it('parameters become config fields; a setting variant cannot be talked out of its setting', () => {
    const c = configFromParams('samp-hdrl', { calibration: 2, smoothingHalfLife: 0, reboundMode: 'gate' });
    expect(c.utility).toMatchObject({
      temperatureRule: 'calibrated',
      calibration: 2,
      smoothingHalfLife: 0,
      temperature: 0.1,
    });
    expect(c.rebound.mode).toBe('gate');
    expect(configFromParams('samp-hdrl', {}).utility).toMatchObject({
      temperatureRule: 'calibrated',
      calibration: 1,
      smoothingHalfLife: 5,
    });
    expect(configFromParams('samp-hdrl', {}).rebound.mode).toBe('cap');
    const f = configFromParams('samp-hdrl/fixed-temperature', { temperature: 0.2 });
    expect(f.utility).toMatchObject({ temperatureRule: 'fixed', temperature: 0.2, smoothingHalfLife: 0 });
    expect(() => configFromParams('samp-hdrl/fixed-temperature', { temperatureRule: 'calibrated' })).toThrow(
      /unknown parameter "temperatureRule"/,
    );
    expect(configFromParams('samp-hdrl/rebound-gate', {}).rebound.mode).toBe('gate');
    expect(() => configFromParams('samp-hdrl/rebound-gate', { reboundMode: 'cap' })).toThrow(
      /unknown parameter "reboundMode"/,
    );
    expect(() => configFromParams('samp-hdrl', { reboundMode: 'block' })).toThrow(
      /reboundMode" must be one of cap, gate/,
    );
    // other utility fields given in overrides are kept beside the split parameters
    expect(configFromParams('samp-hdrl', { overrides: TINY_OVERRIDES }).utility).toMatchObject({
      window: 30,
      momentumWindow: 10,
      temperatureRule: 'calibrated',
    });
  });

  it('the split settings are part of the reuse key, so a model trained under one rule is not reused under another', () => {
    const prices = djiaSubset(300, 6);
    const key = (id: Parameters<typeof configFromParams>[0], p: Record<string, unknown> = {}) =>
      sampTrainingKey(id, configFromParams(id, p), 1, prices, 120, 199);
    expect(key('samp-hdrl')).not.toBe(key('samp-hdrl', { temperatureRule: 'fixed' }));
    expect(key('samp-hdrl')).not.toBe(key('samp-hdrl', { smoothingHalfLife: 0 }));
    expect(key('samp-hdrl')).not.toBe(key('samp-hdrl/rebound-gate'));
  });
});

describe('the rule recorded with every decision (tiny config)', () => {
  const prices = djiaSubset(300, 6);
  const details = async (id: string) =>
    decideAll(await createVariant(id, prices), prices).map((d) => DecisionDetail.parse(d.detail) as SampDecisionDetail);

  it('samp-hdrl: calibrated temperature (c x standard error), smoothed over 5-day half-lives, capped', async () => {
    for (const d of await details('samp-hdrl')) {
      expect(d.split).toMatchObject({
        rule: 'softmax',
        temperatureRule: 'calibrated',
        calibration: 1,
        smoothingHalfLife: 5,
      });
      expect(d.split!.temperature).toBeCloseTo(d.split!.standardError!, 15);
      expect(d.rebound.mode).toBe('cap');
      expect(d.rebound.gated).toEqual([]);
    }
  });

  it('samp-hdrl/fixed-temperature: temperature 0.1, no smoothing (the split is that of the day)', async () => {
    for (const d of await details('samp-hdrl/fixed-temperature')) {
      expect(d.split).toMatchObject({
        temperatureRule: 'fixed',
        temperature: 0.1,
        standardError: null,
        calibration: null,
        smoothingHalfLife: 0,
      });
      expect(d.capitalBeforeCap).toEqual(d.split!.day);
    }
  });

  it('samp-hdrl/rebound-gate: never capped, gated on downtrend days only', async () => {
    for (const d of await details('samp-hdrl/rebound-gate')) {
      expect(d.rebound.mode).toBe('gate');
      expect(d.rebound.capped).toBe(false);
      const down = d.rebound.market!.inDowntrend;
      expect(d.rebound.gated).toEqual((['ordinary', 'high'] as const).filter((g) => down || d.rebound[g]!.inDowntrend));
    }
  });
});
