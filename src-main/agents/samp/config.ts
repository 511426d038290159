/**
 * Every setting of SAMP-HDRL training and inference in one object, with three presets
 * (docs/samp-hdrl.md). The paper does not give network sizes, window lengths or DDPG hyperparameters (its
 * "Limitations": "exact DDPG training parameters ... are not disclosed"); where it gives a number it is used
 * (75-day regrouping, K = 2 clusters, 0.1% cost, 3y train / 1y test) and every other value is a documented
 * choice:
 *   - `quick`: tiny networks and a 1,000-update budget per stage so a 3-year train + 1-year test on 30 DJIA
 *     assets finishes in about a minute per model on one CPU core. For trying the pipeline, not for reporting.
 *   - `standard`: the default of evaluations: somewhat wider networks, a longer window and 5,000 updates per stage,
 *     sized so one SAMP-HDRL model on the DJIA `samp` protocol trains in 2-5 minutes on one core (ONNX engine).
 *   - `paper`: the sizes a reader of the paper would build (2-layer Transformer, d = 64; two 31-day SLaK blocks
 *     of 32 channels; DDPG as in Lillicrap et al. 2016), meant for a GPU or a long CPU run.
 * The settings against turnover and under-training (issue 15) are shared by the presets: holdings-aware actors,
 * volatility-scaled features, a turnover penalty and a no-trade band, a validation period with checkpoint
 * selection, early stopping and a cosine learning-rate decay. Each field below says its default and why.
 * The TD3, SAC, PPO and A2C baselines (td3-flat, sac-flat, ppo-flat, a2c-flat, docs/drl-baselines.md) train the flat
 * agent with the same presets; their own settings ({@link Td3Settings}, {@link SacSettings}, {@link PpoSettings},
 * {@link A2cSettings}) sit in `td3`, `sac`, `ppo` and `a2c`, which only the configs of those variants carry.
 *
 * Why this file is long: each setting is documented where it is declared, with its default, its range and the
 * measurement behind it, and the presets, the overrides and the one validating resolver read them in one place.
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
  /** Softmax temperature in utility units when `temperatureRule` is 'fixed'; smaller = more decisive. Default 0.1. */
  temperature: number;
  /** 'fixed' (`temperature`) or 'calibrated' (`calibration` x the utilities' standard error, logic/utility.ts). Default 'calibrated'. */
  temperatureRule: 'fixed' | 'calibrated';
  /** Multiplier c of the calibrated temperature T = c x standard error. Default 1. */
  calibration: number;
  /** Half-life in trading days of the moving average over the daily splits (allocation.ts); 0 = none. Default 5. */
  smoothingHalfLife: number;
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

/** What a downtrend without a confirmed rebound does: 'cap' the risky capital at downtrendCap, or 'gate' the group's utility advantage and positive tilt off (logic/rebound.ts). */
export type ReboundMode = 'cap' | 'gate';

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

/** The presets by name. */
export type SampPresetName = 'quick' | 'standard' | 'paper';

/** Entropy bonus coefficient per agent (see SampConfig.entropyBonus). */
export interface EntropyBonus {
  /** the upper agent (stage 1) */
  upper: number;
  /** each lower agent (stage 2; applied to w1 and w2 separately) */
  lower: number;
  /** the ddpg-flat agent */
  flat: number;
}

/**
 * The settings TD3 adds to the DDPG ones (`SampConfig.ddpg`: learning rates, gamma, tau, batch, replay, clipping,
 * reward scale and exploration noise all stay as they are; compute/train/td3.ts). Defaults: {@link TD3_DEFAULTS}.
 */
export interface Td3Settings {
  /**
   * Critic updates per actor update: the actor and every target network move on every `policyDelay`-th update
   * only, the twin critics on every update. Default 2, the paper's value.
   */
  policyDelay: number;
  /**
   * Standard deviation of the Gaussian noise added to the target actor's logits when the critic target is formed
   * (target policy smoothing). Default 0.2, the paper's value; here it perturbs logits, not a bounded action, and
   * is 0.4 of the quick and standard presets' starting exploration noise (0.5). 0 = no smoothing.
   */
  targetNoise: number;
  /** That noise is clipped to [-targetNoiseClip, targetNoiseClip]. Default 0.5, the paper's value. */
  targetNoiseClip: number;
}

