/**
 * Rebound detection of SAMP-HDRL (SAMP-HDRL step 5; the paper, section 4.6.3: avoid allocating
 * heavily during temporary technical recoveries inside an ongoing downtrend).
 *
 * Overview — a three-phase state machine run over a level series (a price or a group's equal-weight
 * index), one step per day, reading values up to the current day only:
 * - `normal`: the drawdown from the trailing peak (max of the last `peakLookback` values, today included)
 *   is at most `drawdownThreshold`. When it exceeds it, a downtrend episode starts: the episode peak is
 *   that trailing peak and the trough is today's value.
 * - `downtrend`: the trough follows every new low (a new low resets the hold counter). `rise` = value /
 *   trough - 1; `daysHeld` counts consecutive days with rise >= `riseThreshold`. When daysHeld reaches
 *   `minDays` the rebound is CONFIRMED: a flag is raised on that day and the phase becomes `rebound`.
 *   If the value regains the episode peak before confirmation (a V-shaped jump), the phase returns to
 *   `normal` without a flag.
 * - `rebound`: the cap is lifted. A value below the trough sends the phase back to `downtrend` (a false
 *   rebound: reboundStats.ts counts these); a fresh drawdown deeper than `drawdownThreshold` from the high
 *   made since the trough starts a new downtrend episode; once the drawdown from the trailing peak is back
 *   within `drawdownThreshold`, the phase is `normal`.
 * While `inDowntrend` (phase `downtrend`, i.e. no confirmed rebound) the rebound mode (SampConfig.rebound.mode)
 * decides what happens:
 * - 'cap' (default, the rule before issue 15): {@link applyReboundCap} caps the risky allocation at
 *   `downtrendCap`, whatever the utilities say;
 * - 'gate': {@link applyReboundGate} changes the utilities before the split instead of the split after it —
 *   the group (every group, when the market series is in a downtrend) loses its positive momentum tilt and any
 *   advantage over cash its trailing window gives it, so the split rule treats it as no better than cash. No
 *   fixed fraction is imposed: a group whose trailing utility is already below cash is split exactly as
 *   without the detector, and capital comes back as soon as the rebound is confirmed.
 * The state at t depends only on values 0..t (the detector is causal by construction;
 * test/strategies/samp/rebound.test.ts checks it).
 */
import type { ReboundMode, ReboundSettings } from '../../../agents/samp/config';
import type { MarketView } from '../../../market/view';
import type { CapitalSplit, GroupUtility } from './utility';
import { groupReturnSeries } from './utility';

/** The rebound detector's settings where a config leaves them out (agents/samp/config.ts ReboundSettings). */
export const REBOUND_DEFAULTS: ReboundSettings = {
  drawdownThreshold: 0.1,
  riseThreshold: 0.05,
  minDays: 5,
  downtrendCap: 0.5,
  peakLookback: 126,
};

/** The rebound rule where a config leaves it out (SampConfig.rebound.mode): the cap, the rule before issue 15. */
export const REBOUND_MODE_DEFAULT: ReboundMode = 'cap';

export type ReboundPhase = 'normal' | 'downtrend' | 'rebound';

/** Detector output for one day. */
export interface ReboundState {
  /** position of the day in the stepped series (0-based) */
  step: number;
  phase: ReboundPhase;
  /** phase === 'downtrend': the cap applies */
  inDowntrend: boolean;
  /** true only on the day a rebound is confirmed */
  rebound: boolean;
  /** drawdown of today's value from the trailing peak, fraction >= 0 */
  drawdown: number;
  /** depth of the current episode, 1 - trough / episode peak (0 in `normal`) */
  depth: number;
  /** value / trough - 1 during an episode (0 in `normal`) */
  rise: number;
  /** consecutive days with rise >= riseThreshold */
  daysHeld: number;
  /** trailing peak (max of the last peakLookback values) */
  peak: number;
  /** trough of the current episode, NaN in `normal` */
  trough: number;
  thresholdsMet: { drawdown: boolean; rise: boolean; days: boolean };
}

/** A confirmed rebound, stored and shown to the user (date, group, thresholds met). */
export interface ReboundFlag {
  /** step (or day index if the caller passes day indices to `step`) of the confirmation */
  dayIndex: number;
  date?: string;
  /** which series: e.g. 'high', 'ordinary', 'market' */
  label?: string;
  trough: number;
  troughDay: number;
  episodePeak: number;
  depth: number;
  rise: number;
  daysHeld: number;
  thresholds: { drawdownThreshold: number; riseThreshold: number; minDays: number };
}

/**
 * Online rebound detector: call `step(value)` once per day in order. O(1) amortised per step.
 * (SAMP-HDRL step 5)
 */
export class ReboundDetector {
  private readonly s: ReboundSettings;
  private n = 0;
  private readonly deque: { i: number; v: number }[] = []; // monotone decreasing values: trailing max
  private phase: ReboundPhase = 'normal';
  private episodePeak = NaN;
  private trough = NaN;
  private troughDay = -1;
  private postPeak = NaN;
  private held = 0;
  readonly flags: ReboundFlag[] = [];

