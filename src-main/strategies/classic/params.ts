/**
 * Parameter handling shared by the classic baselines: every hyperparameter is a named StrategyParamSpec with a
 * documented default (a named setting, never a buried constant); `readParams` fills the defaults in
 * and checks types, ranges and choices.
 */
import type { StrategyParamSpec } from '../types';

export type ParamValues = Record<string, number | string | boolean>;

/**
 * Merge `given` (ctx.params, possibly partial) over the specs' defaults and validate each value. Takes the
 * specs and the given values; gives a complete record. Throws RangeError on an unknown name, a wrong type,
 * a value outside [min, max] or not among `choices`.
 */
export function readParams(
  specs: readonly StrategyParamSpec[],
  given: Record<string, unknown> | undefined,
  who: string,
): ParamValues {
  const out: ParamValues = {};
  for (const s of specs) out[s.name] = s.default;
  for (const [k, v] of Object.entries(given ?? {})) {
    const spec = specs.find((s) => s.name === k);
    if (!spec) throw new RangeError(`${who}: unknown parameter "${k}"`);
    if (v === undefined) continue;
    if (typeof v !== typeof spec.default)
      throw new RangeError(`${who}: parameter "${k}" must be a ${typeof spec.default}`);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new RangeError(`${who}: parameter "${k}" must be finite`);
      if (spec.min !== undefined && v < spec.min)
        throw new RangeError(`${who}: parameter "${k}" must be >= ${spec.min}`);
      if (spec.max !== undefined && v > spec.max)
        throw new RangeError(`${who}: parameter "${k}" must be <= ${spec.max}`);
    }
    if (spec.choices && !spec.choices.includes(String(v)))
      throw new RangeError(`${who}: parameter "${k}" must be one of ${spec.choices.join(', ')}`);
    out[k] = v as number | string | boolean;
  }
  return out;
}

export function num(p: ParamValues, name: string): number {
  const v = p[name];
  if (typeof v !== 'number') throw new RangeError(`parameter ${name} is not a number`);
  return v;
}

export function int(p: ParamValues, name: string): number {
  return Math.round(num(p, name));
}

export function str(p: ParamValues, name: string): string {
  return String(p[name]);
}

/** Trailing estimation window (days of daily returns) of the estimating strategies. */
export const LOOKBACK_SPEC: StrategyParamSpec = {
  name: 'lookback',
  description: 'trailing estimation window in trading days (daily simple returns ending at the decision day)',
  default: 252,
  min: 2,
  max: 5000,
};

/** How often the estimating strategies re-estimate (days); between re-estimations they keep their target. */
export const REESTIMATE_SPEC: StrategyParamSpec = {
  name: 'reestimateEvery',
  description:
    're-estimate the target weights at most every this many trading days (1 = daily); the target is kept in between',
  default: 21,
  min: 1,
  max: 2520,
};
