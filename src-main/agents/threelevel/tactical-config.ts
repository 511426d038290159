/**
 * Level 2 of the three-level hierarchy (docs/three-level.md "Level 2"): the settings of the tactical environment,
 * its per-class network and its SAC training, with their presets and the one check over them. Every setting is
 * declared here with its default and the reason for it.
 *
 * The timescales are shared with the other levels: a tactical decision every `horizon` trading days (Level 3's
 * horizon, the execution period it hands its target to) and a strategic one every `strategicPeriod` days; the
 * costs are the run's execution-cost model, as Level 3's.
 *
 * Presets differ in the training budget only:
 *   - quick: 600 updates, at most 40 episodes; a model in a few seconds on two cores;
 *   - standard: 3,000 updates, at most 200 episodes, more patience.
 */
import type { SignalWindows } from './signals';
import { STRATEGIC_RULES, type StrategicRule } from './strategic';
import { MAX_TILT } from './tilts';

/** Everything that determines a tactical agent, its environment and its training. */
export interface TacticalConfig extends SignalWindows {
  /** Trading days between tactical decisions: Level 3's horizon (checked where both meet). Default 21. */
  horizon: number;
  /** Trading days between strategic decisions. Default 252, a year: twelve tactical months. */
  strategicPeriod: number;
  /** The strategic rule (strategic.ts). Default inverse-volatility (strategic.ts says why). */
  strategicRule: StrategicRule;
  /** The bound of a tilt per class, a share of the book (tilts.ts). Default 0.05, the issue's ±5%. */
  maxTilt: number;
  /**
   * Tactical months per training episode, the months the strategic target stays fixed over (a strategic year:
   * `strategicPeriod / horizon`, 12); shortened to what the training days hold.
   */
  episodeMonths: number;
  /** Widths of the hidden ReLU layers of the per-class policy and of the critics. Default [32, 32]. */
  hidden: number[];
  /** Adam learning rate of the policy. Default 3e-4, SAC's usual value. */
  actorLr: number;
  /** Adam learning rate of both critics. Default 1e-3. */
  criticLr: number;
  /**
   * Discount per tactical month. Default 0.9: a tilt's cost is paid in its month but undoing it costs in the next,
   * so the following months matter; a year's twelfth month still counts a third as much as the first.
   */
  gamma: number;
  /** Soft target update rate of the critics. Default 0.005. */
  tau: number;
  /** Per-class transitions per update. Default 64. */
  batchSize: number;
  /** Replay capacity in per-class transitions. Default 20,000. */
  bufferSize: number;
  /** Transitions stored before the first update. Default 128. */
  warmup: number;
  /** Global L2 norm the gradients are clipped to (0 = none). Default 1. */
  gradClipNorm: number;
  /** Multiplier of the reward (basis points of the book) inside the critics' targets. Default 1. */
  rewardScale: number;
  /**
   * SAC's entropy temperature, in reward units (basis points of the book per class). Default 0.05: a tilted
   * class's month earns or loses basis points (a 5% tilt on a 2% relative move is 10 bp), so the entropy term keeps
   * the policy exploring without outweighing them.
   */
  alpha: number;
  /** 'fixed' (default) or 'auto' (log alpha learned towards -1 nat per class decision). */
  alphaTuning: 'fixed' | 'auto';
  /** Starting standard deviation of the policy's Gaussian over the tilt's pre-tanh value. Default 0.5. */
  initStd: number;
  /** Updates after each tactical month of training, once the buffer holds `warmup`. Default 8. */
  updatesPerMonth: number;
  /** Update budget. */
  updates: number;
  /** At most this many training episodes (0 = until the update budget). */
  maxEpisodes: number;
  /** Training episodes between two validations (and checkpoint choices). Default 2. */
  episodesPerValidation: number;
  /** Last trading days of the training window held out for validation (at most half of it). Default 252. */
  validationDays: number;
  /** Validations in a row without a better score before training stops (0 = never). */
  patience: number;
  /** Learning rates decay along a half cosine to `lrFloor` of their value over the budget ('constant': none). */
  lrSchedule: 'cosine' | 'constant';
  lrFloor: number;
}

export const TACTICAL_PRESET_NAMES = ['quick', 'standard'] as const;
export type TacticalPresetName = (typeof TACTICAL_PRESET_NAMES)[number];