  constructor(
    settings: Partial<ReboundSettings> = {},
    private readonly label?: string,
  ) {
    this.s = { ...REBOUND_DEFAULTS, ...settings };
    if (!(this.s.peakLookback >= 1)) throw new RangeError('peakLookback must be >= 1');
    if (!(this.s.minDays >= 1)) throw new RangeError('minDays must be >= 1');
  }

  /**
   * Advance one day.
   * @param value today's level (> 0); @param dayIndex stored in flags (default: the step count)
   * @param date stored in flags
   */
  step(value: number, dayIndex?: number, date?: string): ReboundState {
    if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`rebound detector: bad level ${value}`);
    const s = this.s;
    const t = this.n++;
    while (this.deque.length && this.deque[this.deque.length - 1]!.v <= value) this.deque.pop();
    this.deque.push({ i: t, v: value });
    while (this.deque[0]!.i <= t - s.peakLookback) this.deque.shift();
    const peak = this.deque[0]!.v;
    const drawdown = 1 - value / peak;
    let flagged = false;

    const startEpisode = (ep: number) => {
      this.phase = 'downtrend';
      this.episodePeak = ep;
      this.trough = value;
      this.troughDay = dayIndex ?? t;
      this.held = 0;
    };

    if (this.phase === 'normal') {
      if (drawdown > s.drawdownThreshold) startEpisode(peak);
    } else if (this.phase === 'downtrend') {
      if (value < this.trough) {
        this.trough = value;
        this.troughDay = dayIndex ?? t;
      }
      const rise = value / this.trough - 1;
      this.held = rise >= s.riseThreshold ? this.held + 1 : 0;
      if (this.held >= s.minDays) {
        flagged = true;
        this.phase = 'rebound';
        this.postPeak = value;
      } else if (value >= this.episodePeak) {
        this.phase = 'normal';
      }
    } else {
      this.postPeak = Math.max(this.postPeak, value);
      if (value < this.trough) {
        // false rebound: back into the same episode with a new trough
        this.phase = 'downtrend';
        this.trough = value;
        this.troughDay = dayIndex ?? t;
        this.held = 0;
      } else if (1 - value / this.postPeak > s.drawdownThreshold) {
        startEpisode(this.postPeak);
      } else {
        const rise = value / this.trough - 1;
        this.held = rise >= s.riseThreshold ? this.held + 1 : 0;
        if (drawdown <= s.drawdownThreshold) this.phase = 'normal';
      }
    }

    const inEpisode = this.phase !== 'normal';
    const rise = inEpisode ? value / this.trough - 1 : 0;
    if (!inEpisode) this.held = 0;
    const depth = inEpisode ? 1 - this.trough / this.episodePeak : 0;
    const state: ReboundState = {
      step: t,
      phase: this.phase,
      inDowntrend: this.phase === 'downtrend',
      rebound: flagged,
      drawdown,
      depth,
      rise,
      daysHeld: this.held,
      peak,
      trough: inEpisode ? this.trough : NaN,
      thresholdsMet: {
        drawdown: inEpisode && depth > s.drawdownThreshold,
        rise: inEpisode && rise >= s.riseThreshold,
        days: this.held >= s.minDays,
      },
    };
    if (flagged) {
      this.flags.push({
        dayIndex: dayIndex ?? t,
        ...(date !== undefined ? { date } : {}),
        ...(this.label !== undefined ? { label: this.label } : {}),
        trough: this.trough,
        troughDay: this.troughDay,
        episodePeak: this.episodePeak,
        depth,
        rise,
        daysHeld: this.held,
        thresholds: { drawdownThreshold: s.drawdownThreshold, riseThreshold: s.riseThreshold, minDays: s.minDays },
      });
    }
    return state;
  }
}

/**
 * Run the detector over a whole level series (SAMP-HDRL step 5). State t uses series[0..t] only.
 * @param series levels (> 0), oldest first; @param dates optional, same length, copied into flags
 * @param label optional series name copied into flags (e.g. 'high')
 * @returns one state per value and every confirmed rebound
 */
export function detectRebounds(
  series: ArrayLike<number>,
  settings: Partial<ReboundSettings> = {},
  dates?: readonly string[],
  label?: string,
): { states: ReboundState[]; flags: ReboundFlag[] } {
  const det = new ReboundDetector(settings, label);
  const states: ReboundState[] = [];
  for (let t = 0; t < series.length; t++) states.push(det.step(series[t]!, t, dates?.[t]));
  return { states, flags: det.flags };
}

/**
 * Equal-weight index level of a group over a window of daily returns: level_0 = 1 (the day before the first
 * row), level_d = level_{d-1} * (1 + mean_{i in mask} r_{d,i}). Returns rows + 1 values.
 */
