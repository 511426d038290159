/**
 * Settings of the Long/Hold/Short classifier baselines (the MLP and CNN baselines of the HADAPS paper, seed 001;
 * docs/drl-baselines.md "MLP and CNN Long/Hold/Short classifiers"), their two presets and the one check over them.
 * Every setting is named here with its default and why; the strategies (strategies/lhs) expose them as parameters.
 *
 * The paper gives the labels (+-3%) and the two model kinds, nothing else; every other default below is a choice
 * made here and argued in the docs:
 *   - quick: 5 epochs and a 40-day validation period, to try the pipeline in seconds per model;
 *   - standard: 40 epochs, a 120-day validation period and early stopping after 5 epochs without improvement.
 */
import type { LhsClassifier } from '../../../src-shared/domain/decision';

/** Everything that determines a classifier and its training. */
export interface LhsConfig {
  /** which network: the dense MLP or the 1-D CNN (set by the strategy id, not by a preset) */
  model: LhsClassifier;
  /**
   * n: daily returns per input window (30: the window of Di Persio and Honchar 2016, the paper's reference for
   * these baselines)
   */
  window: number;
  /**
   * h: trading days of the forward return a label is made from (5: a week; the paper says only "the return", and
   * at h = 1 nine labels in ten of the bundled Dow stocks are Hold, at h = 5 six in ten)
   */
  horizon: number;
  /** the class threshold: Long above +threshold, Short below -threshold, Hold otherwise (the paper: 0.03) */
  threshold: number;
  /** units of each hidden dense layer (two layers in the MLP, one after the convolution in the CNN): 32 */
  hidden: number;
  /** CNN only: maps of the convolution (8) */
  convMaps: number;
  /** CNN only: width of the convolution's kernel, valid padding (5: a trading week) */
  convKernel: number;
  /** (asset, day) samples per minibatch (128) */
  batchSize: number;
  /** passes over the training samples (quick 5, standard 40); early stopping may end training sooner */
  epochs: number;
  /** Adam learning rate (1e-3, Adam's usual default) */
  lr: number;
  /**
   * weight each sample's cross-entropy by n / (3 n_class) over the training labels (true): without it the
   * classifier learns the majority class, mostly Hold, which is an all-cash book
   */
  balanceClasses: boolean;
  /** last labelled days of the training window held out to choose the checkpoint (quick 40, standard 120) */
  validationDays: number;
  /** epochs in a row without a better validation score after which training stops (0 = never) */
  patience: number;
}

export const LHS_PRESET_NAMES = ['quick', 'standard'] as const;
export type LhsPresetName = (typeof LHS_PRESET_NAMES)[number];

/** A preset: every setting but the model kind. */
export type LhsPreset = Omit<LhsConfig, 'model'>;

const STANDARD: LhsPreset = {
  window: 30,
  horizon: 5,
  threshold: 0.03,
  hidden: 32,
  convMaps: 8,
  convKernel: 5,
  batchSize: 128,
  epochs: 40,
  lr: 1e-3,
  balanceClasses: true,
  validationDays: 120,
  patience: 5,
};

export const LHS_PRESETS: Record<LhsPresetName, LhsPreset> = {
  quick: { ...STANDARD, epochs: 5, validationDays: 40, patience: 2 },
  standard: STANDARD,
};

/** The config of `model` under `preset` with `over` laid on it, checked. */
export function resolveLhsConfig(
  model: LhsClassifier,
  preset: LhsPresetName,
  over: Partial<LhsPreset> = {},
): LhsConfig {
  const base = LHS_PRESETS[preset];
  if (!base) throw new RangeError(`unknown LHS preset "${String(preset)}" (known: ${LHS_PRESET_NAMES.join(', ')})`);
  return checkLhsConfig({ model, ...base, ...over });
}

/** `c` when every setting is in range; a RangeError naming the first that is not. */
export function checkLhsConfig(c: LhsConfig): LhsConfig {
  if (c.model !== 'mlp' && c.model !== 'cnn')
    throw new RangeError(`LHS model must be 'mlp' or 'cnn', got ${JSON.stringify(c.model)}`);
  const int = (k: keyof LhsConfig, min: number) => {
    const v = c[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min))
      throw new RangeError(`LHS ${k} must be an integer >= ${min}, got ${String(v)}`);
  };
  int('window', 2);
  int('horizon', 1);
  int('hidden', 1);
  int('convMaps', 1);
  int('convKernel', 1);
  int('batchSize', 1);
  int('epochs', 1);
  int('validationDays', 0);
  int('patience', 0);
  if (c.model === 'cnn' && c.convKernel > c.window)
    throw new RangeError(`LHS convKernel ${c.convKernel} must not exceed the window ${c.window}`);
  if (!(c.threshold > 0 && c.threshold < 1))
    throw new RangeError(`LHS threshold must be in (0, 1), got ${c.threshold}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new RangeError(`LHS lr must be a positive number, got ${c.lr}`);
  if (typeof c.balanceClasses !== 'boolean')
    throw new RangeError(`LHS balanceClasses must be true or false, got ${String(c.balanceClasses)}`);
  return c;
}
