/**
 * The non-neural part of a SAMP-HDRL decision at day t, in one place so training (stage-2 day plans) and
 * inference (decide) run the identical code (SAMP-HDRL steps 1, 4 and 5):
 *   1. grouping in force at t (logic/grouping.ts DynamicGrouping: K-means on trailing Sortino ratios, every
 *      `every` days from the anchor day, or once for the w/o dc ablation);
 *   2. capital split c1/c2/cash by momentum-adjusted utility (logic/utility.ts capitalSplitAt; softmax
 *      temperature fixed or calibrated to the utilities' standard error);
 *   3. rebound detection on three equal-weight indices — ordinary group, high-quality group and the whole
 *      market — and the rebound rule (logic/rebound.ts reboundStateAt): mode 'cap' caps the split
 *      (applyReboundCap), mode 'gate' takes a group's advantage and positive tilt off before the split
 *      (applyReboundGate); skipped for the w/o rebound ablation;
 *   4. optional smoothing (utility setting `smoothingHalfLife` > 0): the split used at t is an exponentially
 *      weighted average of the daily splits of days t, t-1, ... (weights halving every `smoothingHalfLife` days,
 *      cut after five half-lives, never before the anchor day, renormalised). Each day's split is the one that
 *      day's data gave (its own grouping, utilities and, in 'gate' mode, gate), so the average is a convex
 *      combination of valid splits and reads nothing after t. The cap of mode 'cap' is a hard limit and applies
 *      to the average, after smoothing.
 * Everything reads the MarketView at t only (earlier days through view.at(s)). Each day's own part is computed
 * once per allocator and kept (one allocator per price matrix, like the grouping cache).
 */
import type { MarketView } from '../../market/view';
import { DynamicGrouping, type Grouping, type GroupingRecord } from './logic/grouping';
import {
  capitalSplitAt,
  splitFromUtilities,
  UTILITY_DEFAULTS,
  type CapitalAllocation,
  type CapitalSplit,
} from './logic/utility';
import {
  applyReboundCap,
  applyReboundGate,
  reboundStateAt,
  REBOUND_DEFAULTS,
  REBOUND_MODE_DEFAULT,
  type GatedGroup,
  type ReboundFlag,
  type ReboundState,
} from './logic/rebound';
import type { ReboundMode, ReboundSettings, SampConfig, UtilitySettings } from '../../agents/samp/config';
import type { DayPlan } from '../../agents/samp/trainer';

/** Settings of the allocator (a slice of SampConfig plus the anchor day and seed). */
export interface AllocatorSettings {
  grouping: SampConfig['grouping'];
  utility: Partial<UtilitySettings>;
  rebound: SampConfig['rebound'];
  /** first grouping day (day index): the first training state day */
  anchor: number;
  /** seed for K-means when init is 'kmeans++' */
  seed: number;
}

/** Rebound state summary shown to the user. */
export interface ReboundSummary {
  phase: ReboundState['phase'];
  inDowntrend: boolean;
  /** a rebound was confirmed at this day */
  rebound: boolean;
  drawdown: number;
  depth: number;
  rise: number;
  daysHeld: number;
  thresholdsMet: ReboundState['thresholdsMet'];
}

/** How the day's split was made (shown with the decision). */
export interface SplitInfo {
  rule: UtilitySettings['rule'];
  temperatureRule: UtilitySettings['temperatureRule'];
  /** the softmax temperature of the day's split; null for rules without one */
  temperature: number | null;
  /** the standard error the calibrated temperature was scaled from; null otherwise */
  standardError: number | null;
  /** the multiplier c of the calibrated rule; null otherwise */
  calibration: number | null;
  /** half-life (days) of the split's moving average; 0 = none */
  smoothingHalfLife: number;
  /** the day's own split after the gate, before smoothing and the cap */
  day: CapitalSplit;
}

