/**
 * Settings of MAPS (Lee, Kim, Yi and Kang 2020, "MAPS: Multi-agent reinforcement learning-based portfolio management
 * system"; the strongest baseline of the HADAPS paper, seed 001; docs/drl-baselines.md "MAPS"), its two presets and
 * the one check over them. Every setting is named here with its default and why; the strategy (strategies/maps)
 * exposes them as parameters.
 *
 * What MAPS's description fixes: several value-learning agents read the same input (an asset's recent prices), each
 * scores Long, Neutral (here Hold) and Short per asset, is trained on the reward action x next return, and a loss
 * term keeps the agents' action values from agreeing. Every number below is a choice made here, argued in the docs:
 *   - quick: 3 agents, 5 episodes and a 40-day validation period, to try the pipeline in seconds per model;
 *   - standard: 8 agents, 40 episodes, a 120-day validation period and early stopping after 5 episodes without a
 *     better validation Sharpe.
 */
import type { LhsClassifier } from '../../../src-shared/domain/decision';

/** Everything that determines a MAPS model and its training. */
export interface MapsConfig {
  /**
   * each agent's Q-network: the Long/Hold/Short baselines' MLP or CNN (agents/lhs/network.ts) with three Q-values
   * as output instead of three logits ('mlp': the same layers as mlp-lhs, so the comparison isolates the objective)
   */
  network: LhsClassifier;
  /** K: agents, each with its own network (quick 3, standard 8; MAPS reports more agents lowering risk) */
  agents: number;
  /** n: daily returns per input window, in percent (30, as the Long/Hold/Short baselines) */
  window: number;
  /** units of each hidden dense layer of an agent (32) */
  hidden: number;
  /** CNN only: maps of the convolution (8) */
  convMaps: number;
  /** CNN only: width of the convolution's kernel, valid padding (5) */
  convKernel: number;
  /**
   * discount of the Q-target r + gamma max Q'(s') (0): an asset's position does not change the next state, so the
   * bootstrap term is the same for the three actions and cannot change which one is preferred; 0 makes the target
   * the observed reward alone
   */
  gamma: number;
  /** updates between copies of the target networks (200); only read when gamma > 0 */
  targetEvery: number;
  /** lambda: weight of the diversity term, the mean correlation between agents' action values (0.5) */
  diversity: number;
  /** (asset, day) samples per minibatch, drawn uniformly with replacement from the training samples (128) */
  batchSize: number;
  /**
   * passes over the training days: an episode takes floor(samples / batchSize) updates, then scores the
   * validation book (quick 5, standard 40); early stopping may end training sooner
   */
  episodes: number;
  /** Adam learning rate (1e-3) */
  lr: number;
  /** last days of the training window held out to choose the checkpoint (quick 40, standard 120) */
  validationDays: number;
  /** episodes in a row without a better validation Sharpe after which training stops (0 = never) */
  patience: number;
  /** the cost per unit traded charged to the validation book (0.001, the backtests' default) */
  costRate: number;
}

export const MAPS_PRESET_NAMES = ['quick', 'standard'] as const;
export type MapsPresetName = (typeof MAPS_PRESET_NAMES)[number];

const STANDARD: MapsConfig = {
  network: 'mlp',
  agents: 8,
  window: 30,
  hidden: 32,
  convMaps: 8,
  convKernel: 5,
  gamma: 0,
  targetEvery: 200,
  diversity: 0.5,
  batchSize: 128,
  episodes: 40,
  lr: 1e-3,
  validationDays: 120,
  patience: 5,
  costRate: 0.001,
};

export const MAPS_PRESETS: Record<MapsPresetName, MapsConfig> = {
  quick: { ...STANDARD, agents: 3, episodes: 5, validationDays: 40, patience: 2 },
  standard: STANDARD,
};

/** The config of `preset` with `over` laid on it, checked. */
export function resolveMapsConfig(preset: MapsPresetName, over: Partial<MapsConfig> = {}): MapsConfig {
  const base = MAPS_PRESETS[preset];
  if (!base) throw new RangeError(`unknown MAPS preset "${String(preset)}" (known: ${MAPS_PRESET_NAMES.join(', ')})`);
  return checkMapsConfig({ ...base, ...over });
}

/** `c` when every setting is in range; a RangeError naming the first that is not. */
export function checkMapsConfig(c: MapsConfig): MapsConfig {
  if (c.network !== 'mlp' && c.network !== 'cnn')
    throw new RangeError(`MAPS network must be 'mlp' or 'cnn', got ${JSON.stringify(c.network)}`);
  const int = (k: keyof MapsConfig, min: number) => {
    const v = c[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min))
      throw new RangeError(`MAPS ${k} must be an integer >= ${min}, got ${String(v)}`);
  };
  int('agents', 1);
  int('window', 2);
  int('hidden', 1);
  int('convMaps', 1);
  int('convKernel', 1);
  int('targetEvery', 1);
  int('batchSize', 1);
  int('episodes', 1);
  int('validationDays', 0);
  int('patience', 0);
  if (c.network === 'cnn' && c.convKernel > c.window)
    throw new RangeError(`MAPS convKernel ${c.convKernel} must not exceed the window ${c.window}`);
  if (!(c.gamma >= 0 && c.gamma < 1)) throw new RangeError(`MAPS gamma must be in [0, 1), got ${c.gamma}`);
  if (!(c.diversity >= 0 && Number.isFinite(c.diversity)))
    throw new RangeError(`MAPS diversity must be a number >= 0, got ${c.diversity}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new RangeError(`MAPS lr must be a positive number, got ${c.lr}`);
  if (!(c.costRate >= 0 && c.costRate < 0.5))
    throw new RangeError(`MAPS costRate must be in [0, 0.5), got ${c.costRate}`);
  return c;
}