/** The TD3 settings' defaults (see {@link Td3Settings}). */
export const TD3_DEFAULTS: Readonly<Td3Settings> = Object.freeze({
  policyDelay: 2,
  targetNoise: 0.2,
  targetNoiseClip: 0.5,
});

/**
 * The settings SAC adds to the DDPG ones (`SampConfig.ddpg`: learning rates, gamma, tau, batch, replay, clipping and
 * reward scale stay as they are; the loop's logit noise is not used, SAC explores by sampling its own policy;
 * compute/train/sac.ts). Defaults: {@link SAC_DEFAULTS}.
 */
export interface SacSettings {
  /**
   * Entropy temperature alpha, in the critic's units (rewards times `ddpg.rewardScale`): the value used throughout
   * when `alphaTuning` is 'fixed', the starting value when 'auto'. Default 0.01: the policy's entropy is over N
   * logits, so scaling every standard deviation by e changes it by N nats (30 on the DJIA); at 0.01 that is worth
   * 0.3 scaled reward (0.3% of daily log growth at reward scale 100), the size of ddpg-flat's entropy bonus over its
   * whole range (0.1 x log 30 = 0.34) and of the reward gap between a quiet and a busy day's trading (turnover
   * penalty 0.02 x 10% turnover x 100 = 0.2). Range (0, 100].
   */
  alpha: number;
  /**
   * 'fixed' (default): alpha stays at `alpha`. 'auto': log alpha is a learned scalar stepped by Adam (`alphaLr`)
   * on the loss -log alpha (log pi + target entropy), so the policy's entropy is held near the target.
   */
  alphaTuning: 'fixed' | 'auto';
  /**
   * Target entropy per asset, 'auto' only: the target is this times the number of assets. Default -1, i.e. the
   * usual -dim(action) of Haarnoja et al. (2018b); per asset so one setting fits universes of any size. Range
   * [-10, 10].
   */
  targetEntropyPerAsset: number;
  /** Adam learning rate of log alpha, 'auto' only (follows the learning-rate schedule). Default 3e-4, the paper's. Range (0, 1]. */
  alphaLr: number;
  /**
   * Starting standard deviation of the policy's Gaussian over the logits, the same for every asset. Default 0.5, the
   * quick and standard presets' starting exploration noise of ddpg-flat. Must lie inside the log-std range of
   * compute/train/sac.ts (e^-5 .. e^2, about 0.0067 .. 7.39).
   */
  initStd: number;
}

/** The SAC settings' defaults (see {@link SacSettings}). */
export const SAC_DEFAULTS: Readonly<SacSettings> = Object.freeze({
  alpha: 0.01,
  alphaTuning: 'fixed',
  targetEntropyPerAsset: -1,
  alphaLr: 3e-4,
  initStd: 0.5,
});

/**
 * The settings of the on-policy baselines (ppo-flat and a2c-flat, agents/onpolicy.ts, compute/train/ppo.ts). They
 * replace the replay settings of `SampConfig.ddpg`: an on-policy learner collects `rolloutSteps` environment steps
 * with its current stochastic policy, turns them into advantages and returns, updates on them and throws them away.
 * Of `ddpg` they keep `rewardScale` (rewards in the value network's units), and PPO its `gradClipNorm` (A2C has its
 * own, {@link A2cSettings}); the budget (`updatesPerStage`, counted in gradient steps), the episode cap
 * (`flatEpisodes`), the validation, early stopping and the learning-rate schedule are the flat agent's. Defaults:
 * {@link PPO_DEFAULTS}, {@link A2C_DEFAULTS}.
 */
export interface OnPolicySettings {
  /**
   * Environment steps per rollout (the last rollout of an episode is cut at the episode's end, so no rollout spans
   * two episodes and every episode's data is learned from before its validation). Integer in [1, 100000].
   */
  rolloutSteps: number;
  /** Discount of the advantages and returns. Default 0.9, the quick and standard presets' DDPG gamma. Range [0, 1). */
  gamma: number;
  /** lambda of the generalised advantage estimate (1 = Monte-Carlo returns bootstrapped at the cut, 0 = one-step TD). Range [0, 1]. */
  gaeLambda: number;
  /**
   * Weight of the policy's entropy in the loss (a bonus: the loss subtracts entCoef x entropy). The policy is a
   * Gaussian over the logits with a state-independent log standard deviation (as sac-flat's), so its entropy is
   * sum_i log sigma_i + N/2 log(2 pi e) and the bonus only pushes the standard deviations up. Range [0, 1].
   */
  entCoef: number;
  /** Weight of the value loss mean (V(s) - R)^2 in the loss. Range (0, 10]. */
  vfCoef: number;
  /** Adam learning rate of the policy and the value network together (one optimiser; follows the schedule). Range (0, 1]. */
  lr: number;
  /**
   * Starting standard deviation of the Gaussian over the logits, the same for every asset; learned from there, kept
   * inside SAC_LOG_STD_RANGE by the same bounded parameterisation as sac-flat's. Default 0.5, the quick and standard
   * presets' starting exploration noise of ddpg-flat.
   */
  initStd: number;
  /** Whether each minibatch's advantages are normalised to mean 0 and standard deviation 1 before the loss. */
  normalizeAdvantages: boolean;
}

