/**
 * The cases every flat DRL baseline's test file asserts (td3-, sac-, ppo- and a2c-flat.test.ts; docs/drl-baselines.md),
 * written once. `describeFlatBaseline(spec)` runs them for one baseline on a small real data set (DJIA, 300 days x 6
 * assets, the tiny config of the SAMP tests); the spec of each test file holds what belongs to its algorithm alone:
 * the parameters it adds, the values that must change its weights and its reuse key, the messages it gives for bad
 * settings and what its trained artifacts show beyond the common checks.
 *
 * The cases, one test each:
 * - it is registered as a learning strategy with ddpg-flat's parameters followed by its own, defaulting to its
 *   algorithm's settings, with the presets of the flat agents added before it;
 * - it trains through its loop (off-policy with twin critics for TD3 and SAC, on-policy with a value network for PPO
 *   and A2C), records its algorithm in the artifacts and in every decision's detail, and a reloaded policy decides
 *   the same;
 * - the same seed trains bit-identical weights, another seed or any listed setting other ones;
 * - its reuse key hashes its algorithm and its settings, while the keys of the variants before it (and samp-hdrl's)
 *   stay the hashes spelled out field by field here, so the models stored under them are still found;
 * - stored detail rows of it and of the flat agents before it read back with or without their family;
 * - the tfjs engine refuses to train it, saying what to do.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadTf, trainingEngineChoice } from '../../src-main/compute/backend';
import { MarketView } from '../../src-main/market/view';
import {
  A2C_DEFAULTS,
  PPO_DEFAULTS,
  SAC_DEFAULTS,
  TD3_DEFAULTS,
  resolveSampConfig,
  type SampConfig,
  type SampConfigOverrides,
} from '../../src-main/agents/samp/config';
import { tfjsSampEngine, type OnPolicyAlgorithm } from '../../src-main/agents/samp/engines';
import { getStrategy, resolveParams } from '../../src-main/strategies/registry';
import { SAMP_TRAINING_REVISION } from '../../src-main/strategies/samp/model';
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

/** The algorithms of the flat baselines after DDPG; each is also the SampConfig field that holds its settings. */
export type FlatAlgorithm = 'td3' | 'sac' | 'ppo' | 'a2c';

/** Each algorithm's default settings, in the order the baselines were added (ddpg-flat, with none, came first). */
const DEFAULTS: Readonly<Record<FlatAlgorithm, object>> = {
  td3: TD3_DEFAULTS,
  sac: SAC_DEFAULTS,
  ppo: PPO_DEFAULTS,
  a2c: A2C_DEFAULTS,
};
const ALGORITHMS = Object.keys(DEFAULTS) as FlatAlgorithm[];

type Settings = Record<string, unknown>;
type Refusals = ReadonlyArray<readonly [Settings, RegExp]>;

/** What one flat baseline's test file gives {@link describeFlatBaseline}: all that is its algorithm's own. */
export interface FlatBaselineSpec {
  algorithm: FlatAlgorithm;
  /** strategy parameters, all of them settings, that every training here adds (rollouts that fit the tiny period) */
  small?: Settings;
  registration: {
    /** the parameters it adds to ddpg-flat's, in order */
    params: readonly string[];
    /** settings that are not parameters (reached through `overrides` only), each with a value to set there */
    overridesOnly?: Settings;
    /** parameter values that must arrive in the config's settings as given */
    set: Settings;
    /** parameter values the strategy refuses, with the message expected */
    refused: Refusals;
  };
  training: {
    /** how it trains, said after "trains with <ALGORITHM>, " in the test's name */
    how?: string;
    /** strategy parameters (settings) of this training beyond `small` */
    params?: Settings;
    /** the exploration std each episode must report, to within 0.05 */
    sigma?: number;
    /** what else its trained artifacts must show */
    artifacts?: (a: SampArtifacts) => void;
  };
  /** parameter values, and settings given through `overrides`, each of which must train other weights from seed 5 */
  changesWeights: { params: readonly Settings[]; overrides?: readonly Settings[] };
  key: {
    /** settings each of which must change its reuse key */
    changedBy: readonly Settings[];
    /** settings that the other variants' keys and configs must not see */
    otherVariantsIgnore: Settings;
    /** settings resolveSampConfig refuses, with the message expected */
    refused: Refusals;
  };
}

