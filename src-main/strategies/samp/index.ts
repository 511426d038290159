/**
 * The SAMP-HDRL strategy family (docs/samp-hdrl.md) as StrategyDefs: the full method, its ablations
 * and the flat DRL baselines on its environment (ddpg-flat; td3-flat, sac-flat, ppo-flat and a2c-flat,
 * docs/drl-baselines.md). `create(ctx)` trains on ctx.trainStart..ctx.trainEnd (prices read through a
 * MarketView at trainEnd), reports progress through ctx.progress, honours ctx.signal, exports the trained
 * policy to ONNX and returns an instance deciding through ONNX Runtime.
 *
 * Trained models can be reused: install a store with `setSampModelStore` (e.g. files next to the database
 * keyed by `sampTrainingKey`); create() then loads matching artifacts instead of training, and puts new ones.
 *
 * The capital split's rules are named parameters of every variant that splits capital (SPLIT_PARAMS: temperature
 * rule, calibration, fixed temperature, smoothing, rebound mode; issue 15). Two variants differ from samp-hdrl by
 * these settings only (SETTING_VARIANTS: fixed-temperature, the split before issue 15; rebound-gate). The seed
 * ensembles samp-hdrl/ensemble and ddpg-flat/ensemble average the decisions of their members, each created by
 * the same path as the single-seed strategy (so stored models are reused and missing ones trained; ensemble.ts).
 *
 * Why this file is long: every variant's parameters (the split's, and each flat algorithm's own settings) are declared
 * here with their descriptions and ranges, next to the one reader that turns them into a config.
 */
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { readParams } from '../classic/params';
import {
  A2C_DEFAULTS,
  PPO_DEFAULTS,
  resolveSampConfig,
  SAC_DEFAULTS,
  SAMP_PRESET_NAMES,
  TD3_DEFAULTS,
  type OnPolicySettings,
  type SampConfig,
  type SampConfigOverrides,
  type SampPresetName,
} from '../../agents/samp/config';
import type { SampModelStore } from '../../agents/samp/artifacts';
import { loadSampPolicy, sampTrainingKey, trainSamp, variantGroup, type SampVariantId } from './model';
import { UTILITY_DEFAULTS } from './logic/utility';
import { REBOUND_MODE_DEFAULT } from './logic/rebound';
import { ensembleStrategy } from './ensemble';

export { trainSamp, loadSampPolicy, sampTrainingKey, variantConfig, variantKind } from './model';
export type { SampVariantId, SampTrainRequest, SampPolicy } from './model';
export { serializeSampArtifacts, parseSampArtifacts, type SampArtifacts } from '../../agents/samp/artifacts';

let modelStore: SampModelStore | null = null;

/** Install (or remove, with null) the store create() reuses trained models from. */
export function setSampModelStore(store: SampModelStore | null): void {
  modelStore = store;
}

