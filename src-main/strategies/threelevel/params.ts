/**
 * What a user sets on a three-level strategy: the parameters every id takes (with what 0 and -1 mean), the strategy
 * ids and what each changes, and the one function that turns an id and its parameters into the levels' configs
 * (agents/threelevel/config.ts, tactical-config.ts, strategic-config.ts and joint-config.ts document every setting). The flat
 * ablation `three-level/flat` is another agent's and takes that agent's parameters (flat.ts).
 */
import { THREE_LEVEL_VARIANTS } from '../../../src-shared/domain/decision';
import type { HadapsClassing } from '../../agents/hadaps/config';
import type { BaselineName } from '../../agents/threelevel/baselines';
import {
  EXECUTION_PRESET_NAMES,
  EXECUTION_PRESETS,
  resolveExecutionConfig,
  type ExecutionConfig,
} from '../../agents/threelevel/config';
import { JOINT_PRESETS, resolveJointConfig, type JointConfig } from '../../agents/threelevel/joint-config';
import { STRATEGIC_RULES, type StrategicRule } from '../../agents/threelevel/strategic';
import {
  resolveStrategicConfig,
  STRATEGIC_PRESETS,
  type StrategicConfig,
} from '../../agents/threelevel/strategic-config';
import {
  resolveTacticalConfig,
  TACTICAL_PRESETS,
  type TacticalConfig,
  type TacticalPresetName,
} from '../../agents/threelevel/tactical-config';
import { MAX_TILT } from '../../agents/threelevel/tilts';
import { IMPACT_DEFAULTS } from '../../market/costs';
import type { StrategyParamSpec } from '../types';
import type { MacroRequest } from './macro';

export const THREE_LEVEL_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description: `training size of the learned levels: 'quick' (Level 3 ${EXECUTION_PRESETS.quick.updates} updates, Level 2 ${TACTICAL_PRESETS.quick.updates}, a learned Level 1 ${STRATEGIC_PRESETS.quick.iterations} passes; joint training ${JOINT_PRESETS.quick.episodes} yearly episodes) or 'standard' (${EXECUTION_PRESETS.standard.updates}, ${TACTICAL_PRESETS.standard.updates} and ${STRATEGIC_PRESETS.standard.iterations}; ${JOINT_PRESETS.standard.episodes})`,
    default: 'standard',
    choices: [...EXECUTION_PRESET_NAMES],
  },
  {
    name: 'episodes',
    description:
      "at most this many training episodes of each learned level (Level 1: passes over its yearly episodes; Level 2: episodes of a strategic year's months; Level 3: its update budget capped at this many execution periods' days; joint training: its yearly episodes of all three levels); 0 = the preset value",
    default: 0,
    min: 0,
    max: 100_000,
  },
  {
    name: 'classing',
    description:
      "where the asset classes come from: 'auto' (the universe's class field when it names two or more, else its sectors, else one class), 'class' or 'sector'",
    default: 'auto',
    choices: ['auto', 'class', 'sector'],
  },
  {
    name: 'strategicRule',
    description: "Level 1's fixed rule: 'inverse-volatility' class weights over the trailing year, or 'equal'",
    default: 'inverse-volatility',
    choices: [...STRATEGIC_RULES],
  },
  {
    name: 'riskPenalty',
    description: `the learned Level 1's risk penalty λ: its reward is a year's return minus λ times the year's variance (learned-strategic and joint only; default ${STRATEGIC_PRESETS.quick.riskPenalty})`,
    default: STRATEGIC_PRESETS.quick.riskPenalty,
    min: 0,
    max: 1000,
  },
  {
    name: 'strategicStride',
    description: `every this many training days starts one of the learned Level 1's overlapping yearly episodes (learned-strategic and joint only; default ${STRATEGIC_PRESETS.quick.stride})`,
    default: STRATEGIC_PRESETS.quick.stride,
    min: 1,
    max: 252,
  },
  {
    name: 'macroUniverse',
    description:
      "a universe of this database whose series (a rate, a spread, an index level... imported with `hdrl import`, one ticker a series) the learned Level 1 reads as further inputs: each series' change and z-score over the trailing year, from values dated up to the decision day (learned-strategic and joint only; '' = none; docs/three-level.md \"Macro inputs\")",
    default: '',
  },
  {
    name: 'macroSeries',
    description:
      "the series of macroUniverse to read, a comma-separated list of its tickers, in input order ('' = all of them, in the universe's order)",
    default: '',
  },
  {
    name: 'maxTilt',
    description: `the bound of a tactical tilt per class, a share of the book (the issue's ${MAX_TILT} at most)`,
    default: MAX_TILT,
    min: 0,
    max: MAX_TILT,
  },
  {
    name: 'costRate',
    description:
      "the commission the learned levels train under (0.001 = 0.1%); spread and impact are the model's defaults (a learned Level 1 pays the commission and the half-spread)",
    default: 0.001,
    min: 0,
    max: 0.1,
  },
  {
    name: 'validationDays',
    description:
      "last days of the training window held out to choose the checkpoints of Levels 2 and 3 trained bottom up; -1 = the preset value (252). A learned Level 1, and the joint training, hold out Level 1's own 378 (strategic-config.ts: a validation episode needs a year after its start)",
    default: -1,
    min: -1,
    max: 5000,
  },
];

