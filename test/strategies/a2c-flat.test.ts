/**
 * a2c-flat, the flat agent trained on-policy with A2C (docs/drl-baselines.md), as a registered strategy on a small
 * real data set (DJIA, 300 days x 6 assets, the tiny config of the SAMP tests): it trains through the on-policy loop
 * with A2C's rule (one update per rollout), records A2C in its artifacts and in every decision's detail (which the
 * stored-detail schema reads back), trains the same weights for the same seed and others for another or for any
 * other A2C setting, keys its models apart from the other flat agents' (without changing their keys, or samp-hdrl's,
 * pinned field by field from configs written out here), takes its A2C settings as parameters, and is refused by the
 * tfjs engine. The loop's A2C pass is tested in test/agents/onpolicy.test.ts; the look-ahead test
 * (test/strategies/lookahead.test.ts) runs it with every other registered strategy.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadTf, trainingEngineChoice } from '../../src-main/compute/backend';
import { MarketView } from '../../src-main/market/view';
import { SAMP_TRAINING_REVISION } from '../../src-main/strategies/samp/model';
import {
  A2C_DEFAULTS,
  PPO_DEFAULTS,
  SAC_DEFAULTS,
  TD3_DEFAULTS,
  resolveSampConfig,
  type SampConfig,
} from '../../src-main/agents/samp/config';
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
/** rollouts that fit the tiny 59-day training period several times */
const SMALL = { rolloutSteps: 10 };

async function trainA2c(
  seed: number,
  params: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
): Promise<SampArtifacts> {
  const tiny = JSON.stringify({ ...(JSON.parse(TINY_OVERRIDES) as object), ...overrides });
  const config = configFromParams('a2c-flat', { overrides: tiny, ...SMALL, ...params });
  return trainSamp({ variant: 'a2c-flat', config, prices, trainStart: CTX.trainStart, trainEnd: CTX.trainEnd, seed });
}

