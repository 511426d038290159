/**
 * HADAPS's asset classes over time, for the desk's Backtests view and the backtest tear sheet alike: the class
 * allocation of a run (each class's weight per decision day, cash as the last class), the one figure of how
 * adaptive that allocation is, the action scale's effect across runs, and the ECharts options that draw them.
 * Pure functions of plain data: no DOM, no Node, no ECharts import.
 *
 * The allocation is what the inter-class layer decided (`HadapsDecisionDetail.classes[].weight`, src-shared/domain/
 * decision.ts), before the no-trade band moves the book: the decision the action scale acts on. The weights the
 * book holds per class are the Today view's and the allocation report's group totals.
 *
 * Adaptiveness (the HADAPS paper's measure of how much a policy moves its classes): for each class, the standard
 * deviation of its weight over the run's decision days (population form: the spread of the path itself, divided by
 * the number of days), then the mean over the classes, cash one of them. A policy that holds its classes still
 * scores 0; one that swings the whole book between two classes every day scores 0.5.
 */
import type { ClassAllocation } from '../contract/runs';
import { HADAPS_CASH_CLASS, type DecisionDetail } from '../domain/decision';
import { axisTooltip, pctText } from './analytics';
import { pctTick, SERIES_COLORS } from './style';

/** The name HADAPS gives the safe class (domain/decision.ts): drawn grey, always on top. */
export const CASH_CLASS_NAME = HADAPS_CASH_CLASS;
/** Cash's colour in every class chart (as the weights charts draw cash). */
export const CASH_CLASS_COLOR = '#b9c1cc';

/** Where the classes came from, in words a PM reads ("classes from the universe's sectors"). */
export function classBasisText(basis: ClassAllocation['basis']): string {
  return basis === 'class'
    ? "classes from the universe's asset-class field"
    : basis === 'sector'
      ? "classes from the universe's sectors"
      : 'one class holding every asset (the universe names neither asset classes nor sectors)';
}

/**
 * The class allocation of a run from its decision details (one per decision day, ascending): every day whose detail
 * is a HADAPS one gives a point, other days none. Classes keep the order the run recorded them in, cash last; a
 * class missing from a day's detail weighs 0 that day. Null when no day records classes (not a HADAPS run).
 */
export function classAllocationOf(
  days: readonly { date: string; detail: DecisionDetail | null | undefined }[],
): ClassAllocation | null {
  const hadaps = days.flatMap((d) => (d.detail?.family === 'hadaps' ? [{ date: d.date, h: d.detail }] : []));
  const first = hadaps[0]?.h;
  if (!first) return null;
  const order: string[] = [];
  const tickers = new Map<string, string[]>();
  for (const { h } of hadaps)
    for (const c of h.classes)
      if (!tickers.has(c.name)) {
        order.push(c.name);
        tickers.set(c.name, [...c.tickers]);
      }
  const names = [...order.filter((n) => n !== CASH_CLASS_NAME), ...order.filter((n) => n === CASH_CLASS_NAME)];
  return {
    basis: first.basis,
    actionScale: first.actionScale,
    dates: hadaps.map((d) => d.date),
    classes: names.map((name) => ({
      name,
      tickers: tickers.get(name)!,
      values: hadaps.map(({ h }) => h.classes.find((c) => c.name === name)?.weight ?? 0),
    })),
  };
}

/**
 * How adaptive an allocation is (the file overview): the mean over its classes of the population standard
 * deviation of each class's weight over the days. Null with fewer than two days (no movement to measure).
 */
export function classWeightStd(a: Pick<ClassAllocation, 'dates' | 'classes'>): number | null {
  const T = a.dates.length;
  if (T < 2 || a.classes.length === 0) return null;
  let sum = 0;
  for (const c of a.classes) {
    const mean = c.values.reduce((s, v) => s + v, 0) / T;
    sum += Math.sqrt(c.values.reduce((s, v) => s + (v - mean) ** 2, 0) / T);
  }
  return sum / a.classes.length;
}

/**
 * Whether runs of this strategy differ from one another only by the action scale: the method itself (`hadaps`,
 * with any actionScale parameter) and its sweep `hadaps-beta/1..10`. Its variants (another reward, temperature or
 * an ablation) change more than the scale and stay out of the action scale's figure.
 */
export function isActionScaleStrategy(strategy: string): boolean {
  return strategy === 'hadaps' || /^hadaps-beta\/\d+$/.test(strategy);
}

/** One run as the action scale's figure takes it. */
export interface ActionScaleRun {
  strategy: string;
  actionScale: number;
  /** {@link classWeightStd} of the run's allocation */
  classStd: number | null;
  /** the run's cumulative return over its test window (fraction) */
  cumulativeReturn: number | null;
}

/**
 * A run as the action scale's figure takes it, from its decision details (one per day, ascending) and cumulative
 * return; null when no day records classes (not a HADAPS run).
 */
