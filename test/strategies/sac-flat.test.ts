/**
 * sac-flat, the flat agent trained with SAC (docs/drl-baselines.md), as a registered strategy on a small real data
 * set (DJIA, 300 days x 6 assets, the tiny config of the SAMP tests): it trains through the one training loop with
 * the SAC learner, exploring by sampling its own policy, records SAC in its artifacts and in every decision's detail
 * (which the stored-detail schema reads back), trains the same weights for the same seed and others for another,
 * keys its models apart from ddpg-flat's and td3-flat's (without changing those), takes its SAC settings as
 * parameters, and is refused by the tfjs engine. The look-ahead test (test/strategies/lookahead.test.ts) runs it
 * with every other registered strategy.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadTf, trainingEngineChoice } from '../../src-main/compute/backend';
import { MarketView } from '../../src-main/market/view';
import { SAMP_TRAINING_REVISION } from '../../src-main/strategies/samp/model';
import { resolveSampConfig, SAC_DEFAULTS, type SampConfig } from '../../src-main/agents/samp/config';
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

async function trainSac(seed: number, params: Record<string, unknown> = {}): Promise<SampArtifacts> {
  const config = configFromParams('sac-flat', { overrides: TINY_OVERRIDES, ...params });
  return trainSamp({ variant: 'sac-flat', config, prices, trainStart: CTX.trainStart, trainEnd: CTX.trainEnd, seed });
}

/** The reuse key as sampTrainingKey wrote it before sac-flat existed, spelled out field by field. */
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