const flatId = <A extends FlatAlgorithm>(algorithm: A): `${A}-flat` => `${algorithm}-flat`;
const isOnPolicy = (a: FlatAlgorithm): a is OnPolicyAlgorithm => a === 'ppo' || a === 'a2c';

const prices = djiaSubset(300, 6);
const QUICK = resolveSampConfig('quick');

/** A tiny config's training of `algorithm` on the small data, with settings given as parameters or as overrides. */
function trainTiny(
  spec: FlatBaselineSpec,
  seed: number,
  params: Settings = {},
  settingsOverrides?: Settings,
): Promise<SampArtifacts> {
  const overrides = settingsOverrides
    ? JSON.stringify({ ...(JSON.parse(TINY_OVERRIDES) as object), [spec.algorithm]: settingsOverrides })
    : TINY_OVERRIDES;
  const config = configFromParams(flatId(spec.algorithm), { overrides, ...spec.small, ...params });
  const { trainStart, trainEnd } = CTX;
  return trainSamp({ variant: flatId(spec.algorithm), config, prices, trainStart, trainEnd, seed });
}

/** The reuse key sampTrainingKey gives `variant` trained from seed 1 on days 120..199, from `config`. */
const key = (variant: SampVariantId, config: SampConfig = QUICK) =>
  sampTrainingKey(variant, config, 1, prices, 120, 199);

/**
 * The reuse key of `variant` for the quick preset, spelled out field by field as stored models were keyed: a flat
 * baseline other than DDPG names its algorithm and adds that algorithm's default settings to the config; ddpg-flat
 * and samp-hdrl hash the preset as it is. A change to sampTrainingKey that would orphan stored models fails on it.
 */
