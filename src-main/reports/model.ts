/**
 * Plain data model of the reports (docs/architecture.md "Reports": an allocation report for a date
 * or a run, and a backtest tear sheet). The services fill these objects from the database; the renderers in
 * ./render turn them into HTML, PDF, CSV and XLSX and never read anything else, so a report can be rebuilt from
 * the object alone (and tests build it by hand).
 *
 * Units everywhere in this file
 * - Weights, trades, returns and drawdowns are FRACTIONS (0.0345 = 3.45 %, -0.25 = a 25 % fall from the peak).
 * - Dates are ISO calendar dates 'YYYY-MM-DD' (trading days); timestamps (generatedAt) are ISO 8601 strings.
 * - Equity values are portfolio values (any positive scale, usually growth of 1 from the window start).
 * - The analytics (relative figures, rolling volatility, distribution, trading, stress windows, weights, risk,
 *   the stitched record) and the equal-weight verdicts are src-main/analytics/gather.ts's objects as they are:
 *   the desk's Backtests panel shows the same ones.
 * - A metric is {mean, std} over seeds (std null when there is one seed or no spread is known); it may be
 *   ±Infinity or NaN as src-main/metrics produces them, and every renderer shows those explicitly.
 */

import type { RunsAnalytics, VerdictAnalytics } from '../analytics/gather';
import type { ClassAllocation } from '../../src-shared/contract/runs';
import type { ActionScaleRow } from '../../src-shared/charts/classes';
import type { LevelTargetRow } from '../../src-shared/charts/threeLevel';

/**
 * A learned strategy's group of seeds against equal weight on its window (src-shared/domain/verdict.ts), with the
 * paired test's p-value (NaN: no test). Every report shows its verdicts on the first page.
 */
export type ReportVerdict = VerdictAnalytics;

/** Tear-sheet analytics of the report's groups; `left` counts the groups beyond the analytics' bound. */
export type ReportAnalytics = RunsAnalytics & { left: number };

/** A universe as the report names it. */
export interface ReportUniverse {
  id: string;
  name: string;
}

/** A date window, inclusive, ISO dates. */
export interface ReportWindow {
  from: string;
  to: string;
}

/** One named time series: `values[i]` belongs to `dates[i]` (same length, ascending dates). */
export interface ReportSeries {
  name: string;
  dates: string[];
  values: number[];
  /** a hindsight baseline (drawn dashed, marked with a dagger); default false */
  hindsight?: boolean;
  /** drawn thicker and on top: the run of an allocation report, a learned strategy in a tear sheet; default false */
  highlight?: boolean;
  /** the equal-weight reference (crp, else ubah), drawn in a colour of its own; default false */
  equalWeight?: boolean;
}

/** A metric over seeds: mean and sample standard deviation (null: one seed or unknown). */
export interface MetricStat {
  mean: number;
  std: number | null;
}

/**
 * One strategy in a metrics table. Keys of `metrics` are metric names (src-main/metrics METRIC_NAMES:
 * cumulativeReturn, annualReturn, annualVolatility, sharpe, sortino, omega, calmar, maxDrawdown,
 * maxDrawdownDays, var95, cvar95, turnover, avgHoldings, hitRate); other keys are shown after them, as numbers.
 */
export interface MetricsRow {
  /** display name of the strategy (or run) */
  strategy: string;
  /** uses future prices (e.g. best stock in hindsight): not investable, shown with a dagger and a footnote */
  hindsight: boolean;
  /** the policy's weights stay close to equal weight (collapsed policy), shown with a double dagger */
  closeToEqualWeight: boolean;
  /** number of seeds the mean/std are taken over */
  seeds: number;
  metrics: Record<string, MetricStat>;
}

/** One asset line of an allocation. `trade = weight - previousWeight` (previous = yesterday's weight drifted). */
export interface AllocationRow {
  ticker: string;
  name: string;
  sector: string;
  /** target weight, fraction of the portfolio */
  weight: number;
  /** previous weight after drifting with the day's prices, fraction */
  previousWeight: number;
  /** weight - previousWeight, fraction of the portfolio to buy (> 0) or sell (< 0) */
  trade: number;
}