export function groupIndexLevels(returns: readonly Float64Array[], mask: readonly boolean[]): Float64Array {
  const g = groupReturnSeries(returns, mask);
  const out = new Float64Array(g.length + 1);
  out[0] = 1;
  for (let d = 0; d < g.length; d++) out[d + 1] = out[d]! * (1 + g[d]!);
  return out;
}

/**
 * Rebound state of a group at the view's day t: runs the detector over the group's equal-weight index of the
 * trailing `historyDays` days (data up to t only). The detector restarts at the window start, so states
 * depend on `historyDays` (documented choice: default 252, two peak lookbacks).
 * @returns the state at t and the flags raised inside the window (dayIndex = day index into the matrix)
 */
export function reboundStateAt(
  view: MarketView,
  mask: readonly boolean[],
  settings: Partial<ReboundSettings> & { historyDays?: number } = {},
  label?: string,
): { state: ReboundState; flags: ReboundFlag[] } {
  const history = settings.historyDays ?? 252;
  const rets = view.returnsWindow(history);
  const levels = groupIndexLevels(rets, mask);
  const first = view.t - rets.length; // day index of levels[0]
  const det = new ReboundDetector(settings, label);
  let state: ReboundState | undefined;
  for (let k = 0; k < levels.length; k++) state = det.step(levels[k]!, first + k, view.dateAt(first + k));
  return { state: state!, flags: det.flags };
}

/**
 * Apply the downtrend cap to a capital split (SAMP-HDRL step 5): a group whose own detector is in
 * a downtrend gets at most `downtrendCap`; when the market-level detector is in a downtrend, c1 + c2 is
 * scaled down to at most `downtrendCap`. What is removed goes to cash. Pure.
 * @param split fractions summing to 1; @param inDowntrend per-series downtrend flags (missing = false)
 * @returns the capped split and whether/why it was capped
 */
export function applyReboundCap(
  split: CapitalSplit,
  inDowntrend: { ordinary?: boolean; high?: boolean; market?: boolean },
  downtrendCap: number = REBOUND_DEFAULTS.downtrendCap,
): { split: CapitalSplit; capped: boolean; reasons: string[] } {
  let { c1, c2 } = split;
  const reasons: string[] = [];
  if (inDowntrend.ordinary && c1 > downtrendCap) {
    c1 = downtrendCap;
    reasons.push('ordinary group in downtrend');
  }
  if (inDowntrend.high && c2 > downtrendCap) {
    c2 = downtrendCap;
    reasons.push('high-quality group in downtrend');
  }
  if (inDowntrend.market && c1 + c2 > downtrendCap) {
    const k = downtrendCap / (c1 + c2);
    c1 *= k;
    c2 *= k;
    reasons.push('market in downtrend');
  }
  if (reasons.length === 0) return { split, capped: false, reasons };
  return { split: { c1, c2, cash: split.cash + (split.c1 - c1) + (split.c2 - c2) }, capped: true, reasons };
}

/** The groups the gate of mode 'gate' can act on. */
export type GatedGroup = 'ordinary' | 'high';

/**
 * The gate of mode 'gate' (SAMP-HDRL step 5, see the overview): each group whose own series or the market's is
 * in a downtrend without a confirmed rebound gets the adjusted utility min(utility, cashUtility) + min(tilt, 0)
 * — no advantage over cash and no positive tilt, while a shortfall and a negative tilt stay. Other groups keep
 * their adjusted utility. Pure; the caller splits the returned utilities with its usual rule.
 * @param utilities each group's utility breakdown (logic/utility.ts groupUtility)
 * @param inDowntrend per-series downtrend flags (missing = false)
 * @param cashUtility utility of cash, the reference a gated group cannot beat (utility settings, default 0)
 * @returns the adjusted utilities to split with, the gated groups and why
 */
export function applyReboundGate(
  utilities: Record<GatedGroup, Pick<GroupUtility, 'utility' | 'tilt' | 'adjusted'>>,
  inDowntrend: { ordinary?: boolean; high?: boolean; market?: boolean },
  cashUtility: number,
): { adjusted: Record<GatedGroup, number>; gated: GatedGroup[]; reasons: string[] } {
  const adjusted = { ordinary: utilities.ordinary.adjusted, high: utilities.high.adjusted };
  const gated: GatedGroup[] = [];
  const reasons: string[] = [];
  const label: Record<GatedGroup, string> = { ordinary: 'ordinary group', high: 'high-quality group' };
  for (const g of ['ordinary', 'high'] as const) {
    if (!inDowntrend[g] && !inDowntrend.market) continue;
    const u = utilities[g];
    adjusted[g] = Math.min(u.utility, cashUtility) + Math.min(u.tilt, 0);
    gated.push(g);
    reasons.push(
      inDowntrend[g]
        ? `${label[g]} in downtrend: advantage and positive tilt off`
        : `market in downtrend: ${label[g]} advantage and positive tilt off`,
    );
  }
  return { adjusted, gated, reasons };
}