const BASE: TacticalConfig = {
  horizon: 21,
  strategicPeriod: 252,
  strategicRule: 'inverse-volatility',
  maxTilt: MAX_TILT,
  shortWindow: 21,
  longWindow: 63,
  volatilityWindow: 63,
  drawdownWindow: 252,
  episodeMonths: 12,
  hidden: [32, 32],
  actorLr: 3e-4,
  criticLr: 1e-3,
  gamma: 0.9,
  tau: 0.005,
  batchSize: 64,
  bufferSize: 20_000,
  warmup: 128,
  gradClipNorm: 1,
  rewardScale: 1,
  alpha: 0.05,
  alphaTuning: 'fixed',
  initStd: 0.5,
  updatesPerMonth: 8,
  updates: 600,
  maxEpisodes: 40,
  episodesPerValidation: 2,
  validationDays: 252,
  patience: 6,
  lrSchedule: 'cosine',
  lrFloor: 0.1,
};

export const TACTICAL_PRESETS: Readonly<Record<TacticalPresetName, TacticalConfig>> = {
  quick: { ...BASE, hidden: [...BASE.hidden] },
  standard: { ...BASE, hidden: [...BASE.hidden], updates: 3000, maxEpisodes: 200, patience: 10 },
};

/** A preset with overrides, checked. */
export function resolveTacticalConfig(name: TacticalPresetName, over: Partial<TacticalConfig> = {}): TacticalConfig {
  const base = TACTICAL_PRESETS[name];
  if (!base)
    throw new RangeError(`unknown tactical preset ${JSON.stringify(name)} (${TACTICAL_PRESET_NAMES.join(', ')})`);
  return checkTacticalConfig({ ...base, hidden: [...base.hidden], ...over });
}

/** The config if every setting is in range, else a RangeError naming the first one that is not. */
export function checkTacticalConfig(c: TacticalConfig): TacticalConfig {
  const int = (k: keyof TacticalConfig, min: number, max: number) => {
    const v = c[k] as number;
    if (!(Number.isInteger(v) && v >= min && v <= max))
      throw new RangeError(`${k} must be an integer in [${min}, ${max}], got ${String(v)}`);
  };
  const num = (k: keyof TacticalConfig, min: number, max: number, openMin = false) => {
    const v = c[k] as number;
    if (!(Number.isFinite(v) && (openMin ? v > min : v >= min) && v <= max))
      throw new RangeError(`${k} must be in ${openMin ? '(' : '['}${min}, ${max}], got ${String(v)}`);
  };
  const oneOf = (k: keyof TacticalConfig, xs: readonly string[]) => {
    if (!xs.includes(c[k] as string)) throw new RangeError(`${k} must be one of ${xs.join(', ')}, got ${String(c[k])}`);
  };
  int('horizon', 2, 1000);
  int('strategicPeriod', 2, 100_000);
  if (c.strategicPeriod % c.horizon !== 0)
    throw new RangeError(
      `strategicPeriod (${c.strategicPeriod}) must be a whole number of tactical periods of ${c.horizon} days`,
    );
  oneOf('strategicRule', STRATEGIC_RULES);
  num('maxTilt', 0, 1);
  int('shortWindow', 1, 10_000);
  int('longWindow', 1, 10_000);
  int('volatilityWindow', 2, 10_000);
  int('drawdownWindow', 1, 10_000);
  int('episodeMonths', 1, 10_000);
  if (!(
    Array.isArray(c.hidden) &&
    c.hidden.length >= 1 &&
    c.hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 4096)
  ))
    throw new RangeError(`hidden must be a non-empty list of widths in [1, 4096], got ${JSON.stringify(c.hidden)}`);
  num('actorLr', 0, 1, true);
  num('criticLr', 0, 1, true);
  num('gamma', 0, 1);
  num('tau', 0, 1, true);
  int('batchSize', 2, 65_536);
  int('bufferSize', 1, 10_000_000);
  int('warmup', 0, 10_000_000);
  num('gradClipNorm', 0, 1e6);
  num('rewardScale', 0, 1e6, true);
  num('alpha', 0, 100, true);
  oneOf('alphaTuning', ['fixed', 'auto']);
  num('initStd', Math.exp(-5), Math.exp(2), true);
  int('updatesPerMonth', 1, 1000);
  int('updates', 1, 10_000_000);
  int('maxEpisodes', 0, 10_000_000);
  int('episodesPerValidation', 1, 100_000);
  int('validationDays', 0, 100_000);
  int('patience', 0, 100_000);
  oneOf('lrSchedule', ['cosine', 'constant']);
  num('lrFloor', 0, 1);
  return c;
}
