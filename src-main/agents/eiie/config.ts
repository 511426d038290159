/**
 * EIIE settings (Jiang, Xu and Liang 2017; docs/drl-baselines.md "EIIE"), their presets and the one check over
 * them. Every setting is named here with its default; the strategy (strategies/eiie) exposes them as parameters.
 *
 * The evaluator is the network every asset goes through (the paper's three IIE topologies): the CNN (`eiie`), a
 * plain tanh RNN (`eiie/rnn`) or an LSTM (`eiie/lstm`), each reading the asset's window and giving `features`
 * numbers (the paper: 20 for all three) that the vote turns into the asset's score with the weight it holds. The
 * recurrent evaluators have one layer of `features` units over the window, oldest day first, from the zero state;
 * `convMaps` and `convKernel` are the CNN's only. Every other setting, and every preset, is the same for the three,
 * so the variants differ in the evaluator alone. The list of evaluators lives in the decision schema
 * (src-shared/domain/decision.ts, which records the one that decided) and is re-exported here.
 *
 * Presets differ in the update budget, the window and the validation schedule:
 *   - quick: a 30-day window and 300 updates, to try the pipeline in well under a minute per model;
 *   - standard: the paper's 50-day window, 3,000 updates;
 *   - paper: the paper's window, batch, learning rate (3e-5) and L2 (1e-8) with 100,000 updates (a long run).
 */
import { EIIE_EVALUATORS, type EiieEvaluator } from '../../../src-shared/domain/decision';

export { EIIE_EVALUATORS, type EiieEvaluator };

/** Everything that determines an EIIE network and its training. */
export interface EiieConfig {
  /** the network each asset goes through: 'cnn' (the paper's main topology), 'rnn' (tanh cell) or 'lstm' */
  evaluator: EiieEvaluator;
  /** n: days of closes each evaluator sees (the paper: 50) */
  window: number;
  /** CNN: feature maps of the first convolution (the paper: 2) */
  convMaps: number;
  /** CNN: width of the first convolution's kernel, 1 x k (the paper: 3) */
  convKernel: number;
  /**
   * what each evaluator gives the vote per asset (the paper: 20): the CNN's maps of the second convolution,
   * 1 x (n - k + 1) wide, or the units of the RNN's or LSTM's one layer (its last hidden state)
   */
  features: number;
  /** consecutive periods per minibatch (the paper: 50) */
  batchSize: number;
  /** update budget: minibatches drawn by OSBL */
  updates: number;
  /** Adam learning rate */
  lr: number;
  /**
   * L2 penalty on the weight matrices (the CNN's convolution kernels or the recurrent layer's W, and the vote), added
   * to the loss (the paper: 1e-8)
   */
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
  evaluator: 'cnn',
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

/**
 * Online learning in the test window (`eiie/online`, agents/eiie/online.ts): the OSBL steps the network takes after
 * each test day's decision. 30 per period as we read the paper's hyper-parameter table ("rolling steps"; not checked
 * against its text, which is not among this project's sources; the authors' published config uses 85); quick takes 2, enough to see it work and cheap enough for tests that train and run
 * it many times. Kept apart from EiieConfig: it does not change the trained network, so it is not in its key.
 */
export const EIIE_ONLINE_STEPS: Record<EiiePresetName, number> = { quick: 2, standard: 30, paper: 30 };

/** The config of `preset` with `over` laid on it, checked. */
export function resolveEiieConfig(preset: EiiePresetName, over: Partial<EiieConfig> = {}): EiieConfig {
  const base = EIIE_PRESETS[preset];
  if (!base) throw new RangeError(`unknown EIIE preset "${String(preset)}" (known: ${EIIE_PRESET_NAMES.join(', ')})`);
  return checkEiieConfig({ ...base, ...over });
}

/** `c` when every setting is in range; a RangeError naming the first one that is not. */
export function checkEiieConfig(c: EiieConfig): EiieConfig {
  if (!(EIIE_EVALUATORS as readonly unknown[]).includes(c.evaluator))
    throw new RangeError(
      `EIIE evaluator must be one of ${EIIE_EVALUATORS.join(', ')}, got ${JSON.stringify(c.evaluator ?? null)}`,
    );
  const int = (k: keyof EiieConfig, min: number) => {
    const v = c[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min))
      throw new RangeError(`EIIE ${k} must be an integer >= ${min}, got ${String(v)}`);
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
