/**
 * Level 3 of the three-level hierarchy (docs/three-level.md "Execution level"): the settings of the execution
 * environment, of the training targets, of the per-asset network and of its SAC training, with their presets and the
 * one check over them. Every setting is declared here with its default and the reason for it.
 *
 * The costs an execution pays are not settings of this level: they are the run's execution-cost model
 * (market/costs.ts: commission, half-spread, square-root impact, the book in currency, the ADV or its proxy), so
 * Level 3 pays exactly what the simulator would charge for the same trades.
 *
 * Presets differ in the training budget only:
 *   - quick: 3,000 updates, what the evaluation command trains per seed on two cores in well under a minute;
 *   - standard: 10,000 updates, with more patience (10 validations without a better score).
 */

/** Everything that determines an execution agent, its environment and its training. */
export interface ExecutionConfig {
  /**
   * Trading days between two tactical decisions, and so the decisions of one execution period: a target arrives at
   * the close of day t0 and Level 3 decides at the closes of t0 .. t0 + horizon - 1. Default 21, a trading month
   * (the tactical level's timescale in the issue and the seed).
   */
  horizon: number;
  /**
   * lambda, the risk aversion of the tracking penalty, per unit of book: each day the gap g_i left after the trade
   * costs lambda x sigma_i^2 x g_i^2 of the book (sigma_i the daily volatility of the cost model), i.e. lambda times
   * the variance of the return difference that asset's gap adds overnight — Almgren and Chriss's mean-variance
   * criterion, per asset. Default 100: for the default 100-million book that is a risk aversion of 10^-6 per dollar,
   * the order of Almgren and Chriss's (2000) worked example. At that value the default cost model makes neither
   * extreme free: a gap of 1% of the book in a 2%-a-day stock pays about 0.16 bp of the book more impact traded at once
   * than spread evenly over 21 days, and spreading it evenly costs about 0.28 bp in penalty.
   */
  riskAversion: number;
  /**
   * Training targets: each period's target is, with probability `reallocationProb`, a fresh allocation, otherwise
   * the current holdings tilted asset by asset by the factor exp(tiltStd x z), z standard normal, rescaled to the
   * holdings' invested share. Default 0.25: a one-sigma tilt moves a position by about a quarter of itself, as large
   * as the momentum tilts of the evaluation (at most half a position) and larger than a month's drift.
   */
  tiltStd: number;
  /** Chance that a training period's target is a fresh allocation instead of a tilt. Default 0.1. */
  reallocationProb: number;
  /**
   * Dispersion of fresh allocations (the previous period's target of every training period and the reallocations):
   * weights proportional to exp(allocationSpread x z), fully invested. Default 0.5: the largest of 30 weights is
   * then typically two to three times the equal weight.
   */
  allocationSpread: number;
  /** Widths of the hidden ReLU layers of the per-asset policy and of the critics. Default [32, 32]. */
  hidden: number[];
  /**
   * Adam learning rate of the policy. Default 1e-4: at SAC's usual 3e-4 the validation score of a model on the
   * bundled data swung by a basis point from one validation to the next and drifted towards trading at once.
   */
  actorLr: number;
  /** Adam learning rate of both critics. Default 1e-3. */
  criticLr: number;
  /**
   * Discount per trading day. Default 1: a period is a finite horizon whose last day's cost counts as much as its
   * first's (the state says how many days are left, so the value is well defined); a discount below 1 would make
   * the agent undervalue the forced trade at the end and trade too slowly.
   */
  gamma: number;
  /** Soft target update rate of the critics. Default 0.005. */
  tau: number;
  /** Per-asset transitions per update. Default 128. */
  batchSize: number;
  /** Replay capacity in per-asset transitions. Default 50,000 (about 80 periods of 30 assets). */
  bufferSize: number;
  /** Transitions stored before the first update. Default 1,000. */
  warmup: number;
  /** Global L2 norm the gradients are clipped to (0 = none). Default 1. */
  gradClipNorm: number;
  /** Multiplier of the reward (basis points of the book) inside the critics' targets. Default 1. */
  rewardScale: number;
  /**
   * SAC's entropy temperature, in reward units (basis points of the book per asset). Default 0.001: an asset's cost
   * over a period is typically a tenth of a basis point to a few, and at 0.01 the entropy term outweighed it — the
   * policy's standard deviation grew to nearly 3 logit units and the fractions were pushed to 0 or 1.
   */
  alpha: number;
  /** 'fixed' (default) or 'auto' (log alpha learned towards -1 nat per asset decision). */
  alphaTuning: 'fixed' | 'auto';
  /**
   * Starting standard deviation of the policy's Gaussian over the trade logit. Default 0.5: a sample then mostly
   * stays within a factor of about 2.7 in odds of the mean fraction.
   */
  initStd: number;
  /** Updates after each trading day of a training period, once the buffer holds `warmup`. Default 1. */
  updatesPerDay: number;
  /** Update budget. */
  updates: number;
  /** Training periods between two validations (and checkpoint choices). */
  periodsPerValidation: number;
  /** Held-out validation periods (their starts spread evenly over the validation days, their targets fixed). */
  validationPeriods: number;
  /** Last trading days of the training window held out for validation (never trained on). Default 252. */
  validationDays: number;
  /** Validations in a row without a better score before training stops (0 = never). */
  patience: number;
  /** Learning rates decay along a half cosine to `lrFloor` of their value over the budget ('constant': none). */
  lrSchedule: 'cosine' | 'constant';
  lrFloor: number;
}