/** What an id runs at each level. */
export interface Variant {
  id: (typeof THREE_LEVEL_VARIANTS)[number];
  label: string;
  /** Level 1: the fixed rule (parameter strategicRule) or the learned policy */
  strategic: 'rule' | 'learned';
  /** Level 2: learned, or none (tilts fixed at zero) */
  tactical: 'learned' | 'none';
  /** Level 3: the learned policy or a baseline */
  execution: 'learned' | BaselineName;
  /** when the execution level gets a new target: every tactical period, or only at strategic decisions */
  retarget: 'tactical' | 'strategic';
  /**
   * how the learned levels are trained: bottom up (Level 3, then Level 2 with it, then a learned Level 1 with both
   * fixed; models shared between the ids that train the same level alike) or all three together
   * (agents/threelevel/joint-trainer.ts)
   */
  training: 'bottom-up' | 'joint';
  what: string;
}

export const VARIANTS: Variant[] = [
  {
    id: 'three-level',
    label: 'Three-level hierarchy',
    strategic: 'rule',
    tactical: 'learned',
    execution: 'learned',
    retarget: 'tactical',
    training: 'bottom-up',
    what: 'all three levels: the fixed strategic rule, the learned tactical tilts and the learned execution',
  },
  {
    id: 'three-level/learned-strategic',
    label: 'Three-level hierarchy, learned strategic level',
    strategic: 'learned',
    tactical: 'learned',
    execution: 'learned',
    retarget: 'tactical',
    training: 'bottom-up',
    what:
      "all three levels learned: a PPO policy sets the class weights once a year from the market's trend and volatility " +
      "regimes, each class's trailing-year trend, volatility and drawdown and the book (a contextual bandit over " +
      "overlapping yearly episodes, rewarded with the year's return minus a risk penalty), with the same learned " +
      'tactical tilts and execution as three-level',
  },
  {
    id: 'three-level/joint',
    label: 'Three-level hierarchy, trained jointly',
    strategic: 'learned',
    tactical: 'learned',
    execution: 'learned',
    retarget: 'tactical',
    training: 'joint',
    what:
      'all three levels learned together, each on its own timescale, in the same yearly episodes: the PPO strategic ' +
      'policy decides once a year, the SAC tactical policy tilts every month around its weights and the SAC execution ' +
      'policy trades every day towards their target, each updating at the end of its own period; the strategic level ' +
      "is rewarded with the year's return minus a risk penalty of the book the two levels below it actually ran, " +
      'after their costs, and the three policies are chosen together by that reward on held-out days',
  },
  {
    id: 'three-level/no-tactical',
    label: 'Three-level ablation: no tactical tilts',
    strategic: 'rule',
    tactical: 'none',
    execution: 'learned',
    retarget: 'tactical',
    training: 'bottom-up',
    what: 'tilts fixed at zero: every tactical period re-targets the strategic weights, executed by the learned Level 3',
  },
  {
    id: 'three-level/trade-at-once',
    label: 'Three-level ablation: trade at once',
    strategic: 'rule',
    tactical: 'learned',
    execution: 'trade-at-once',
    retarget: 'tactical',
    training: 'bottom-up',
    what: 'Level 3 replaced by trading the whole gap on the tactical decision day (Level 2 trained with it)',
  },
  {
    id: 'three-level/linear',
    label: 'Three-level ablation: linear execution',
    strategic: 'rule',
    tactical: 'learned',
    execution: 'linear',
    retarget: 'tactical',
    training: 'bottom-up',
    what: 'Level 3 replaced by trading 1 / (days left) of the gap each day (Level 2 trained with it)',
  },
  {
    id: 'three-level/two-levels',
    label: 'Three-level ablation: strategic and execution only',
    strategic: 'rule',
    tactical: 'none',
    execution: 'learned',
    retarget: 'strategic',
    training: 'bottom-up',
    what: 'no tactical level at all: the learned Level 3 executes each strategic target once a year, and the book then drifts',
  },
];

