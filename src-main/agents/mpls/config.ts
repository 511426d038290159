/**
 * MPLS settings (the third seed system, `../shared/docs/method.md` "MPLS"; docs/mpls.md): the agents, their PPO
 * training, the episode reward and the trade rule, with the presets and the one check over them. Every setting is
 * named here with its default and the reason for it; the strategy (strategies/mpls) exposes the ones a user tunes.
 *
 * The design choices this file fixes (docs/mpls.md says the same at more length):
 *   - sectors are the universe's classes as HADAPS forms them (agents/hadaps/classes.ts, 'auto'), risky classes
 *     only: there is no cash class, the book is fully invested except where the trade rule leaves cash;
 *   - three agents, each its own PPO learner (compute/train/ppo.ts OnnxPpo) learning from one shared team reward
 *     (independent PPO): the fusion agent weighs the modules' sector proposals, the high-level agent sets sector
 *     weights from the fused allocation, the low-level agents set the weights inside each sector (network.ts);
 *   - the high-level agent is residual by default: its logits are log(fused) plus its network's output, whose last
 *     layer starts at zero, so it starts exactly at the fused allocation and learns departures from it;
 *   - reward: 0 on every day of an episode but the last, where it is sharpeCoef x Sharpe - volCoef x annualised
 *     volatility of the episode's daily net returns (env.ts episodeReward), with the engine's costs charged;
 *   - episodes of `episodeDays` days from seeded random starts in the training days, each starting from the
 *     equal-weight book bought at the close before (drifted over the first day).
 *
 * Presets differ in the budget only (PPO iterations, early-stopping patience, and the modules' fits:
 * strategies/mpls/params.ts moduleSettings). Measured once on this machine's 2 cores, shared with other work:
 *   - quick: 1 iteration of at least 2,048 steps, short module fits: about 20 s a model on a 340-day DJIA window
 *     (30 assets, 9 sectors; the 7 ids in 151 s), 3 to 13 s on the look-ahead test's 6 assets and 150 days;
 *   - standard: 20 iterations (about 41,600 environment steps) and the modules' default fits: 5 to 5.5 minutes a model
 *     on the mpls protocol's 1991-1998 window (measured in the 5-seed evaluation, 2 at a time on loaded cores);
 *     the agents' part scales with the iterations (about 20 times quick's);
 *   - paper: 100 iterations, patience 10, longer module fits.
 */
import { checkPpo, type PpoSettings } from '../samp/config';

/** Everything that determines the MPLS agents and their training. */
export interface MplsConfig {
  /**
   * L: trading days in the price windows the low-level agents read and in each sector's return window the high-level
   * agent reads. Default 20 (a trading month, as HADAPS's k).
   */
  window: number;
  /**
   * Days of daily log returns whose standard deviation scales the price windows (agents/samp/features.ts
   * volatilityFeatures, the features every learned strategy here reads). Default 60 (about a quarter).
   */
  volatilityWindow: number;
  /** Widths of the hidden layers of every policy and value MLP (ReLU). The (256, 128). */
  hidden: number[];
  /**
   * High-level agent's logits = log(fused) + its network's output (true, the default), its output layer starting at
   * zero so the agent starts at the fused allocation; false: its network's output alone (the fused allocation is
   * then only one of its inputs).
   */
  residualHigh: boolean;
  /**
   * Apply the volatility module's conservative switch to the fused allocation when its uncertainty is above its
   * threshold (agents/mpls/volatility.ts conservativeAllocation). Default true (the paper's rule).
   */
  conservative: boolean;
  /**
   * PPO's settings for each of the three agents (the issue's): lr 3e-4, clip 0.2, entropy 0.01, gamma 0.99, GAE
   * lambda 0.95, value coefficient 0.5, 2,048 steps per rollout, minibatch 256, 10 epochs; starting standard
   * deviation 0.5 over the logits (as ppo-flat), advantages normalised per minibatch (as ppo-flat).
   */
  ppo: PpoSettings;
  /** global L2 norm each agent's gradient is clipped to (the 0.5) */
  gradClipNorm: number;
  /** reward = sharpeCoef x Sharpe - volCoef x annualised volatility at the end of an episode (the 1.2) */
  sharpeCoef: number;
  /** (the 1.0) */
  volCoef: number;
  /**
   * Trading days of an episode. Default 63 (a quarter): the reward comes once per episode, so shorter episodes give
   * more rewards per 2,048-step rollout (32 at 63 days) and a shorter credit-assignment span (gamma^62 = 0.54 at
   * 0.99), while a quarter of daily returns still gives a Sharpe ratio and a volatility worth scoring (a month's 21
   * returns give a very noisy Sharpe). At least 2.
   */
  episodeDays: number;
  /** No-trade band (absolute weight), in training and at decision time (agents/samp/trading.ts bandedPartialTrade). Default 0.02. */
  noTradeBand: number;
  /**
   * Share of the gap to the target traded each day, after the no-trade band; the whole gap where the rest would be
   * under the band (agents/samp/trading.ts bandedPartialTrade). Default 0.1, HADAPS's.
   */
  tradeRate: number;
  /** proportional transaction cost in the training environment (0.001 = 0.1%, the engine's default) */
  costRate: number;
  /**
   * PPO iterations: each collects one rollout of `ppo.rolloutSteps` environment steps (several episodes), learns
   * from it, then runs the deterministic policy over the validation days (the unit of checkpoint selection).
   */
  iterations: number;
  /** iterations in a row without a better validation Sharpe before training stops (0 = never) */
  patience: number;
  /**
   * Trading days at the end of the training window held out as the validation period when the window has none of
   * its own (the walk-forward 'mpls' protocol's validation 10% is used when it has: market/walkforward.ts
   * heldOutValidation). Default 126 (half a year, as HADAPS). At most half of the window's days. 0 = none.
   */
  validationDays: number;
  /** the learning rate decays along a half cosine to `lrFloor` of its value over the budget ('constant': none) */
  lrSchedule: 'cosine' | 'constant';
  lrFloor: number;
  /** which preset the modules (volatility, graph) are fitted with: their own quick / standard / paper */
  modulePreset: MplsPresetName;
}

