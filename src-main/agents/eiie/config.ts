/**
 * EIIE settings (Jiang, Xu and Liang 2017; docs/drl-baselines.md "EIIE"), their presets and the one check over
 * them. Every setting is named here with its default; the strategy (strategies/eiie) exposes them as parameters.
 *
 * Presets differ in the update budget, the window and the validation schedule:
 *   - quick: a 30-day window and 300 updates, to try the pipeline in well under a minute per model;
 *   - standard: the paper's 50-day window, 3,000 updates;
 *   - paper: the paper's window, batch, learning rate (3e-5) and L2 (1e-8) with 100,000 updates (a long run).
 */

/** Everything that determines an EIIE network and its training. */
export interface EiieConfig {
  /** n: days of closes each evaluator sees (the paper: 50) */
  window: number;
  /** feature maps of the first convolution (the paper: 2) */
  convMaps: number;
  /** width of the first convolution's kernel, 1 x k (the paper: 3) */
  convKernel: number;
  /** feature maps of the second convolution, 1 x (n - k + 1) wide (the paper: 20) */
  features: number;
  /** consecutive periods per minibatch (the paper: 50) */
  batchSize: number;
  /** update budget: minibatches drawn by OSBL */
  updates: number;
  /** Adam learning rate */
  lr: number;
  /** L2 penalty on the convolution weights, added to the loss (the paper: 1e-8) */
  weightDecay: number;
  /** beta of OSBL's geometric distribution of batch starts, per period back from the latest start */
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

export const EIIE_PRESET_NAMES = ['quick', 'standard', 'paper'] as const;
export type EiiePresetName = (typeof EIIE_PRESET_NAMES)[number];

const BASE: EiieConfig = {
  window: 50,
  convMaps: 2,
  convKernel: 3,
  features: 20,
  batchSize: 50,
  updates: 3000,
  lr: 1e-3,
  weightDecay: 1e-8,
  sampleBias: 1e-3,
  costRate: 0.001,
  validationDays: 120,
  evalEvery: 200,
  patience: 5,
};

export const EIIE_PRESETS: Record<EiiePresetName, EiieConfig> = {
  quick: { ...BASE, window: 30, updates: 300, validationDays: 40, evalEvery: 50, patience: 3 },
  standard: BASE,
  paper: { ...BASE, updates: 100_000, lr: 3e-5, evalEvery: 2000, patience: 10 },
};

/** The config of `preset` with `over` laid on it, checked. */
export function resolveEiieConfig(preset: EiiePresetName, over: Partial<EiieConfig> = {}): EiieConfig {
  const base = EIIE_PRESETS[preset];
  if (!base) throw new RangeError(`unknown EIIE preset "${String(preset)}" (known: ${EIIE_PRESET_NAMES.join(', ')})`);
  return checkEiieConfig({ ...base, ...over });
}

/** `c` when every setting is in range; a RangeError naming the first one that is not. */
export function checkEiieConfig(c: EiieConfig): EiieConfig {
  const int = (k: keyof EiieConfig, min: number) => {
    const v = c[k];
    if (!(Number.isInteger(v) && v >= min)) throw new RangeError(`EIIE ${k} must be an integer >= ${min}, got ${v}`);
  };
  int('window', 2);
  int('convMaps', 1);
  int('convKernel', 1);
  int('features', 1);
  int('batchSize', 1);
  int('updates', 1);
  int('validationDays', 0);
  int('evalEvery', 1);
  int('patience', 0);
  if (c.convKernel > c.window)
    throw new RangeError(`EIIE convKernel ${c.convKernel} must not exceed the window ${c.window}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new RangeError(`EIIE lr must be a positive number, got ${c.lr}`);
  if (!(c.weightDecay >= 0 && Number.isFinite(c.weightDecay)))
    throw new RangeError(`EIIE weightDecay must be a non-negative number, got ${c.weightDecay}`);
  if (!(c.sampleBias > 0 && c.sampleBias < 1))
    throw new RangeError(`EIIE sampleBias must be in (0, 1), got ${c.sampleBias}`);
  if (!(c.costRate >= 0 && c.costRate < 0.5))
    throw new RangeError(`EIIE costRate must be in [0, 0.5), got ${c.costRate}`);
  return c;
}