/** A group of the allocation as the strategy grouped it ("High-quality", "Ordinary", a sector, ...). */
export interface AllocationGroup {
  name: string;
  rows: AllocationRow[];
  /** sum of the group's target weights, fraction */
  total: number;
}

/** Header of an allocation report. */
export interface AllocationHeader {
  universe: ReportUniverse;
  /** one line naming where the prices came from (file, provider, import date) */
  dataSource: string;
  strategy: { id: string; label: string };
  /** the strategy config as stored with the run (nested objects are shown with dotted keys) */
  config: Record<string, unknown>;
  seed: number;
  codeVersion: string;
  runId: string;
  /** the as-of date of the target weights */
  date: string;
  /** the run's test window */
  window: ReportWindow;
  /** compute backend the run used ('tfjs-node', 'wasm', ...), null for classic strategies */
  backend: string | null;
  /** when the report was produced (ISO timestamp); optional, shown in the footer */
  generatedAt?: string;
}

/** Market regime at the report date (src-main/explain/regimes.ts labels). */
export interface ReportRegime {
  /** 'bull' | 'bear' | 'sideways' (any string is shown as given) */
  trend: string;
  /** 'calm' | 'normal' | 'stressed' */
  volatility: string;
  /** date the label belongs to */
  date: string;
}

/** Rebound flag at the report date (SAMP-HDRL step 5) with the thresholds met. */
export interface ReportRebound {
  flagged: boolean;
  /** e.g. {drawdown: -0.12, rise: 0.05, daysHeld: 3}; numbers, strings or booleans */
  detail: Record<string, unknown>;
}

/** One player (asset, feature block) and its explanation value (e.g. mean SHAP value). */
export interface DriverValue {
  player: string;
  value: number;
}

/** Explanation summary of one agent (SAMP-HDRL step 8). */
export interface AgentSummary {
  /** 'upper' | 'lower1' | 'lower2' (any other name is shown as given) */
  agent: string;
  /** largest drivers first */
  topDrivers: DriverValue[];
  /** of the agent's weights: effective number of holdings 1/HHI and the Herfindahl index */
  concentration: { effectiveN: number; herfindahl: number };
}

/**
 * What HADAPS decided at the report date: where its asset classes came from (in words), the action scale, and each
 * class's weight as the inter-class layer set it (before the no-trade band), cash last.
 */
export interface ReportClasses {
  basis: string;
  actionScale: number;
  layer: { name: string; weight: number }[];
}

/**
 * What a three-level run's levels set at the report date (src-shared/charts/threeLevel.ts levelTargetRows): per
 * class, cash last, the strategic weight, the tilt and the target; what decided each level, in words; and the
 * trading days until the next strategic and tactical decisions (null: the run has no tactical level).
 */
export interface ReportThreeLevel {
  levels: { strategic: string; tactical: string; execution: string };
  nextStrategicIn: number;
  nextTacticalIn: number | null;
  rows: LevelTargetRow[];
}

/**
 * What an MPLS run decided at the report date (explain/mpls.ts mplsFusionSummary for the run's figures): each module
 * (on, or off and why; the fusion agent's weight on it that day, its mean weight over the run and the share of the
 * run's decisions it led), the volatility module's conservative switch in words (null: that module is off), and
 * each sector's weight in the fused allocation against the high-level agent's weight (before the no-trade band).
 */
export interface ReportMpls {
  modules: { name: string; on: boolean; reason: string | null; weight: number; mean: number; led: number }[];
  conservative: string | null;
  /** the run's decisions the means and shares are over */
  days: number;
  sectors: { name: string; fused: number; weight: number }[];
}

/** A HADAPS run's class allocation over its test window, with its class-weight std (charts/classes.ts). */
export interface RunClassAllocation {
  /** the run's display name, as in the metrics table */
  run: string;
  allocation: ClassAllocation;
  /** how much the class weights moved: classWeightStd (null with fewer than two days) */
  std: number | null;
}

