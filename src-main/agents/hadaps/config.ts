/**
 * HADAPS settings (Kim et al., "HADAPS: Hierarchical Adaptive Multi-Asset Portfolio Selection"; docs/hadaps.md),
 * their presets and the one check over them. Every setting is named here with its default and the reason for it;
 * the strategy (strategies/hadaps) exposes the ones a user tunes as parameters.
 *
 * Presets differ in the budget and the learning rate only:
 *   - quick: 600 updates, to try the pipeline in well under a minute per model;
 *   - standard: 6,000 updates at learning rate 1e-4, what this machine trains in a few minutes per model;
 *   - paper: the paper's RMSProp learning rate 1e-5 with 60,000 updates (the paper trains 300 epochs).
 */

/** What the policy is made of: the paper's hierarchy and its three ablations. */
export type HadapsPolicyKind =
  /** inter-class layer (class weights) x one intra-class layer per class (weights inside it) */
  | 'hierarchical'
  /** SAC+Intra: equal class weights, learned weights inside each class */
  | 'intra-only'
  /** SAC+Inter: learned class weights, equal weights inside each class */
  | 'inter-only'
  /** SAC: one policy network over every asset and cash, no hierarchy */
  | 'flat';

/** The training reward. */
export type HadapsReward =
  /** the paper's: 100 x sum_i w_i (x_i - 1), the day's gross simple return in percent (costs not in it) */
  | 'paper'
  /** 100 x log((1 - cost) growth), the day's log return net of costs, as every other learned strategy here */
  | 'log-net';

/** How the asset classes are formed (classes.ts). */
export type HadapsClassing =
  /** the universe's `class` field when it names at least two classes, else its sectors, else one class */
  'auto' | 'class' | 'sector';

