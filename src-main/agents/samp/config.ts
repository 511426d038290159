/**
 * Every setting of SAMP-HDRL training and inference in one object, with two presets
 * (docs/samp-hdrl.md). The paper does not give network sizes, window lengths or DDPG hyperparameters (its
 * "Limitations": "exact DDPG training parameters ... are not disclosed"); where it gives a number it is used
 * (75-day regrouping, K = 2 clusters, 0.1% cost, 3y train / 1y test) and every other value is a documented
 * choice:
 *   - `quick`: tiny networks and few episodes so a 3-year train + 1-year test on 30 DJIA assets finishes in a
 *     few minutes on 2 CPU cores (wasm backend). For trying the pipeline, not for reporting.
 *   - `paper`: the sizes a reader of the paper would build (2-layer Transformer, d = 64; two 31-day SLaK blocks
 *     of 32 channels; DDPG as in Lillicrap et al. 2016), meant for a GPU or a long CPU run.
 */
import type { UpperNetConfig } from '../networks/upper';
import type { LowerNetConfig } from '../networks/lower';
import type { DdpgConfig } from '../ddpg';

/** Settings of the capital allocation (strategies/samp/logic/utility.ts; defaults there: UTILITY_DEFAULTS). */
export interface UtilitySettings {
  /** Trailing window (trading days) for each group's mean and variance. Default 60. */
  window: number;
  /** Risk aversion lambda in U = mean - lambda * var (annualised mean and variance). Default 2. */
  riskAversion: number;
  /** Trailing window (trading days) of the momentum return R_k. Default 20. */
  momentumWindow: number;
  /** z-score of the k-day return at which the tilt reaches tanh(1) = 76% of maxTilt. Default 1. */
  momentumScale: number;
  /** Bound on the momentum tilt, in utility (annual return) units. Default 0.05. */
  maxTilt: number;
  /** How utilities become fractions: 'softmax' | 'proportional' | 'equal' (see overview). Default 'softmax'. */
  rule: 'softmax' | 'proportional' | 'equal';
  /** Softmax temperature in utility units; smaller = more decisive. Default 0.1. */
  temperature: number;
  /** Whether cash may receive capital (a cash slot exists). Default true. */
  allowCash: boolean;
  /** Utility of cash (risk-free, annual), the third softmax entry. Default 0. */
  cashUtility: number;
  /** 'proportional' rule only: cash fraction when both adjusted utilities are <= 0. Default 0.5. */
  cashFloor: number;
  /** Annualisation factor (trading days per year). Default 252. */
  periodsPerYear: number;
}

/** Settings of the rebound detector (strategies/samp/logic/rebound.ts; defaults there: REBOUND_DEFAULTS). */
export interface ReboundSettings {
  /** Drawdown from the trailing peak (fraction, e.g. 0.10 = 10%) that starts a downtrend. Default 0.10. */
  drawdownThreshold: number;
  /** Rise from the trough (fraction) a rebound needs. Default 0.05. */
  riseThreshold: number;
  /** Consecutive days the rise must hold above riseThreshold to confirm a rebound. Default 5. */
  minDays: number;
  /** Cap on the risky allocation (fraction of capital) while in a downtrend without a confirmed rebound. Default 0.5. */
  downtrendCap: number;
  /** Trailing window (days, today included) of the peak the drawdown is measured from. Default 126. */
  peakLookback: number;
}

/** Settings of the dynamic grouping (logic/grouping.ts). */
export interface SampGroupingConfig {
  /** regroup every this many trading days (paper: 75) */
  every: number;
  /** trailing window of the Sortino score, trading days (paper: not stated; 75 = one regrouping period) */
  lookback: number;
  /** K-means initialisation (logic/grouping.ts): 'extremes' is deterministic */
  init: 'extremes' | 'kmeans++';
  /** ablation w/o dc: cluster once at the first training state day and never again */
  static: boolean;
}

/** All SAMP-HDRL settings. */
export interface SampConfig {
  /** name of the preset this config started from */
  preset: 'quick' | 'paper' | 'custom';
  /** L, trading days in the price window every network reads */
  window: number;
  /**
   * Multiplier on the normalised window features close[t-L+1+j]/close[t] - 1 (values are ~±0.1 over 20 days;
   * 10 puts them near ±1, which suits the default initialisations).
   */
  featureScale: number;
  /** upper agent (Transformer) */
  upper: Omit<UpperNetConfig, 'window'>;
  /** both lower agents (SLaK CNN); the flat DDPG baseline uses the same net unconditioned */
  lower: Omit<LowerNetConfig, 'window' | 'embedDim' | 'conditioning'>;
  /** critic width */
  critic: { hidden: number };
  /** DDPG settings (shared by all stages) */
  ddpg: DdpgConfig;
  /** stage 1 (upper agent alone, portfolio = w0): passes over the training window */
  stage1Episodes: number;
  /** stage 2 (lower agents, upper frozen, portfolio = fused weights): passes over the training window */
  stage2Episodes: number;
  /** ddpg-flat baseline: passes over the training window */
  flatEpisodes: number;
  /**
   * Fusion coefficient a in w = a w0 + (1 - a)(c1 w1 + c2 w2) (SAMP-HDRL step 6). A SET value here (not
   * learned): 0.3 keeps the upper agent's guidance as a minority prior. 0 = the `lower-only` ablation.
   */
  fusionA: number;
  /** proportional transaction cost on risky turnover (paper: 0.1%) */
  costRate: number;
  /** dynamic grouping */
  grouping: SampGroupingConfig;
  /** capital split (logic/utility.ts settings; missing fields take that module's defaults) */
  utility: Partial<UtilitySettings>;
  /** rebound detector (logic/rebound.ts); `enabled: false` = ablation w/o rebound */
  rebound: Partial<ReboundSettings> & { enabled: boolean; historyDays: number };
  /**
   * Minimum number of days of history before the first training state (so the Sortino lookback and the
   * window are filled from real data). The first state day is max(trainStart, minHistory).
   */
  minHistory: number;
}

