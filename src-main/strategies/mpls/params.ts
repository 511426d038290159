/**
 * What a user sets on an MPLS strategy: the parameters every id takes (with what 0 and -1 mean: strategies/overrides.ts),
 * the strategy ids and which modules each switches off, the one function that turns an id and its parameters into
 * the config (agents/mpls/config.ts documents every setting), and the modules' settings of each preset.
 */
import { MPLS_VARIANTS, type MplsModuleName, type MplsVariant } from '../../../src-shared/domain/decision';
import {
  MPLS_PRESET_NAMES,
  MPLS_PRESETS,
  resolveMplsConfig,
  type MplsConfig,
  type MplsPresetName,
} from '../../agents/mpls/config';
import { GRAPH_DEFAULTS, type GraphConfig } from '../../agents/mpls/graphModule';
import type { VolatilityConfig } from '../../agents/mpls/volatility';
import { presetOverrides } from '../overrides';
import type { StrategyParamSpec } from '../types';

const standard = MPLS_PRESETS.standard;

export const MPLS_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description:
      "training size: 'quick' (one PPO iteration, small module fits; trying the pipeline), 'standard' (20 iterations of 2,048 steps) or 'paper' (100 iterations, longer module fits)",
    default: 'standard',
    choices: [...MPLS_PRESET_NAMES],
  },
  {
    name: 'iterations',
    description: `PPO iterations (one rollout of whole episodes, then validation); 0 = the preset value (${standard.iterations})`,
    default: 0,
    min: 0,
    max: 100_000,
  },
  {
    name: 'episodeDays',
    description: `trading days of a training episode (its reward comes at its end); 0 = the method's value (${standard.episodeDays})`,
    default: 0,
    min: 0,
    max: 5000,
  },
  {
    name: 'sharpeCoef',
    description: `weight of the episode's Sharpe ratio in the reward; -1 = the method's value (${standard.sharpeCoef})`,
    default: -1,
    min: -1,
    max: 100,
  },
  {
    name: 'volCoef',
    description: `weight of the episode's annualised volatility in the reward (subtracted); -1 = the method's value (${standard.volCoef})`,
    default: -1,
    min: -1,
    max: 100,
  },
  {
    name: 'residualHigh',
    description:
      "the high-level agent's logits are log(fused allocation) plus its network's output, so it starts at the fused allocation (false: its network alone)",
    default: true,
  },
  {
    name: 'conservative',
    description:
      "apply the volatility module's conservative allocation when its uncertainty is above its threshold (the paper's rule)",
    default: true,
  },
  {
    name: 'noTradeBand',
    description: `trades smaller than this weight are not made, in training and decisions; -1 = the method's value (${standard.noTradeBand})`,
    default: -1,
    min: -1,
    max: 0.5,
  },
  {
    name: 'tradeRate',
    description: `share of the gap to the agents' target traded each day; 0 = the method's value (${standard.tradeRate})`,
    default: 0,
    min: 0,
    max: 1,
  },
  {
    name: 'costRate',
    description: 'proportional transaction cost in the training environment (0.001 = 0.1%)',
    default: standard.costRate,
    min: 0,
    max: 0.1,
  },
  {
    name: 'validationDays',
    description: `last days of the training window held out to choose the checkpoint when the protocol gives no validation days (--protocol mpls does); -1 = the preset value (${standard.validationDays})`,
    default: -1,
    min: -1,
    max: 5000,
  },
  {
    name: 'patience',
    description:
      'iterations without a better validation Sharpe before training stops (0 = never); -1 = the preset value',
    default: -1,
    min: -1,
    max: 1000,
  },
];

/** The modules each strategy id switches off (the ablations: one module off, or a pair off leaving one on). */
export const VARIANT_OFF: Readonly<Record<MplsVariant, readonly MplsModuleName[]>> = {
  mpls: [],
  'mpls/no-sentiment': ['sentiment'],
  'mpls/no-volatility': ['volatility'],
  'mpls/no-graph': ['graph'],
  'mpls/volatility-only': ['sentiment', 'graph'],
  'mpls/graph-only': ['sentiment', 'volatility'],
  'mpls/sentiment-only': ['volatility', 'graph'],
};

/** A label and a sentence for each id. */
export function variantText(id: MplsVariant): { label: string; what: string } {
  const off = VARIANT_OFF[id];
  if (!off.length)
    return { label: 'MPLS (fusion of sentiment, volatility and graph)', what: 'the method with all three modules' };
  const on = (['sentiment', 'volatility', 'graph'] as const).filter((m) => !off.includes(m));
  return off.length === 1
    ? { label: `MPLS ablation: without ${off[0]}`, what: `the method with the ${off[0]} module switched off` }
    : { label: `MPLS ablation: ${on[0]} only`, what: `the method with only the ${on[0]} module on` };
}

/** Whether `id` is an MPLS strategy id. */
export function isMplsVariant(id: string): id is MplsVariant {
  return (MPLS_VARIANTS as readonly string[]).includes(id);
}

/** The config a strategy id and its parameters ask for (see MPLS_PARAMS for what 0 and -1 mean). */
export function mplsConfigFromParams(id: string, params: Record<string, unknown>): MplsConfig {
  if (!isMplsVariant(id)) throw new RangeError(`not an MPLS strategy: ${id}`);
  const preset = (params.preset ?? 'standard') as MplsPresetName;
  const over: Partial<MplsConfig> = presetOverrides(
    params,
    ['iterations', 'episodeDays', 'tradeRate'] as const,
    ['sharpeCoef', 'volCoef', 'noTradeBand', 'validationDays', 'patience'] as const,
  );
  if (typeof params.costRate === 'number') over.costRate = params.costRate;
  if (typeof params.residualHigh === 'boolean') over.residualHigh = params.residualHigh;
  if (typeof params.conservative === 'boolean') over.conservative = params.conservative;
  return resolveMplsConfig(preset, over);
}

/**
 * The modules' settings of a preset: their own defaults for standard; for quick, few epochs (and the Monte-Carlo
 * passes of the volatility module cut to 8), so a model trains in seconds; for paper, more epochs and patience.
 */
export function moduleSettings(preset: MplsPresetName): { volatility: Partial<VolatilityConfig>; graph: GraphConfig } {
  const g: GraphConfig = { ...GRAPH_DEFAULTS, returnWindows: [...GRAPH_DEFAULTS.returnWindows] };
  if (preset === 'quick')
    return { volatility: { epochs: 2, patience: 0, mcPasses: 8 }, graph: { ...g, epochs: 2, patience: 0 } };
  if (preset === 'paper')
    return { volatility: { epochs: 40, patience: 6 }, graph: { ...g, epochs: 100, patience: 10 } };
  return { volatility: {}, graph: g };
}
