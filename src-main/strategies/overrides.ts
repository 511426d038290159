/**
 * The convention every learned family's numeric parameters follow (EIIE, PPN, HADAPS, MPLS): a setting that must be positive is
 * given as 0 to keep its preset's value, a setting that may be 0 is given as -1 to keep it; any other value
 * overrides the preset. One place reads that convention from a strategy's resolved parameters.
 */
import type { StrategyParamSpec } from './types';

/**
 * The training parameters EIIE and PPN share through their online stochastic batch learning (agents/eiie/osbl.ts):
 * the batch-start bias, the training cost, the held-out validation days and the patience, each keeping its preset
 * by the convention above; `standard` gives the defaults shown.
 */
export function osblTrainingParams(standard: { sampleBias: number; costRate: number }): StrategyParamSpec[] {
  return [
    {
      name: 'sampleBias',
      description: `beta of the geometric distribution of batch starts per period back; 0 = the preset value (${standard.sampleBias})`,
      default: 0,
      min: 0,
      max: 0.5,
    },
    {
      name: 'costRate',
      description: 'proportional transaction cost in the training reward (0.001 = 0.1%)',
      default: standard.costRate,
      min: 0,
      max: 0.1,
    },
    {
      name: 'validationDays',
      description: 'last days of the training window held out to choose the checkpoint; -1 = the preset value',
      default: -1,
      min: -1,
      max: 5000,
    },
    {
      name: 'patience',
      description:
        'validation runs without a better net Sharpe before training stops (0 = never); -1 = the preset value',
      default: -1,
      min: -1,
      max: 1000,
    },
  ];
}

/** The preset overrides that `params` asks for among the `positive` and `nonNegative` settings (file overview). */
export function presetOverrides<K extends string>(
  params: Record<string, unknown>,
  positive: readonly K[],
  nonNegative: readonly K[],
): Partial<Record<K, number>> {
  const over: Partial<Record<K, number>> = {};
  const num = (k: K): number | undefined => (typeof params[k] === 'number' ? (params[k] as number) : undefined);
  for (const k of positive) {
    const v = num(k);
    if (v !== undefined && v > 0) over[k] = v;
  }
  for (const k of nonNegative) {
    const v = num(k);
    if (v !== undefined && v >= 0) over[k] = v;
  }
  return over;
}
