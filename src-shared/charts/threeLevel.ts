/**
 * The three-level hierarchy on one timeline (issue 20, docs/three-level.md "The desk"), for the Backtests view, the
 * Today view and the allocation report alike: the run's days as the three levels shaped them, the costs of each
 * level's periods, the three levels' targets of one decision, and the ECharts option that draws one class. Pure
 * functions of plain data: no DOM, no Node, no ECharts import.
 *
 * What a day shows, per class (the decision detail `ThreeLevelDecisionDetail`, src-shared/domain/decision.ts):
 *   - strategic   Level 1's class weight, changing once a strategic period (a year);
 *   - tilt        Level 2's bounded tilt, changing once a tactical period (21 days), within ±maxTilt;
 *   - target      their sum, the class weight the execution period trades towards;
 *   - executed    the class's weight in the book after the day's trade (the stored decision summed over the class).
 * The tracking gap is Level 3's own measure of distance: the period's target is a paper portfolio that holds the
 * target's asset weights (equal inside a class) from the close of the tactical decision and then drifts with prices
 * (agents/threelevel/env.ts); the gap of a day is half the summed absolute difference, over the assets and cash,
 * between the book and that paper portfolio. `gapBefore` is the gap the day's trade faced (the previous book drifted
 * to the day), `gap` what it left. On a period's last day Level 3 trades the whole rest, so the gap closes.
 *
 * Level boundaries come from the details themselves: a day where the days-to-next count of a level goes up (or the
 * first day) is a decision day of that level; two-levels records no tactical count, and its execution periods begin
 * at its strategic decisions.
 *
 * Costs by level: the execution level is the only one that trades, so every cost is paid by it; what the levels
 * above cost is what the trades towards their targets paid over their periods. A period's row sums the day's cost
 * (the simulator's, a fraction of the value before the trade) and turnover over its days. Per-day costs are stored
 * as totals; the split into commission, spread and impact is the run's (its cost-drag metrics).
 */
import type { ThreeLevelTimeline } from '../contract/runs';
import type { DecisionDetail, ThreeLevelDecisionDetail } from '../domain/decision';
import { pctText } from './analytics';
import { CASH_CLASS_COLOR, CASH_CLASS_NAME } from './classes';
import { pctTick, SERIES_COLORS } from './style';

/** One stored test day of a run as {@link threeLevelTimelineOf} reads it. */
export interface ThreeLevelDay {
  date: string;
  detail: DecisionDetail | null | undefined;
  /** the decision: the book after the day's trade, risky weights in `tickers` order then cash */
  weights: ArrayLike<number>;
  /** the day's closes, `tickers` order */
  closes: ArrayLike<number>;
  /** the day's cost (fraction of the value) and one-way turnover */
  cost: number;
  turnover: number;
}

/** A three-level detail, or null for any other family or none. */
export function threeLevelDetail(d: DecisionDetail | null | undefined): ThreeLevelDecisionDetail | null {
  return d?.family === 'three-level' ? d : null;
}

/**
 * Whether each decision of a run (ascending, consecutive test days) was a decision day of Level 1 and of the level
 * that sets the execution's targets (file overview: the first day, or a day where the level's days-to-next count
 * goes up; two-levels' execution targets follow its strategic decisions).
 */
export function levelDecisionDays(
  details: readonly Pick<ThreeLevelDecisionDetail, 'nextStrategicIn' | 'nextTacticalIn'>[],
): { strategic: boolean; tactical: boolean }[] {
  return details.map((d, k) => {
    const prev = k > 0 ? details[k - 1]! : null;
    const strategic = !prev || d.nextStrategicIn > prev.nextStrategicIn;
    const tactical = !prev || (d.nextTacticalIn !== null ? d.nextTacticalIn > (prev.nextTacticalIn ?? 0) : strategic);
    return { strategic, tactical };
  });
}

/**
 * The run indices of each class's tickers, the detail's class order (cash: none).
 * @throws RangeError when a class names a ticker outside `tickers` (the detail and the run disagree)
 */
