/**
 * What a user sets on a HADAPS strategy: the parameters every id takes (with what 0 and -1 mean: strategies/overrides.ts), the strategy ids
 * and what each changes in the config, and the one function that turns an id and its parameters into the config
 * (agents/hadaps/config.ts documents every setting).
 */
import { HADAPS_SWEEP_SCALES, hadapsSweepId } from '../../../src-shared/domain/decision';
import {
  HADAPS_PRESET_NAMES,
  HADAPS_PRESETS,
  resolveHadapsConfig,
  type HadapsConfig,
  type HadapsPresetName,
} from '../../agents/hadaps/config';
import { presetOverrides } from '../overrides';
import type { StrategyParamSpec } from '../types';

const standard = HADAPS_PRESETS.standard;

export const HADAPS_PARAMS: StrategyParamSpec[] = [
  {
    name: 'preset',
    description:
      "training size: 'quick' (600 updates; trying the pipeline), 'standard' (6,000 updates at learning rate 1e-4) or 'paper' (the paper's RMSProp learning rate 1e-5, 60,000 updates)",
    default: 'standard',
    choices: [...HADAPS_PRESET_NAMES],
  },
  {
    name: 'classing',
    description:
      "where the asset classes come from: 'auto' (the universe's class field when it names two or more, else its sectors), 'class' or 'sector'",
    default: 'auto',
    choices: ['auto', 'class', 'sector'],
  },
  {
    name: 'actionScale',
    description: `beta, the multiplier of every policy layer's sample before its softmax; 0 = the method's value (${standard.actionScale}, the paper's best)`,
    default: 0,
    min: 0,
    max: 100,
  },
  {
    name: 'window',
    description: `k, days in the price and volatility states; 0 = the preset value (${standard.window})`,
    default: 0,
    min: 0,
    max: 250,
  },
  { name: 'updates', description: 'update budget; 0 = the preset value', default: 0, min: 0, max: 10_000_000 },
  {
    name: 'episodes',
    description: 'at most this many passes over the training days; 0 = the preset value',
    default: 0,
    min: 0,
    max: 100_000,
  },
  {
    name: 'turnoverPenalty',
    description: `reward penalty per unit of one-way turnover (0 = the paper's reward exactly); -1 = the preset value (${standard.turnoverPenalty})`,
    default: -1,
    min: -1,
    max: 0.99,
  },
  {
    name: 'noTradeBand',
    description: `trades smaller than this weight are not made, in training and decisions; -1 = the preset value (${standard.noTradeBand})`,
    default: -1,
    min: -1,
    max: 0.5,
  },
  {
    name: 'tradeRate',
    description: `share of the gap to the policy's target traded each day (1 = the whole target, the paper's); 0 = the method's value (${standard.tradeRate})`,
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
    name: 'warmStart',
    description:
      "monthly retraining (--protocol hadaps) warm-started: each month's model starts from the previous month's instead of a fresh draw (always on for hadaps/warm-start)",
    default: false,
  },
  {
    name: 'validationDays',
    description: `last days of the training window held out to choose the checkpoint; -1 = the preset value (${standard.validationDays})`,
    default: -1,
    min: -1,
    max: 5000,
  },
  {
    name: 'patience',
    description: 'episodes without a better validation Sharpe before training stops (0 = never); -1 = the preset value',
    default: -1,
    min: -1,
    max: 1000,
  },
];

/** What each strategy id changes in the config. */
export type Variant = { id: string; label: string; over: Partial<HadapsConfig>; what: string };

export const VARIANTS: Variant[] = [
  {
    id: 'hadaps',
    label: 'HADAPS (hierarchical SAC)',
    over: {},
    what: "the method with the paper's reward, 100 x the day's simple return",
  },
  {
    id: 'hadaps/full-trade',
    label: 'HADAPS, whole target traded daily',
    over: { tradeRate: 1 },
    what: "the method trading the policy's whole target every day (the paper's execution) instead of a tenth of the gap",
  },
  {
    id: 'hadaps/warm-start',
    label: 'HADAPS, warm-started monthly retraining',
    over: { warmStart: true },
    what: "the method with each month's model (--protocol hadaps) starting from the previous month's networks",
  },
  {
    id: 'hadaps/log-reward',
    label: 'HADAPS, net log-return reward',
    over: { reward: 'log-net' },
    what: "the method trained on 100 x the day's log return net of costs instead of the paper's gross simple return",
  },
  {
    id: 'hadaps/auto-alpha',
    label: 'HADAPS, learned temperature',
    over: { alphaTuning: 'auto' },
    what: "the method with SAC's entropy temperature learned towards a target entropy instead of fixed",
  },
  {
    id: 'hadaps/flat',
    label: 'HADAPS ablation: SAC (no hierarchy)',
    over: { policy: 'flat' },
    what: "the paper's SAC ablation: one policy network over every asset and cash, no inter- or intra-class layers",
  },
  {
    id: 'hadaps/intra',
    label: 'HADAPS ablation: SAC+Intra',
    over: { policy: 'intra-only' },
    what: "the paper's SAC+Intra ablation: equal class weights, learned weights inside each class",
  },
  {
    id: 'hadaps/inter',
    label: 'HADAPS ablation: SAC+Inter',
    over: { policy: 'inter-only' },
    what: "the paper's SAC+Inter ablation: learned class weights, equal weights inside each class",
  },
  ...HADAPS_SWEEP_SCALES.map((beta): Variant => ({
    id: hadapsSweepId(beta),
    label: `HADAPS, action scale ${beta}`,
    over: { actionScale: beta },
    what: `the method with action scale beta = ${beta} (the paper's sweep 1..10)`,
  })),
];

/** The config a strategy id and its parameters ask for (see HADAPS_PARAMS for what 0 and -1 mean). */
export function hadapsConfigFromParams(id: string, params: Record<string, unknown>): HadapsConfig {
  const v = VARIANTS.find((x) => x.id === id);
  if (!v) throw new RangeError(`not a HADAPS strategy: ${id}`);
  const preset = (params.preset ?? 'standard') as HadapsPresetName;
  const { episodes, ...given } = presetOverrides(
    params,
    ['actionScale', 'window', 'updates', 'episodes', 'tradeRate'] as const,
    ['turnoverPenalty', 'noTradeBand', 'validationDays', 'patience'] as const,
  );
  const over: Partial<HadapsConfig> = { ...v.over, ...given };
  if (episodes !== undefined) over.maxEpisodes = episodes;
  over.costRate = typeof params.costRate === 'number' ? params.costRate : standard.costRate;
  if (typeof params.classing === 'string') over.classing = params.classing as HadapsConfig['classing'];
  // on with the parameter or by the id (hadaps/warm-start): the parameter's default (false) must not switch the id's off
  if (params.warmStart === true) over.warmStart = true;
  return resolveHadapsConfig(preset, over);
}
