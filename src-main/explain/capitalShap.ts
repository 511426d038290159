/**
 * Attribution of the SAMP-HDRL capital split (SAMP-HDRL steps 4-5) to its inputs by exact Shapley values:
 * the split is a closed-form function of each group's utility (mean − λ·variance), each group's momentum tilt,
 * the rebound state (downtrend flags of the ordinary group, the high-quality group and the market: a cap on risky
 * capital, or in gate mode a gate on the utilities) and the smoothing (the moving average over the past days'
 * splits, taken as the shift it gave the day's own split), so with six players the 64 coalitions are enumerated
 * exactly (Kernel SHAP's exact mode). The softmax temperature is the one the day used (a calibrated temperature
 * depends on the same window's variance; it is held at the day's value, not attributed).
 * Outputs explained: the high-quality share c2, the ordinary share c1 and the cash share, after the cap.
 * Background: the same inputs on every decision day of the run (the explanation says how this day differs
 * from the run's typical day).
 */
import type { UtilitySettings } from '../agents/samp/config';
import { splitFromUtilities } from '../strategies/samp/logic/utility';
import { applyReboundCap, applyReboundGate } from '../strategies/samp/logic/rebound';
import { kernelShap } from './shap';

type Split = { c1: number; c2: number; cash: number };

/** What a SAMP-HDRL decision records about its capital split (detail.utility / detail.rebound / detail.split). */
export interface CapitalDayInputs {
  utility: { ordinary: { utility: number; tilt: number }; high: { utility: number; tilt: number } };
  rebound?: {
    enabled?: boolean;
    mode?: 'cap' | 'gate';
    ordinary?: { inDowntrend: boolean };
    high?: { inDowntrend: boolean };
    market?: { inDowntrend: boolean };
  } | null;
  /** the split in use (after the cap or gate, after smoothing) */
  capital?: Split;
  /** the split before the cap (after smoothing) */
  capitalBeforeCap?: Split;
  /** how the split was made: the day's temperature and its own split before smoothing (absent in older rows) */
  split?: { temperature: number | null; day: Split } | null;
}

export const CAPITAL_PLAYERS = [
  'ordinary utility (mean − λ·var)',
  'ordinary momentum tilt',
  'high-quality utility (mean − λ·var)',
  'high-quality momentum tilt',
  'rebound state (downtrend flags)',
  "smoothing (the past days' splits)",
] as const;

/**
 * What smoothing moved the day's split by: the smoothed split the strategy used minus the day's own split (both
 * before the cap; in gate mode both gated). Zero for rows without smoothing information.
 */
function smoothingShift(d: CapitalDayInputs): Split {
  if (!d.split) return { c1: 0, c2: 0, cash: 0 };
  const smoothed = d.rebound?.mode === 'gate' ? d.capital : d.capitalBeforeCap;
  if (!smoothed) return { c1: 0, c2: 0, cash: 0 };
  return { c1: smoothed.c1 - d.split.day.c1, c2: smoothed.c2 - d.split.day.c2, cash: smoothed.cash - d.split.day.cash };
}

/**
 * Feature vector: [U1, tilt1, U2, tilt2, down_ordinary, down_high, down_market, Δc1, Δc2, Δcash]; player k owns
 * the features of CAPITAL_PLAYERS[k] (Δ = smoothingShift).
 */
export function capitalFeatures(d: CapitalDayInputs): Float64Array {
  const r = d.rebound?.enabled === false ? null : d.rebound;
  const dz = smoothingShift(d);
  return Float64Array.from([
    d.utility.ordinary.utility,
    d.utility.ordinary.tilt,
    d.utility.high.utility,
    d.utility.high.tilt,
    r?.ordinary?.inDowntrend ? 1 : 0,
    r?.high?.inDowntrend ? 1 : 0,
    r?.market?.inDowntrend ? 1 : 0,
    dz.c1,
    dz.c2,
    dz.cash,
  ]);
}
const PLAYER_FEATURES = [[0], [1], [2], [3], [4, 5, 6], [7, 8, 9]];