const COMMON_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description:
      "network and training size: 'quick' (about a minute per model on a CPU core; for trying the pipeline), 'standard' (2-5 minutes per model; for evaluations) or 'paper' (the paper-sized networks; GPU or long run)",
    default: 'standard',
    choices: [...SAMP_PRESET_NAMES],
  },
  {
    name: 'episodes',
    description:
      'at most this many passes over the training period per training stage (the update budget may end a stage sooner); 0 = the preset value',
    default: 0,
    min: 0,
    max: 10_000,
  },
  {
    name: 'costRate',
    description: 'proportional transaction cost charged in the training reward (0.001 = 0.1%, the paper value)',
    default: 0.001,
    min: 0,
    max: 0.1,
  },
  {
    name: 'overrides',
    description:
      'JSON object of further config overrides (agents/samp/config.ts SampConfig fields, merged field by field); empty = none',
    default: '',
  },
];
const HIER_PARAMS: StrategyParamSpec[] = [
  {
    name: 'fusionA',
    description: 'fusion coefficient a in w = a w0 + (1 - a)(c1 w1 + c2 w2), a set value (not learned)',
    default: 0.3,
    min: 0,
    max: 1,
  },
  {
    name: 'regroupEvery',
    description: 'dynamic grouping period in trading days (paper: 75)',
    default: 75,
    min: 1,
    max: 2520,
  },
];
/** The capital split's settings (logic/utility.ts, logic/rebound.ts, allocation.ts), defaults from those modules. */
const SPLIT_PARAMS: StrategyParamSpec[] = [
  {
    name: 'temperatureRule',
    description:
      "softmax temperature of the capital split: 'calibrated' (calibration x the standard error of the utility differences, from the utility window) or 'fixed' (temperature)",
    default: UTILITY_DEFAULTS.temperatureRule,
    choices: ['calibrated', 'fixed'],
  },
  {
    name: 'calibration',
    description:
      'calibrated rule: c in temperature = c x standard error (1: a gap of one standard error moves the split between two entries to e : 1)',
    default: UTILITY_DEFAULTS.calibration,
    min: 0.01,
    max: 100,
  },
  {
    name: 'temperature',
    description: 'fixed rule: the softmax temperature in annual-return units (0.1 before issue 15)',
    default: UTILITY_DEFAULTS.temperature,
    min: 0.0001,
    max: 100,
  },
  {
    name: 'smoothingHalfLife',
    description: 'half-life in trading days of the moving average over the daily capital splits; 0 = none',
    default: UTILITY_DEFAULTS.smoothingHalfLife,
    min: 0,
    max: 250,
  },
  {
    name: 'reboundMode',
    description:
      "a downtrend without a confirmed rebound: 'cap' the risky capital at the downtrend cap (0.5), or 'gate' the group's utility advantage over cash and positive momentum tilt off",
    default: REBOUND_MODE_DEFAULT,
    choices: ['cap', 'gate'],
  },
];

/** TD3's own settings (agents/samp/config.ts Td3Settings), for td3-flat. */
const TD3_PARAMS: StrategyParamSpec[] = [
  {
    name: 'policyDelay',
    description:
      'critic updates per actor update: the actor and the target networks move on every policyDelay-th update, the twin critics on every one',
    default: TD3_DEFAULTS.policyDelay,
    min: 1,
    max: 100,
  },
  {
    name: 'targetNoise',
    description:
      "standard deviation of the Gaussian noise on the target actor's logits in the critic target (target policy smoothing); 0 = none",
    default: TD3_DEFAULTS.targetNoise,
    min: 0,
    max: 10,
  },
  {
    name: 'targetNoiseClip',
    description: 'the target-policy noise is clipped to plus or minus this',
    default: TD3_DEFAULTS.targetNoiseClip,
    min: 0,
    max: 10,
  },
];

/** SAC's own settings (agents/samp/config.ts SacSettings, which says why each default), for sac-flat. */
const SAC_PARAMS: StrategyParamSpec[] = [
  {
    name: 'alpha',
    description:
      "entropy temperature in the critic's units (rewards times the reward scale, 100): the value used throughout, or the starting value when alphaTuning is 'auto'",
    default: SAC_DEFAULTS.alpha,
    min: 0.0001,
    max: 100,
  },
  {
    name: 'alphaTuning',
    description:
      "'fixed' keeps alpha; 'auto' learns log alpha by Adam so the policy's entropy stays near targetEntropyPerAsset x the number of assets",
    default: SAC_DEFAULTS.alphaTuning,
    choices: ['fixed', 'auto'],
  },
  {
    name: 'targetEntropyPerAsset',
    description: "'auto' only: the target entropy per asset, in nats (-1: the usual -dim(action))",
    default: SAC_DEFAULTS.targetEntropyPerAsset,
    min: -10,
    max: 10,
  },
  {
    name: 'alphaLr',
    description: "'auto' only: the Adam learning rate of log alpha",
    default: SAC_DEFAULTS.alphaLr,
    min: 1e-7,
    max: 1,
  },
  {
    name: 'initStd',
    description:
      "starting standard deviation of the policy's Gaussian over the logits (learned from there, kept between e^-5 and e^2)",
    default: SAC_DEFAULTS.initStd,
    min: 0.01,
    max: 5,
  },
];