export function actionScaleRunOf(
  strategy: string,
  days: readonly { date: string; detail: DecisionDetail | null | undefined }[],
  cumulativeReturn: number | null,
): ActionScaleRun | null {
  const a = classAllocationOf(days);
  return a ? { strategy, actionScale: a.actionScale, classStd: classWeightStd(a), cumulativeReturn } : null;
}

/** One action scale: how many runs had it, and their mean class-weight std and mean cumulative return. */
export interface ActionScaleRow {
  actionScale: number;
  runs: number;
  classStd: number | null;
  cumulativeReturn: number | null;
}

const meanOf = (xs: readonly (number | null)[]): number | null => {
  const ok = xs.filter((x): x is number => x != null && Number.isFinite(x));
  return ok.length ? ok.reduce((s, x) => s + x, 0) / ok.length : null;
};

/**
 * The action scale's effect (issue 18): the runs of {@link isActionScaleStrategy} strategies grouped by their action
 * scale, ascending, each scale with the mean over its runs of the class-weight std and of the cumulative return (a
 * figure a run lacks is left out of its mean). Empty unless at least two scales are present: one scale shows no
 * effect.
 */
export function actionScaleEffect(runs: readonly ActionScaleRun[]): ActionScaleRow[] {
  const by = new Map<number, ActionScaleRun[]>();
  for (const r of runs)
    if (isActionScaleStrategy(r.strategy) && Number.isFinite(r.actionScale))
      by.set(r.actionScale, [...(by.get(r.actionScale) ?? []), r]);
  if (by.size < 2) return [];
  return [...by.entries()]
    .sort(([a], [b]) => a - b)
    .map(([actionScale, rs]) => ({
      actionScale,
      runs: rs.length,
      classStd: meanOf(rs.map((r) => r.classStd)),
      cumulativeReturn: meanOf(rs.map((r) => r.cumulativeReturn)),
    }));
}

/** The colour of each class of an allocation: the series palette in the run's class order, cash grey. */
export function classColors(names: readonly string[]): string[] {
  let k = 0;
  return names.map((n) => (n === CASH_CLASS_NAME ? CASH_CLASS_COLOR : SERIES_COLORS[k++ % SERIES_COLORS.length]!));
}

/**
 * Class allocation over time as stacked areas, one band per class in the run's order with cash on top, fractions of
 * the book on a 0..100% axis. `opts.zoom`: zoom and pan inside the plot (the desk).
 */
export function classAllocationOption(a: ClassAllocation, opts: { zoom?: boolean } = {}): Record<string, unknown> {
  const colors = classColors(a.classes.map((c) => c.name));
  return {
    animation: false,
    legend: { type: 'scroll', top: 0, textStyle: { fontSize: 11 } },
    grid: { left: 56, right: 20, top: 46, bottom: 30 },
    ...(opts.zoom ? { dataZoom: [{ type: 'inside' }] } : {}),
    tooltip: axisTooltip((v) => pctText(v, 1)),
    xAxis: { type: 'category', data: [...a.dates], boundaryGap: false },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => pctTick(v) } },
    series: a.classes.map((c, i) => ({
      name: c.name,
      type: 'line',
      stack: 'classes',
      showSymbol: false,
      color: colors[i],
      areaStyle: { opacity: 0.8 },
      lineStyle: { width: 0.5 },
      data: [...c.values],
    })),
  };
}

/**
 * The action scale's effect as a chart: per scale (category axis, ascending), the class-weight std as bars on the
 * left axis and the mean cumulative return as a line on the right axis.
 */
export function actionScaleOption(rows: readonly ActionScaleRow[]): Record<string, unknown> {
  return {
    animation: false,
    legend: { top: 0, textStyle: { fontSize: 11 } },
    grid: { left: 56, right: 60, top: 46, bottom: 40 },
    tooltip: axisTooltip((v) => pctText(v, 2)),
    xAxis: {
      type: 'category',
      name: 'action scale',
      nameLocation: 'middle',
      nameGap: 26,
      data: rows.map((r) => String(r.actionScale)),
    },
    yAxis: [
      {
        type: 'value',
        name: 'class-weight std',
        nameTextStyle: { fontSize: 10 },
        axisLabel: { formatter: (v: number) => pctTick(v) },
      },
      {
        type: 'value',
        name: 'cumulative return',
        nameTextStyle: { fontSize: 10 },
        axisLabel: { formatter: (v: number) => pctTick(v) },
        splitLine: { show: false },
      },
    ],
    series: [
      {
        name: 'Class-weight std over time',
        type: 'bar',
        barMaxWidth: 22,
        color: SERIES_COLORS[0],
        data: rows.map((r) => r.classStd),
      },
      {
        name: 'Cumulative return',
        type: 'line',
        yAxisIndex: 1,
        color: SERIES_COLORS[1],
        symbolSize: 6,
        data: rows.map((r) => r.cumulativeReturn),
      },
    ],
  };
}
