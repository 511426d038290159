/**
 * The learned Level 1 of the three-level hierarchy (docs/three-level.md "Level 1, learned"): the settings of its
 * yearly episodes, its per-class network and its PPO training, with their presets and the one check over them.
 * Every setting is declared here with its default and the reason for it.
 *
 * Presets differ in the training budget only:
 *   - quick: 30 passes over the training starts, patience 6; a model in a few seconds on two cores;
 *   - standard: 150 passes, patience 10.
 */
import type { StrategicMacro } from './strategic-macro';

/** Everything that determines a learned strategic agent, its episodes and its training. */
export interface StrategicConfig {
  /**
   * Trading days between strategic decisions, and the days an episode's reward covers. Default 252, a year. On a
   * training window too short to hold a year after a start the reward covers fewer days (strategic-env.ts
   * `splitStrategicDays` says how many).
   */
  strategicPeriod: number;
  /**
   * Within an episode the book is set back to the target every this many days, as the hierarchy's tactical level
   * re-targets it each month (with zero tilts: the strategic target itself). Default 21.
   */
  rebalanceEvery: number;
  /** Every `stride`-th day of the training days starts an episode (overlapping yearly windows). Default 5, a week. */
  stride: number;
  /**
   * λ of the reward's risk penalty: reward = the episode's return − λ × the variance of its daily returns summed
   * over its days (a year's variance for a yearly episode). Default 2, the mean-variance utility of a relative risk
   * aversion of 4, the middle of the range asset-allocation studies use; at 2 a 20%-volatility year costs 8 points.
   */
  riskPenalty: number;
  /**
   * The proportional cost of every unit traded in an episode (the move to the target and each re-set). The strategy
   * sets it to the commission plus the impact model's half-spread: Level 3 spreads its trades to keep impact small,
   * and Level 1 decides once a year, so impact is left to Level 3. Default 0.0015.
   */
  tradeCost: number;
  /** Days the class trend, volatility and drawdown are read over (besides the 63-day trend). Default 252. */
  signalWindow: number;
  /**
   * Imported macro series read as further inputs (strategic-macro.ts: each series' change and z-score over the
   * trailing `signalWindow` days enter every row of the state). Default none: absent, so a config without them is
   * the one every model trained before them was keyed by.
   */
  macro?: StrategicMacro;
  /** Dispersion (log scale) of the random allocations training episodes start from. Default 0.5, as Level 3's. */
  allocationSpread: number;
  /** Share of training episodes that start from an all-cash book (a run's first decision). Default 0.25. */
  cashStartProb: number;
  /** Widths of the hidden ReLU layers of the per-class policy and value networks. Default [16, 16]: few samples. */
  hidden: number[];
  /** Adam learning rate of the policy and value networks together. Default 1e-3: a budget of a few hundred steps. */
  lr: number;
  /** PPO passes over each batch of episodes. Default 4 (the engine's PPO default). */
  epochs: number;
  /** Episodes per gradient step. Default 16. */
  minibatch: number;
  /** ε of the clipped surrogate. Default 0.2. */
  clipEps: number;
  /** Weight of the value loss. Default 0.5. */
  vfCoef: number;
  /** Weight of the entropy bonus. Default 0 (as the engine's PPO; the starting deviation explores). */
  entCoef: number;
  /** Starting standard deviation of the Gaussian over the class logits. Default 0.5. */
  initStd: number;
  /** Global L2 norm the gradients are clipped to (0 = none). Default 1. */
  gradClipNorm: number;
  /** Passes over the training starts (each samples every start once, then learns from them). */
  iterations: number;
  /** Passes between two validations (and checkpoint choices). Default 1: a validation is a few dozen forwards. */
  iterationsPerValidation: number;
  /**
   * Last trading days of the training window held out for validation (at most half of it). Default 378, a year and
   * a half: a validation episode needs a year of held-out days after its start, so a year of them would hold one.
   */
  validationDays: number;
  /** Validations in a row without a better score before training stops (0 = never). */
  patience: number;
  /** Learning rates decay along a half cosine to `lrFloor` of their value over the budget ('constant': none). */
  lrSchedule: 'cosine' | 'constant';
  lrFloor: number;
}

export const STRATEGIC_PRESET_NAMES = ['quick', 'standard'] as const;
export type StrategicPresetName = (typeof STRATEGIC_PRESET_NAMES)[number];