/**
 * The settings both on-policy baselines take (agents/samp/config.ts OnPolicySettings), with `d`'s defaults: the
 * rollout length first, then the discount, GAE's lambda, the two loss weights and the learning rate.
 */
function onPolicyParams(d: OnPolicySettings): [StrategyParamSpec, ...StrategyParamSpec[]] {
  return [
    {
      name: 'rolloutSteps',
      description:
        'environment steps per rollout (cut at the end of each pass over the training period); each rollout is learned from, then dropped',
      default: d.rolloutSteps,
      min: 1,
      max: 100_000,
    },
    {
      name: 'gamma',
      description: 'discount of the advantages and returns (0.9 as the DDPG presets for daily rewards)',
      default: d.gamma,
      min: 0,
      max: 0.9999,
    },
    {
      name: 'gaeLambda',
      description: 'lambda of the generalised advantage estimate (0 = one-step TD, 1 = Monte-Carlo to the rollout end)',
      default: d.gaeLambda,
      min: 0,
      max: 1,
    },
    {
      name: 'entCoef',
      description:
        "weight of the policy's entropy bonus (the Gaussian over the logits; it pushes the standard deviations up)",
      default: d.entCoef,
      min: 0,
      max: 1,
    },
    {
      name: 'vfCoef',
      description: 'weight of the value loss mean (V(s) - R)^2 in the loss',
      default: d.vfCoef,
      min: 0.0001,
      max: 10,
    },
    {
      name: 'lr',
      description: 'Adam learning rate of the policy and the value network (follows the learning-rate schedule)',
      default: d.lr,
      min: 1e-7,
      max: 1,
    },
  ];
}

/** PPO's own settings (agents/samp/config.ts PpoSettings, which says why each default), for ppo-flat. */
const PPO_PARAMS: StrategyParamSpec[] = (() => {
  const [rollout, ...rest] = onPolicyParams(PPO_DEFAULTS);
  return [
    rollout,
    {
      name: 'epochs',
      description: 'passes over each rollout, each in freshly shuffled minibatches',
      default: PPO_DEFAULTS.epochs,
      min: 1,
      max: 100,
    },
    {
      name: 'minibatch',
      description: 'samples per gradient step (each step counts as one update of the budget)',
      default: PPO_DEFAULTS.minibatch,
      min: 1,
      max: 100_000,
    },
    {
      name: 'clipEps',
      description: 'epsilon of the clipped surrogate: the probability ratio is clipped to [1 - clipEps, 1 + clipEps]',
      default: PPO_DEFAULTS.clipEps,
      min: 0.001,
      max: 0.999,
    },
    ...rest,
  ];
})();

/**
 * A2C's own settings (agents/samp/config.ts A2cSettings, which says why each default), for a2c-flat: no epochs,
 * minibatch or ratio clip (each rollout is one gradient step on all of it), and its own gradient clip.
 */
const A2C_PARAMS: StrategyParamSpec[] = [
  ...onPolicyParams(A2C_DEFAULTS),
  {
    name: 'gradClipNorm',
    description: "global-norm clip of each step's gradient (all parameters together); 0 = off",
    default: A2C_DEFAULTS.gradClipNorm,
    min: 0,
    max: 100,
  },
];

/**
 * Variants that differ from samp-hdrl by split settings only: `set` fixes parameter values (the variant does not
 * take them), `unused` names parameters the variant's rule ignores (not offered either).
 */
const SETTING_VARIANTS: Partial<Record<SampVariantId, { set: Record<string, string | number>; unused?: string[] }>> = {
  'samp-hdrl/fixed-temperature': { set: { temperatureRule: 'fixed', smoothingHalfLife: 0 }, unused: ['calibration'] },
  'samp-hdrl/rebound-gate': { set: { reboundMode: 'gate' } },
};