/** The reuse key as sampTrainingKey writes it, spelled out field by field over a config given in full. */
function keyOf(variant: SampVariantId, config: SampConfig, algorithm?: string): string {
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

const A2C_PARAM_NAMES = ['rolloutSteps', 'gamma', 'gaeLambda', 'entCoef', 'vfCoef', 'lr', 'gradClipNorm'] as const;

describe('a2c-flat', () => {
  it('is registered as a learning strategy with the flat agent parameters and the A2C settings', async () => {
    const def = await getStrategy('a2c-flat');
    expect(def.label).toBe('A2C flat (single agent)');
    expect(def.family).toBe('learning');
    expect(def.hindsight).toBe(false);
    const flat = await getStrategy('ddpg-flat');
    expect(def.params.map((p) => p.name)).toEqual([...flat.params.map((p) => p.name), ...A2C_PARAM_NAMES]);
    const p = resolveParams(def, {});
    const { initStd: _i, normalizeAdvantages: _n, ...exposed } = A2C_DEFAULTS;
    expect(Object.fromEntries(A2C_PARAM_NAMES.map((k) => [k, p[k]]))).toEqual(exposed);
    expect(() => resolveParams(def, { gradClipNorm: -1 })).toThrow(/gradClipNorm" must be >= 0/);
    expect(() => resolveParams(def, { rolloutSteps: 0 })).toThrow(/rolloutSteps" must be >= 1/);
    // PPO's passes and clip are not A2C's
    expect(() => resolveParams(def, { epochs: 2 })).toThrow(/unknown parameter "epochs"/);
    expect(configFromParams('a2c-flat', { preset: 'quick', rolloutSteps: 32, gradClipNorm: 0 }).a2c).toEqual({
      ...A2C_DEFAULTS,
      rolloutSteps: 32,
      gradClipNorm: 0,
    });
    // initStd and the advantage normalisation are reached through overrides
    const viaOverrides = configFromParams('a2c-flat', {
      preset: 'quick',
      overrides: JSON.stringify({ a2c: { initStd: 0.9, normalizeAdvantages: true } }),
    }).a2c!;
    expect([viaOverrides.initStd, viaOverrides.normalizeAdvantages]).toEqual([0.9, true]);
    // the same presets and environment settings as ddpg-flat, and no PPO settings
    const a = configFromParams('a2c-flat', { preset: 'standard' });
    const b = configFromParams('ddpg-flat', { preset: 'standard' });
    expect(a.ppo).toBeUndefined();
    expect({ ...a, a2c: undefined }).toEqual({ ...b, a2c: undefined });
  });

  it('trains with A2C, one update per rollout, decides through ONNX Runtime and records A2C in every detail', async () => {
    let stored: SampArtifacts | undefined;
    setSampModelStore({ get: async () => undefined, put: async (_k, a) => void (stored = a) });
    const def = await getStrategy('a2c-flat');
    const inst = await def.create({ prices, ...CTX, params: { overrides: TINY_OVERRIDES, ...SMALL } });
    expect(stored).toBeDefined();
    const a = stored!;
    expect([a.variant, a.kind, a.backend]).toEqual(['a2c-flat', 'flat', 'onnxruntime-cpu']);
    expect(a.config.a2c).toEqual({ ...A2C_DEFAULTS, ...SMALL });
    for (const other of [a.config.td3, a.config.sac, a.config.ppo]) expect(other).toBeUndefined();
    // the value network is kept as the stage's critic; the stored policy is the actor alone
    expect(a.critics.flat!.params.every((p) => p.name.startsWith('value/'))).toBe(true);
    expect(a.params.params.map((p) => p.name).filter((n) => !n.startsWith('flat/'))).toEqual([]);
    // 59 training days (120..178, validation from 179): rollouts of 10 (x5) and 9 steps, one update each (PPO's
    // passes would make 8 of the same rollouts)
    expect(a.training!.episodes).toBe(1);
    expect(a.training!.updates).toBe(6);
    for (const h of a.history)
      expect(Number.isFinite(h.actorLoss) && Number.isFinite(h.criticLoss), `episode ${h.episode} losses`).toBe(true);

    const decisions = decideAll(inst, prices);
    for (const d of decisions) {
      let s = 0;
      for (const w of d.weights) {
        expect(w).toBeGreaterThanOrEqual(0);
        s += w;
      }
      expect(s).toBeCloseTo(1, 9);
      const detail = DecisionDetail.parse(JSON.parse(JSON.stringify(d.detail)));
      expect(detail.family).toBe('a2c-flat');
      if (detail.family !== 'a2c-flat') continue;
      expect(detail.variant).toBe('a2c-flat');
      expect(detail.concentration.flat).toBeGreaterThan(1);
      expect(decisionModel(detail)?.key).toBe(a.key);
    }
    const again = decideAll((await loadSampPolicy(a)).instance(), prices);
    again.forEach((d, k) => expect(Array.from(d.weights)).toEqual(Array.from(decisions[k]!.weights)));
  });

  it('the same seed trains bit-identical weights, another seed other ones, and each A2C setting reaches the training', async () => {
    const a = await trainA2c(5);
    const b = await trainA2c(5);
    const c = await trainA2c(6);
    expect(b.sha256.params).toBe(a.sha256.params);
    expect(b.sha256.onnx).toBe(a.sha256.onnx);
    expect(c.sha256.params).not.toBe(a.sha256.params);
    for (const p of [
      { rolloutSteps: 12 },
      { gamma: 0.5 },
      { gaeLambda: 0.5 },
      { entCoef: 0.5 },
      { vfCoef: 2 },
      { lr: 1e-2 },
      { gradClipNorm: 0 },
    ])
      expect((await trainA2c(5, p)).sha256.params, JSON.stringify(p)).not.toBe(a.sha256.params);
    for (const o of [{ initStd: 0.3 }, { normalizeAdvantages: true }])
      expect((await trainA2c(5, {}, { a2c: o })).sha256.params, JSON.stringify(o)).not.toBe(a.sha256.params);
  });

  it("keys its models by the algorithm and its settings, and leaves the other variants' keys as they were", () => {
    const cfg = resolveSampConfig('quick');
    const key = (variant: SampVariantId, c = cfg) => sampTrainingKey(variant, c, 1, prices, 120, 199);
    const a2c = key('a2c-flat');
    for (const v of ['ddpg-flat', 'td3-flat', 'sac-flat', 'ppo-flat'] as const) expect(a2c, v).not.toBe(key(v));
    expect(a2c).toBe(keyOf('a2c-flat', { ...cfg, a2c: { ...A2C_DEFAULTS } }, 'a2c'));
    expect(key('a2c-flat', resolveSampConfig('quick', { preset: 'quick', a2c: {} }))).toBe(a2c);
    for (const o of [
      { rolloutSteps: 64 },
      { gamma: 0.99 },
      { gaeLambda: 0.95 },
      { entCoef: 0 },
      { vfCoef: 1 },
      { lr: 3e-4 },
      { gradClipNorm: 5 },
      { initStd: 0.3 },
      { normalizeAdvantages: true },
    ])
      expect(key('a2c-flat', resolveSampConfig('quick', { preset: 'quick', a2c: o })), JSON.stringify(o)).not.toBe(a2c);
    // the other flat agents' and samp-hdrl's keys: the hashes of their configs as written out here, which carry
    // their own algorithm's settings and no A2C ones
    expect(key('ddpg-flat')).toBe(keyOf('ddpg-flat', cfg));
    expect(key('samp-hdrl')).toBe(keyOf('samp-hdrl', cfg));
    expect(key('td3-flat')).toBe(keyOf('td3-flat', { ...cfg, td3: { ...TD3_DEFAULTS } }, 'td3'));
    expect(key('sac-flat')).toBe(keyOf('sac-flat', { ...cfg, sac: { ...SAC_DEFAULTS } }, 'sac'));
    expect(key('ppo-flat')).toBe(keyOf('ppo-flat', { ...cfg, ppo: { ...PPO_DEFAULTS } }, 'ppo'));
    // the other variants neither carry nor hash A2C settings
    const withA2c = resolveSampConfig('quick', { preset: 'quick', a2c: { rolloutSteps: 7 } });
    for (const v of ['ddpg-flat', 'td3-flat', 'sac-flat', 'ppo-flat', 'samp-hdrl'] as const) {
      expect(key(v, withA2c), v).toBe(key(v));
      expect(variantConfig(v, withA2c).a2c, v).toBeUndefined();
    }
    expect(variantConfig('a2c-flat', cfg).a2c).toEqual(A2C_DEFAULTS);
    expect(() => resolveSampConfig('quick', { a2c: { gradClipNorm: 101 } })).toThrow(
      /a2c.gradClipNorm must be a number in \[0, 100\], got 101/,
    );
    expect(() => resolveSampConfig('quick', { a2c: { rolloutSteps: 2.5 } })).toThrow(
      /a2c.rolloutSteps must be an integer in \[1, 100000\]/,
    );
    expect(() => resolveSampConfig('quick', { a2c: { initStd: 10 } })).toThrow(/a2c.initStd must be strictly between/);
    expect(() => resolveSampConfig('quick', { a2c: { lr: 0 } })).toThrow(/a2c.lr must be a number in \(0, 1\]/);
  });

  it('stored details: a2c-flat rows read as A2C, with or without their family', () => {
    const concentration = { flat: 12.5 };
    expect(StoredDecisionDetail.parse({ family: 'a2c-flat', variant: 'a2c-flat', concentration }).family).toBe(
      'a2c-flat',
    );
    expect(StoredDecisionDetail.parse({ variant: 'a2c-flat', concentration }).family).toBe('a2c-flat');
    expect(StoredDecisionDetail.parse({ variant: 'ppo-flat', concentration }).family).toBe('ppo-flat');
  });

  it('the tfjs engine refuses A2C with a message that says what to do', async () => {
    const { tf } = await loadTf();
    const engine = tfjsSampEngine(tf, 'cpu');
    expect(() => engine.onPolicyLearner!(resolveSampConfig('quick'), 6, 1, 'a2c')).toThrow(
      /A2C trains on the ONNX Runtime engine only.*HDRL_TRAIN_ENGINE/,
    );
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'tfjs');
    await expect(trainA2c(1)).rejects.toThrow(/A2C trains on the ONNX Runtime engine only/);
  });
});