/** PPO's settings: the on-policy ones and those of the clipped surrogate's passes (see {@link OnPolicySettings}). */
export interface PpoSettings extends OnPolicySettings {
  /** Passes over each rollout. Default 4. Integer in [1, 100]. */
  epochs: number;
  /**
   * Samples per gradient step; each pass shuffles the rollout and splits it into minibatches of this size (the
   * last one of a pass smaller when the rollout does not divide). Default 32. Integer in [1, 100000].
   */
  minibatch: number;
  /** epsilon of the clipped surrogate: the ratio pi / pi_old is clipped to [1 - eps, 1 + eps]. Default 0.2. Range (0, 1). */
  clipEps: number;
}

/**
 * The PPO settings' defaults (see {@link PpoSettings}): the paper's clip 0.2 and GAE lambda 0.95, 4 epochs (the
 * paper's Atari setting; its MuJoCo one is 10), learning rate 3e-4 (the paper's MuJoCo Adam step), no entropy bonus
 * (its MuJoCo setting), value weight 0.5, and rollouts of 128 steps in minibatches of 32 (the paper's 2,048 x 64
 * would take four training windows of the quick preset per rollout and spend the whole update budget in a handful
 * of rollouts); gamma 0.9 as the DDPG presets for daily rewards.
 */
export const PPO_DEFAULTS: Readonly<PpoSettings> = Object.freeze({
  rolloutSteps: 128,
  epochs: 4,
  minibatch: 32,
  clipEps: 0.2,
  gamma: 0.9,
  gaeLambda: 0.95,
  entCoef: 0,
  vfCoef: 0.5,
  lr: 3e-4,
  initStd: 0.5,
  normalizeAdvantages: true,
});

/**
 * A2C's settings (synchronous advantage actor-critic, Mnih et al. 2016; docs/drl-baselines.md): the on-policy ones
 * and the gradient clip. There is no ratio and no clip of it, and each rollout is learned from once, as one minibatch
 * of all its steps (agents/samp/onpolicy.ts), so one gradient step (one update of the budget) per rollout.
 */
export interface A2cSettings extends OnPolicySettings {
  /**
   * Global-norm clip of each step's gradient (all parameters together); 0 = off. Default 0.5, the value of the common
   * A2C implementations (OpenAI Baselines, Stable-Baselines3; the paper gives none). It replaces `ddpg.gradClipNorm`
   * (5), which ppo-flat keeps. Range [0, 100].
   */
  gradClipNorm: number;
}

/**
 * The A2C settings' defaults (see {@link A2cSettings}). The paper and the common implementations learn from 5-step
 * rollouts of 16 parallel environments (80 samples a step); the flat agent has one environment, where 5 steps make
 * a minibatch of 5 consecutive, strongly correlated days and a very noisy gradient. Instead: rollouts of 16 steps
 * with GAE lambda 1, which makes each advantage the paper's n-step return to the rollout's end minus V(s) (up to 16
 * steps, where gamma 0.9 leaves 0.9^16 = 19% of the weight to the bootstrap, against 59% after 5 steps, so a young
 * value network biases the targets less); about 30 updates per pass over the samp protocol's ~500 training days. The
 * paper's optimiser is a shared RMSprop; the engine has Adam, so Adam with the common implementations' learning rate
 * 7e-4. Entropy weight 0.01 (the paper's and OpenAI Baselines'), value weight 0.5, no advantage normalisation (neither
 * the paper nor the common implementations normalise A2C's advantages), gradient clip 0.5 (see
 * {@link A2cSettings.gradClipNorm}); gamma 0.9 and the starting standard deviation 0.5 as ppo-flat's.
 */