/** Split parameters an ablation ignores (its change is in model.ts variantConfig). */
const ABLATION_UNUSED: Partial<Record<SampVariantId, string[]>> = {
  'samp-hdrl/no-utility': ['temperatureRule', 'calibration', 'temperature'],
  'samp-hdrl/no-rebound': ['reboundMode'],
};

/**
 * Parameters of a variant: all take COMMON_PARAMS; those with a grouping take regroupEvery; those that fuse
 * (not upper-only, not lower-only where a = 0) take fusionA; those that split capital (not upper-only, whose
 * portfolio is w0) take the SPLIT_PARAMS they use; ddpg-flat takes none of these, td3-flat only TD3_PARAMS,
 * sac-flat only SAC_PARAMS, ppo-flat only PPO_PARAMS and a2c-flat only A2C_PARAMS.
 */
export function sampParamSpecs(variant: SampVariantId): StrategyParamSpec[] {
  if (variant === 'ddpg-flat') return COMMON_PARAMS;
  if (variant === 'td3-flat') return [...COMMON_PARAMS, ...TD3_PARAMS];
  if (variant === 'sac-flat') return [...COMMON_PARAMS, ...SAC_PARAMS];
  if (variant === 'ppo-flat') return [...COMMON_PARAMS, ...PPO_PARAMS];
  if (variant === 'a2c-flat') return [...COMMON_PARAMS, ...A2C_PARAMS];
  const fuses = variant !== 'samp-hdrl/upper-only' && variant !== 'samp-hdrl/lower-only';
  const splits = variant !== 'samp-hdrl/upper-only';
  const sv = SETTING_VARIANTS[variant];
  const hidden = new Set([...Object.keys(sv?.set ?? {}), ...(sv?.unused ?? []), ...(ABLATION_UNUSED[variant] ?? [])]);
  return [
    ...COMMON_PARAMS,
    ...HIER_PARAMS.filter((s) => s.name !== 'fusionA' || fuses),
    ...(splits ? SPLIT_PARAMS.filter((s) => !hidden.has(s.name)) : []),
  ];
}

/** The config a strategy's params describe (before the variant's ablation change; with a setting variant's values). */
export function configFromParams(variant: SampVariantId, params: Record<string, unknown>): SampConfig {
  const p = { ...readParams(sampParamSpecs(variant), params, variant), ...SETTING_VARIANTS[variant]?.set };
  let extra: SampConfigOverrides = {};
  if (typeof p.overrides === 'string' && p.overrides.trim()) {
    try {
      extra = JSON.parse(p.overrides) as SampConfigOverrides;
    } catch (e) {
      throw new RangeError(`${variant}: parameter "overrides" is not valid JSON (${(e as Error).message})`, {
        cause: e,
      });
    }
  }
  const o: SampConfigOverrides = { ...extra, costRate: p.costRate as number };
  const ep = p.episodes as number;
  if (ep > 0) Object.assign(o, { stage1Episodes: ep, stage2Episodes: ep, flatEpisodes: ep });
  if (p.fusionA !== undefined) o.fusionA = p.fusionA as number;
  if (p.regroupEvery !== undefined) o.grouping = { ...extra.grouping, every: p.regroupEvery as number };
  // the split's parameters win over the same fields in `overrides`, as fusionA and regroupEvery do
  const utility = { ...extra.utility };
  if (p.temperatureRule !== undefined) utility.temperatureRule = p.temperatureRule as 'fixed' | 'calibrated';
  if (p.calibration !== undefined) utility.calibration = p.calibration as number;
  if (p.temperature !== undefined) utility.temperature = p.temperature as number;
  if (p.smoothingHalfLife !== undefined) utility.smoothingHalfLife = p.smoothingHalfLife as number;
  if (Object.keys(utility).length) o.utility = utility;
  if (p.reboundMode !== undefined) o.rebound = { ...extra.rebound, mode: p.reboundMode as 'cap' | 'gate' };
  if (p.policyDelay !== undefined)
    o.td3 = {
      ...extra.td3,
      policyDelay: p.policyDelay as number,
      targetNoise: p.targetNoise as number,
      targetNoiseClip: p.targetNoiseClip as number,
    };
  if (p.alphaTuning !== undefined)
    o.sac = {
      ...extra.sac,
      alpha: p.alpha as number,
      alphaTuning: p.alphaTuning as 'fixed' | 'auto',
      targetEntropyPerAsset: p.targetEntropyPerAsset as number,
      alphaLr: p.alphaLr as number,
      initStd: p.initStd as number,
    };
  // the on-policy settings PPO and A2C share; clipEps is PPO's alone, gradClipNorm A2C's alone
  const onPolicy = () => ({
    rolloutSteps: p.rolloutSteps as number,
    gamma: p.gamma as number,
    gaeLambda: p.gaeLambda as number,
    entCoef: p.entCoef as number,
    vfCoef: p.vfCoef as number,
    lr: p.lr as number,
  });
  if (p.clipEps !== undefined)
    o.ppo = {
      ...extra.ppo,
      ...onPolicy(),
      epochs: p.epochs as number,
      minibatch: p.minibatch as number,
      clipEps: p.clipEps as number,
    };
  if (p.gradClipNorm !== undefined) o.a2c = { ...extra.a2c, ...onPolicy(), gradClipNorm: p.gradClipNorm as number };
  const cfg = resolveSampConfig(p.preset as SampPresetName, o);
  cfg.preset = Object.keys(extra).length || ep > 0 ? 'custom' : (p.preset as SampPresetName);
  return cfg;
}