/** Everything the allocation logic decides at one day. */
export interface DayAllocation {
  grouping: Grouping;
  /** day index whose data the grouping in force was computed from */
  groupingDay: number;
  /** true when the grouping was recomputed at this day's close */
  regrouped: boolean;
  /** utility breakdown; `split` is what the utilities give (smoothed when smoothing), before the rebound rule */
  capital: CapitalAllocation;
  /** split after the rebound rule and smoothing (what is used) */
  split: CapitalSplit;
  splitInfo: SplitInfo;
  rebound: {
    enabled: boolean;
    mode: ReboundMode;
    /** mode 'cap': the risky capital was capped at this day */
    capped: boolean;
    /** mode 'gate': the groups whose advantage and positive tilt were switched off at this day */
    gated: GatedGroup[];
    reasons: string[];
    ordinary?: ReboundSummary;
    high?: ReboundSummary;
    market?: ReboundSummary;
    /** rebounds confirmed at this day (date, series label, thresholds) */
    flagsToday: ReboundFlag[];
    thresholds: Pick<ReboundSettings, 'drawdownThreshold' | 'riseThreshold' | 'minDays' | 'downtrendCap'>;
  };
}

function summary(s: ReboundState): ReboundSummary {
  return {
    phase: s.phase,
    inDowntrend: s.inDowntrend,
    rebound: s.rebound,
    drawdown: s.drawdown,
    depth: s.depth,
    rise: s.rise,
    daysHeld: s.daysHeld,
    thresholdsMet: { ...s.thresholdsMet },
  };
}

/** What one day's own data decide, before smoothing and the cap (kept per day by the allocator). */
interface DayCore {
  grouping: Grouping;
  /** the utilities' split and breakdown (no rebound rule) */
  capital: CapitalAllocation;
  /** the split after the gate (mode 'gate'); the utilities' split otherwise */
  gatedSplit: CapitalSplit;
  gated: GatedGroup[];
  gateReasons: string[];
  states?: { ordinary: ReboundState; high: ReboundState; market: ReboundState };
  flagsToday: ReboundFlag[];
}

/** Weights of the split's moving average beyond this many half-lives are dropped (under 1/32 of the first). */
export const SMOOTHING_HALF_LIVES = 5;

/** Stateful allocator over one price matrix (keeps the grouping cache and each day's own split). */
export class SampAllocator {
  readonly grouping: DynamicGrouping;
  private readonly utility: UtilitySettings;
  private readonly mode: ReboundMode;
  private readonly cores = new Map<number, DayCore>();
  constructor(readonly settings: AllocatorSettings) {
    this.grouping = new DynamicGrouping({
      start: settings.anchor,
      every: settings.grouping.every,
      static: settings.grouping.static,
      lookback: settings.grouping.lookback,
      init: settings.grouping.init,
      seed: settings.seed,
    });
    this.utility = { ...UTILITY_DEFAULTS, ...settings.utility };
    const h = this.utility.smoothingHalfLife;
    if (!(h >= 0) || !Number.isFinite(h))
      throw new RangeError(`smoothingHalfLife must be a finite number >= 0, got ${h}`);
    this.mode = settings.rebound.mode ?? REBOUND_MODE_DEFAULT;
    if (this.mode !== 'cap' && this.mode !== 'gate')
      throw new RangeError(`rebound mode must be 'cap' or 'gate', got ${String(this.mode)}`);
  }

  /** The day's own part (grouping, utilities, detector states, gate), computed once per day. */
  private core(view: MarketView): DayCore {
    const t = view.t;
    const hit = this.cores.get(t);
    if (hit) return hit;
    const grouping = this.grouping.at(view);
    const capital = capitalSplitAt(view, grouping, this.utility);
    const core: DayCore = { grouping, capital, gatedSplit: capital.split, gated: [], gateReasons: [], flagsToday: [] };
    const rs = this.settings.rebound;
    if (rs.enabled) {
      const { enabled: _e, mode: _m, ...detector } = rs;
      void _e;
      void _m;
      const all = new Array<boolean>(view.nAssets).fill(true);
      const o = reboundStateAt(view, grouping.ordinary, detector, 'ordinary');
      const h = reboundStateAt(view, grouping.high, detector, 'high');
      const m = reboundStateAt(view, all, detector, 'market');
      core.states = { ordinary: o.state, high: h.state, market: m.state };
      core.flagsToday = [...o.flags, ...h.flags, ...m.flags].filter((f) => f.dayIndex === t);
      if (this.mode === 'gate') {
        const g = applyReboundGate(
          capital,
          { ordinary: o.state.inDowntrend, high: h.state.inDowntrend, market: m.state.inDowntrend },
          this.utility.cashUtility,
        );
        if (g.gated.length) {
          const temperature = capital.temperature
            ? { ...this.utility, temperature: capital.temperature.temperature }
            : this.utility;
          core.gatedSplit = splitFromUtilities(g.adjusted.ordinary, g.adjusted.high, temperature);
          core.gated = g.gated;
          core.gateReasons = g.reasons;
        }
      }
    }
    this.cores.set(t, core);
    return core;
  }