/** The configs an id and its parameters ask for (see THREE_LEVEL_PARAMS for what 0 and -1 mean). */
export function threeLevelConfigsFromParams(
  id: string,
  params: Record<string, unknown>,
): {
  variant: Variant;
  exec: ExecutionConfig;
  tactical: TacticalConfig;
  strategic: StrategicConfig;
  joint: JointConfig;
  classing: HadapsClassing;
  costRate: number;
  /** the macro series asked for (strategies/threelevel/macro.ts resolves them against the run's database), or null */
  macro: MacroRequest | null;
} {
  const variant = VARIANTS.find((v) => v.id === id);
  if (!variant) throw new RangeError(`not a three-level strategy: ${id}`);
  const preset = (params.preset ?? 'standard') as TacticalPresetName;
  const num = (k: string, fallback: number) => (typeof params[k] === 'number' ? (params[k] as number) : fallback);
  const episodes = num('episodes', 0);
  const validationDays = num('validationDays', -1);
  const base = EXECUTION_PRESETS[preset];
  if (!base) throw new RangeError(`${id}: unknown preset ${JSON.stringify(preset)}`);
  const execOver: Partial<ExecutionConfig> = {};
  if (episodes > 0) execOver.updates = Math.min(base.updates, episodes * (base.horizon - 1) * base.updatesPerDay);
  if (validationDays >= 0) execOver.validationDays = validationDays;
  const exec = resolveExecutionConfig(preset, execOver);
  const tacticalOver: Partial<TacticalConfig> = {
    horizon: exec.horizon,
    strategicRule: (params.strategicRule ?? 'inverse-volatility') as StrategicRule,
    maxTilt: num('maxTilt', MAX_TILT),
  };
  if (episodes > 0) tacticalOver.maxEpisodes = episodes;
  if (validationDays >= 0) tacticalOver.validationDays = validationDays;
  const tactical = resolveTacticalConfig(preset, tacticalOver);
  const costRate = num('costRate', 0.001);
  if (!(costRate >= 0 && costRate < 0.1 + 1e-12)) throw new RangeError(`${id}: costRate must be in [0, 0.1]`);
  const strategicOver: Partial<StrategicConfig> = {
    strategicPeriod: tactical.strategicPeriod,
    rebalanceEvery: exec.horizon,
    riskPenalty: num('riskPenalty', STRATEGIC_PRESETS[preset].riskPenalty),
    stride: num('strategicStride', STRATEGIC_PRESETS[preset].stride),
    tradeCost: costRate + IMPACT_DEFAULTS.halfSpreadBp / 10_000,
  };
  if (episodes > 0) strategicOver.iterations = Math.min(STRATEGIC_PRESETS[preset].iterations, episodes);
  const strategic = resolveStrategicConfig(preset, strategicOver);
  const joint = resolveJointConfig(
    preset,
    episodes > 0 ? { episodes: Math.min(JOINT_PRESETS[preset].episodes, episodes) } : {},
  );
  return {
    variant,
    exec,
    tactical,
    strategic,
    joint,
    classing: (params.classing ?? 'auto') as HadapsClassing,
    costRate,
    macro: macroRequestOf(id, params),
  };
}

/** The macro series `macroUniverse` and `macroSeries` ask for (series [] = all), or null without a universe. */
function macroRequestOf(id: string, params: Record<string, unknown>): MacroRequest | null {
  const universe = typeof params.macroUniverse === 'string' ? params.macroUniverse.trim() : '';
  const list = typeof params.macroSeries === 'string' ? params.macroSeries : '';
  const series = list
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  if (!universe) {
    if (series.length)
      throw new RangeError(`${id}: macroSeries (${series.join(', ')}) names series of no universe: set macroUniverse`);
    return null;
  }
  const twice = series.filter((x, i) => series.indexOf(x) !== i);
  if (twice.length) throw new RangeError(`${id}: macroSeries names ${twice.join(', ')} more than once`);
  return { universe, series };
}