export function classMembers(d: Pick<ThreeLevelDecisionDetail, 'classes'>, tickers: readonly string[]): number[][] {
  const index = new Map(tickers.map((t, i) => [t, i]));
  return d.classes.map((c) =>
    c.tickers.map((t) => {
      const i = index.get(t);
      if (i === undefined) throw new RangeError(`class ${c.name} names ${t}, which the run does not trade`);
      return i;
    }),
  );
}

/**
 * The asset weights of a decision's target (risky in run order, then cash): each class's target shared equally by
 * its members (`members[j]`: the run indices of class j's tickers, the detail's class order), rescaled when rounding
 * puts the risky sum above 1 (agents/threelevel/tilts.ts assetWeights, the rule the strategy traded by).
 */
export function targetWeights(
  d: Pick<ThreeLevelDecisionDetail, 'classes'>,
  members: readonly (readonly number[])[],
  n: number,
): Float64Array {
  const w = new Float64Array(n + 1);
  let risky = 0;
  d.classes.forEach((c, j) => {
    for (const i of members[j] ?? []) {
      w[i] = Math.max(0, c.target) / members[j]!.length;
      risky += w[i]!;
    }
  });
  if (risky > 1) for (let i = 0; i < n; i++) w[i] = w[i]! / risky;
  w[n] = Math.max(0, 1 - Math.min(1, risky));
  return w;
}

/** The weights of `w` (risky then cash) drifted from closes `a` to closes `b` (cash earns nothing), in place. */
export function driftInPlace(w: Float64Array, a: ArrayLike<number>, b: ArrayLike<number>): void {
  const n = w.length - 1;
  let g = w[n]!;
  for (let i = 0; i < n; i++) g += w[i]! * (b[i]! / a[i]!);
  for (let i = 0; i < n; i++) w[i] = (w[i]! * (b[i]! / a[i]!)) / g;
  w[n] = w[n]! / g;
}

/** Half the summed absolute difference of two weight vectors (risky and cash). */
function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / 2;
}

/**
 * A three-level run's timeline from its stored days (ascending, every test day): null when its first day records
 * no three-level detail. The asset weights of a target are the class weight shared equally by the class's members
 * (tilts.ts assetWeights), rescaled when rounding puts the risky sum above 1; a class ticker outside `tickers` is
 * refused (the detail and the run disagree).
 * @throws RangeError when a day lacks its detail, or a detail names a ticker the run does not trade
 */
export function threeLevelTimelineOf(
  tickers: readonly string[],
  days: readonly ThreeLevelDay[],
  opts: { maxTilt: number; costSplit: ThreeLevelTimeline['costSplit'] },
): ThreeLevelTimeline | null {
  const first = threeLevelDetail(days[0]?.detail);
  if (!first) return null;
  const n = tickers.length;
  const members = classMembers(first, tickers);
  const classes = first.classes.map((c) => ({
    name: c.name,
    tickers: [...c.tickers],
    strategic: [] as number[],
    tilt: [] as number[],
    target: [] as number[],
    executed: [] as number[],
  }));
  const out: ThreeLevelTimeline = {
    variant: first.variant,
    basis: first.basis,
    maxTilt: opts.maxTilt,
    dates: [],
    strategicDays: [],
    tacticalDays: [],
    classes,
    gapBefore: [],
    gap: [],
    cost: [],
    turnover: [],
    costSplit: opts.costSplit,
  };
  let paper: Float64Array = new Float64Array(n + 1);
  let book: Float64Array = new Float64Array(n + 1);
  book[n] = 1;
  const details = days.map((day) => {
    const d = threeLevelDetail(day.detail);
    if (!d) throw new RangeError(`the run's decision of ${day.date} records no three-level detail`);
    return d;
  });
  const decided = levelDecisionDays(details);
  days.forEach((day, k) => {
    const d = details[k]!;
    if (k > 0) {
      const before = days[k - 1]!.closes;
      driftInPlace(paper, before, day.closes);
      driftInPlace(book, before, day.closes);
    }
    if (decided[k]!.strategic) out.strategicDays.push(k);
    if (decided[k]!.tactical) {
      out.tacticalDays.push(k);
      paper = targetWeights(d, members, n);
    }
    out.gapBefore.push(distance(book, paper));
    book = Float64Array.from({ length: n + 1 }, (_, i) => day.weights[i] ?? 0);
    out.gap.push(distance(book, paper));
    out.dates.push(day.date);
    out.cost.push(day.cost);
    out.turnover.push(day.turnover);
    classes.forEach((c, j) => {
      const rec = d.classes.find((x) => x.name === c.name);
      c.strategic.push(rec?.strategic ?? 0);
      c.tilt.push(rec?.tilt ?? 0);
      c.target.push(rec?.target ?? 0);
      c.executed.push(c.name === CASH_CLASS_NAME ? book[n]! : members[j]!.reduce((s, i) => s + book[i]!, 0));
    });
  });
  return out;
}