function keyWrittenOut(variant: SampVariantId): string {
  const algorithm = ALGORITHMS.find((a) => flatId(a) === variant);
  const config: SampConfig = algorithm ? { ...QUICK, [algorithm]: { ...DEFAULTS[algorithm] } } : QUICK;
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

/** The quick preset with `settings` as `algorithm`'s, the preset still named 'quick' (the key hashes the name). */
const quickWith = (algorithm: FlatAlgorithm, settings: Settings) =>
  resolveSampConfig('quick', { preset: 'quick', [algorithm]: settings } as SampConfigOverrides);

const pick = (o: object, keys: readonly string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
const omit = (o: object, keys: readonly string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
/** A config without any algorithm's settings: what the flat agents share. */
const withoutSettings = (c: SampConfig) => ({ ...c, td3: undefined, sac: undefined, ppo: undefined, a2c: undefined });

/** The six cases of the file overview for the baseline `spec` describes, in a describe block named by its id. */
export function describeFlatBaseline(spec: FlatBaselineSpec): void {
  const { algorithm, small = {} } = spec;
  const id = flatId(algorithm);
  const NAME = algorithm.toUpperCase();
  const defaults = DEFAULTS[algorithm];
  const otherAlgorithms = ALGORITHMS.filter((a) => a !== algorithm);
  /** the flat agents added before this one, whose keys, presets and stored rows it must leave as they were */
  const earlierFlat: SampVariantId[] = ['ddpg-flat', ...ALGORITHMS.slice(0, ALGORITHMS.indexOf(algorithm)).map(flatId)];
  const otherVariants: SampVariantId[] = [...earlierFlat, 'samp-hdrl'];
  type OwnDetail = Extract<DecisionDetail, { family: typeof id }>;
  const isOwn = (d: DecisionDetail): d is OwnDetail => d.family === id;

  describe(id, () => {
    afterEach(() => {
      setSampModelStore(null);
      vi.unstubAllEnvs();
    });

    it(`is registered as a learning strategy with the flat agent parameters and the ${NAME} settings`, async () => {
      const { params, overridesOnly = {}, set, refused } = spec.registration;
      const def = await getStrategy(id);
      expect(def.label).toBe(`${NAME} flat (single agent)`);
      expect(def.family).toBe('learning');
      expect(def.hindsight).toBe(false);
      const flat = await getStrategy('ddpg-flat');
      expect(def.params.map((p) => p.name)).toEqual([...flat.params.map((p) => p.name), ...params]);
      // the parameters default to the algorithm's settings: all of them but those reached through overrides only
      const resolved = resolveParams(def, {});
      expect(pick(resolved, params)).toEqual(omit(defaults, Object.keys(overridesOnly)));
      for (const [p, message] of refused) expect(() => resolveParams(def, p), JSON.stringify(p)).toThrow(message);
      expect(configFromParams(id, { preset: 'quick', ...set })[algorithm]).toEqual({ ...defaults, ...set });
      const viaOverrides = JSON.stringify({ [algorithm]: overridesOnly });
      const reached = configFromParams(id, { preset: 'quick', overrides: viaOverrides })[algorithm]!;
      expect(pick(reached, Object.keys(overridesOnly))).toEqual(overridesOnly);
      // the same presets and environment settings as the flat agents before it, and no other algorithm's settings
      const own = configFromParams(id, { preset: 'standard' });
      for (const a of otherAlgorithms) expect(own[a], a).toBeUndefined();
      for (const v of earlierFlat)
        expect(withoutSettings(own), v).toEqual(withoutSettings(configFromParams(v, { preset: 'standard' })));
    });

    it(`trains with ${NAME}, ${spec.training.how ? `${spec.training.how}, ` : ''}decides through ONNX Runtime and records ${NAME} in every detail`, async () => {
      const { params = {}, sigma, artifacts } = spec.training;
      let stored: SampArtifacts | undefined;
      setSampModelStore({ get: async () => undefined, put: async (_k, a) => void (stored = a) });
      const def = await getStrategy(id);
      const inst = await def.create({ prices, ...CTX, params: { overrides: TINY_OVERRIDES, ...small, ...params } });
      expect(stored).toBeDefined();
      const a = stored!;
      expect([a.variant, a.kind, a.backend]).toEqual([id, 'flat', 'onnxruntime-cpu']);
      expect(a.config[algorithm]).toEqual({ ...defaults, ...small, ...params });
      for (const other of otherAlgorithms) expect(a.config[other], other).toBeUndefined();
      const critic = a.critics.flat!.params.map((p) => p.name);
      expect(critic.length).toBeGreaterThan(0);
      if (isOnPolicy(algorithm)) {
        // the value network is kept as the stage's critic
        expect(critic.every((n) => n.startsWith('value/'))).toBe(true);
      } else {
        // both critics are kept with the checkpoint
        expect(critic.filter((n) => n.startsWith('twin/')).length).toBe(critic.length / 2);
      }
      // the stored policy is the actor alone
      expect(a.params.params.map((p) => p.name).filter((n) => !n.startsWith('flat/'))).toEqual([]);
      for (const h of a.history) {
        expect(Number.isFinite(h.actorLoss) && Number.isFinite(h.criticLoss), `episode ${h.episode} losses`).toBe(true);
        if (sigma !== undefined)
          expect(Math.abs(h.sigma - sigma), `episode ${h.episode} sigma ${h.sigma}`).toBeLessThan(0.05);
      }
      artifacts?.(a);

      const decisions = decideAll(inst, prices);
      for (const d of decisions) {
        let s = 0;
        for (const w of d.weights) {
          expect(w).toBeGreaterThanOrEqual(0);
          s += w;
        }
        expect(s).toBeCloseTo(1, 9);
        const detail = DecisionDetail.parse(JSON.parse(JSON.stringify(d.detail)));
        expect(detail.family).toBe(id);
        if (!isOwn(detail)) continue;
        expect(detail.variant).toBe(id);
        expect(detail.concentration.flat).toBeGreaterThan(1);
        expect(decisionModel(detail)?.key).toBe(a.key);
      }
      // a reloaded policy decides the same
      const again = decideAll((await loadSampPolicy(a)).instance(), prices);
      again.forEach((d, k) => expect(Array.from(d.weights)).toEqual(Array.from(decisions[k]!.weights)));
    });

    it(`the same seed trains bit-identical weights, another seed other ones, and the ${NAME} settings reach the training`, async () => {
      const a = await trainTiny(spec, 5);
      const b = await trainTiny(spec, 5);
      const c = await trainTiny(spec, 6);
      expect(b.sha256.params).toBe(a.sha256.params);
      expect(b.sha256.onnx).toBe(a.sha256.onnx);
      expect(c.sha256.params).not.toBe(a.sha256.params);
      for (const p of spec.changesWeights.params)
        expect((await trainTiny(spec, 5, p)).sha256.params, JSON.stringify(p)).not.toBe(a.sha256.params);
      for (const o of spec.changesWeights.overrides ?? [])
        expect((await trainTiny(spec, 5, {}, o)).sha256.params, JSON.stringify(o)).not.toBe(a.sha256.params);
    });

    it("keys its models by the algorithm and its settings, and leaves the other variants' keys as they were", () => {
      const own = key(id);
      for (const v of otherVariants) expect(own, v).not.toBe(key(v));
      expect(own).toBe(keyWrittenOut(id));
      // the defaults spelled out
      expect(key(id, quickWith(algorithm, {}))).toBe(own);
      for (const o of spec.key.changedBy) expect(key(id, quickWith(algorithm, o)), JSON.stringify(o)).not.toBe(own);
      // the other variants' keys are the hashes their stored models were written under
      for (const v of otherVariants) expect(key(v), v).toBe(keyWrittenOut(v));
      // and they neither carry nor hash this algorithm's settings
      const withOwn = quickWith(algorithm, spec.key.otherVariantsIgnore);
      for (const v of otherVariants) {
        expect(key(v, withOwn), v).toBe(key(v));
        expect(variantConfig(v, withOwn)[algorithm], v).toBeUndefined();
      }
      // each variant runs with its own algorithm's settings only
      const withAll = resolveSampConfig('quick', Object.fromEntries(ALGORITHMS.map((x) => [x, {}])));
      for (const other of otherAlgorithms) expect(variantConfig(id, withAll)[other], other).toBeUndefined();
      for (const v of otherVariants) expect(variantConfig(v, withAll)[algorithm], v).toBeUndefined();
      expect(variantConfig(id, QUICK)[algorithm]).toEqual(defaults);
      for (const [o, message] of spec.key.refused)
        expect(() => resolveSampConfig('quick', { [algorithm]: o } as SampConfigOverrides), JSON.stringify(o)).toThrow(
          message,
        );
    });

    it(`stored details: ${id} rows read as ${NAME}, with or without their family, and earlier flat rows as before`, () => {
      const concentration = { flat: 12.5 };
      for (const v of [id, ...earlierFlat]) {
        expect(StoredDecisionDetail.parse({ family: v, variant: v, concentration }).family, v).toBe(v);
        expect(StoredDecisionDetail.parse({ variant: v, concentration }).family, v).toBe(v);
      }
    });

    it(`the tfjs engine refuses ${NAME} with a message that says what to do`, async () => {
      const { tf } = await loadTf();
      const engine = tfjsSampEngine(tf, 'cpu');
      const refusal = `${NAME} trains on the ONNX Runtime engine only`;
      expect(() =>
        isOnPolicy(algorithm)
          ? engine.onPolicyLearner!(QUICK, 6, 1, algorithm)
          : engine.learner('flat', QUICK, 6, 1, algorithm),
      ).toThrow(new RegExp(`${refusal}.*HDRL_TRAIN_ENGINE`));
      vi.stubEnv('HDRL_TRAIN_ENGINE', 'tfjs');
      await expect(trainTiny(spec, 1)).rejects.toThrow(refusal);
    });
  });
}