describe('sac-flat', () => {
  it('is registered as a learning strategy with the flat agent parameters and the SAC settings', async () => {
    const def = await getStrategy('sac-flat');
    expect(def.label).toBe('SAC flat (single agent)');
    expect(def.family).toBe('learning');
    expect(def.hindsight).toBe(false);
    const flat = await getStrategy('ddpg-flat');
    expect(def.params.map((p) => p.name)).toEqual([
      ...flat.params.map((p) => p.name),
      'alpha',
      'alphaTuning',
      'targetEntropyPerAsset',
      'alphaLr',
      'initStd',
    ]);
    const p = resolveParams(def, {});
    expect({
      alpha: p.alpha,
      alphaTuning: p.alphaTuning,
      targetEntropyPerAsset: p.targetEntropyPerAsset,
      alphaLr: p.alphaLr,
      initStd: p.initStd,
    }).toEqual(SAC_DEFAULTS);
    expect(() => resolveParams(def, { alphaTuning: 'learned' })).toThrow(/alphaTuning" must be one of fixed, auto/);
    expect(() => resolveParams(def, { alpha: 0 })).toThrow(/alpha" must be >= 0.0001/);
    expect(configFromParams('sac-flat', { preset: 'quick', alphaTuning: 'auto', alpha: 0.05 }).sac).toEqual({
      ...SAC_DEFAULTS,
      alphaTuning: 'auto',
      alpha: 0.05,
    });
    // the same presets and environment settings as ddpg-flat and td3-flat
    const a = configFromParams('sac-flat', { preset: 'standard' });
    const b = configFromParams('ddpg-flat', { preset: 'standard' });
    const c = configFromParams('td3-flat', { preset: 'standard' });
    expect({ ...a, sac: undefined }).toEqual({ ...b, sac: undefined });
    expect({ ...a, sac: undefined }).toEqual({ ...c, td3: undefined });
  });

  it('trains with SAC, explores with its own policy, decides through ONNX Runtime and records SAC in every detail', async () => {
    let stored: SampArtifacts | undefined;
    setSampModelStore({ get: async () => undefined, put: async (_k, a) => void (stored = a) });
    const def = await getStrategy('sac-flat');
    const inst = await def.create({ prices, ...CTX, params: { overrides: TINY_OVERRIDES, initStd: 0.8 } });
    expect(stored).toBeDefined();
    const a = stored!;
    expect([a.variant, a.kind, a.backend]).toEqual(['sac-flat', 'flat', 'onnxruntime-cpu']);
    expect(a.config.sac).toEqual({ ...SAC_DEFAULTS, initStd: 0.8 });
    expect(a.config.td3).toBeUndefined();
    // both critics are kept with the checkpoint
    const critic = a.critics.flat!.params.map((p) => p.name);
    expect(critic.filter((n) => n.startsWith('twin/')).length).toBe(critic.length / 2);
    // the stored policy is the actor alone: the log-std is a training parameter
    expect(a.params.params.map((p) => p.name).filter((n) => n.startsWith('sac/'))).toEqual([]);
    // every update stepped the actor; exploration sampled the policy (its std near 0.8, not the loop's noise 0.5)
    expect(a.training!.updates).toBeGreaterThan(2);
    for (const h of a.history) {
      expect(Number.isFinite(h.actorLoss), `episode ${h.episode} actor loss`).toBe(true);
      expect(Math.abs(h.sigma - 0.8), `episode ${h.episode} sigma ${h.sigma}`).toBeLessThan(0.05);
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
      expect(detail.family).toBe('sac-flat');
      if (detail.family !== 'sac-flat') continue;
      expect(detail.variant).toBe('sac-flat');
      expect(detail.concentration.flat).toBeGreaterThan(1);
      expect(decisionModel(detail)?.key).toBe(a.key);
    }
    // a reloaded policy decides the same
    const again = decideAll((await loadSampPolicy(a)).instance(), prices);
    again.forEach((d, k) => expect(Array.from(d.weights)).toEqual(Array.from(decisions[k]!.weights)));
  });

  it('the same seed trains bit-identical weights, another seed other ones, and the SAC settings reach the training', async () => {
    const a = await trainSac(5);
    const b = await trainSac(5);
    const c = await trainSac(6);
    expect(b.sha256.params).toBe(a.sha256.params);
    expect(b.sha256.onnx).toBe(a.sha256.onnx);
    expect(c.sha256.params).not.toBe(a.sha256.params);
    for (const p of [{ alpha: 0.5 }, { alphaTuning: 'auto', alphaLr: 0.01 }, { initStd: 1.5 }])
      expect((await trainSac(5, p)).sha256.params, JSON.stringify(p)).not.toBe(a.sha256.params);
  });

  it("keys its models by the algorithm and its settings, and leaves ddpg-flat's and td3-flat's keys as they were", () => {
    const cfg = resolveSampConfig('quick');
    const key = (variant: SampVariantId, c = cfg) => sampTrainingKey(variant, c, 1, prices, 120, 199);
    const sac = key('sac-flat');
    expect(sac).not.toBe(key('ddpg-flat'));
    expect(sac).not.toBe(key('td3-flat'));
    expect(sac).toBe(keyBefore('sac-flat', variantConfig('sac-flat', cfg), 'sac'));
    // the defaults spelled out (overrides would otherwise name the preset 'custom', which the key hashes too)
    expect(key('sac-flat', resolveSampConfig('quick', { preset: 'quick', sac: {} }))).toBe(sac);
    for (const o of [
      { alpha: 0.02 },
      { alphaTuning: 'auto' as const },
      { targetEntropyPerAsset: -2 },
      { alphaLr: 1e-3 },
      { initStd: 0.3 },
    ])
      expect(key('sac-flat', resolveSampConfig('quick', { preset: 'quick', sac: o })), JSON.stringify(o)).not.toBe(sac);
    // ddpg-flat's and td3-flat's keys are the hashes they were before sac-flat (pinned field by field)
    expect(key('ddpg-flat')).toBe(keyBefore('ddpg-flat', variantConfig('ddpg-flat', cfg)));
    expect(key('td3-flat')).toBe(keyBefore('td3-flat', variantConfig('td3-flat', cfg), 'td3'));
    // the other variants neither carry nor hash SAC settings
    const withSac = resolveSampConfig('quick', { preset: 'quick', sac: { alpha: 0.5 } });
    for (const v of ['ddpg-flat', 'td3-flat', 'samp-hdrl'] as const) {
      expect(key(v, withSac), v).toBe(key(v));
      expect(variantConfig(v, withSac).sac, v).toBeUndefined();
    }
    expect(variantConfig('sac-flat', cfg).sac).toEqual(SAC_DEFAULTS);
    expect(variantConfig('sac-flat', resolveSampConfig('quick', { td3: {} })).td3).toBeUndefined();
    expect(() => resolveSampConfig('quick', { sac: { initStd: 10 } })).toThrow(/sac.initStd must lie strictly between/);
    expect(() => resolveSampConfig('quick', { sac: { targetEntropyPerAsset: -11 } })).toThrow(
      /sac.targetEntropyPerAsset must be a number in \[-10, 10\]/,
    );
  });

  it('stored details: sac-flat rows read as SAC, with or without their family', () => {
    const concentration = { flat: 12.5 };
    expect(StoredDecisionDetail.parse({ family: 'sac-flat', variant: 'sac-flat', concentration }).family).toBe(
      'sac-flat',
    );
    expect(StoredDecisionDetail.parse({ variant: 'sac-flat', concentration }).family).toBe('sac-flat');
    expect(StoredDecisionDetail.parse({ variant: 'ddpg-flat', concentration }).family).toBe('ddpg-flat');
  });

  it('the tfjs engine refuses SAC with a message that says what to do', async () => {
    const { tf } = await loadTf();
    const engine = tfjsSampEngine(tf, 'cpu');
    expect(() => engine.learner('flat', resolveSampConfig('quick'), 6, 1, 'sac')).toThrow(
      /SAC trains on the ONNX Runtime engine only.*HDRL_TRAIN_ENGINE/,
    );
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'tfjs');
    await expect(trainSac(1)).rejects.toThrow(/SAC trains on the ONNX Runtime engine only/);
  });
});