/** One period of a level: its days and what trading towards its targets cost. */
export interface LevelPeriod {
  from: string;
  to: string;
  days: number;
  /** the costs paid over the period, summed (fractions of the value) */
  cost: number;
  /** one-way turnover over the period, summed */
  turnover: number;
  /** the tracking gap the period's first trade faced (the new target against the book) */
  gapAtStart: number;
  /** the mean tracking gap after each day's trade */
  meanGap: number;
}

/** The periods of one level (strategic years or tactical months), in order (file overview: costs by level). */
export function levelPeriods(tl: ThreeLevelTimeline, level: 'strategic' | 'tactical'): LevelPeriod[] {
  const starts = level === 'strategic' ? tl.strategicDays : tl.tacticalDays;
  return starts.map((s, p) => {
    const e = (starts[p + 1] ?? tl.dates.length) - 1;
    let cost = 0;
    let turnover = 0;
    let gap = 0;
    for (let k = s; k <= e; k++) {
      cost += tl.cost[k]!;
      turnover += tl.turnover[k]!;
      gap += tl.gap[k]!;
    }
    const days = e - s + 1;
    return {
      from: tl.dates[s]!,
      to: tl.dates[e]!,
      days,
      cost,
      turnover,
      gapAtStart: tl.gapBefore[s]!,
      meanGap: gap / days,
    };
  });
}

/** What each level did over the run, one row per level (the Backtests view's cost table). */
export interface LevelSummary {
  level: 'strategic' | 'tactical' | 'execution';
  /** its decision days over the run (every test day for execution) */
  decisions: number;
  /**
   * strategic: the mean move of the class weights per decision after the first (half the summed absolute change);
   * tactical: the mean size of the tilts (half their summed absolute value); execution: the mean gap after the day
   */
  size: number | null;
  /** the mean cost paid over one of its periods (execution: a day), a fraction of the value */
  costPerPeriod: number;
}

/** The three levels' rows of {@link LevelSummary}. A level with no decision (two-levels' tactical) has none. */
export function levelSummaries(tl: ThreeLevelTimeline): LevelSummary[] {
  const T = tl.dates.length;
  const moveAt = (k: number, key: 'strategic' | 'tilt', from: number | null) =>
    tl.classes.reduce((s, c) => s + Math.abs(c[key][k]! - (from === null ? 0 : c[key][from]!)), 0) / 2;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const periodCost = (level: 'strategic' | 'tactical') => mean(levelPeriods(tl, level).map((p) => p.cost)) ?? 0;
  const rows: LevelSummary[] = [
    {
      level: 'strategic',
      decisions: tl.strategicDays.length,
      size: mean(tl.strategicDays.slice(1).map((k, p) => moveAt(k, 'strategic', tl.strategicDays[p]!))),
      costPerPeriod: periodCost('strategic'),
    },
  ];
  if (tl.variant !== 'three-level/two-levels')
    rows.push({
      level: 'tactical',
      decisions: tl.tacticalDays.length,
      size: mean(tl.tacticalDays.map((k) => moveAt(k, 'tilt', null))),
      costPerPeriod: periodCost('tactical'),
    });
  rows.push({
    level: 'execution',
    decisions: T,
    size: mean(tl.gap),
    costPerPeriod: T ? tl.cost.reduce((a, b) => a + b, 0) / T : 0,
  });
  return rows;
}