/** A single-seed strategy instance of a variant: its stored model for this config, data and seed, or a new one. */
async function createSamp(variant: SampVariantId, ctx: StrategyContext): Promise<StrategyInstance> {
  const cfg = configFromParams(variant, ctx.params);
  if (ctx.trainEnd < 0) throw new RangeError(`${variant} needs a training window (trainEnd = -1)`);
  const key = sampTrainingKey(variant, cfg, ctx.seed, ctx.prices, ctx.trainStart, ctx.trainEnd);
  let artifacts = modelStore ? await modelStore.get(key) : undefined;
  if (artifacts && artifacts.key !== key) artifacts = undefined;
  if (!artifacts) {
    artifacts = await trainSamp({
      variant,
      config: cfg,
      prices: ctx.prices,
      trainStart: ctx.trainStart,
      trainEnd: ctx.trainEnd,
      seed: ctx.seed,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) =>
        ctx.progress?.({
          fraction: p.fraction,
          message: `${variant}: ${p.stage} stage, episode ${p.episode}, ${p.stageUpdates} updates, reward ${p.reward.toFixed(4)}${p.validation ? `, validation Sharpe ${p.validation.sharpe.toFixed(2)}` : ''}`,
          // losses are NaN before the first update (warm-up); figures carry finite numbers only
          figures: Object.fromEntries(
            Object.entries({
              episode: p.episode,
              step: p.step,
              reward: p.reward,
              criticLoss: p.criticLoss,
              actorLoss: p.actorLoss,
              elapsedMs: p.elapsedMs,
              turnover: p.turnover,
              validationSharpe: p.validation?.sharpe ?? Number.NaN,
            }).filter(([, v]) => Number.isFinite(v)),
          ),
        }),
    });
    if (modelStore) await modelStore.put(key, artifacts);
  } else ctx.progress?.({ fraction: 1, message: `${variant}: reused trained model ${key.slice(0, 12)}` });
  const policy = await loadSampPolicy(artifacts);
  const inner = policy.instance();
  const model = {
    key: artifacts.key,
    sha256: artifacts.sha256.onnx,
    backend: artifacts.backend,
    trainedFrom: artifacts.train.startDate,
    trainedTo: artifacts.train.endDate,
  };
  // every decision names the model that made it, so explanations and reports can reload it
  return {
    decide(view) {
      const d = inner.decide(view);
      return { ...d, detail: { ...d.detail, model } };
    },
    dispose: () => policy.dispose(),
  };
}

