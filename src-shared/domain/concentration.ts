/**
 * How concentrated a portfolio is, and when a run counts as too concentrated: the one definition behind the
 * backtest metrics `maxWeight` and `minEffectiveN` (src-main/metrics), the run flag `concentrated` (set by
 * src-main/backtest/run.ts, shown by the CLI, the results document and every view that lists a run's flags) and
 * the per-agent summaries of src-main/explain/concentration.ts.
 *
 * - Herfindahl-Hirschman index HHI = Σ p_i² and effective number of holdings N_eff = 1 / HHI of a weight vector.
 *   By default p are the risky weights renormalised to sum 1: N_eff then says over how many names the money that
 *   is in stocks is spread, whatever the cash share. With `includeCash` the cash remainder 1 - Σ w counts as one
 *   more holding and nothing is renormalised. An all-cash vector has no risky holding: HHI NaN and N_eff 0
 *   without cash (HHI 1, N_eff 1 with it).
 * - The guard. A run is flagged `concentrated` when, on ANY day of its target weights (the decisions),
 *   a) one risky asset holds more than `maxWeight` of the whole book (cash included in the book), or
 *   b) the effective number of risky holdings falls below `minEffectiveN` (days that hold only cash are left out:
 *      they hold no stock, so nothing is concentrated).
 *   Defaults: maxWeight 0.5 and minEffectiveN 2. N_eff is at least 1 for any vector with a holding, so a limit of
 *   1 could never trip; 2 reads "less than two names' worth of diversification". For a fully invested book the two
 *   rules mostly agree (N_eff < 2 needs a weight above 1/2 there); they part when the limits are set apart, or when
 *   the stock part of a mostly-cash book is a single name (b trips, a does not: all of its equity risk is one name).
 * - A figure with no value (NaN: no day, or only cash) never trips a rule.
 */

/** The limits of the concentration guard (see the file overview). */
export interface ConcentrationLimits {
  /** largest single risky weight, as a fraction of the book, that is still fine on any day */
  maxWeight: number;
  /** smallest effective number of risky holdings that is still fine on any day */
  minEffectiveN: number;
}

/** The default limits of the concentration guard. */
export const CONCENTRATION_LIMITS: Readonly<ConcentrationLimits> = { maxWeight: 0.5, minEffectiveN: 2 };

/** The run flag the guard sets. */
export const FLAG_CONCENTRATED = 'concentrated';

/** Concentration of one weight vector. */
export interface Concentration {
  hhi: number;
  effectiveN: number;
}

/**
 * HHI and effective number of holdings of one weight vector (rules in the file overview).
 * @param w weights >= 0 over the risky assets, summing to <= 1 (cash is the remainder); entries past `nRisky`
 *   (e.g. a trailing cash slot) are ignored
 * @param includeCash count the cash remainder as one holding instead of renormalising the risky weights
 * @param nRisky how many leading entries are risky assets (default: all of them)
 */
export function concentration(w: ArrayLike<number>, includeCash = false, nRisky = w.length): Concentration {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < nRisky; i++) {
    const v = w[i]!;
    if (v < 0) throw new RangeError(`negative weight ${v} at ${i}`);
    sum += v;
    sq += v * v;
  }
  if (includeCash) {
    const cash = Math.max(0, 1 - sum);
    const hhi = sq + cash * cash;
    return { hhi, effectiveN: hhi > 0 ? 1 / hhi : 0 };
  }
  if (sum === 0) return { hhi: Number.NaN, effectiveN: 0 };
  const hhi = sq / (sum * sum);
  return { hhi, effectiveN: 1 / hhi };
}

/** The two figures the guard reads (the run metrics of the same names). */
export interface ConcentrationFigures {
  /** largest single risky weight over the run's days, fraction of the book */
  maxWeight: number;
  /** smallest effective number of risky holdings over the run's days with a holding (NaN: none) */
  minEffectiveN: number;
}

/**
 * The extremes of a run's daily weight vectors: its largest single risky weight and its smallest effective
 * number of risky holdings (all-cash days left out).
 * @returns maxWeight and minEffectiveN; both NaN when there is no day, minEffectiveN NaN when every day is cash.
 */
export function concentrationExtremes(weights: readonly ArrayLike<number>[], nRisky?: number): ConcentrationFigures {
  if (weights.length === 0) return { maxWeight: Number.NaN, minEffectiveN: Number.NaN };
  let maxWeight = 0;
  let minEffectiveN = Infinity;
  for (const w of weights) {
    const n = nRisky ?? w.length;
    for (let i = 0; i < n; i++) if (w[i]! > maxWeight) maxWeight = w[i]!;
    const c = concentration(w, false, n);
    if (c.effectiveN > 0 && c.effectiveN < minEffectiveN) minEffectiveN = c.effectiveN;
  }
  return { maxWeight, minEffectiveN: minEffectiveN === Infinity ? Number.NaN : minEffectiveN };
}

/**
 * Which rules of the guard a run breaks: 'max-weight' and/or 'effective-n' (empty when it keeps both).
 * A NaN figure breaks nothing.
 */
export function concentrationBreaches(
  m: ConcentrationFigures,
  limits: ConcentrationLimits = CONCENTRATION_LIMITS,
): ('max-weight' | 'effective-n')[] {
  const out: ('max-weight' | 'effective-n')[] = [];
  if (m.maxWeight > limits.maxWeight) out.push('max-weight');
  if (m.minEffectiveN < limits.minEffectiveN) out.push('effective-n');
  return out;
}

/** Whether a run is flagged `concentrated` (it breaks at least one rule of the guard). */
export function isConcentrated(m: ConcentrationFigures, limits: ConcentrationLimits = CONCENTRATION_LIMITS): boolean {
  return concentrationBreaches(m, limits).length > 0;
}

/** One line saying what the flag means under `limits`, for table notes and tooltips. */
export function concentrationNote(limits: ConcentrationLimits = CONCENTRATION_LIMITS): string {
  return `on some day one stock held more than ${Math.round(limits.maxWeight * 100)}% of the book, or the stock holdings were worth fewer than ${limits.minEffectiveN} equal positions (1 / Σw² < ${limits.minEffectiveN})`;
}