export const A2C_DEFAULTS: Readonly<A2cSettings> = Object.freeze({
  rolloutSteps: 16,
  gamma: 0.9,
  gaeLambda: 1,
  entCoef: 0.01,
  vfCoef: 0.5,
  lr: 7e-4,
  initStd: 0.5,
  normalizeAdvantages: false,
  gradClipNorm: 0.5,
});

/** Bounds of SAC's log standard deviation (compute/train/sac.ts keeps it strictly inside by a scaled tanh). */
export const SAC_LOG_STD_RANGE: Readonly<{ min: number; max: number }> = Object.freeze({ min: -5, max: 2 });

/** All SAMP-HDRL settings. */
export interface SampConfig {
  /** name of the preset this config started from */
  preset: SampPresetName | 'custom';
  /** L, trading days in the price window every network reads */
  window: number;
  /**
   * How the price window becomes network inputs (features.ts). 'volatility' (default): each asset's daily log
   * returns over the window divided by its own trailing volatility (`volatilityWindow` days), so a day's input
   * keeps its value as the window slides and a quiet and a volatile stock read on one scale. 'rebased': the
   * closes divided by today's close minus 1, times `featureScale` (revisions up to 3): every value of the window
   * moves with today's price, which made the actors re-trade the whole book every day (issue 15).
   */
  featureScaling: 'volatility' | 'rebased';
  /** trailing trading days of the volatility that scales the 'volatility' features. Default 60 (about a quarter). */
  volatilityWindow: number;
  /**
   * 'rebased' features only: multiplier on close[t-L+1+j]/close[t] - 1 (values are ~±0.1 over 20 days; 10 puts
   * them near ±1, which suits the default initialisations). The 'volatility' features are z-scores already.
   */
  featureScale: number;
  /**
   * Whether the actors (upper, lower and flat agents) read the drifted current weights — N w_i per asset and the
   * cash weight — next to the price window (networks/holdings.ts), in training and at inference. Default true:
   * a policy that does not know what it holds cannot learn to keep it, and the cost of every trade depends on
   * it (the critic always reads it). false = the price-only actors of revisions up to 3.
   */
  holdingsInput: boolean;
  /**
   * Reward penalty per unit of one-way turnover (½ Σ |w_t - w_drift| over the assets and cash, the simulator's
   * measure): reward = log((1 - cost) growth) - turnoverPenalty x turnover. On top of the costs, which stay in
   * the reward. Default 0.02, ten times what 0.1% costs charge per unit of one-way turnover (0.2%): with the
   * costs alone in the reward the learned agents turned over 12-26% of the book a day (issue 15); measured on the
   * quick preset with the 2% band (seed 1, DJIA samp windows 1998 / 1999 / 2000), 0.002 left 9.9% a day in 1999,
   * 0.01 gave 0.8 / 3.0 / 5.8% and 0.02 gave 0.4 / 2.8 / 3.0% (docs/samp-hdrl.md). Training only; the backtest
   * charges the costs alone. 0 = off.
   */
  turnoverPenalty: number;
  /**
   * No-trade band (absolute weight): a trade of one asset smaller than this is not made, the asset keeps its
   * drifted weight (trading.ts applyNoTradeBand, through bandedPartialTrade at rate 1; the training environment
   * and the strategy's decide apply the same function). Default 0.02, 60% of an equal-weight position in a 30-stock book: on standard-preset models
   * of the 1998 and 1999 windows, bands of 0 / 0.5% / 1% / 2% / 3% at decision time gave 6.1 / 4.9 / 3.6 / 2.2 /
   * 1.7% (1998) and 11.2 / 10.2 / 8.3 / 4.7 / 2.8% (1999) turnover a day, with the best net Sharpe at 2% in both
   * years (docs/samp-hdrl.md). 0 = off.
   */
  noTradeBand: number;
  /** upper agent (Transformer) */
  upper: Omit<UpperNetConfig, 'window'>;
  /** both lower agents (SLaK CNN); the flat DDPG baseline uses the same net unconditioned */
  lower: Omit<LowerNetConfig, 'window' | 'embedDim' | 'conditioning'>;
  /** critic width */
  critic: { hidden: number };
  /** DDPG settings (shared by all stages; the TD3 baseline uses them too) */
  ddpg: DdpgConfig;
  /**
   * TD3 settings: present in the configs of TD3 variants only (strategies/samp/model.ts variantConfig fills them
   * from {@link TD3_DEFAULTS}), so the configs, and the reuse keys, of the DDPG variants are what they were.
   */
  td3?: Td3Settings;
  /** SAC settings: present in the configs of SAC variants only, as `td3` (defaults {@link SAC_DEFAULTS}). */
  sac?: SacSettings;
  /** PPO settings: present in the configs of PPO variants only, as `td3` (defaults {@link PPO_DEFAULTS}). */
  ppo?: PpoSettings;
  /** A2C settings: present in the configs of A2C variants only, as `td3` (defaults {@link A2C_DEFAULTS}). */
  a2c?: A2cSettings;
  /**
   * Entropy bonus on each agent's softmax weights: the actor loss gets -coefficient x mean H(w) (nats; Q in
   * scaled-reward units), against deterministic DDPG saturating a softmax into one asset. Not in the paper.
   * Defaults (all presets): upper 0.1, flat 0.1, lower 0.05. The upper and flat values are those of revision 3
   * (β = 0 collapsed the upper agent into one stock, 0.3 held it at equal weights). The lower agents each allocate
   * inside a group of ~15 assets, where 0.1 held them at near-equal weights within their groups (issue 15):
   * measured on the quick preset (1998 window, seed 1), the lower agents' effective holdings as a share of their
   * group were 0.80 / 0.97 at 0.1, 0.56 / 0.58 at 0.05, 0.39 / 0.93 at 0.02 and 0.42 / 0.51 at 0; 0.05 is the
   * largest of these that lets them move away from equal weights (docs/samp-hdrl.md).
   */
  entropyBonus: EntropyBonus;
  /**
   * Budget of each training stage in DDPG updates (stage 1, stage 2 and the flat agent each get this many). A
   * stage ends when the budget is spent (in the middle of an episode if need be), after its episode cap, or by
   * early stopping. quick 1,000, standard 5,000, paper 20,000.
   */
  updatesPerStage: number;
  /** stage 1 (upper agent alone, portfolio = w0): at most this many passes over the training period */
  stage1Episodes: number;
  /** stage 2 (lower agents, upper frozen, portfolio = fused weights): at most this many passes */
  stage2Episodes: number;
  /** ddpg-flat baseline: at most this many passes */
  flatEpisodes: number;
  /**
   * The last `validationDays` trading days of the training window are a validation period that is never trained
   * on: the training environment ends where it starts, and after every episode the current policy runs over it
   * (deterministic, no noise, with costs and the no-trade band, from cash); the episode whose policy has the best
   * validation net Sharpe ratio is the stage's model (checkpoint selection). Default 252 (one year of a 3-year
   * window, the length of a test year). At most half of a window's decision days are taken, so a short window
   * still trains (strategies/samp/model.ts trainingPeriods). 0 = no validation: the last episode is the model.
   */
  validationDays: number;
  /**
   * Early stopping: a stage stops after this many episodes in a row without a better validation Sharpe. Default 4
   * (a stage of the standard preset has ~10 episodes; the noise decays over the first ~5). 0 = never stop early.
   */
  patience: number;
  /**
   * Learning-rate schedule over each stage's update budget: 'cosine' (default) decays both learning rates from
   * their DDPG values to `lrFloor` times them along a half cosine, so the last updates refine instead of
   * moving the policy; 'constant' keeps them (revisions up to 3).
   */
  lrSchedule: 'cosine' | 'constant';
  /** the fraction of the learning rates that 'cosine' ends at. Default 0.1. */
  lrFloor: number;
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
  rebound: Partial<ReboundSettings> & { enabled: boolean; historyDays: number; mode?: ReboundMode };
  /**
   * Minimum number of days of history before the first training state (so the Sortino lookback and the
   * window are filled from real data). The first state day is max(trainStart, minHistory).
   */
  minHistory: number;
}

