/**
 * Concentration of portfolio weights per agent (SAMP-HDRL step 8: the paper reads its agents as
 * "diversified (ordinary group) + concentrated (high-quality group)"; a learned policy can also collapse to
 * near-equal weights without anyone noticing — this module makes both visible).
 *
 * Overview
 * - Herfindahl-Hirschman index HHI and effective number of holdings N_eff = 1 / HHI of one weight vector are
 *   defined once, in src-shared/domain/concentration.ts (risky weights renormalised by default, or cash counted
 *   as one more holding with `includeCash`; the backtest's concentration guard lives beside them). This file
 *   summarises them over a run and per agent.
 * - `equalness` = N_eff / (number of assets the agent may hold): 1 means exactly equal weights; a run whose
 *   mean equalness exceeds `nearEqualThreshold` is flagged `nearEqual` (a collapsed policy).
 * - Run summaries average over days; `agentConcentration` does it per agent (e.g. upper, lower1, lower2, final).
 */
import { concentration, type Concentration } from '../../src-shared/domain/concentration';

export { concentration, type Concentration };

/** Settings of the concentration summaries. */
export interface ConcentrationSettings {
  /** Count the cash remainder as a holding instead of renormalising the risky weights. Default false. */
  includeCash: boolean;
  /** Mean equalness above which a run is flagged as near-equal weights. Default 0.95. */
  nearEqualThreshold: number;
}

export const CONCENTRATION_DEFAULTS: ConcentrationSettings = { includeCash: false, nearEqualThreshold: 0.95 };

/** Summary of concentration over a run for one agent. */
export interface RunConcentration {
  days: number;
  /** mean over days with a defined HHI */
  meanHhi: number;
  meanEffectiveN: number;
  minEffectiveN: number;
  maxEffectiveN: number;
  /** mean of effectiveN / universe size (per day: number of entries of the vector, or `universeSize`) */
  meanEqualness: number;
  nearEqual: boolean;
  /** per-day series */
  hhi: Float64Array;
  effectiveN: Float64Array;
}

/**
 * Concentration over a run (rules in the file overview).
 * @param weights one weight vector per day
 * @param universeSize assets the agent may hold (e.g. its group size); default: the vector length
 *   (+1 with includeCash)
 */
export function runConcentration(
  weights: readonly ArrayLike<number>[],
  settings: Partial<ConcentrationSettings> = {},
  universeSize?: number | readonly number[],
): RunConcentration {
  const s = { ...CONCENTRATION_DEFAULTS, ...settings };
  const T = weights.length;
  const hhi = new Float64Array(T);
  const eff = new Float64Array(T);
  let sh = 0;
  let ch = 0;
  let se = 0;
  let sq = 0;
  let mn = Infinity;
  let mx = -Infinity;
  weights.forEach((w, t) => {
    const c = concentration(w, s.includeCash);
    hhi[t] = c.hhi;
    eff[t] = c.effectiveN;
    if (Number.isFinite(c.hhi)) {
      sh += c.hhi;
      ch++;
    }
    se += c.effectiveN;
    mn = Math.min(mn, c.effectiveN);
    mx = Math.max(mx, c.effectiveN);
    const size = Array.isArray(universeSize)
      ? (universeSize as readonly number[])[t]!
      : typeof universeSize === 'number'
        ? universeSize
        : w.length + (s.includeCash ? 1 : 0);
    sq += size > 0 ? c.effectiveN / size : 0;
  });
  const meanEqualness = T ? sq / T : Number.NaN;
  return {
    days: T,
    meanHhi: ch ? sh / ch : Number.NaN,
    meanEffectiveN: T ? se / T : Number.NaN,
    minEffectiveN: T ? mn : Number.NaN,
    maxEffectiveN: T ? mx : Number.NaN,
    meanEqualness,
    nearEqual: meanEqualness > s.nearEqualThreshold,
    hhi,
    effectiveN: eff,
  };
}

/**
 * {@link runConcentration} for every agent of a run.
 * @param perAgent agent name -> one weight vector per day (e.g. { upper, lower1, lower2, final })
 * @param universeSizes optional agent name -> assets it may hold (e.g. group sizes per day)
 */
export function agentConcentration(
  perAgent: Record<string, readonly ArrayLike<number>[]>,
  settings: Partial<ConcentrationSettings> = {},
  universeSizes: Record<string, number | readonly number[]> = {},
): Record<string, RunConcentration> {
  const out: Record<string, RunConcentration> = {};
  for (const [name, ws] of Object.entries(perAgent)) out[name] = runConcentration(ws, settings, universeSizes[name]);
  return out;
}
