/**
 * The learned Level 1's episodes (docs/three-level.md "Level 1, learned"): what the policy reads at a strategic
 * decision, what a target earns over the following year, and which days may start an episode.
 *
 * State, one row per class (risky classes in layout order, then cash), `STRATEGIC_FEATURES` entries each, from the
 * closes up to the decision day only:
 *   - the market's regimes as the desk's Regimes view labels them (market/regimes.ts, the universe's equal-weight
 *     index from the matrix's first day): the trend regime (bull, bear, sideways) and the volatility regime (calm,
 *     normal, stressed) one-hot, whether the labeller is still warming up, and the two figures behind the labels,
 *     the index's trailing return (×3) and its annualised realised volatility (×5) — the same in every row;
 *   - the class's basket (signals.ts) over the trailing `signalWindow` days: its 63-day and full-window returns
 *     (×3), its annualised volatility (×5) and its drawdown from the window's high (×5); zeros for cash;
 *   - the class's weight in the current book, times the number of classes and cash (1 = an equal share);
 *   - a cash flag;
 *   - with macro inputs (strategic-macro.ts, the config's `macro`), each series' change and z-score over the
 *     trailing `signalWindow` days, read from values dated up to the decision day — the same in every row.
 * The scales bring each entry to about one. `strategicFeatureCount` is F for a config: the base entries plus two a
 * series, so the networks' shape follows from the config.
 *
 * Reward of a target (class weights, cash last; equal weight inside a class, tilts.ts assetWeights) decided at the
 * close of t0 from a book h, in percent of the book: the book trades from h to the target at the close of t0,
 * holds it for `horizon` days, drifting with prices and set back to the target every `rebalanceEvery` days (the
 * hierarchy with zero tilts), every trade paying `tradeCost` per unit traded (a simple proportional cost, Level 3's
 * costs left out: see strategic-config.ts). With G the episode's growth and r_d its daily returns after costs:
 *   reward = 100 × (G − 1 − λ × horizon × var(r_d))
 * — the year's return minus λ times the year's variance for a yearly episode. It reads the closes of
 * t0..t0 + horizon only.
 *
 * Days. `splitStrategicDays` holds out the last `validationDays` (at most half) of the training window; episodes
 * start on every `stride`-th day of a part from its first, and only where their reward ends inside the same part,
 * so no training episode reads a validation day and no validation episode reads past the window. The reward covers
 * `strategicPeriod` days where each part holds that many with a third of the part left for starts; on a shorter
 * window it covers two thirds of the shorter part.
 */
import { sampleStd } from '../../metrics';
import { labelRegimesFromIndex, type RegimeLabels } from '../../market/regimes';
import type { ClassLayout } from '../hadaps/classes';
import { normalDraw } from '../noise';
import { drift } from './env';
import { classSignals, type Closes } from './signals';
import type { StrategicConfig } from './strategic-config';
import { checkMacroMatches, MACRO_FEATURES, macroEntries, macroReadings, type MacroInputs } from './strategic-macro';
import { assetWeights } from './tilts';
import type { DayRange } from './trainer';

export const STRATEGIC_FEATURES = [
  'bull',
  'bear',
  'sideways',
  'calm',
  'normal',
  'stressed',
  'regimeWarmup',
  'indexTrend',
  'indexVolatility',
  'trendQuarter',
  'trendYear',
  'volatility',
  'drawdown',
  'held',
  'cash',
] as const;
/** The number of entries of a class's state without macro inputs. */
export const STRATEGIC_FEATURE_COUNT = STRATEGIC_FEATURES.length;

/** F, the number of entries of a class's state under `cfg`: the base entries and MACRO_FEATURES per macro series. */
export function strategicFeatureCount(cfg: Pick<StrategicConfig, 'macro'>): number {
  return STRATEGIC_FEATURE_COUNT + MACRO_FEATURES.length * (cfg.macro?.series.length ?? 0);
}

/** The regime labels of the universe's equal-weight index over days 0..t (label d reads days 0..d only). */
export function regimesUpTo(closes: Closes, t: number, dates: readonly string[]): RegimeLabels {
  const levels = new Float64Array(t + 1);
  levels[0] = 1;
  let prev = closes(0);
  for (let d = 1; d <= t; d++) {
    const next = closes(d);
    let s = 0;
    for (let i = 0; i < next.length; i++) s += next[i]! / prev[i]!;
    levels[d] = levels[d - 1]! * (s / next.length);
    prev = next;
  }
  return labelRegimesFromIndex(levels, dates.slice(0, t + 1));
}

