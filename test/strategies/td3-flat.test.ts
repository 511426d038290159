/**
 * td3-flat, the flat agent trained with TD3 (docs/drl-baselines.md), as a registered strategy on a small real data
 * set (DJIA, 300 days x 6 assets, the tiny config of the SAMP tests): it trains through the one training loop with
 * the TD3 learner, records TD3 in its artifacts and in every decision's detail (which the stored-detail schema
 * reads back), trains the same weights for the same seed and others for another, keys its models apart from
 * ddpg-flat's (without changing those), takes its TD3 settings as parameters, and is refused by the tfjs engine.
 * The look-ahead test (test/strategies/lookahead.test.ts) runs it with every other registered strategy.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadTf, trainingEngineChoice } from '../../src-main/compute/backend';
import { MarketView } from '../../src-main/market/view';
import { SAMP_TRAINING_REVISION } from '../../src-main/strategies/samp/model';
import { resolveSampConfig, TD3_DEFAULTS } from '../../src-main/agents/samp/config';
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
} from '../../src-main/strategies/samp';
import { DecisionDetail, StoredDecisionDetail, decisionModel } from '../../src-shared/domain/decision';
import { djiaSubset } from '../helpers/data';
import { CTX, TINY_OVERRIDES, decideAll } from './samp/samp-helpers';

afterEach(() => {
  setSampModelStore(null);
  vi.unstubAllEnvs();
});

const prices = djiaSubset(300, 6);

async function trainTd3(seed: number, params: Record<string, unknown> = {}): Promise<SampArtifacts> {
  const config = configFromParams('td3-flat', { overrides: TINY_OVERRIDES, ...params });
  return trainSamp({ variant: 'td3-flat', config, prices, trainStart: CTX.trainStart, trainEnd: CTX.trainEnd, seed });
}

describe('td3-flat', () => {
  it('is registered as a learning strategy with the flat agent parameters and the TD3 settings', async () => {
    const def = await getStrategy('td3-flat');
    expect(def.label).toBe('TD3 flat (single agent)');
    expect(def.family).toBe('learning');
    expect(def.hindsight).toBe(false);
    const flat = await getStrategy('ddpg-flat');
    expect(def.params.map((p) => p.name)).toEqual([
      ...flat.params.map((p) => p.name),
      'policyDelay',
      'targetNoise',
      'targetNoiseClip',
    ]);
    const p = resolveParams(def, {});
    expect([p.policyDelay, p.targetNoise, p.targetNoiseClip]).toEqual([
      TD3_DEFAULTS.policyDelay,
      TD3_DEFAULTS.targetNoise,
      TD3_DEFAULTS.targetNoiseClip,
    ]);
    expect(() => resolveParams(def, { policyDelay: 0 })).toThrow(/policyDelay" must be >= 1/);
    expect(configFromParams('td3-flat', { preset: 'quick', policyDelay: 3 }).td3).toEqual({
      ...TD3_DEFAULTS,
      policyDelay: 3,
    });
    // the same presets and environment settings as ddpg-flat
    const a = configFromParams('td3-flat', { preset: 'standard' });
    const b = configFromParams('ddpg-flat', { preset: 'standard' });
    expect({ ...a, td3: undefined }).toEqual({ ...b, td3: undefined });
  });

  it('trains with TD3, decides through ONNX Runtime and records TD3 in every detail', async () => {
    let stored: SampArtifacts | undefined;
    setSampModelStore({ get: async () => undefined, put: async (_k, a) => void (stored = a) });
    const def = await getStrategy('td3-flat');
    const inst = await def.create({ prices, ...CTX, params: { overrides: TINY_OVERRIDES } });
    expect(stored).toBeDefined();
    const a = stored!;
    expect([a.variant, a.kind, a.backend]).toEqual(['td3-flat', 'flat', 'onnxruntime-cpu']);
    expect(a.config.td3).toEqual(TD3_DEFAULTS);
    // both critics are kept with the checkpoint
    const critic = a.critics.flat!.params.map((p) => p.name);
    expect(critic.filter((n) => n.startsWith('twin/')).length).toBe(critic.length / 2);
    // the per-episode actor loss averages the updates that stepped the actor (every second one)
    expect(a.training!.updates).toBeGreaterThan(2);
    for (const h of a.history) expect(Number.isFinite(h.actorLoss), `episode ${h.episode} actor loss`).toBe(true);

    const decisions = decideAll(inst, prices);
    for (const d of decisions) {
      let s = 0;
      for (const w of d.weights) {
        expect(w).toBeGreaterThanOrEqual(0);
        s += w;
      }
      expect(s).toBeCloseTo(1, 9);
      const detail = DecisionDetail.parse(JSON.parse(JSON.stringify(d.detail)));
      expect(detail.family).toBe('td3-flat');
      if (detail.family !== 'td3-flat') continue;
      expect(detail.variant).toBe('td3-flat');
      expect(detail.concentration.flat).toBeGreaterThan(1);
      expect(decisionModel(detail)?.key).toBe(a.key);
    }
    // a reloaded policy decides the same
    const again = decideAll((await loadSampPolicy(a)).instance(), prices);
    again.forEach((d, k) => expect(Array.from(d.weights)).toEqual(Array.from(decisions[k]!.weights)));
  });

  it('the same seed trains bit-identical weights, another seed other ones', async () => {
    const a = await trainTd3(5);
    const b = await trainTd3(5);
    const c = await trainTd3(6);
    expect(b.sha256.params).toBe(a.sha256.params);
    expect(b.sha256.onnx).toBe(a.sha256.onnx);
    expect(c.sha256.params).not.toBe(a.sha256.params);
    // the TD3 settings reach the training: no delay trains other weights from the same seed
    const d = await trainTd3(5, { policyDelay: 1 });
    expect(d.sha256.params).not.toBe(a.sha256.params);
  });

  it('keys its models by the algorithm and its settings, and leaves the keys of ddpg-flat as they were', () => {
    const cfg = resolveSampConfig('quick');
    const key = (variant: 'td3-flat' | 'ddpg-flat', c = cfg) => sampTrainingKey(variant, c, 1, prices, 120, 199);
    const td3 = key('td3-flat');
    expect(td3).not.toBe(key('ddpg-flat'));
    // the defaults spelled out (overrides would otherwise name the preset 'custom', which the key hashes too)
    expect(key('td3-flat', resolveSampConfig('quick', { preset: 'quick', td3: {} }))).toBe(td3);
    expect(key('td3-flat', resolveSampConfig('quick', { td3: { policyDelay: 3 } }))).not.toBe(td3);
    expect(key('td3-flat', resolveSampConfig('quick', { td3: { targetNoise: 0.1 } }))).not.toBe(td3);
    expect(key('td3-flat', resolveSampConfig('quick', { td3: { targetNoiseClip: 0.3 } }))).not.toBe(td3);
    // ddpg-flat's key is the hash it always was (fields and order as before td3-flat), so its stored models are reused
    const view = new MarketView(prices, 199);
    const h = createHash('sha256').update(
      JSON.stringify({
        revision: SAMP_TRAINING_REVISION,
        engine: trainingEngineChoice().key,
        variant: 'ddpg-flat',
        config: variantConfig('ddpg-flat', cfg),
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
    expect(key('ddpg-flat')).toBe(h.digest('hex'));
    // the DDPG variants neither carry nor hash TD3 settings
    expect(key('ddpg-flat', resolveSampConfig('quick', { preset: 'quick', td3: { policyDelay: 3 } }))).toBe(
      key('ddpg-flat'),
    );
    expect(variantConfig('ddpg-flat', resolveSampConfig('quick', { td3: {} })).td3).toBeUndefined();
    expect(variantConfig('td3-flat', cfg).td3).toEqual(TD3_DEFAULTS);
    expect(() => resolveSampConfig('quick', { td3: { targetNoise: -1 } })).toThrow(/td3.targetNoise must be/);
  });

  it('stored details: ddpg-flat rows (with or without a family) read as before, td3-flat rows as TD3', () => {
    const concentration = { flat: 12.5 };
    expect(StoredDecisionDetail.parse({ variant: 'ddpg-flat', concentration }).family).toBe('ddpg-flat');
    expect(StoredDecisionDetail.parse({ family: 'ddpg-flat', variant: 'ddpg-flat', concentration }).family).toBe(
      'ddpg-flat',
    );
    expect(StoredDecisionDetail.parse({ family: 'td3-flat', variant: 'td3-flat', concentration }).family).toBe(
      'td3-flat',
    );
    expect(StoredDecisionDetail.parse({ variant: 'td3-flat', concentration }).family).toBe('td3-flat');
  });

  it('the tfjs engine refuses TD3 with a message that says what to do', async () => {
    const { tf } = await loadTf();
    const engine = tfjsSampEngine(tf, 'cpu');
    expect(() => engine.learner('flat', resolveSampConfig('quick'), 6, 1, 'td3')).toThrow(
      /TD3 trains on the ONNX Runtime engine only.*HDRL_TRAIN_ENGINE/,
    );
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'tfjs');
    await expect(trainTd3(1)).rejects.toThrow(/TD3 trains on the ONNX Runtime engine only/);
  });
});
