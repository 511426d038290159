/**
 * Attribution of the SAMP-HDRL capital split (SAMP-HDRL steps 4-5) to its inputs by exact Shapley values:
 * the split is a closed-form function of each group's utility (mean − λ·variance), each group's momentum tilt
 * and the rebound state (downtrend flags of the ordinary group, the high-quality group and the market), so
 * with five players the 32 coalitions are enumerated exactly (Kernel SHAP's exact mode).
 * Outputs explained: the high-quality share c2, the ordinary share c1 and the cash share, after the cap.
 * Background: the same inputs on every decision day of the run (the explanation says how this day differs
 * from the run's typical day).
 */
import type { UtilitySettings } from '../agents/samp/config';
import { splitFromUtilities } from '../strategies/samp/logic/utility';
import { applyReboundCap } from '../strategies/samp/logic/rebound';
import { kernelShap } from './shap';

/** What a SAMP-HDRL decision records about its capital split (detail.utility / detail.rebound). */
export interface CapitalDayInputs {
  utility: { ordinary: { utility: number; tilt: number }; high: { utility: number; tilt: number } };
  rebound?: { enabled?: boolean; ordinary?: { inDowntrend: boolean }; high?: { inDowntrend: boolean }; market?: { inDowntrend: boolean } } | null;
}

export const CAPITAL_PLAYERS = ['ordinary utility (mean − λ·var)', 'ordinary momentum tilt', 'high-quality utility (mean − λ·var)', 'high-quality momentum tilt', 'rebound state (downtrend flags)'] as const;

/** Feature vector: [U1, tilt1, U2, tilt2, down_ordinary, down_high, down_market]; player k owns features of CAPITAL_PLAYERS[k]. */
export function capitalFeatures(d: CapitalDayInputs): Float64Array {
  const r = d.rebound?.enabled === false ? null : d.rebound;
  return Float64Array.from([d.utility.ordinary.utility, d.utility.ordinary.tilt, d.utility.high.utility, d.utility.high.tilt, r?.ordinary?.inDowntrend ? 1 : 0, r?.high?.inDowntrend ? 1 : 0, r?.market?.inDowntrend ? 1 : 0]);
}
const PLAYER_FEATURES = [[0], [1], [2], [3], [4, 5, 6]];

/** The split the strategy computes from those inputs (utility.ts splitFromUtilities, then rebound.ts applyReboundCap). */
export function splitFromFeatures(f: Float64Array, utility: Partial<UtilitySettings>, downtrendCap: number): { c1: number; c2: number; cash: number } {
  const s = splitFromUtilities(f[0]! + f[1]!, f[2]! + f[3]!, utility);
  return applyReboundCap(s, { ordinary: f[4]! > 0.5, high: f[5]! > 0.5, market: f[6]! > 0.5 }, downtrendCap).split;
}

export interface CapitalExplanation {
  output: 'high-quality share c2' | 'ordinary share c1' | 'cash share';
  fx: number;
  baseValue: number;
  values: { player: string; value: number }[];
}

export function explainCapitalSplit(day: CapitalDayInputs, background: CapitalDayInputs[], utility: Partial<UtilitySettings>, downtrendCap: number): CapitalExplanation[] {
  const x = capitalFeatures(day);
  const bg = background.map(capitalFeatures);
  const outputs: [CapitalExplanation['output'], (s: { c1: number; c2: number; cash: number }) => number][] = [
    ['high-quality share c2', (s) => s.c2],
    ['ordinary share c1', (s) => s.c1],
    ['cash share', (s) => s.cash],
  ];
  return outputs.map(([output, pick]) => {
    const r = kernelShap((f) => pick(splitFromFeatures(f, utility, downtrendCap)), x, bg, PLAYER_FEATURES);
    return { output, fx: r.fx, baseValue: r.baseValue, values: CAPITAL_PLAYERS.map((p, k) => ({ player: p, value: r.values[k]! })) };
  });
}