/**
 * The states of every class (cash last), [K x F] row-major, at the close of t (see the file overview); `macro`, the
 * series `cfg.macro` names aligned to the closes' dates, is required exactly when the config has them.
 */
export function strategicFeatures(
  closes: Closes,
  t: number,
  layout: ClassLayout,
  regimes: RegimeLabels,
  held: ArrayLike<number>,
  cfg: Pick<StrategicConfig, 'signalWindow' | 'macro'>,
  macro?: MacroInputs,
): Float32Array {
  if (t >= regimes.trend.length) throw new RangeError(`the regimes end on day ${regimes.trend.length - 1}, not ${t}`);
  checkMacroMatches(cfg, macro);
  const K = layout.classes.length + 1;
  const F = strategicFeatureCount(cfg);
  if (held.length !== K) throw new RangeError(`the book has ${held.length} class weights for ${K} classes and cash`);
  const sig = classSignals(closes, t, layout, {
    shortWindow: 63,
    longWindow: cfg.signalWindow,
    volatilityWindow: cfg.signalWindow,
    drawdownWindow: cfg.signalWindow,
  });
  const trend = regimes.trend[t]!;
  const vol = regimes.vol[t]!;
  const rv = regimes.realisedVol[t]!;
  const common = [
    trend === 'bull' ? 1 : 0,
    trend === 'bear' ? 1 : 0,
    trend === 'sideways' ? 1 : 0,
    vol === 'calm' ? 1 : 0,
    vol === 'normal' ? 1 : 0,
    vol === 'stressed' ? 1 : 0,
    regimes.warmup[t] ? 1 : 0,
    3 * regimes.trailingReturn[t]!,
    Number.isFinite(rv) ? 5 * rv : 0,
  ];
  const macroRow = macro ? macroEntries(macroReadings(macro, t, cfg.signalWindow)) : [];
  const out = new Float32Array(K * F);
  for (let k = 0; k < K; k++) {
    const o = k * F;
    out.set(common, o);
    const s = sig[k];
    out[o + 9] = s ? 3 * s.trendShort : 0;
    out[o + 10] = s ? 3 * s.trendLong : 0;
    out[o + 11] = s ? 5 * Math.sqrt(252) * s.volatility : 0;
    out[o + 12] = s ? 5 * s.drawdown : 0;
    out[o + 13] = K * held[k]!;
    out[o + 14] = s ? 0 : 1;
    out.set(macroRow, o + STRATEGIC_FEATURE_COUNT);
  }
  return out;
}

/** What a target earned over an episode. */
export interface StrategicOutcome {
  /** percent of the book (see the file overview) */
  reward: number;
  /** the episode's growth after costs */
  growth: number;
  /** what its trades paid, a share of the starting book */
  cost: number;
  /** the sample variance of its daily returns after costs */
  variance: number;
}

/**
 * The reward of holding `target` (class weights, cash last) from the close of t0 for `horizon` days, the book
 * starting as `holdings` (asset weights, cash last). Reads the closes of t0..t0 + horizon only.
 */
export function strategicOutcome(
  closes: Closes,
  layout: ClassLayout,
  target: ArrayLike<number>,
  holdings: ArrayLike<number>,
  t0: number,
  horizon: number,
  cfg: Pick<StrategicConfig, 'rebalanceEvery' | 'riskPenalty' | 'tradeCost'>,
): StrategicOutcome {
  const n = layout.nAssets;
  if (holdings.length !== n + 1) throw new RangeError(`holdings: ${holdings.length} entries for ${n} assets and cash`);
  if (!(horizon >= 2)) throw new RangeError(`an episode needs at least 2 days, got ${horizon}`);
  const q = new Float64Array(n + 1);
  q.set(assetWeights(layout, target));
  q[n] = Math.max(0, 1 - q.subarray(0, n).reduce((a, b) => a + b, 0));
  const b = Float64Array.from(holdings);
  // trade the book to q, paying tradeCost per unit of risky weight traded (cash takes the other side)
  const reset = (): number => {
    let traded = 0;
    for (let i = 0; i < n; i++) traded += Math.abs(q[i]! - b[i]!);
    b.set(q);
    return cfg.tradeCost * traded;
  };
  let cost = reset();
  let value = 1 - cost;
  const daily = new Float64Array(horizon);
  for (let k = 1; k <= horizon; k++) {
    let g = drift(b, closes(t0 + k - 1), closes(t0 + k), 0, n);
    if (k % cfg.rebalanceEvery === 0 && k < horizon) {
      const c = reset();
      cost += value * g * c;
      g *= 1 - c;
    }
    daily[k - 1] = g - 1;
    value *= g;
  }
  return { ...riskAdjustedReward(value, daily, cfg.riskPenalty), growth: value, cost };
}