const quick: SampConfig = {
  preset: 'quick',
  window: 20,
  featureScale: 10,
  upper: { dModel: 16, heads: 2, layers: 1, ffHidden: 32, lnEps: 1e-5 },
  lower: { channels: 8, blocks: 1, kernel: 15, smallKernel: 3, sparseTaps: 3, sparseDilation: 7, headHidden: 16, lnEps: 1e-5 },
  critic: { hidden: 32 },
  ddpg: {
    actorLr: 1e-3,
    criticLr: 2e-3,
    gamma: 0.9,
    tau: 0.01,
    batchSize: 32,
    bufferSize: 20_000,
    warmup: 128,
    updateEvery: 2,
    gradClipNorm: 5,
    rewardScale: 100,
    entropyCoef: 0.1,
    noise: { kind: 'gaussian', sigma: 0.5, sigmaDecay: 0.7, sigmaMin: 0.05, theta: 0.15 },
  },
  stage1Episodes: 3,
  stage2Episodes: 3,
  flatEpisodes: 3,
  fusionA: 0.3,
  costRate: 0.001,
  grouping: { every: 75, lookback: 75, init: 'extremes', static: false },
  utility: {},
  rebound: { enabled: true, historyDays: 252 },
  minHistory: 75,
};

const paper: SampConfig = {
  preset: 'paper',
  window: 60,
  featureScale: 10,
  upper: { dModel: 64, heads: 4, layers: 2, ffHidden: 128, lnEps: 1e-5 },
  lower: { channels: 32, blocks: 2, kernel: 31, smallKernel: 5, sparseTaps: 5, sparseDilation: 7, headHidden: 64, lnEps: 1e-5 },
  critic: { hidden: 128 },
  ddpg: {
    actorLr: 1e-4,
    criticLr: 1e-3,
    gamma: 0.99,
    tau: 0.005,
    batchSize: 64,
    bufferSize: 100_000,
    warmup: 1_000,
    updateEvery: 1,
    gradClipNorm: 5,
    rewardScale: 100,
    entropyCoef: 0.1,
    noise: { kind: 'ou', sigma: 0.3, sigmaDecay: 0.95, sigmaMin: 0.05, theta: 0.15 },
  },
  stage1Episodes: 30,
  stage2Episodes: 30,
  flatEpisodes: 30,
  fusionA: 0.3,
  costRate: 0.001,
  grouping: { every: 75, lookback: 75, init: 'extremes', static: false },
  utility: {},
  rebound: { enabled: true, historyDays: 252 },
  minHistory: 75,
};

/** The presets (deep-frozen copies are handed out by resolveSampConfig). */
export const SAMP_PRESETS: Readonly<Record<'quick' | 'paper', SampConfig>> = { quick, paper };

/** A partial override of a config, nested objects merged field by field. */
export type SampConfigOverrides = Partial<Omit<SampConfig, 'upper' | 'lower' | 'critic' | 'ddpg' | 'grouping' | 'rebound'>> & {
  upper?: Partial<SampConfig['upper']>;
  lower?: Partial<SampConfig['lower']>;
  critic?: Partial<SampConfig['critic']>;
  ddpg?: Partial<Omit<DdpgConfig, 'noise'>> & { noise?: Partial<DdpgConfig['noise']> };
  grouping?: Partial<SampGroupingConfig>;
  rebound?: Partial<SampConfig['rebound']>;
};

/**
 * A full config: preset `name` with `overrides` merged in (nested objects field by field). Validates ranges
 * that would otherwise fail deep inside training; gives a fresh object.
 */
export function resolveSampConfig(name: 'quick' | 'paper', overrides: SampConfigOverrides = {}): SampConfig {
  const base = structuredClone(SAMP_PRESETS[name]) as SampConfig;
  const o = overrides;
  const cfg: SampConfig = {
    ...base,
    ...(o as Partial<SampConfig>),
    preset: Object.keys(o).length ? 'custom' : base.preset,
    upper: { ...base.upper, ...o.upper },
    lower: { ...base.lower, ...o.lower },
    critic: { ...base.critic, ...o.critic },
    ddpg: { ...base.ddpg, ...o.ddpg, noise: { ...base.ddpg.noise, ...o.ddpg?.noise } },
    grouping: { ...base.grouping, ...o.grouping },
    utility: { ...base.utility, ...o.utility },
    rebound: { ...base.rebound, ...o.rebound },
  };
  if (o.preset) cfg.preset = o.preset;
  if (!(cfg.fusionA >= 0 && cfg.fusionA <= 1)) throw new RangeError(`fusionA ${cfg.fusionA} outside [0, 1]`);
  if (!(cfg.window >= 2)) throw new RangeError('window must be >= 2');
  if (!(cfg.costRate >= 0 && cfg.costRate < 1)) throw new RangeError('costRate outside [0, 1)');
  for (const k of ['stage1Episodes', 'stage2Episodes', 'flatEpisodes'] as const)
    if (!Number.isInteger(cfg[k]) || cfg[k] < 0) throw new RangeError(`${k} must be a non-negative integer`);
  return cfg;
}