function def(variant: SampVariantId, label: string, description: string): StrategyDef {
  return {
    id: variant,
    label,
    description,
    family: 'learning',
    group: variantGroup(variant),
    hindsight: false,
    params: sampParamSpecs(variant),
    create: (ctx) => createSamp(variant, ctx),
  };
}

const BASE =
  'SAMP-HDRL (Segmented Allocation with Momentum-Adjusted utility, hierarchical DRL; arXiv 2512.22895): K-means (k = 2) ' +
  'on trailing Sortino ratios splits the assets into a high-quality and an ordinary group every 75 days; an upper ' +
  'Transformer agent over all assets gives guidance weights w0 and a market embedding; two SLaK-style large-kernel CNN ' +
  'agents allocate inside each group under binary masks (w1, w2); capital goes to the groups and cash by a softmax of momentum-adjusted ' +
  'utility whose temperature is calibrated to the standard error of the utilities (a moving average over days smooths the split), ' +
  'capped in unconfirmed downtrends by a rebound detector; final w = a w0 + (1 - a)(c1 w1 + c2 w2). Agents are ' +
  'trained with DDPG in two stages (upper first, then the lower agents with the upper frozen) on log growth net of 0.1% costs; ' +
  'decisions run the exported policy in ONNX Runtime.';

const FLAT =
  'Flat DDPG baseline (FinRL-style single agent): one actor — the SAMP-HDRL SLaK temporal CNN ' +
  'without conditioning, shared across assets — outputs softmax weights over all assets; no grouping, no hierarchy, no utility ' +
  'or rebound logic; trained with the same DDPG, reward (log growth net of 0.1% costs) and data as SAMP-HDRL; decides through ONNX Runtime.';

const TD3_FLAT =
  'Flat TD3 baseline (Fujimoto et al. 2018): the ddpg-flat agent — the same actor, critic, state (price windows and ' +
  'holdings), reward, costs, no-trade band, validation and presets — trained with TD3 instead of DDPG: twin critics whose ' +
  'smaller target value forms the critic target, Gaussian target-policy noise on the target actor logits, and actor and ' +
  'target updates every policyDelay critic updates; decides through ONNX Runtime.';

const SAC_FLAT =
  'Flat SAC baseline (Haarnoja et al. 2018): the ddpg-flat agent — the same actor, critic, state (price windows and ' +
  "holdings), reward, costs, no-trade band, validation and presets — trained with soft actor-critic: the actor's logits " +
  'are the mean of a Gaussian with a learned standard deviation, the action the softmax of a sample; twin critics and ' +
  'their targets value it with an entropy bonus (temperature alpha, fixed or tuned to a target entropy); exploration ' +
  "samples the policy; decisions use the Gaussian's mean, softmax(logits), through ONNX Runtime.";

const PPO_FLAT =
  'Flat PPO baseline (Schulman et al. 2017): the ddpg-flat actor on the same environment (price windows and holdings, ' +
  "reward, costs, no-trade band), validation and presets, trained on-policy: the actor's logits are the mean of a " +
  'Gaussian with a learned standard deviation, rollouts of its samples give advantages by GAE(lambda) against a learned ' +
  'state-value network, and several passes of minibatch steps follow the clipped surrogate objective; decisions use ' +
  "the Gaussian's mean, softmax(logits), through ONNX Runtime.";

const A2C_FLAT =
  'Flat A2C baseline (synchronous advantage actor-critic, Mnih et al. 2016): the ddpg-flat actor on the same environment ' +
  "(price windows and holdings, reward, costs, no-trade band), validation and presets, trained on-policy: the actor's " +
  'logits are the mean of a Gaussian with a learned standard deviation, and every short rollout of its samples is one ' +
  'policy-gradient step on all of it, weighted by n-step advantages against a learned state-value network (Adam instead ' +
  "of the paper's RMSprop); decisions use the Gaussian's mean, softmax(logits), through ONNX Runtime.";

const ENSEMBLE =
  'Seed ensemble: the mean of the target weights of the strategy trained with ensembleSeeds seeds (the run with seed s averages ' +
  'seeds (s - 1) k + 1 .. s k; stored models of those seeds are reused, missing ones trained). The mean of long-only portfolios ' +
  'summing to at most 1 is one too. Each decision names the members it averaged.';