/** What every preset shares: the settings against turnover and under-training (see SampConfig). */
const COMMON = {
  featureScaling: 'volatility',
  volatilityWindow: 60,
  featureScale: 10,
  holdingsInput: true,
  turnoverPenalty: 0.02,
  noTradeBand: 0.02,
  entropyBonus: { upper: 0.1, lower: 0.05, flat: 0.1 },
  validationDays: 252,
  patience: 4,
  lrSchedule: 'cosine',
  lrFloor: 0.1,
  fusionA: 0.3,
  costRate: 0.001,
  grouping: { every: 75, lookback: 75, init: 'extremes', static: false },
  utility: {},
  rebound: { enabled: true, historyDays: 252 },
  minHistory: 75,
} satisfies Partial<SampConfig>;

const quick: SampConfig = {
  ...structuredClone(COMMON),
  preset: 'quick',
  window: 20,
  upper: { dModel: 16, heads: 2, layers: 1, ffHidden: 32, lnEps: 1e-5 },
  lower: {
    channels: 8,
    blocks: 1,
    kernel: 15,
    smallKernel: 3,
    sparseTaps: 3,
    sparseDilation: 7,
    headHidden: 16,
    lnEps: 1e-5,
  },
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
    noise: { kind: 'gaussian', sigma: 0.5, sigmaDecay: 0.7, sigmaMin: 0.05, theta: 0.15 },
  },
  updatesPerStage: 1_000,
  stage1Episodes: 8,
  stage2Episodes: 8,
  flatEpisodes: 8,
};

