/**
 * The non-neural part of a SAMP-HDRL decision at day t, in one place so training (stage-2 day plans) and
 * inference (decide) run the identical code (method.md SAMP-HDRL steps 1, 4 and 5):
 *   1. grouping in force at t (logic/grouping.ts DynamicGrouping: K-means on trailing Sortino ratios, every
 *      `every` days from the anchor day, or once for the w/o dc ablation);
 *   2. capital split c1/c2/cash by momentum-adjusted utility (logic/utility.ts capitalSplitAt);
 *   3. rebound detection on three equal-weight indices — ordinary group, high-quality group and the whole
 *      market — and the downtrend cap (logic/rebound.ts reboundStateAt + applyReboundCap); skipped for the
 *      w/o rebound ablation.
 * Everything reads the MarketView at t only.
 */
import type { MarketView } from '../../market/view';
import { DynamicGrouping, type Grouping, type GroupingRecord } from './logic/grouping';
import { capitalSplitAt, UTILITY_DEFAULTS, type CapitalAllocation, type CapitalSplit, type UtilitySettings } from './logic/utility';
import { applyReboundCap, reboundStateAt, REBOUND_DEFAULTS, type ReboundFlag, type ReboundSettings, type ReboundState } from './logic/rebound';
import type { SampConfig } from '../../agents/samp/config';
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

/** Everything the allocation logic decides at one day. */
export interface DayAllocation {
  grouping: Grouping;
  /** day index whose data the grouping in force was computed from */
  groupingDay: number;
  /** true when the grouping was recomputed at this day's close */
  regrouped: boolean;
  /** utility breakdown and the split before the rebound cap */
  capital: CapitalAllocation;
  /** split after the rebound cap (what is used) */
  split: CapitalSplit;
  rebound: {
    enabled: boolean;
    capped: boolean;
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
  return { phase: s.phase, inDowntrend: s.inDowntrend, rebound: s.rebound, drawdown: s.drawdown, depth: s.depth, rise: s.rise, daysHeld: s.daysHeld, thresholdsMet: { ...s.thresholdsMet } };
}

/** Stateful allocator over one price matrix (keeps the grouping cache). */
export class SampAllocator {
  readonly grouping: DynamicGrouping;
  private readonly utility: Partial<UtilitySettings>;
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
  }

  /** The allocation at the view's day (see file overview). */
  at(view: MarketView): DayAllocation {
    const t = view.t;
    const grouping = this.grouping.at(view);
    const capital = capitalSplitAt(view, grouping, this.utility);
    const rs = this.settings.rebound;
    const thresholds = {
      drawdownThreshold: rs.drawdownThreshold ?? REBOUND_DEFAULTS.drawdownThreshold,
      riseThreshold: rs.riseThreshold ?? REBOUND_DEFAULTS.riseThreshold,
      minDays: rs.minDays ?? REBOUND_DEFAULTS.minDays,
      downtrendCap: rs.downtrendCap ?? REBOUND_DEFAULTS.downtrendCap,
    };
    let split = capital.split;
    const rebound: DayAllocation['rebound'] = { enabled: rs.enabled, capped: false, reasons: [], flagsToday: [], thresholds };
    if (rs.enabled) {
      const { enabled: _e, ...detector } = rs;
      void _e;
      const all = new Array<boolean>(view.nAssets).fill(true);
      const o = reboundStateAt(view, grouping.ordinary, detector, 'ordinary');
      const h = reboundStateAt(view, grouping.high, detector, 'high');
      const m = reboundStateAt(view, all, detector, 'market');
      const capped = applyReboundCap(split, { ordinary: o.state.inDowntrend, high: h.state.inDowntrend, market: m.state.inDowntrend }, thresholds.downtrendCap);
      split = capped.split;
      rebound.capped = capped.capped;
      rebound.reasons = capped.reasons;
      rebound.ordinary = summary(o.state);
      rebound.high = summary(h.state);
      rebound.market = summary(m.state);
      rebound.flagsToday = [...o.flags, ...h.flags, ...m.flags].filter((f) => f.dayIndex === t);
    }
    return { grouping, groupingDay: this.grouping.scheduleDay(t), regrouped: this.grouping.isRegroupDay(t), capital, split, rebound };
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