export const EXECUTION_PRESET_NAMES = ['quick', 'standard'] as const;
export type ExecutionPresetName = (typeof EXECUTION_PRESET_NAMES)[number];

const BASE: ExecutionConfig = {
  horizon: 21,
  riskAversion: 100,
  tiltStd: 0.25,
  reallocationProb: 0.1,
  allocationSpread: 0.5,
  hidden: [32, 32],
  actorLr: 1e-4,
  criticLr: 1e-3,
  gamma: 1,
  tau: 0.005,
  batchSize: 128,
  bufferSize: 50_000,
  warmup: 1000,
  gradClipNorm: 1,
  rewardScale: 1,
  alpha: 0.001,
  alphaTuning: 'fixed',
  initStd: 0.5,
  updatesPerDay: 1,
  updates: 3000,
  periodsPerValidation: 10,
  validationPeriods: 12,
  validationDays: 252,
  patience: 6,
  lrSchedule: 'cosine',
  lrFloor: 0.1,
};

export const EXECUTION_PRESETS: Readonly<Record<ExecutionPresetName, ExecutionConfig>> = {
  quick: { ...BASE, hidden: [...BASE.hidden] },
  standard: { ...BASE, hidden: [...BASE.hidden], updates: 10_000, patience: 10 },
};

/** A preset with overrides, checked. */
export function resolveExecutionConfig(
  name: ExecutionPresetName,
  over: Partial<ExecutionConfig> = {},
): ExecutionConfig {
  const base = EXECUTION_PRESETS[name];
  if (!base)
    throw new RangeError(`unknown execution preset ${JSON.stringify(name)} (${EXECUTION_PRESET_NAMES.join(', ')})`);
  return checkExecutionConfig({ ...base, hidden: [...base.hidden], ...over });
}

/** The config if every setting is in range, else a RangeError naming the first one that is not. */
export function checkExecutionConfig(c: ExecutionConfig): ExecutionConfig {
  const int = (k: keyof ExecutionConfig, min: number, max: number) => {
    const v = c[k] as number;
    if (!(Number.isInteger(v) && v >= min && v <= max))
      throw new RangeError(`${k} must be an integer in [${min}, ${max}], got ${String(v)}`);
  };
  const num = (k: keyof ExecutionConfig, min: number, max: number, openMin = false) => {
    const v = c[k] as number;
    if (!(Number.isFinite(v) && (openMin ? v > min : v >= min) && v <= max))
      throw new RangeError(`${k} must be in ${openMin ? '(' : '['}${min}, ${max}], got ${String(v)}`);
  };
  const oneOf = (k: keyof ExecutionConfig, xs: readonly string[]) => {
    if (!xs.includes(c[k] as string)) throw new RangeError(`${k} must be one of ${xs.join(', ')}, got ${String(c[k])}`);
  };
  int('horizon', 2, 1000);
  num('riskAversion', 0, 1e9);
  num('tiltStd', 0, 5);
  num('reallocationProb', 0, 1);
  num('allocationSpread', 0, 5);
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
  int('updatesPerDay', 1, 1000);
  int('updates', 1, 10_000_000);
  int('periodsPerValidation', 1, 100_000);
  int('validationPeriods', 0, 100_000);
  int('validationDays', 0, 100_000);
  int('patience', 0, 100_000);
  oneOf('lrSchedule', ['cosine', 'constant']);
  num('lrFloor', 0, 1);
  return c;
}