const standard: SampConfig = {
  ...structuredClone(COMMON),
  preset: 'standard',
  window: 30,
  upper: { dModel: 24, heads: 2, layers: 1, ffHidden: 48, lnEps: 1e-5 },
  lower: {
    channels: 12,
    blocks: 1,
    kernel: 21,
    smallKernel: 3,
    sparseTaps: 3,
    sparseDilation: 9,
    headHidden: 24,
    lnEps: 1e-5,
  },
  critic: { hidden: 48 },
  ddpg: {
    actorLr: 5e-4,
    criticLr: 1e-3,
    gamma: 0.9,
    tau: 0.01,
    batchSize: 64,
    bufferSize: 50_000,
    warmup: 256,
    updateEvery: 1,
    gradClipNorm: 5,
    rewardScale: 100,
    noise: { kind: 'gaussian', sigma: 0.5, sigmaDecay: 0.7, sigmaMin: 0.05, theta: 0.15 },
  },
  updatesPerStage: 5_000,
  stage1Episodes: 20,
  stage2Episodes: 20,
  flatEpisodes: 20,
};

const paper: SampConfig = {
  ...structuredClone(COMMON),
  preset: 'paper',
  window: 60,
  upper: { dModel: 64, heads: 4, layers: 2, ffHidden: 128, lnEps: 1e-5 },
  lower: {
    channels: 32,
    blocks: 2,
    kernel: 31,
    smallKernel: 5,
    sparseTaps: 5,
    sparseDilation: 7,
    headHidden: 64,
    lnEps: 1e-5,
  },
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
    noise: { kind: 'ou', sigma: 0.3, sigmaDecay: 0.95, sigmaMin: 0.05, theta: 0.15 },
  },
  updatesPerStage: 20_000,
  stage1Episodes: 60,
  stage2Episodes: 60,
  flatEpisodes: 60,
};

/** The presets (deep-frozen copies are handed out by resolveSampConfig). */
export const SAMP_PRESETS: Readonly<Record<SampPresetName, SampConfig>> = { quick, standard, paper };

/** The preset names, smallest first. */
export const SAMP_PRESET_NAMES: readonly SampPresetName[] = ['quick', 'standard', 'paper'];

/**
 * What a stored config of an earlier training revision meant by the settings it lacks: the behaviour before they
 * existed (rebased features, price-only actors, no band). Applied when artifacts are read (artifacts.ts), so a
 * model stored by revision 3 or earlier decides and is explained as it was trained.
 */
export function withStoredDefaults(cfg: SampConfig): SampConfig {
  const c = cfg as Partial<SampConfig> & SampConfig;
  return {
    ...c,
    featureScaling: c.featureScaling ?? 'rebased',
    volatilityWindow: c.volatilityWindow ?? 60,
    holdingsInput: c.holdingsInput ?? false,
    noTradeBand: c.noTradeBand ?? 0,
  };
}

/** A partial override of a config, nested objects merged field by field. */
export type SampConfigOverrides = Partial<
  Omit<
    SampConfig,
    'upper' | 'lower' | 'critic' | 'ddpg' | 'grouping' | 'rebound' | 'entropyBonus' | 'td3' | 'sac' | 'ppo' | 'a2c'
  >