/** How the day turned inputs into its split: the utility settings with the day's own temperature, the rebound mode and cap. */
export interface SplitRule {
  utility: Partial<UtilitySettings>;
  mode: 'cap' | 'gate';
  downtrendCap: number;
}

/** Keep a shifted split a split: no negative share, shares summing to 1 (only coalitions other than the day's own need it). */
function onSimplex(s: Split): Split {
  const c1 = Math.max(0, s.c1);
  const c2 = Math.max(0, s.c2);
  const cash = Math.max(0, s.cash);
  const tot = c1 + c2 + cash;
  return tot > 0 ? { c1: c1 / tot, c2: c2 / tot, cash: cash / tot } : { c1: 0, c2: 0, cash: 1 };
}

/**
 * The split the strategy computes from those inputs (utility.ts splitFromUtilities with the day's temperature;
 * in gate mode the gate of rebound.ts first), moved by the smoothing shift, then (cap mode) the rebound cap. For the
 * day's own features this is exactly the split the strategy used.
 */
export function splitFromFeatures(f: Float64Array, rule: SplitRule): Split {
  const down = { ordinary: f[4]! > 0.5, high: f[5]! > 0.5, market: f[6]! > 0.5 };
  let u1 = f[0]! + f[1]!;
  let u2 = f[2]! + f[3]!;
  if (rule.mode === 'gate') {
    const g = applyReboundGate(
      { ordinary: { utility: f[0]!, tilt: f[1]!, adjusted: u1 }, high: { utility: f[2]!, tilt: f[3]!, adjusted: u2 } },
      down,
      rule.utility.cashUtility ?? 0,
    );
    u1 = g.adjusted.ordinary;
    u2 = g.adjusted.high;
  }
  const raw = splitFromUtilities(u1, u2, rule.utility);
  const shifted =
    f[7] || f[8] || f[9] ? onSimplex({ c1: raw.c1 + f[7]!, c2: raw.c2 + f[8]!, cash: raw.cash + f[9]! }) : raw;
  return rule.mode === 'gate' ? shifted : applyReboundCap(shifted, down, rule.downtrendCap).split;
}

/** The rule of one decision day: its recorded temperature (calibrated or fixed) in place of the configured one. */
export function dayRule(day: CapitalDayInputs, utility: Partial<UtilitySettings>, downtrendCap: number): SplitRule {
  const t = day.split?.temperature;
  return {
    utility: { ...utility, ...(t != null && t > 0 ? { temperature: t, temperatureRule: 'fixed' as const } : {}) },
    mode: day.rebound?.mode ?? 'cap',
    downtrendCap,
  };
}

export interface CapitalExplanation {
  output: 'high-quality share c2' | 'ordinary share c1' | 'cash share';
  fx: number;
  baseValue: number;
  values: { player: string; value: number }[];
}

export function explainCapitalSplit(
  day: CapitalDayInputs,
  background: CapitalDayInputs[],
  utility: Partial<UtilitySettings>,
  downtrendCap: number,
): CapitalExplanation[] {
  const rule = dayRule(day, utility, downtrendCap);
  const x = capitalFeatures(day);
  const bg = background.map(capitalFeatures);
  const outputs: [CapitalExplanation['output'], (s: { c1: number; c2: number; cash: number }) => number][] = [
    ['high-quality share c2', (s) => s.c2],
    ['ordinary share c1', (s) => s.c1],
    ['cash share', (s) => s.cash],
  ];
  return outputs.map(([output, pick]) => {
    const r = kernelShap((f) => pick(splitFromFeatures(f, rule)), x, bg, PLAYER_FEATURES);
    return {
      output,
      fx: r.fx,
      baseValue: r.baseValue,
      values: CAPITAL_PLAYERS.map((p, k) => ({ player: p, value: r.values[k]! })),
    };
  });
}
