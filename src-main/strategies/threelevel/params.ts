/**
 * What a user sets on a three-level strategy: the parameters every id takes (with what 0 and -1 mean), the strategy
 * ids and what each changes, and the one function that turns an id and its parameters into the levels' configs
 * (agents/threelevel/config.ts and tactical-config.ts document every setting).
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
import { STRATEGIC_RULES, type StrategicRule } from '../../agents/threelevel/strategic';
import {
  resolveTacticalConfig,
  TACTICAL_PRESETS,
  type TacticalConfig,
  type TacticalPresetName,
} from '../../agents/threelevel/tactical-config';
import { MAX_TILT } from '../../agents/threelevel/tilts';
import type { StrategyParamSpec } from '../types';

export const THREE_LEVEL_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description: `training size of both learned levels: 'quick' (Level 3 ${EXECUTION_PRESETS.quick.updates} updates, Level 2 ${TACTICAL_PRESETS.quick.updates}) or 'standard' (${EXECUTION_PRESETS.standard.updates} and ${TACTICAL_PRESETS.standard.updates})`,
    default: 'standard',
    choices: [...EXECUTION_PRESET_NAMES],
  },
  {
    name: 'episodes',
    description:
      "at most this many training episodes of each learned level (Level 2: episodes of a strategic year's months; Level 3: its update budget capped at this many execution periods' days); 0 = the preset value",
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
    name: 'maxTilt',
    description: `the bound of a tactical tilt per class, a share of the book (the issue's ${MAX_TILT} at most)`,
    default: MAX_TILT,
    min: 0,
    max: MAX_TILT,
  },
  {
    name: 'costRate',
    description:
      "the commission both learned levels train under (0.001 = 0.1%); spread and impact are the model's defaults",
    default: 0.001,
    min: 0,
    max: 0.1,
  },
  {
    name: 'validationDays',
    description:
      "last days of the training window held out to choose each level's checkpoint; -1 = the preset value (252)",
    default: -1,
    min: -1,
    max: 5000,
  },
];

/** What an id runs at each level. */
export interface Variant {
  id: (typeof THREE_LEVEL_VARIANTS)[number];
  label: string;
  /** Level 2: learned, or none (tilts fixed at zero) */
  tactical: 'learned' | 'none';
  /** Level 3: the learned policy or a baseline */
  execution: 'learned' | BaselineName;
  /** when the execution level gets a new target: every tactical period, or only at strategic decisions */
  retarget: 'tactical' | 'strategic';
  what: string;
}

export const VARIANTS: Variant[] = [
  {
    id: 'three-level',
    label: 'Three-level hierarchy',
    tactical: 'learned',
    execution: 'learned',
    retarget: 'tactical',
    what: 'all three levels: the fixed strategic rule, the learned tactical tilts and the learned execution',
  },
  {
    id: 'three-level/no-tactical',
    label: 'Three-level ablation: no tactical tilts',
    tactical: 'none',
    execution: 'learned',
    retarget: 'tactical',
    what: 'tilts fixed at zero: every tactical period re-targets the strategic weights, executed by the learned Level 3',
  },
  {
    id: 'three-level/trade-at-once',
    label: 'Three-level ablation: trade at once',
    tactical: 'learned',
    execution: 'trade-at-once',
    retarget: 'tactical',
    what: 'Level 3 replaced by trading the whole gap on the tactical decision day (Level 2 trained with it)',
  },
  {
    id: 'three-level/linear',
    label: 'Three-level ablation: linear execution',
    tactical: 'learned',
    execution: 'linear',
    retarget: 'tactical',
    what: 'Level 3 replaced by trading 1 / (days left) of the gap each day (Level 2 trained with it)',
  },
  {
    id: 'three-level/two-levels',
    label: 'Three-level ablation: strategic and execution only',
    tactical: 'none',
    execution: 'learned',
    retarget: 'strategic',
    what: 'no tactical level at all: the learned Level 3 executes each strategic target once a year, and the book then drifts',
  },
];

/** The configs an id and its parameters ask for (see THREE_LEVEL_PARAMS for what 0 and -1 mean). */
export function threeLevelConfigsFromParams(
  id: string,
  params: Record<string, unknown>,
): { variant: Variant; exec: ExecutionConfig; tactical: TacticalConfig; classing: HadapsClassing; costRate: number } {
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
  return {
    variant,
    exec,
    tactical,
    classing: (params.classing ?? 'auto') as HadapsClassing,
    costRate,
  };
}