> & {
  td3?: Partial<Td3Settings>;
  sac?: Partial<SacSettings>;
  ppo?: Partial<PpoSettings>;
  a2c?: Partial<A2cSettings>;
  entropyBonus?: Partial<EntropyBonus>;
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
export function resolveSampConfig(name: SampPresetName, overrides: SampConfigOverrides = {}): SampConfig {
  if (!SAMP_PRESET_NAMES.includes(name))
    throw new RangeError(`unknown SAMP preset "${String(name)}" (one of ${SAMP_PRESET_NAMES.join(', ')})`);
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
    entropyBonus: { ...base.entropyBonus, ...o.entropyBonus },
  };
  if (o.td3) cfg.td3 = { ...TD3_DEFAULTS, ...base.td3, ...o.td3 };
  if (o.sac) cfg.sac = { ...SAC_DEFAULTS, ...base.sac, ...o.sac };
  if (o.ppo) cfg.ppo = { ...PPO_DEFAULTS, ...base.ppo, ...o.ppo };
  if (o.a2c) cfg.a2c = { ...A2C_DEFAULTS, ...base.a2c, ...o.a2c };
  if (o.preset) cfg.preset = o.preset;
  if (!(cfg.fusionA >= 0 && cfg.fusionA <= 1)) throw new RangeError(`fusionA ${cfg.fusionA} outside [0, 1]`);
  if (!(cfg.window >= 2)) throw new RangeError('window must be >= 2');
  if (!(cfg.costRate >= 0 && cfg.costRate < 1)) throw new RangeError('costRate outside [0, 1)');
  for (const k of [
    'stage1Episodes',
    'stage2Episodes',
    'flatEpisodes',
    'validationDays',
    'patience',
    'updatesPerStage',
  ] as const)
    if (!Number.isInteger(cfg[k]) || cfg[k] < 0)
      throw new RangeError(`${k} must be a non-negative integer, got ${String(cfg[k])}`);
  if (cfg.featureScaling !== 'volatility' && cfg.featureScaling !== 'rebased')
    throw new RangeError(`featureScaling must be 'volatility' or 'rebased', got ${String(cfg.featureScaling)}`);
  if (!(Number.isInteger(cfg.volatilityWindow) && cfg.volatilityWindow >= 2))
    throw new RangeError(`volatilityWindow must be an integer >= 2, got ${String(cfg.volatilityWindow)}`);
  if (typeof cfg.holdingsInput !== 'boolean')
    throw new RangeError(`holdingsInput must be true or false, got ${String(cfg.holdingsInput)}`);
  if (!(cfg.turnoverPenalty >= 0 && cfg.turnoverPenalty < 1))
    throw new RangeError(`turnoverPenalty outside [0, 1): ${String(cfg.turnoverPenalty)}`);
  if (!(cfg.noTradeBand >= 0 && cfg.noTradeBand < 1))
    throw new RangeError(`noTradeBand outside [0, 1): ${String(cfg.noTradeBand)}`);
  if (cfg.lrSchedule !== 'cosine' && cfg.lrSchedule !== 'constant')
    throw new RangeError(`lrSchedule must be 'cosine' or 'constant', got ${String(cfg.lrSchedule)}`);
  if (!(cfg.lrFloor > 0 && cfg.lrFloor <= 1)) throw new RangeError(`lrFloor outside (0, 1]: ${String(cfg.lrFloor)}`);
  for (const [k, v] of Object.entries(cfg.entropyBonus))
    if (!(v >= 0 && Number.isFinite(v)))
      throw new RangeError(`entropyBonus.${k} must be a finite number >= 0, got ${String(v)}`);
  if (cfg.td3) checkTd3(cfg.td3);
  if (cfg.sac) checkSac(cfg.sac);
  if (cfg.ppo) checkPpo(cfg.ppo);
  if (cfg.a2c) checkA2c(cfg.a2c);
  return cfg;
}

/** Throws a RangeError naming the first TD3 setting outside its range. */
export function checkTd3(t: Td3Settings): void {
  if (!(Number.isInteger(t.policyDelay) && t.policyDelay >= 1))
    throw new RangeError(`td3.policyDelay must be a positive integer, got ${String(t.policyDelay)}`);
  if (!(t.targetNoise >= 0 && Number.isFinite(t.targetNoise)))
    throw new RangeError(`td3.targetNoise must be a finite number >= 0, got ${String(t.targetNoise)}`);
  if (!(t.targetNoiseClip >= 0 && Number.isFinite(t.targetNoiseClip)))
    throw new RangeError(`td3.targetNoiseClip must be a finite number >= 0, got ${String(t.targetNoiseClip)}`);
}

