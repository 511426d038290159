/**
 * ppo-flat, the flat agent trained on-policy with PPO (docs/drl-baselines.md), as a registered strategy on a small
 * real data set (DJIA, 300 days x 6 assets, the tiny config of the SAMP tests): it trains through the on-policy loop
 * with the PPO learner, records PPO in its artifacts and in every decision's detail (which the stored-detail schema
 * reads back), trains the same weights for the same seed and others for another, keys its models apart from the
 * other flat agents' (without changing their keys, pinned field by field), takes its PPO settings as parameters, and
 * is refused by the tfjs engine. The look-ahead test (test/strategies/lookahead.test.ts) runs it with every other
 * registered strategy.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadTf, trainingEngineChoice } from '../../src-main/compute/backend';
import { MarketView } from '../../src-main/market/view';
import { SAMP_TRAINING_REVISION } from '../../src-main/strategies/samp/model';
import { PPO_DEFAULTS, resolveSampConfig, type SampConfig } from '../../src-main/agents/samp/config';
import { tfjsSampEngine } from '../../src-main/agents/samp/engines';
import { getStrategy, resolveParams } from '../../src-main/strategies/registry';
import {
  configFromParams,
  loadSampPolicy,
  sampTrainingKey,
  setSampModelStore,
  trainSamp,
  variantConfig,
  type SampArtifacts,
  type SampVariantId,
} from '../../src-main/strategies/samp';
import { DecisionDetail, StoredDecisionDetail, decisionModel } from '../../src-shared/domain/decision';
import { djiaSubset } from '../helpers/data';
import { CTX, TINY_OVERRIDES, decideAll } from './samp/samp-helpers';

afterEach(() => {
  setSampModelStore(null);
  vi.unstubAllEnvs();
});

const prices = djiaSubset(300, 6);
/** rollouts and minibatches that fit the tiny 59-day training period several times */
const SMALL = { rolloutSteps: 16, minibatch: 8 };

async function trainPpo(seed: number, params: Record<string, unknown> = {}): Promise<SampArtifacts> {
  const config = configFromParams('ppo-flat', { overrides: TINY_OVERRIDES, ...SMALL, ...params });
  return trainSamp({ variant: 'ppo-flat', config, prices, trainStart: CTX.trainStart, trainEnd: CTX.trainEnd, seed });
}

/** The reuse key as sampTrainingKey wrote it before ppo-flat existed, spelled out field by field. */
function keyBefore(variant: SampVariantId, config: SampConfig, algorithm?: string): string {
  const view = new MarketView(prices, 199);
  const h = createHash('sha256').update(
    JSON.stringify({
      revision: SAMP_TRAINING_REVISION,
      engine: trainingEngineChoice().key,
      variant,
      ...(algorithm ? { algorithm } : {}),
      config,
      seed: 1,
      tickers: view.tickers,
      trainStart: 120,
      trainEnd: 199,
    }),
  );
  for (let d = 0; d <= 199; d++) {
    const row = view.closes(d);
    h.update(view.dateAt(d)).update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
  }
  return h.digest('hex');
}

const PPO_PARAM_NAMES = [
  'rolloutSteps',
  'epochs',
  'minibatch',
  'clipEps',
  'gamma',
  'gaeLambda',
  'entCoef',
  'vfCoef',
  'lr',
] as const;

