/**
 * PPN settings (Zhang, Zhao, Wu, Li, Huang and Tan 2020, "Cost-Sensitive Portfolio Selection via Deep
 * Reinforcement Learning", IEEE TKDE; docs/drl-baselines.md "PPN"), their presets and the one check over them. Every
 * setting is named here with its default and where the default comes from; the strategy (strategies/ppn) exposes
 * the scalar ones as parameters.
 *
 * "The authors' release" below is the configuration published with the paper's code (window 31, batch 32, Adam
 * 1e-3, turnover weight gamma 1e-3, variance weight 1e-4, 16 LSTM units, TCCB channels 8/16/16 with dilations
 * 1/2/4 and kernel 3, 16 correlation features). Presets differ in the window, the budget and the validation
 * schedule, not in the method:
 *   - quick: a 20-day window and 100 updates, to try the pipeline (the registry-wide look-ahead test trains it
 *     three times on 150 days of 6 assets);
 *   - standard: the authors' window, 2,000 updates.
 */

/** Everything that determines a PPN network and its training. */
export interface PpnConfig {
  /** n: days of closes per window, for both branches (the authors' release: 31) */
  window: number;
  /** units of the sequential branch's LSTM, one layer shared by every asset (the authors' release: 16) */
  lstmHidden: number;
  /** output channels of each temporal correlational convolution block, in order; block k has dilation 2^k (8, 16, 16) */
  tccbChannels: number[];
  /** width of every dilated causal convolution, in taps (3) */
  tccbKernel: number;
  /** features per asset of the correlation branch after its last layer collapses the time axis (16) */
  corrFeatures: number;
  /** consecutive periods per minibatch (the authors' release: 32) */
  batchSize: number;
  /** update budget: minibatches drawn by OSBL */
  updates: number;
  /** Adam learning rate (the authors' release: 1e-3) */
  lr: number;
  /** gamma: weight of the mean L1 turnover sum_i |w_t,i - w'_t,i| in the loss, on top of the cost (the authors' release: 1e-3) */
  turnoverWeight: number;
  /** lambda: weight of the variance of the minibatch's net log returns in the loss (the authors' release: 1e-4) */
  riskWeight: number;
  /** beta of OSBL's geometric distribution of batch starts, per period back (1e-3 as EIIE's daily presets) */
  sampleBias: number;
  /** proportional transaction cost in the reward (0.001 = 0.1%, the engine's default) */
  costRate: number;
  /** last days of the training window held out to choose the checkpoint (at most half of the periods) */
  validationDays: number;
  /** updates between two validation runs */
  evalEvery: number;
  /** validation runs in a row without a better net Sharpe after which training stops (0 = never) */
  patience: number;
}

export const PPN_PRESET_NAMES = ['quick', 'standard'] as const;
export type PpnPresetName = (typeof PPN_PRESET_NAMES)[number];

const STANDARD: PpnConfig = {
  window: 31,
  lstmHidden: 16,
  tccbChannels: [8, 16, 16],
  tccbKernel: 3,
  corrFeatures: 16,
  batchSize: 32,
  updates: 2000,
  lr: 1e-3,
  turnoverWeight: 1e-3,
  riskWeight: 1e-4,
  sampleBias: 1e-3,
  costRate: 0.001,
  validationDays: 120,
  evalEvery: 200,
  patience: 5,
};

export const PPN_PRESETS: Record<PpnPresetName, PpnConfig> = {
  quick: { ...STANDARD, window: 20, updates: 100, validationDays: 40, evalEvery: 50, patience: 3 },
  standard: STANDARD,
};

/** The config of `preset` with `over` laid on it, checked. */
export function resolvePpnConfig(preset: PpnPresetName, over: Partial<PpnConfig> = {}): PpnConfig {
  const base = PPN_PRESETS[preset];
  if (!base) throw new RangeError(`unknown PPN preset "${String(preset)}" (known: ${PPN_PRESET_NAMES.join(', ')})`);
  return checkPpnConfig({ ...base, ...over, tccbChannels: [...(over.tccbChannels ?? base.tccbChannels)] });
}

/** `c` when every setting is in range; a RangeError naming the first one that is not. */
export function checkPpnConfig(c: PpnConfig): PpnConfig {
  const int = (k: keyof PpnConfig, min: number) => {
    const v = c[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min))
      throw new RangeError(`PPN ${k} must be an integer >= ${min}, got ${String(v)}`);
  };
  int('window', 2);
  int('lstmHidden', 1);
  int('tccbKernel', 2);
  int('corrFeatures', 1);
  int('batchSize', 1);
  int('updates', 1);
  int('validationDays', 0);
  int('evalEvery', 1);
  int('patience', 0);
  if (
    !Array.isArray(c.tccbChannels) ||
    c.tccbChannels.length < 1 ||
    !c.tccbChannels.every((v) => Number.isInteger(v) && v >= 1)
  )
    throw new RangeError(
      `PPN tccbChannels must be a non-empty list of positive integers, got ${JSON.stringify(c.tccbChannels)}`,
    );
  const positive = (k: 'lr') => {
    if (!(c[k] > 0 && Number.isFinite(c[k]))) throw new RangeError(`PPN ${k} must be a positive number, got ${c[k]}`);
  };
  positive('lr');
  for (const k of ['turnoverWeight', 'riskWeight'] as const)
    if (!(c[k] >= 0 && Number.isFinite(c[k])))
      throw new RangeError(`PPN ${k} must be a non-negative number, got ${c[k]}`);
  if (!(c.sampleBias > 0 && c.sampleBias < 1))
    throw new RangeError(`PPN sampleBias must be in (0, 1), got ${c.sampleBias}`);
  if (!(c.costRate >= 0 && c.costRate < 0.5))
    throw new RangeError(`PPN costRate must be in [0, 0.5), got ${c.costRate}`);
  return c;
}