/** Throws a RangeError naming the first SAC setting outside its range (see {@link SacSettings}). */
export function checkSac(t: SacSettings): void {
  if (!(t.alpha > 0 && t.alpha <= 100))
    throw new RangeError(`sac.alpha must be a number in (0, 100], got ${String(t.alpha)}`);
  if (t.alphaTuning !== 'fixed' && t.alphaTuning !== 'auto')
    throw new RangeError(`sac.alphaTuning must be 'fixed' or 'auto', got ${String(t.alphaTuning)}`);
  if (!(t.targetEntropyPerAsset >= -10 && t.targetEntropyPerAsset <= 10))
    throw new RangeError(
      `sac.targetEntropyPerAsset must be a number in [-10, 10], got ${String(t.targetEntropyPerAsset)}`,
    );
  if (!(t.alphaLr > 0 && t.alphaLr <= 1))
    throw new RangeError(`sac.alphaLr must be a number in (0, 1], got ${String(t.alphaLr)}`);
  const { min, max } = SAC_LOG_STD_RANGE;
  if (!(Math.log(t.initStd) > min && Math.log(t.initStd) < max))
    throw new RangeError(
      `sac.initStd must lie strictly between e^${min} and e^${max} (${Math.exp(min).toFixed(4)} .. ${Math.exp(max).toFixed(2)}), got ${String(t.initStd)}`,
    );
}

/** Throws a RangeError naming the first on-policy setting outside its range; `what` prefixes the names ('ppo', 'a2c'). */
export function checkOnPolicy(t: OnPolicySettings, what: string): void {
  const bad = (k: string, want: string, v: unknown) => new RangeError(`${what}.${k} must be ${want}, got ${String(v)}`);
  if (!(Number.isInteger(t.rolloutSteps) && t.rolloutSteps >= 1 && t.rolloutSteps <= 100_000))
    throw bad('rolloutSteps', 'an integer in [1, 100000]', t.rolloutSteps);
  if (!(t.gamma >= 0 && t.gamma < 1)) throw bad('gamma', 'a number in [0, 1)', t.gamma);
  if (!(t.gaeLambda >= 0 && t.gaeLambda <= 1)) throw bad('gaeLambda', 'a number in [0, 1]', t.gaeLambda);
  if (!(t.entCoef >= 0 && t.entCoef <= 1)) throw bad('entCoef', 'a number in [0, 1]', t.entCoef);
  if (!(t.vfCoef > 0 && t.vfCoef <= 10)) throw bad('vfCoef', 'a number in (0, 10]', t.vfCoef);
  if (!(t.lr > 0 && t.lr <= 1)) throw bad('lr', 'a number in (0, 1]', t.lr);
  if (typeof t.normalizeAdvantages !== 'boolean')
    throw bad('normalizeAdvantages', 'true or false', t.normalizeAdvantages);
  const { min, max } = SAC_LOG_STD_RANGE;
  if (!(Math.log(t.initStd) > min && Math.log(t.initStd) < max))
    throw bad(
      'initStd',
      `strictly between e^${min} and e^${max} (${Math.exp(min).toFixed(4)} .. ${Math.exp(max).toFixed(2)})`,
      t.initStd,
    );
}

/** Throws a RangeError naming the first PPO setting outside its range (see {@link PpoSettings}). */
export function checkPpo(t: PpoSettings): void {
  checkOnPolicy(t, 'ppo');
  if (!(Number.isInteger(t.epochs) && t.epochs >= 1 && t.epochs <= 100))
    throw new RangeError(`ppo.epochs must be an integer in [1, 100], got ${String(t.epochs)}`);
  if (!(Number.isInteger(t.minibatch) && t.minibatch >= 1 && t.minibatch <= 100_000))
    throw new RangeError(`ppo.minibatch must be an integer in [1, 100000], got ${String(t.minibatch)}`);
  if (!(t.clipEps > 0 && t.clipEps < 1))
    throw new RangeError(`ppo.clipEps must be a number in (0, 1), got ${String(t.clipEps)}`);
}

/** Throws a RangeError naming the first A2C setting outside its range (see {@link A2cSettings}). */
export function checkA2c(t: A2cSettings): void {
  checkOnPolicy(t, 'a2c');
  if (!(t.gradClipNorm >= 0 && t.gradClipNorm <= 100))
    throw new RangeError(`a2c.gradClipNorm must be a number in [0, 100], got ${String(t.gradClipNorm)}`);
}