describe('ppo-flat', () => {
  it('is registered as a learning strategy with the flat agent parameters and the PPO settings', async () => {
    const def = await getStrategy('ppo-flat');
    expect(def.label).toBe('PPO flat (single agent)');
    expect(def.family).toBe('learning');
    expect(def.hindsight).toBe(false);
    const flat = await getStrategy('ddpg-flat');
    expect(def.params.map((p) => p.name)).toEqual([...flat.params.map((p) => p.name), ...PPO_PARAM_NAMES]);
    const p = resolveParams(def, {});
    const { initStd: _i, normalizeAdvantages: _n, ...exposed } = PPO_DEFAULTS;
    expect(Object.fromEntries(PPO_PARAM_NAMES.map((k) => [k, p[k]]))).toEqual(exposed);
    expect(() => resolveParams(def, { clipEps: 1 })).toThrow(/clipEps" must be <= 0.999/);
    expect(() => resolveParams(def, { epochs: 0 })).toThrow(/epochs" must be >= 1/);
    expect(configFromParams('ppo-flat', { preset: 'quick', clipEps: 0.1, epochs: 8 }).ppo).toEqual({
      ...PPO_DEFAULTS,
      clipEps: 0.1,
      epochs: 8,
    });
    // initStd and the advantage normalisation are reached through overrides
    expect(
      configFromParams('ppo-flat', { preset: 'quick', overrides: JSON.stringify({ ppo: { initStd: 0.9 } }) }).ppo!
        .initStd,
    ).toBe(0.9);
    // the same presets and environment settings as ddpg-flat
    const a = configFromParams('ppo-flat', { preset: 'standard' });
    const b = configFromParams('ddpg-flat', { preset: 'standard' });
    expect({ ...a, ppo: undefined }).toEqual({ ...b, ppo: undefined });
  });

  it('trains with PPO, decides through ONNX Runtime and records PPO in every detail', async () => {
    let stored: SampArtifacts | undefined;
    setSampModelStore({ get: async () => undefined, put: async (_k, a) => void (stored = a) });
    const def = await getStrategy('ppo-flat');
    const inst = await def.create({ prices, ...CTX, params: { overrides: TINY_OVERRIDES, ...SMALL } });
    expect(stored).toBeDefined();
    const a = stored!;
    expect([a.variant, a.kind, a.backend]).toEqual(['ppo-flat', 'flat', 'onnxruntime-cpu']);
    expect(a.config.ppo).toEqual({ ...PPO_DEFAULTS, ...SMALL });
    expect(a.config.td3).toBeUndefined();
    expect(a.config.sac).toBeUndefined();
    // the value network is kept as the stage's critic; the stored policy is the actor alone
    expect(a.critics.flat!.params.every((p) => p.name.startsWith('value/'))).toBe(true);
    expect(a.params.params.map((p) => p.name).filter((n) => !n.startsWith('flat/'))).toEqual([]);
    // 59 training days (120..178, validation from 179): rollouts of 16, 16, 16 and 11 steps, 4 passes of two
    // minibatches each (8 + 8, or 8 + 3) -> 32 steps in the one episode
    expect(a.training!.episodes).toBe(1);
    expect(a.training!.updates).toBe(32);
    for (const h of a.history) {
      expect(Number.isFinite(h.actorLoss) && Number.isFinite(h.criticLoss), `episode ${h.episode} losses`).toBe(true);
      expect(Math.abs(h.sigma - PPO_DEFAULTS.initStd), `episode ${h.episode} sigma ${h.sigma}`).toBeLessThan(0.05);
    }

    const decisions = decideAll(inst, prices);
    for (const d of decisions) {
      let s = 0;
      for (const w of d.weights) {
        expect(w).toBeGreaterThanOrEqual(0);
        s += w;
      }
      expect(s).toBeCloseTo(1, 9);
      const detail = DecisionDetail.parse(JSON.parse(JSON.stringify(d.detail)));
      expect(detail.family).toBe('ppo-flat');
      if (detail.family !== 'ppo-flat') continue;
      expect(detail.variant).toBe('ppo-flat');
      expect(detail.concentration.flat).toBeGreaterThan(1);
      expect(decisionModel(detail)?.key).toBe(a.key);
    }
    const again = decideAll((await loadSampPolicy(a)).instance(), prices);
    again.forEach((d, k) => expect(Array.from(d.weights)).toEqual(Array.from(decisions[k]!.weights)));
  });

  it('the same seed trains bit-identical weights, another seed other ones, and the PPO settings reach the training', async () => {
    const a = await trainPpo(5);
    const b = await trainPpo(5);
    const c = await trainPpo(6);
    expect(b.sha256.params).toBe(a.sha256.params);
    expect(b.sha256.onnx).toBe(a.sha256.onnx);
    expect(c.sha256.params).not.toBe(a.sha256.params);
    for (const p of [{ clipEps: 0.05 }, { epochs: 2 }, { lr: 1e-3 }, { gaeLambda: 0.5 }, { entCoef: 0.5 }])
      expect((await trainPpo(5, p)).sha256.params, JSON.stringify(p)).not.toBe(a.sha256.params);
  });

  it("keys its models by the algorithm and its settings, and leaves the other flat agents' keys as they were", () => {
    const cfg = resolveSampConfig('quick');
    const key = (variant: SampVariantId, c = cfg) => sampTrainingKey(variant, c, 1, prices, 120, 199);
    const ppo = key('ppo-flat');
    for (const v of ['ddpg-flat', 'td3-flat', 'sac-flat'] as const) expect(ppo, v).not.toBe(key(v));
    expect(ppo).toBe(keyBefore('ppo-flat', variantConfig('ppo-flat', cfg), 'ppo'));
    expect(key('ppo-flat', resolveSampConfig('quick', { preset: 'quick', ppo: {} }))).toBe(ppo);
    for (const o of [
      { rolloutSteps: 64 },
      { clipEps: 0.3 },
      { gamma: 0.99 },
      { initStd: 0.3 },
      { normalizeAdvantages: false },
    ])
      expect(key('ppo-flat', resolveSampConfig('quick', { preset: 'quick', ppo: o })), JSON.stringify(o)).not.toBe(ppo);
    // the other flat agents' and samp-hdrl's keys are the hashes they were before ppo-flat (pinned field by field)
    expect(key('ddpg-flat')).toBe(keyBefore('ddpg-flat', variantConfig('ddpg-flat', cfg)));
    expect(key('td3-flat')).toBe(keyBefore('td3-flat', variantConfig('td3-flat', cfg), 'td3'));
    expect(key('sac-flat')).toBe(keyBefore('sac-flat', variantConfig('sac-flat', cfg), 'sac'));
    expect(key('samp-hdrl')).toBe(keyBefore('samp-hdrl', variantConfig('samp-hdrl', cfg)));
    // the other variants neither carry nor hash PPO settings
    const withPpo = resolveSampConfig('quick', { preset: 'quick', ppo: { epochs: 7 } });
    for (const v of ['ddpg-flat', 'td3-flat', 'sac-flat', 'samp-hdrl'] as const) {
      expect(key(v, withPpo), v).toBe(key(v));
      expect(variantConfig(v, withPpo).ppo, v).toBeUndefined();
    }
    expect(variantConfig('ppo-flat', cfg).ppo).toEqual(PPO_DEFAULTS);
    expect(() => resolveSampConfig('quick', { ppo: { minibatch: 0 } })).toThrow(
      /ppo.minibatch must be an integer in \[1, 100000\]/,
    );
    expect(() => resolveSampConfig('quick', { ppo: { initStd: 10 } })).toThrow(/ppo.initStd must be strictly between/);
    expect(() => resolveSampConfig('quick', { ppo: { gaeLambda: 1.5 } })).toThrow(
      /ppo.gaeLambda must be a number in \[0, 1\]/,
    );
  });

  it('stored details: ppo-flat rows read as PPO, with or without their family', () => {
    const concentration = { flat: 12.5 };
    expect(StoredDecisionDetail.parse({ family: 'ppo-flat', variant: 'ppo-flat', concentration }).family).toBe(
      'ppo-flat',
    );
    expect(StoredDecisionDetail.parse({ variant: 'ppo-flat', concentration }).family).toBe('ppo-flat');
    expect(StoredDecisionDetail.parse({ variant: 'ddpg-flat', concentration }).family).toBe('ddpg-flat');
  });

  it('the tfjs engine refuses PPO with a message that says what to do', async () => {
    const { tf } = await loadTf();
    const engine = tfjsSampEngine(tf, 'cpu');
    expect(() => engine.onPolicyLearner!(resolveSampConfig('quick'), 6, 1, 'ppo')).toThrow(
      /PPO trains on the ONNX Runtime engine only.*HDRL_TRAIN_ENGINE/,
    );
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'tfjs');
    await expect(trainPpo(1)).rejects.toThrow(/PPO trains on the ONNX Runtime engine only/);
  });
});