/** Everything an allocation report shows. */
export interface AllocationReportData {
  kind: 'allocation';
  header: AllocationHeader;
  groups: AllocationGroup[];
  /** cash weight, fraction */
  cashWeight: number;
  /** previous (drifted) cash weight, fraction; when given, the cash trade is shown */
  previousCashWeight?: number | null;
  regime: ReportRegime | null;
  rebound: ReportRebound | null;
  /** HADAPS runs: what its layers decided over the classes; absent for other strategies */
  classes?: ReportClasses;
  /** three-level runs: the three levels' targets per class; absent for other strategies */
  threeLevel?: ReportThreeLevel;
  /** MPLS runs: its modules, fusion weights and fused against final sector weights; absent for other strategies */
  mpls?: ReportMpls;
  /** per-agent explanations; empty for strategies without agents */
  agents: AgentSummary[];
  /** this run's strategy first, then the baselines */
  metrics: MetricsRow[];
  /** the run first, then baselines, growth of 1 */
  equity: ReportSeries[];
  /** drawdown of the run, fractions <= 0 (derive.drawdownSeries) */
  drawdown: ReportSeries | null;
  /** caveats shown at the end (costs assumed, no look-ahead guarantee, seed spread); rendered as given */
  caveats: string[];
  /** the run's group against equal weight when it is a learned strategy (first page); absent: not computed */
  verdicts?: ReportVerdict[];
}

/** Header of a backtest report. */
export interface BacktestHeader {
  universe: ReportUniverse;
  window: ReportWindow;
  /** transaction cost per unit traded, fraction (0.001 = 0.1 %) */
  cost: number;
  /** rebalancing rule in words ('daily', 'monthly', ...) */
  rebalance: string;
  /** ISO timestamp */
  generatedAt: string;
  /** optional title (default "Backtest tear sheet") */
  title?: string;
  dataSource?: string;
  codeVersion?: string;
}

/** Calendar-month return: `month` 1..12, `ret` compounded over the month's trading days, fraction. */
export interface MonthlyReturn {
  year: number;
  month: number;
  ret: number;
}

/** Calendar-year return, compounded, fraction. */
export interface YearlyReturn {
  year: number;
  ret: number;
}

/**
 * One drawdown episode: from the peak (`start`) to the lowest value (`trough`) and back to the peak level
 * (`end`, null when not recovered by the last date). `depth` = trough / peak - 1 (< 0); `days` = trading days
 * from start to end (to the last date when not recovered).
 */
export interface DrawdownPeriod {
  start: string;
  trough: string;
  end: string | null;
  depth: number;
  days: number;
}

/** Something per run, keyed by the run's display name (the same name as in the metrics table and series). */
export interface PerRun<T> {
  name: string;
  items: T[];
}

/** Target weights of one run on one date (optional part of a backtest report: its Weights/Trades sheets). */
export interface RunHoldings {
  run: string;
  date: string;
  groups: AllocationGroup[];
  cashWeight: number;
}

/** Everything a backtest tear sheet shows. */
export interface BacktestReportData {
  kind: 'backtest';
  header: BacktestHeader;
  metrics: MetricsRow[];
  /** equity curves, growth of 1, one per run */
  equity: ReportSeries[];
  /** drawdown (underwater) curves, fractions <= 0, one per run (drawn as the equity curve of the same name) */
  underwater: ReportSeries[];
  monthly: PerRun<MonthlyReturn>[];
  yearly: PerRun<YearlyReturn>[];
  /** worst drawdowns per run, deepest first */
  worstDrawdowns: PerRun<DrawdownPeriod>[];
  /** last target weights per run; when given, the XLSX gets Weights and Trades sheets and the CSVs work */
  lastWeights?: RunHoldings[];
  /** the class allocation over time of each HADAPS group's run (lowest seed); absent or empty: none */
  classes?: RunClassAllocation[];
  /** the action scale's effect over the HADAPS runs of two or more scales (charts/classes.ts); absent: none */
  actionScale?: ActionScaleRow[];
  caveats: string[];
  /** every learned group against equal weight (first page); absent: not computed */
  verdicts?: ReportVerdict[];
  /** the analytics sections; absent: not computed */
  analytics?: ReportAnalytics;
}

/** Either report. */
export type ReportData = AllocationReportData | BacktestReportData;