/** One class of a decision as the three levels set it (the Today view's and the allocation report's table). */
export interface LevelTargetRow {
  name: string;
  strategic: number;
  tilt: number;
  target: number;
}

/** The three levels' class weights of one decision, its classes in the recorded order (cash last). */
export function levelTargetRows(d: ThreeLevelDecisionDetail): LevelTargetRow[] {
  return d.classes.map((c) => ({ name: c.name, strategic: c.strategic, tilt: c.tilt, target: c.target }));
}

/** What decided at one level, in words: a rule's name, or the trained model (its key's first 12 digits). */
export function deciderText(x: ThreeLevelDecisionDetail['levels']['strategic']): string {
  if ('rule' in x) return x.rule === 'none' ? 'none (tilts fixed at 0)' : `rule: ${x.rule}`;
  return `model ${x.key.slice(0, 12)} (trained ${x.trainedFrom} – ${x.trainedTo})`;
}

/** The class the timeline opens on: the one whose tilt moved most over the run (the first risky class on a tie). */
export function busiestClass(tl: ThreeLevelTimeline): string | null {
  let best: { name: string; score: number } | null = null;
  for (const c of tl.classes) {
    if (c.name === CASH_CLASS_NAME) continue;
    const score = c.tilt.reduce((s, v) => s + Math.abs(v), 0);
    if (!best || score > best.score) best = { name: c.name, score };
  }
  return best?.name ?? null;
}

/** The band's two series: drawn, never listed in the tooltip. */
const BAND = 'band floor';
const BAND_PREFIX = 'Tilt band';
const COST_SERIES = 'Cost (bp of the value)';

interface TooltipParam {
  seriesName: string;
  value: unknown;
  axisValueLabel?: string;
  marker?: string;
}

/** The axis tooltip of the timeline: weights and the gap in percent, the cost in basis points, the band left out. */
function timelineTooltip() {
  return {
    trigger: 'axis',
    formatter: (ps: TooltipParam | TooltipParam[]) => {
      const list = (Array.isArray(ps) ? ps : [ps]).filter(
        (p) => p.seriesName !== BAND && !p.seriesName.startsWith(BAND_PREFIX),
      );
      const head = list[0]?.axisValueLabel ?? '';
      const fmt = (p: TooltipParam) => {
        const v = typeof p.value === 'number' ? p.value : null;
        return p.seriesName === COST_SERIES ? (v === null ? '—' : `${v.toFixed(2)} bp`) : pctText(v, 2);
      };
      return [head, ...list.map((p) => `${p.marker ?? ''}${p.seriesName}: ${fmt(p)}`)].join('<br/>');
    },
  };
}

/**
 * One class on the three levels' timeline, two panels on one date axis: above, the class's weight — the strategic
 * target (a step line with the tilt band ±maxTilt around it, shaded), the target with the tilt (steps at each
 * tactical decision) and the executed weight (daily), with a vertical mark at each strategic decision; below, the
 * day's cost in basis points of the value (bars) and the tracking gap (line, right axis).
 * @throws RangeError when the class is not in the timeline
 */