/** Everything that determines a HADAPS policy and its training. */
export interface HadapsConfig {
  /** k: trading days in the price and volatility windows. Default 20 (a trading month; the paper leaves k open). */
  window: number;
  classing: HadapsClassing;
  policy: HadapsPolicyKind;
  /**
   * Widths of the five hidden layers of every MLP (policy layers and both critic branches). Default the paper's
   * 256, 128, 64, 32, 16; each layer is Linear -> batch norm -> ReLU -> dropout.
   */
  hidden: number[];
  /** Dropout rate of the policy MLPs (the paper: 0.3). The critics use none (docs/hadaps.md says why). */
  dropout: number;
  /** Momentum of the batch-norm running statistics (PyTorch's default 0.1: running = 0.9 running + 0.1 batch). */
  bnMomentum: number;
  /** epsilon added to the variance inside batch norm (PyTorch's default 1e-5), and inside the critics' layer norm */
  bnEpsilon: number;
  /**
   * How the critics normalise their hidden layers. 'layer' (default): layer norm over each sample's features.
   * 'batch': batch norm over the minibatch, as the paper writes every layer. Batch norm in the critic's action
   * branch, evaluated on the actor step's minibatch of policy portfolios, subtracts their minibatch mean: Q cannot
   * see a change that every sample of the minibatch shares, which is exactly the direction the policy gradient
   * needs ("hold more of the rising class everywhere"); on a synthetic market with one rising class the policy
   * trained with 'batch' moved its capital to the falling class (test/strategies/hadaps.test.ts trains with the
   * default). Layer norm keeps the paper's normalised layers without that blind spot.
   */
  criticNorm: 'layer' | 'batch';
  /**
   * Action scale beta: the Gaussian sample of every policy layer (tanh mean plus noise) is multiplied by beta
   * before its softmax. Default 5, the best value of the paper's sweep 1..10. Larger = sharper allocations.
   */
  actionScale: number;
  reward: HadapsReward;
  /**
   * Reward penalty per unit of one-way turnover (as a return, times 100 with the reward), on top of what the
   * reward already charges. Default 0.02, the same cost control every learned strategy here trains with
   * (SampConfig.turnoverPenalty says how it was measured); 0 gives the paper's reward exactly.
   */
  turnoverPenalty: number;
  /** No-trade band (absolute weight), in training and at decision time, as SAMP-HDRL's. Default 0.02; 0 = off. */
  noTradeBand: number;
  /**
   * Trade rate: each day the book moves only this share of the way from the weights held to the policy's target
   * (partial adjustment) after the no-trade band has decided which assets trade, and the whole way for an asset
   * whose gap left would be under the band (agents/samp/trading.ts bandedPartialTrade; before that full close, a
   * bought asset stopped just under the band and cash was stranded); in training and at decision time. The
   * measurements below were made before the full close. Default 0.1. Traded in full (1, the paper's execution), a
   * standard-preset model of the 2000 window (trained that way, seed 1) turned over 49% of the book a day, net Sharpe
   * -0.42 against a gross 0.50; the same model at rates 0.5 / 0.25 / 0.1 / 0.05 turned over 17.5 / 8.5 / 3.7 / 2.0%
   * a day with net Sharpe 0.14 / 0.25 / 0.36 / 0.47 (scripts/hadaps-trade-rate.mts, docs/hadaps.md "Cost control";
   * a decision-time measurement of one model). 0.1 is the largest of these near the 3% a day the learned strategies
   * here are held to. `hadaps/full-trade` trades at 1.
   */
  tradeRate: number;
  /** proportional transaction cost in the training environment (0.001 = 0.1%, the paper's and the engine's) */
  costRate: number;
  /** SAC's entropy temperature: fixed as the paper, or learned ('auto') towards a target entropy */
  alphaTuning: 'fixed' | 'auto';
  /**
   * Entropy temperature alpha in reward units (rewards are percent of the book). Default 0.005: the policy's entropy
   * is over its pre-softmax actions, one per class and per asset of a class of two or more (40 on the DJIA sectors);
   * doubling every standard deviation adds 40 ln 2 = 28 nats, worth 0.14 reward units (0.14% of a day) at 0.005 —
   * exploration is cheap against a day's return, not free. At 0.05 the entropy term outweighed the reward and the
   * standard deviations grew to the top of their range (1.6 after 1,500 updates on the synthetic market of
   * test/strategies/hadaps.test.ts, against 0.7 at 0.005). The paper gives no value.
   */
  alpha: number;
  /** 'auto' only: target entropy per action entry (the usual -1 per dimension of Haarnoja et al. 2018b) */
  targetEntropyPerEntry: number;
  /** 'auto' only: Adam learning rate of log alpha */
  alphaLr: number;
  /** starting standard deviation of every Gaussian entry (before the action scale). Default 0.3. */
  initStd: number;
  /** optimiser of the actor and the critics: the paper's RMSProp (PyTorch defaults rho 0.99, eps 1e-8) or Adam */
  optimizer: 'rmsprop' | 'adam';
  /** learning rate of the actor and the critics (the paper: 1e-5) */
  lr: number;
  /** discount per trading day */
  gamma: number;
  /** soft target update rate of the critics */
  tau: number;
  /** transitions per update (the paper: 32) */
  batchSize: number;
  /** replay capacity in transitions (the paper: 4,000) */
  bufferSize: number;
  /** transitions stored before the first update */
  warmup: number;
  /** global L2 norm the gradients are clipped to (0 = none). Default 1. */
  gradClipNorm: number;
  /** update budget (one update = both critics, the actor and the targets) */
  updates: number;
  /** at most this many passes over the training days */
  maxEpisodes: number;
  /**
   * Last trading days of the training window held out as the validation period (never trained on; the policy
   * after every episode runs over it and the best net Sharpe is kept). Default 126 (half a year: the paper's
   * protocol trains on two years only). At most half of the window's days are taken. 0 = none.
   */
  validationDays: number;
  /** episodes in a row without a better validation Sharpe before training stops (0 = never) */
  patience: number;
  /** learning rates decay along a half cosine to `lrFloor` of their value over the budget ('constant': none) */
  lrSchedule: 'cosine' | 'constant';
  lrFloor: number;
  /**
   * Monthly retraining (the hadaps protocol) warm-started: each month's model starts from the previous month's
   * trained networks and running statistics (the optimiser's moments start at zero) instead of a fresh seeded
   * draw; the chain starts cold in the first month of each calendar year of tests (strategies/hadaps
   * previousWindow says why). Default false: cold retraining every month. A window that is not one of the hadaps
   * protocol's trains cold (and says so in its progress).
   */
  warmStart: boolean;
}

export const HADAPS_PRESET_NAMES = ['quick', 'standard', 'paper'] as const;
export type HadapsPresetName = (typeof HADAPS_PRESET_NAMES)[number];

