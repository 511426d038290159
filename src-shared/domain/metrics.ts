/**
 * The metrics a backtest reports and how every table names and shows them: one spec per metric, used by the
 * CLI tables and the results document (title, digits), the reports (label, unit, help) and the desk's Backtests
 * view. The definitions themselves (formulas, annualisation, edge cases) live in src-main/metrics; this file
 * only says what each figure is called, in what unit it is shown, over what horizon it is measured and which
 * direction is better.
 */

/** Every metric of a backtest, in display order (src-main/metrics computes exactly these). */
export const METRIC_IDS = [
  'cumulativeReturn',
  'annualReturn',
  'annualVolatility',
  'sharpe',
  'sortino',
  'omega',
  'calmar',
  'maxDrawdown',
  'maxDrawdownDays',
  'var95',
  'cvar95',
  'turnover',
  'annualTurnover',
  'costDrag',
  'costCommission',
  'costSpread',
  'costImpact',
  'grossCumulativeReturn',
  'grossSharpe',
  'grossSortino',
  'grossOmega',
  'avgHoldings',
  'avgCash',
  'maxWeight',
  'minEffectiveN',
  'hitRate',
] as const;
export type MetricId = (typeof METRIC_IDS)[number];

/**
 * How a value is shown: 'pct' a fraction as a percentage (0.0345 -> 3.45%), 'ratio' a plain number, 'days' a
 * whole number of trading days, 'count' a number of assets.
 */
export type MetricUnit = 'pct' | 'ratio' | 'days' | 'count';

/** Which way is better: a higher value, a lower one, or neither (a description, not a score). */
export type MetricDirection = 'higher' | 'lower' | 'none';

/**
 * What span the figure describes: 'total' the whole test window (not scaled), 'annualised' scaled to a year of
 * 252 trading days, 'daily' a per-day figure (a daily quantile, or the mean or extreme of a daily quantity).
 */
export type MetricHorizon = 'total' | 'annualised' | 'daily';

export interface MetricSpec {
  id: MetricId;
  /** column header of the reports and the desk ('Cum. return') */
  label: string;
  /** compact column title of the CLI tables and the results document ('cum ret') */
  title: string;
  unit: MetricUnit;
  /** decimals in the compact tables (of the percentage for 'pct') */
  digits: number;
  direction: MetricDirection;
  horizon: MetricHorizon;
  /** one line saying what the figure is, for footnotes and tooltips */
  help: string;
}