export function threeLevelClassOption(
  tl: ThreeLevelTimeline,
  className: string,
  opts: { zoom?: boolean } = {},
): Record<string, unknown> {
  const c = tl.classes.find((x) => x.name === className);
  if (!c) throw new RangeError(`the timeline has no class ${className}`);
  const color = className === CASH_CLASS_NAME ? CASH_CLASS_COLOR : SERIES_COLORS[0]!;
  const lower = c.strategic.map((s) => Math.max(0, s - tl.maxTilt));
  const band = c.strategic.map((s, i) => Math.min(1, s + tl.maxTilt) - lower[i]!);
  const dates = [...tl.dates];
  const bandName = `${BAND_PREFIX} (±${pctText(tl.maxTilt, 0)})`;
  return {
    animation: false,
    legend: {
      type: 'scroll',
      top: 0,
      textStyle: { fontSize: 11 },
      data: [
        'Strategic target (Level 1)',
        bandName,
        'Target with tilt (Level 2)',
        'Executed (Level 3)',
        COST_SERIES,
        'Tracking gap',
      ],
    },
    grid: [
      { left: 56, right: 64, top: 40, height: '52%' },
      { left: 56, right: 64, top: '72%', bottom: 30 },
    ],
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    ...(opts.zoom ? { dataZoom: [{ type: 'inside', xAxisIndex: [0, 1] }] } : {}),
    tooltip: timelineTooltip(),
    xAxis: [
      { type: 'category', data: dates, boundaryGap: false, gridIndex: 0, axisLabel: { show: false } },
      { type: 'category', data: dates, boundaryGap: false, gridIndex: 1 },
    ],
    yAxis: [
      {
        type: 'value',
        gridIndex: 0,
        min: 0,
        name: `${className}, share of the book`,
        nameTextStyle: { fontSize: 10, align: 'left' },
        axisLabel: { formatter: (v: number) => pctTick(v) },
      },
      {
        type: 'value',
        gridIndex: 1,
        name: 'cost (bp)',
        nameTextStyle: { fontSize: 10 },
        axisLabel: { formatter: (v: number) => String(Math.round(v * 100) / 100) },
      },
      {
        type: 'value',
        gridIndex: 1,
        name: 'tracking gap',
        nameTextStyle: { fontSize: 10 },
        splitLine: { show: false },
        axisLabel: { formatter: (v: number) => pctTick(v, 1) },
      },
    ],
    series: [
      // the tilt band: an invisible floor, and the band stacked on it
      {
        name: BAND,
        type: 'line',
        stack: 'band',
        symbol: 'none',
        step: 'end',
        lineStyle: { opacity: 0 },
        data: lower,
      },
      {
        name: bandName,
        type: 'line',
        stack: 'band',
        symbol: 'none',
        step: 'end',
        lineStyle: { opacity: 0 },
        areaStyle: { color, opacity: 0.12 },
        color,
        data: band,
      },
      {
        name: 'Strategic target (Level 1)',
        type: 'line',
        step: 'end',
        symbol: 'none',
        color: '#444',
        lineStyle: { type: 'dashed', width: 1.5 },
        markLine: {
          symbol: 'none',
          silent: true,
          label: { show: false },
          lineStyle: { color: '#888', type: 'dotted' },
          data: tl.strategicDays.map((k) => ({ xAxis: tl.dates[k] })),
        },
        data: [...c.strategic],
      },
      {
        name: 'Target with tilt (Level 2)',
        type: 'line',
        step: 'end',
        symbol: 'none',
        color: SERIES_COLORS[1],
        lineStyle: { width: 1.5 },
        data: [...c.target],
      },
      {
        name: 'Executed (Level 3)',
        type: 'line',
        symbol: 'none',
        color,
        lineStyle: { width: 2 },
        data: [...c.executed],
      },
      {
        name: COST_SERIES,
        type: 'bar',
        xAxisIndex: 1,
        yAxisIndex: 1,
        color: SERIES_COLORS[4],
        barMaxWidth: 6,
        data: tl.cost.map((x) => x * 10_000),
      },
      {
        name: 'Tracking gap',
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 2,
        symbol: 'none',
        color: SERIES_COLORS[3],
        lineStyle: { width: 1 },
        data: [...tl.gap],
      },
    ],
  };
}