const BASE: StrategicConfig = {
  strategicPeriod: 252,
  rebalanceEvery: 21,
  stride: 5,
  riskPenalty: 2,
  tradeCost: 0.0015,
  signalWindow: 252,
  allocationSpread: 0.5,
  cashStartProb: 0.25,
  hidden: [16, 16],
  lr: 1e-3,
  epochs: 4,
  minibatch: 16,
  clipEps: 0.2,
  vfCoef: 0.5,
  entCoef: 0,
  initStd: 0.5,
  gradClipNorm: 1,
  iterations: 30,
  iterationsPerValidation: 1,
  validationDays: 378,
  patience: 6,
  lrSchedule: 'cosine',
  lrFloor: 0.1,
};

export const STRATEGIC_PRESETS: Readonly<Record<StrategicPresetName, StrategicConfig>> = {
  quick: { ...BASE, hidden: [...BASE.hidden] },
  standard: { ...BASE, hidden: [...BASE.hidden], iterations: 150, patience: 10 },
};

/** A preset with overrides, checked. */
export function resolveStrategicConfig(
  name: StrategicPresetName,
  over: Partial<StrategicConfig> = {},
): StrategicConfig {
  const base = STRATEGIC_PRESETS[name];
  if (!base)
    throw new RangeError(`unknown strategic preset ${JSON.stringify(name)} (${STRATEGIC_PRESET_NAMES.join(', ')})`);
  return checkStrategicConfig({ ...base, hidden: [...base.hidden], ...over });
}

/** The config if every setting is in range, else a RangeError naming the first one that is not. */
export function checkStrategicConfig(c: StrategicConfig): StrategicConfig {
  const int = (k: keyof StrategicConfig, min: number, max: number) => {
    const v = c[k] as number;
    if (!(Number.isInteger(v) && v >= min && v <= max))
      throw new RangeError(`${k} must be an integer in [${min}, ${max}], got ${String(v)}`);
  };
  const num = (k: keyof StrategicConfig, min: number, max: number, openMin = false) => {
    const v = c[k] as number;
    if (!(Number.isFinite(v) && (openMin ? v > min : v >= min) && v <= max))
      throw new RangeError(`${k} must be in ${openMin ? '(' : '['}${min}, ${max}], got ${String(v)}`);
  };
  int('strategicPeriod', 2, 100_000);
  int('rebalanceEvery', 1, 100_000);
  int('stride', 1, 10_000);
  num('riskPenalty', 0, 1000);
  num('tradeCost', 0, 0.5);
  int('signalWindow', 2, 10_000);
  if (c.macro !== undefined) {
    const { universe, series } = c.macro;
    if (!(typeof universe === 'string' && universe.length > 0))
      throw new RangeError(`macro.universe must name a universe, got ${JSON.stringify(universe)}`);
    if (!(
      Array.isArray(series) &&
      series.length > 0 &&
      series.every((x) => typeof x === 'string' && x.length > 0) &&
      new Set(series).size === series.length
    ))
      throw new RangeError(`macro.series must be a non-empty list of distinct names, got ${JSON.stringify(series)}`);
  }
  num('allocationSpread', 0, 10);
  num('cashStartProb', 0, 1);
  if (!(
    Array.isArray(c.hidden) &&
    c.hidden.length >= 1 &&
    c.hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 4096)
  ))
    throw new RangeError(`hidden must be a non-empty list of widths in [1, 4096], got ${JSON.stringify(c.hidden)}`);
  num('lr', 0, 1, true);
  int('epochs', 1, 100);
  int('minibatch', 1, 100_000);
  num('clipEps', 0, 1, true);
  if (!(c.clipEps < 1)) throw new RangeError(`clipEps must be below 1, got ${c.clipEps}`);
  num('vfCoef', 0, 10, true);
  num('entCoef', 0, 1);
  num('initStd', Math.exp(-5), Math.exp(2), true);
  if (!(c.initStd < Math.exp(2))) throw new RangeError(`initStd must be below e^2, got ${c.initStd}`);
  num('gradClipNorm', 0, 1e6);
  int('iterations', 1, 1_000_000);
  int('iterationsPerValidation', 1, 100_000);
  int('validationDays', 0, 100_000);
  int('patience', 0, 100_000);
  if (!['cosine', 'constant'].includes(c.lrSchedule))
    throw new RangeError(`lrSchedule must be one of cosine, constant, got ${String(c.lrSchedule)}`);
  num('lrFloor', 0, 1);
  return c;
}
