/**
 * Level 1 of the three-level hierarchy, the strategic allocation (docs/three-level.md "Level 1"): target class
 * weights, decided once every `strategicPeriod` trading days (252, a year). The issue allows a fixed rule as the
 * named baseline for a level that makes a handful of decisions per training window; the rules here are that
 * baseline, and no learned Level 1 exists yet.
 *
 * Rules (`StrategicRule`), each from the closes up to the day of the decision only:
 *   - 'inverse-volatility' (default): each risky class's weight proportional to 1 / σ_k, σ_k the volatility of its
 *     equal-weight basket's daily returns over the trailing `window` days (signals.ts), cash 0. A class twice as
 *     volatile gets half the weight, so each class contributes about the same risk when the classes are not
 *     strongly correlated — the usual strategic rule when no return forecast is trusted, and one that reacts to a
 *     market whose risk moved over the year, which equal weights never do. Where a volatility is not known (fewer
 *     than two returns) or is zero, every class gets the same weight.
 *   - 'equal': the same weight for every risky class, cash 0.
 * Cash is a class of the hierarchy, but its strategic weight is 0 under both rules: a fund's strategic allocation
 * is invested, and the tactical level may still tilt up to its bound into cash.
 */
import type { ClassLayout } from '../hadaps/classes';
import { basketDailyReturns, type Closes } from './signals';
import { sampleStd } from '../../metrics';

export const STRATEGIC_RULES = ['inverse-volatility', 'equal'] as const;
export type StrategicRule = (typeof STRATEGIC_RULES)[number];

/** The strategic class weights (risky classes, then cash) at the close of `t` (see the file overview). */
export function strategicTarget(
  closes: Closes,
  t: number,
  layout: ClassLayout,
  rule: StrategicRule,
  window = 252,
): Float64Array {
  const K = layout.classes.length;
  const out = new Float64Array(K + 1);
  if (rule !== 'inverse-volatility' && rule !== 'equal')
    throw new RangeError(`strategic rule must be one of ${STRATEGIC_RULES.join(', ')}, got ${String(rule)}`);
  const inv =
    rule === 'inverse-volatility'
      ? layout.classes.map((c) => {
          const r = basketDailyReturns(closes, c.members, t, window);
          const s = r.length >= 2 ? sampleStd(r) : Number.NaN;
          return s > 0 ? 1 / s : Number.NaN;
        })
      : layout.classes.map(() => 1);
  const known = inv.every((x) => Number.isFinite(x));
  const total = known ? inv.reduce((a, b) => a + b, 0) : K;
  for (let k = 0; k < K; k++) out[k] = (known ? inv[k]! : 1) / total;
  return out;
}