/**
 * All SAMP-HDRL strategies: the method, its five ablations, two variants of its split settings, four training
 * variants, the flat DDPG, TD3, SAC, PPO and A2C baselines, and the seed ensembles of the method and of the DDPG
 * baseline.
 */
export const sampStrategies: StrategyDef[] = [
  def('samp-hdrl', 'SAMP-HDRL', BASE),
  def(
    'samp-hdrl/no-dc',
    'SAMP-HDRL w/o dynamic clustering',
    `${BASE} Ablation w/o dc: the grouping is computed once (first training day) and never recomputed.`,
  ),
  def(
    'samp-hdrl/no-utility',
    'SAMP-HDRL w/o utility allocation',
    `${BASE} Ablation w/o utility: c1 = c2 = 1/2 and no cash from the utility step (the rebound cap still applies).`,
  ),
  def(
    'samp-hdrl/no-rebound',
    'SAMP-HDRL w/o rebound detection',
    `${BASE} Ablation w/o rebound: no detector and no downtrend cap.`,
  ),
  def(
    'samp-hdrl/upper-only',
    'SAMP-HDRL upper agent only',
    `${BASE} Ablation: the portfolio is the upper agent's w0 alone (stage 1 only, fully invested).`,
  ),
  def(
    'samp-hdrl/lower-only',
    'SAMP-HDRL lower agents only',
    `${BASE} Ablation: fusion coefficient a = 0 (lower agents and capital split only; the upper agent still conditions them).`,
  ),
  def(
    'samp-hdrl/fixed-temperature',
    'SAMP-HDRL fixed split temperature',
    `${BASE} Variant: the capital split before issue 15 — softmax temperature fixed (parameter temperature, 0.1) and no smoothing over days.`,
  ),
  def(
    'samp-hdrl/rebound-gate',
    'SAMP-HDRL rebound gate',
    `${BASE} Variant: a downtrend without a confirmed rebound switches the group's utility advantage over cash and its positive momentum tilt off instead of capping the risky capital.`,
  ),
  def(
    'samp-hdrl/no-holdings',
    'SAMP-HDRL without holdings in the state',
    `${BASE} Variant: the actors do not read the drifted current weights (the critics still do), as before issue 15.`,
  ),
  def(
    'samp-hdrl/no-band',
    'SAMP-HDRL without the no-trade band',
    `${BASE} Variant: no no-trade band in training or at decision time; every change of target is traded.`,
  ),
  def(
    'samp-hdrl/no-turnover-penalty',
    'SAMP-HDRL without the turnover penalty',
    `${BASE} Variant: the reward is the net-of-cost log return alone, without the named turnover penalty.`,
  ),
  def(
    'samp-hdrl/rebased-features',
    'SAMP-HDRL with rebased features',
    `${BASE} Variant: price windows rebased to today's close (as before issue 15) instead of scaled by each asset's 60-day volatility.`,
  ),
  def('ddpg-flat', 'DDPG flat (single agent)', FLAT),
  def('td3-flat', 'TD3 flat (single agent)', TD3_FLAT),
  def('sac-flat', 'SAC flat (single agent)', SAC_FLAT),
  def('ppo-flat', 'PPO flat (single agent)', PPO_FLAT),
  def('a2c-flat', 'A2C flat (single agent)', A2C_FLAT),
  ensembleStrategy(
    { of: 'samp-hdrl', params: sampParamSpecs('samp-hdrl'), createMember: (ctx) => createSamp('samp-hdrl', ctx) },
    'SAMP-HDRL seed ensemble',
    `${ENSEMBLE} Members: ${BASE}`,
  ),
  ensembleStrategy(
    { of: 'ddpg-flat', params: sampParamSpecs('ddpg-flat'), createMember: (ctx) => createSamp('ddpg-flat', ctx) },
    'DDPG flat seed ensemble',
    `${ENSEMBLE} Members: ${FLAT}`,
  ),
];