export const MPLS_PRESET_NAMES = ['quick', 'standard', 'paper'] as const;
export type MplsPresetName = (typeof MPLS_PRESET_NAMES)[number];

/** The PPO settings. */
export const MPLS_PPO: Readonly<PpoSettings> = Object.freeze({
  rolloutSteps: 2048,
  epochs: 10,
  minibatch: 256,
  clipEps: 0.2,
  gamma: 0.99,
  gaeLambda: 0.95,
  entCoef: 0.01,
  vfCoef: 0.5,
  lr: 3e-4,
  initStd: 0.5,
  normalizeAdvantages: true,
});

const BASE: MplsConfig = {
  window: 20,
  volatilityWindow: 60,
  hidden: [256, 128],
  residualHigh: true,
  conservative: true,
  ppo: { ...MPLS_PPO },
  gradClipNorm: 0.5,
  sharpeCoef: 1.2,
  volCoef: 1.0,
  episodeDays: 63,
  noTradeBand: 0.02,
  tradeRate: 0.1,
  costRate: 0.001,
  iterations: 20,
  patience: 5,
  validationDays: 126,
  lrSchedule: 'cosine',
  lrFloor: 0.1,
  modulePreset: 'standard',
};

const preset = (over: Partial<MplsConfig>): MplsConfig => ({
  ...BASE,
  hidden: [...BASE.hidden],
  ppo: { ...BASE.ppo },
  ...over,
});

export const MPLS_PRESETS: Readonly<Record<MplsPresetName, MplsConfig>> = {
  quick: preset({ iterations: 1, patience: 0, modulePreset: 'quick' }),
  standard: preset({}),
  paper: preset({ iterations: 100, patience: 10, modulePreset: 'paper' }),
};

/** A preset with overrides, checked. */
export function resolveMplsConfig(name: MplsPresetName, over: Partial<MplsConfig> = {}): MplsConfig {
  const base = MPLS_PRESETS[name];
  if (!base) throw new RangeError(`unknown MPLS preset ${JSON.stringify(name)} (${MPLS_PRESET_NAMES.join(', ')})`);
  return checkMplsConfig({
    ...base,
    hidden: [...base.hidden],
    ...over,
    ppo: { ...base.ppo, ...(over.ppo ?? {}) },
  });
}

/** The config if every setting is in range, else a RangeError naming the first one that is not. */
export function checkMplsConfig(c: MplsConfig): MplsConfig {
  const int = (k: keyof MplsConfig, min: number, max: number) => {
    const v = c[k] as number;
    if (!(Number.isInteger(v) && v >= min && v <= max))
      throw new RangeError(`${k} must be an integer in [${min}, ${max}], got ${String(v)}`);
  };
  const num = (k: keyof MplsConfig, min: number, max: number, openMin = false) => {
    const v = c[k] as number;
    if (!(Number.isFinite(v) && (openMin ? v > min : v >= min) && v <= max))
      throw new RangeError(`${k} must be in ${openMin ? '(' : '['}${min}, ${max}], got ${String(v)}`);
  };
  const bool = (k: keyof MplsConfig) => {
    if (typeof c[k] !== 'boolean') throw new RangeError(`${k} must be true or false, got ${String(c[k])}`);
  };
  int('window', 2, 500);
  int('volatilityWindow', 2, 1000);
  if (!(
    Array.isArray(c.hidden) &&
    c.hidden.length >= 1 &&
    c.hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 4096)
  ))
    throw new RangeError(`hidden must be a non-empty list of widths in [1, 4096], got ${JSON.stringify(c.hidden)}`);
  bool('residualHigh');
  bool('conservative');
  if (!c.ppo || typeof c.ppo !== 'object') throw new RangeError('ppo settings missing');
  checkPpo(c.ppo);
  num('gradClipNorm', 0, 1e6);
  num('sharpeCoef', 0, 100);
  num('volCoef', 0, 100);
  int('episodeDays', 2, 100_000);
  num('noTradeBand', 0, 0.5);
  num('tradeRate', 0, 1, true);
  num('costRate', 0, 0.1);
  int('iterations', 1, 100_000);
  int('patience', 0, 100_000);
  int('validationDays', 0, 100_000);
  if (c.lrSchedule !== 'cosine' && c.lrSchedule !== 'constant')
    throw new RangeError(`lrSchedule must be cosine or constant, got ${String(c.lrSchedule)}`);
  num('lrFloor', 0, 1);
  if (!MPLS_PRESET_NAMES.includes(c.modulePreset))
    throw new RangeError(`modulePreset must be one of ${MPLS_PRESET_NAMES.join(', ')}, got ${String(c.modulePreset)}`);
  return c;
}