/**
 * Level 1's reward of a path of days (see the file overview), in percent of the book: 100 × (G − 1 − λ × D ×
 * var(r_d)), G the path's growth after costs, r_d its D daily returns after costs, var their sample variance. The
 * bottom-up reward (`strategicOutcome`) and the joint trainer's (the hierarchy's own year, joint-trainer.ts) are both
 * this function of their paths.
 */
export function riskAdjustedReward(
  growth: number,
  daily: ArrayLike<number>,
  riskPenalty: number,
): { reward: number; variance: number } {
  const sd = sampleStd(daily);
  const variance = sd * sd;
  return { reward: 100 * (growth - 1 - riskPenalty * daily.length * variance), variance };
}

/** The training and validation days of a window and the days an episode's reward covers (file overview). */
export interface StrategicDays {
  train: DayRange;
  validation: DayRange | null;
  horizon: number;
}

/** Split days first..last for Level 1 (see the file overview); a RangeError when they hold no episode. */
export function splitStrategicDays(
  first: number,
  last: number,
  cfg: Pick<StrategicConfig, 'validationDays' | 'strategicPeriod'>,
): StrategicDays {
  const span = last - first + 1;
  const v = Math.min(cfg.validationDays, Math.floor(span / 2));
  const train = { first, last: last - v };
  const validation = v > 0 ? { first: last - v + 1, last } : null;
  const shorter = Math.min(span - v, v > 0 ? v : span - v);
  const horizon = Math.min(cfg.strategicPeriod, Math.floor((2 * shorter) / 3));
  if (horizon < 2)
    throw new RangeError(
      `days ${first}..${last} are too few for a strategic episode (${span} days, ${v} held out for validation)`,
    );
  return { train, validation, horizon };
}

/** The days of `part` that start an episode: every `stride`-th from its first whose reward ends inside it. */
export function episodeStarts(part: DayRange, horizon: number, stride: number): number[] {
  const out: number[] = [];
  for (let t = part.first; t + horizon <= part.last; t += stride) out.push(t);
  return out;
}

/** The book at the close of t of a class allocation bought `drifted` days before (asset weights, cash last). */
export function bookOf(
  closes: Closes,
  layout: ClassLayout,
  classWeights: ArrayLike<number>,
  t: number,
  drifted: number,
): Float64Array {
  const n = layout.nAssets;
  const h = new Float64Array(n + 1);
  h.set(assetWeights(layout, classWeights));
  h[n] = Math.max(0, 1 - h.subarray(0, n).reduce((a, b) => a + b, 0));
  for (let d = Math.max(0, t - drifted); d < t; d++) drift(h, closes(d), closes(d + 1), 0, n);
  return h;
}

/**
 * A training episode's starting class allocation: all cash with probability `cashStartProb` (a run's first
 * decision), else risky class weights proportional to exp(allocationSpread × z), z standard normal, cash 0.
 */
export function drawAllocation(
  rng: () => number,
  K: number,
  cfg: Pick<StrategicConfig, 'cashStartProb' | 'allocationSpread'>,
): Float64Array {
  const w = new Float64Array(K + 1);
  if (rng() < cfg.cashStartProb) {
    w[K] = 1;
    return w;
  }
  let s = 0;
  for (let k = 0; k < K; k++) {
    w[k] = Math.exp(cfg.allocationSpread * normalDraw(rng));
    s += w[k]!;
  }
  for (let k = 0; k < K; k++) w[k] = w[k]! / s;
  return w;
}