const BASE: HadapsConfig = {
  window: 20,
  classing: 'auto',
  policy: 'hierarchical',
  hidden: [256, 128, 64, 32, 16],
  dropout: 0.3,
  bnMomentum: 0.1,
  bnEpsilon: 1e-5,
  criticNorm: 'layer',
  actionScale: 5,
  reward: 'paper',
  turnoverPenalty: 0.02,
  noTradeBand: 0.02,
  tradeRate: 0.1,
  costRate: 0.001,
  alphaTuning: 'fixed',
  alpha: 0.005,
  targetEntropyPerEntry: -1,
  alphaLr: 3e-4,
  initStd: 0.3,
  optimizer: 'rmsprop',
  lr: 1e-4,
  gamma: 0.99,
  tau: 0.005,
  batchSize: 32,
  bufferSize: 4000,
  warmup: 256,
  gradClipNorm: 1,
  updates: 6000,
  maxEpisodes: 30,
  validationDays: 126,
  patience: 4,
  lrSchedule: 'cosine',
  lrFloor: 0.1,
  warmStart: false,
};

export const HADAPS_PRESETS: Readonly<Record<HadapsPresetName, HadapsConfig>> = {
  quick: { ...BASE, hidden: [...BASE.hidden], updates: 600, maxEpisodes: 6, patience: 0 },
  standard: { ...BASE, hidden: [...BASE.hidden] },
  paper: { ...BASE, hidden: [...BASE.hidden], lr: 1e-5, updates: 60_000, maxEpisodes: 300, patience: 10 },
};

/** A preset with overrides, checked. */
export function resolveHadapsConfig(name: HadapsPresetName, over: Partial<HadapsConfig> = {}): HadapsConfig {
  const base = HADAPS_PRESETS[name];
  if (!base) throw new RangeError(`unknown HADAPS preset ${JSON.stringify(name)} (${HADAPS_PRESET_NAMES.join(', ')})`);
  return checkHadapsConfig({ ...base, hidden: [...base.hidden], ...over });
}

/** The config if every setting is in range, else a RangeError naming the first one that is not. */
export function checkHadapsConfig(c: HadapsConfig): HadapsConfig {
  const int = (k: keyof HadapsConfig, min: number, max: number) => {
    const v = c[k] as number;
    if (!(Number.isInteger(v) && v >= min && v <= max))
      throw new RangeError(`${k} must be an integer in [${min}, ${max}], got ${v}`);
  };
  const num = (k: keyof HadapsConfig, min: number, max: number, openMin = false) => {
    const v = c[k] as number;
    if (!(Number.isFinite(v) && (openMin ? v > min : v >= min) && v <= max))
      throw new RangeError(`${k} must be in ${openMin ? '(' : '['}${min}, ${max}], got ${v}`);
  };
  const oneOf = (k: keyof HadapsConfig, xs: readonly string[]) => {
    if (!xs.includes(c[k] as string)) throw new RangeError(`${k} must be one of ${xs.join(', ')}, got ${String(c[k])}`);
  };
  int('window', 2, 500);
  oneOf('classing', ['auto', 'class', 'sector']);
  oneOf('policy', ['hierarchical', 'intra-only', 'inter-only', 'flat']);
  if (!(
    Array.isArray(c.hidden) &&
    c.hidden.length >= 1 &&
    c.hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 4096)
  ))
    throw new RangeError(`hidden must be a non-empty list of widths in [1, 4096], got ${JSON.stringify(c.hidden)}`);
  num('dropout', 0, 0.9);
  num('bnMomentum', 0, 1, true);
  num('bnEpsilon', 0, 1, true);
  oneOf('criticNorm', ['layer', 'batch']);
  num('actionScale', 0, 100, true);
  oneOf('reward', ['paper', 'log-net']);
  num('turnoverPenalty', 0, 1);
  num('noTradeBand', 0, 0.5);
  num('tradeRate', 0, 1, true);
  num('costRate', 0, 0.1);
  oneOf('alphaTuning', ['fixed', 'auto']);
  num('alpha', 0, 100, true);
  num('targetEntropyPerEntry', -10, 10);
  num('alphaLr', 0, 1, true);
  num('initStd', Math.exp(-5), Math.exp(2));
  oneOf('optimizer', ['rmsprop', 'adam']);
  num('lr', 0, 1, true);
  num('gamma', 0, 1);
  num('tau', 0, 1, true);
  int('batchSize', 2, 4096);
  int('bufferSize', 1, 10_000_000);
  int('warmup', 0, 10_000_000);
  num('gradClipNorm', 0, 1e6);
  int('updates', 1, 10_000_000);
  int('maxEpisodes', 1, 100_000);
  int('validationDays', 0, 100_000);
  int('patience', 0, 100_000);
  oneOf('lrSchedule', ['cosine', 'constant']);
  num('lrFloor', 0, 1);
  if (typeof c.warmStart !== 'boolean')
    throw new RangeError(`warmStart must be true or false, got ${String(c.warmStart)}`);
  return c;
}