/** The spec of every metric. */
export const METRIC_SPECS: Readonly<Record<MetricId, MetricSpec>> = {
  cumulativeReturn: {
    id: 'cumulativeReturn',
    label: 'Cum. return',
    title: 'cum ret',
    unit: 'pct',
    digits: 1,
    direction: 'higher',
    horizon: 'total',
    help: 'cumulative return',
  },
  annualReturn: {
    id: 'annualReturn',
    label: 'Ann. return',
    title: 'ann ret',
    unit: 'pct',
    digits: 1,
    direction: 'higher',
    horizon: 'annualised',
    help: 'geometric annual return',
  },
  annualVolatility: {
    id: 'annualVolatility',
    label: 'Ann. vol',
    title: 'ann vol',
    unit: 'pct',
    digits: 1,
    direction: 'lower',
    horizon: 'annualised',
    help: 'annualised volatility',
  },
  sharpe: {
    id: 'sharpe',
    label: 'Sharpe',
    title: 'sharpe',
    unit: 'ratio',
    digits: 2,
    direction: 'higher',
    horizon: 'annualised',
    help: 'annualised Sharpe ratio',
  },
  sortino: {
    id: 'sortino',
    label: 'Sortino',
    title: 'sortino',
    unit: 'ratio',
    digits: 2,
    direction: 'higher',
    horizon: 'annualised',
    help: 'annualised Sortino ratio',
  },
  omega: {
    id: 'omega',
    label: 'Omega',
    title: 'omega',
    unit: 'ratio',
    digits: 2,
    direction: 'higher',
    horizon: 'daily',
    help: 'Omega ratio at 0',
  },
  calmar: {
    id: 'calmar',
    label: 'Calmar',
    title: 'calmar',
    unit: 'ratio',
    digits: 2,
    direction: 'higher',
    horizon: 'annualised',
    help: 'annual return / |max drawdown|',
  },
  // drawdowns, VaR and CVaR are negative fractions: the one closer to zero (the higher) is the better
  maxDrawdown: {
    id: 'maxDrawdown',
    label: 'Max DD',
    title: 'max dd',
    unit: 'pct',
    digits: 1,
    direction: 'higher',
    horizon: 'total',
    help: 'maximum drawdown',
  },
  maxDrawdownDays: {
    id: 'maxDrawdownDays',
    label: 'DD days',
    title: 'dd days',
    unit: 'days',
    digits: 0,
    direction: 'lower',
    horizon: 'total',
    help: 'longest drawdown, days',
  },
  var95: {
    id: 'var95',
    label: 'VaR 95',
    title: 'VaR95',
    unit: 'pct',
    digits: 2,
    direction: 'higher',
    horizon: 'daily',
    help: 'daily historical VaR 95 %',
  },
  cvar95: {
    id: 'cvar95',
    label: 'CVaR 95',
    title: 'CVaR95',
    unit: 'pct',
    digits: 2,
    direction: 'higher',
    horizon: 'daily',
    help: 'daily historical CVaR 95 %',
  },
  // one-way: half the sum of |target - drifted| over assets and cash, averaged over the days after the initial
  // purchase; not annualised (multiply by 252 for a yearly figure)
  turnover: {
    id: 'turnover',
    label: 'Turnover',
    title: 'turnover',
    unit: 'pct',
    digits: 2,
    direction: 'lower',
    horizon: 'daily',
    help: 'mean daily one-way turnover',
  },
  annualTurnover: {
    id: 'annualTurnover',
    label: 'Ann. turnover',
    title: 'ann turnover',
    unit: 'pct',
    digits: 0,
    direction: 'lower',
    horizon: 'annualised',
    help: 'annual one-way turnover (daily x 252)',
  },
  // what the costs took: the cost paid each day (initial purchase included) as a fraction of the value, a year of it
  costDrag: {
    id: 'costDrag',
    label: 'Cost drag',
    title: 'cost drag',
    unit: 'pct',
    digits: 2,
    direction: 'lower',
    horizon: 'annualised',
    help: 'annual cost as a fraction of the value',
  },
  // the cost drag split into its parts (src-main/market/costs.ts); they add up to it. Without the spread-and-impact
  // model the commission is all of it and the other two are 0
  costCommission: {
    id: 'costCommission',
    label: 'Commission drag',
    title: 'commission',
    unit: 'pct',
    digits: 2,
    direction: 'lower',
    horizon: 'annualised',
    help: 'annual commission (the proportional cost) as a fraction of the value',
  },
  costSpread: {
    id: 'costSpread',
    label: 'Spread drag',
    title: 'spread',
    unit: 'pct',
    digits: 2,
    direction: 'lower',
    horizon: 'annualised',
    help: 'annual half-spread paid as a fraction of the value',
  },
  costImpact: {
    id: 'costImpact',
    label: 'Impact drag',
    title: 'impact',
    unit: 'pct',
    digits: 2,
    direction: 'lower',
    horizon: 'annualised',
    help: 'annual square-root market impact paid as a fraction of the value',
  },
  // the same decisions with every day's cost added back (gross of costs)
  grossCumulativeReturn: {
    id: 'grossCumulativeReturn',
    label: 'Gross cum. return',
    title: 'gross cum ret',
    unit: 'pct',
    digits: 1,
    direction: 'higher',
    horizon: 'total',
    help: 'cumulative return before costs',
  },
  grossSharpe: {
    id: 'grossSharpe',
    label: 'Gross Sharpe',
    title: 'gross sharpe',
    unit: 'ratio',
    digits: 2,
    direction: 'higher',
    horizon: 'annualised',
    help: 'annualised Sharpe ratio before costs',
  },
  grossSortino: {
    id: 'grossSortino',
    label: 'Gross Sortino',
    title: 'gross sortino',
    unit: 'ratio',
    digits: 2,
    direction: 'higher',
    horizon: 'annualised',
    help: 'annualised Sortino ratio before costs',
  },
  grossOmega: {
    id: 'grossOmega',
    label: 'Gross Omega',
    title: 'gross omega',
    unit: 'ratio',
    digits: 2,
    direction: 'higher',
    horizon: 'daily',
    help: 'Omega ratio at 0 before costs',
  },
  avgHoldings: {
    id: 'avgHoldings',
    label: 'Holdings',
    title: 'holdings',
    unit: 'count',
    digits: 1,
    direction: 'none',
    horizon: 'daily',
    help: 'mean number of holdings',
  },
  avgCash: {
    id: 'avgCash',
    label: 'Avg cash',
    title: 'cash',
    unit: 'pct',
    digits: 1,
    direction: 'none',
    horizon: 'daily',
    help: 'mean share of the book held in cash after the day’s trade',
  },
  // the extremes of the run's days that the concentration guard reads (src-shared/domain/concentration.ts)
  maxWeight: {
    id: 'maxWeight',
    label: 'Max weight',
    title: 'max weight',
    unit: 'pct',
    digits: 1,
    direction: 'lower',
    horizon: 'daily',
    help: 'largest single-stock weight on any day',
  },
  minEffectiveN: {
    id: 'minEffectiveN',
    label: 'Min eff. N',
    title: 'min eff N',
    unit: 'count',
    digits: 1,
    direction: 'higher',
    horizon: 'daily',
    help: 'fewest effective holdings (1 / Σw²) on any day',
  },
  hitRate: {
    id: 'hitRate',
    label: 'Hit rate',
    title: 'hit rate',
    unit: 'pct',
    digits: 1,
    direction: 'higher',
    horizon: 'daily',
    help: 'share of up days',
  },
};

/**
 * The metrics a printed page (the PDF reports) has room for, in display order: returns, risk, the cost of trading
 * and how concentrated the book was. A page of A4 fits about fifteen figure columns beside the strategy name; the
 * other metrics (Omega, Calmar, VaR/CVaR, gross return, hit rate, daily turnover) are in the HTML, CSV and XLSX
 * reports, which have no such limit.
 */
export const PRINTED_METRIC_IDS = [
  'cumulativeReturn',
  'annualReturn',
  'annualVolatility',
  'sharpe',
  'sortino',
  'maxDrawdown',
  'maxDrawdownDays',
  'annualTurnover',
  'costDrag',
  'grossSharpe',
  'avgHoldings',
  'maxWeight',
] as const satisfies readonly MetricId[];

/** Whether `id` names a metric of {@link METRIC_IDS}. */
export function isMetricId(id: string): id is MetricId {
  return (METRIC_IDS as readonly string[]).includes(id);
}