  /**
   * The moving average of one split of each day's core, ending at the view's day (see the file overview); the
   * day's own split when smoothing is off.
   */
  private smoothed(view: MarketView, pick: (c: DayCore) => CapitalSplit): CapitalSplit {
    const h = this.utility.smoothingHalfLife;
    if (h === 0) return { ...pick(this.core(view)) }; // a copy: the kept day parts are never handed out
    const t = view.t;
    const decay = 2 ** (-1 / h);
    const from = Math.max(this.settings.anchor, t - Math.ceil(SMOOTHING_HALF_LIVES * h) + 1);
    let w = 1;
    let total = 0;
    const acc = { c1: 0, c2: 0, cash: 0 };
    for (let s = t; s >= from; s--, w *= decay) {
      const x = pick(this.core(s === t ? view : view.at(s)));
      acc.c1 += w * x.c1;
      acc.c2 += w * x.c2;
      acc.cash += w * x.cash;
      total += w;
    }
    return { c1: acc.c1 / total, c2: acc.c2 / total, cash: acc.cash / total };
  }

  /** The allocation at the view's day (see file overview). */
  at(view: MarketView): DayAllocation {
    const t = view.t;
    const core = this.core(view);
    const rs = this.settings.rebound;
    const thresholds = {
      drawdownThreshold: rs.drawdownThreshold ?? REBOUND_DEFAULTS.drawdownThreshold,
      riseThreshold: rs.riseThreshold ?? REBOUND_DEFAULTS.riseThreshold,
      minDays: rs.minDays ?? REBOUND_DEFAULTS.minDays,
      downtrendCap: rs.downtrendCap ?? REBOUND_DEFAULTS.downtrendCap,
    };
    const before = this.smoothed(view, (c) => c.capital.split);
    let split = this.mode === 'gate' ? this.smoothed(view, (c) => c.gatedSplit) : before;
    const rebound: DayAllocation['rebound'] = {
      enabled: rs.enabled,
      mode: this.mode,
      capped: false,
      gated: [],
      reasons: [],
      flagsToday: [...core.flagsToday],
      thresholds,
    };
    if (core.states) {
      const st = core.states;
      if (this.mode === 'cap') {
        const capped = applyReboundCap(
          split,
          { ordinary: st.ordinary.inDowntrend, high: st.high.inDowntrend, market: st.market.inDowntrend },
          thresholds.downtrendCap,
        );
        split = capped.split;
        rebound.capped = capped.capped;
        rebound.reasons = capped.reasons;
      } else {
        rebound.gated = [...core.gated];
        rebound.reasons = [...core.gateReasons];
      }
      rebound.ordinary = summary(st.ordinary);
      rebound.high = summary(st.high);
      rebound.market = summary(st.market);
    }
    const temp = core.capital.temperature;
    const splitInfo: SplitInfo = {
      rule: this.utility.rule,
      temperatureRule: this.utility.temperatureRule,
      temperature: temp?.temperature ?? null,
      standardError: temp?.standardError ?? null,
      calibration: temp?.rule === 'calibrated' ? this.utility.calibration : null,
      smoothingHalfLife: this.utility.smoothingHalfLife,
      day: { ...core.gatedSplit },
    };
    return {
      grouping: core.grouping,
      groupingDay: this.grouping.scheduleDay(t),
      regrouped: this.grouping.isRegroupDay(t),
      capital: { ...core.capital, split: before },
      split,
      splitInfo,
      rebound,
    };
  }

  /** Stage-2 training plan for the view's day: masks as 0/1 floats and the capped split. */
  plan(view: MarketView): DayPlan {
    const a = this.at(view);
    return {
      m1: Float32Array.from(a.grouping.ordinary, (b) => (b ? 1 : 0)),
      m2: Float32Array.from(a.grouping.high, (b) => (b ? 1 : 0)),
      c1: a.split.c1,
      c2: a.split.c2,
    };
  }

  /** Every regrouping computed so far. */
  records(): GroupingRecord[] {
    return this.grouping.records();
  }
}
