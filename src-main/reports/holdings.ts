/**
 * The target weights of a run at a date, grouped and set beside the weights held before the trade
 * (docs/architecture.md "Reports"; both report kinds show them: the allocation report for its date, the tear sheet
 * as each group's last weights).
 *
 * - Weights: the run's stored final target weights at d (store/runs.ts getRunWeightsAt), in the run's ticker order.
 * - Previous weights are the weights held after the close of the previous test day, DRIFTED with the price
 *   relatives of d (docs/backtest-conventions.md: w^drift = yesterday's weights after the day's price
 *   moves; market/simulate.ts "Drift"): w_drift,i = b_i x_i / g, g = sum_i b_i x_i + b_cash (1 + rf_d), with
 *   b the held weights of the previous test day (the 'held' agent of a run with non-daily rebalancing, else
 *   its final target), x_i = close_i(d) / close_i(d-1) and rf_d the daily risk-free rate of the run's config.
 *   On the first test day the portfolio comes from cash (previous risky weights 0, cash 1). So `trade` is the
 *   order the simulator placed at the close of d, and half the sum of |trade| over assets and cash is the
 *   one-way turnover stored for d (on rebalancing days). Only prices up to d are read.
 * - Groups: a run whose detail at d carries SAMP-HDRL groups ({high, ordinary} ticker lists) is grouped as the
 *   strategy grouped it, "High-quality" then "Ordinary"; a HADAPS run by its asset classes, in the order the run
 *   keeps them (cash is the cash line, as for every run); any other run by sector (largest total first).
 *   Rows inside a group: largest target weight first.
 */
import { previousWeights, priceRelatives } from '../../src-shared/domain/portfolio';
import { hadapsDetail, sampDetail } from '../../src-shared/domain/decision';
import type { DB } from '../store/db';
import { getRunWeightsAt, type RunRow, type RunWeightsAt } from '../store/runs';
import { dailyRate, TRADING_DAYS_PER_YEAR } from '../metrics';
import type { PriceMatrix } from '../market/prices';
import { prices, ReportInputError } from './groups';
import { rebalanceOf } from './names';
import type { AllocationGroup, AllocationRow } from './model';

/** Group names of SAMP-HDRL groupings. */
export const HIGH_GROUP = 'High-quality';
export const ORDINARY_GROUP = 'Ordinary';

/** Target weights of a run at a date with the drifted previous weights (file overview). */
export interface HoldingsAt {
  date: string;
  groups: AllocationGroup[];
  cashWeight: number;
  previousCashWeight: number;
  /** the previous test day (null on the first one: the portfolio came from cash) */
  previousDate: string | null;
  at: RunWeightsAt;
}

/**
 * The grouped target weights of a run at `date` (default: its last decision) with previous weights drifted to
 * the date (see the file overview).
 * @throws ReportInputError when the run has no weights that day
 */
export function holdingsAt(db: DB, run: RunRow, date?: string, m?: PriceMatrix): HoldingsAt {
  const at = getRunWeightsAt(db, run.id, date);
  if (!at || !at.agents.final)
    throw new ReportInputError('not-found', `weights of run ${run.id}${date ? ` on ${date}` : ''}`);
  const names = run.config.tickers;
  const final = at.agents.final;
  const n = names.length;
  const px = m && m.dates[m.dates.length - 1] === at.date ? m : prices(db, run.universe, at.date);
  const assets = new Map((px.assets ?? []).map((a) => [a.ticker, a]));

  // previous held weights, drifted over at.date
  let prev: Float64Array;
  if (!at.previous) prev = previousWeights(null, null, n);
  else {
    const prevAt = rebalanceOf(run) === 'daily' ? null : getRunWeightsAt(db, run.id, at.previous.date);
    const held = prevAt?.agents.held ?? at.previous.weights;
    const t = px.dates.length - 1;
    const cols = names.map((tk) => px.tickers.indexOf(tk));
    if (t < 1 || px.dates[t - 1] !== at.previous.date || cols.some((c) => c < 0)) {
      throw new ReportInputError(
        'invalid',
        `the prices of ${run.universe} no longer hold ${at.previous.date} and ${at.date} for every asset of run ${run.id}`,
      );
    }
    const rel = priceRelatives(
      cols.map((c) => px.close[t - 1]![c]!),
      cols.map((c) => px.close[t]![c]!),
    );
    prev = previousWeights(held, rel, n, 1 + dailyRate(run.config.riskFreeRate, TRADING_DAYS_PER_YEAR));
  }

  const rows = names.map((tk, i): AllocationRow & { group: string } => {
    const a = assets.get(tk);
    const weight = final[i]!;
    const previousWeight = prev[i]!;
    return {
      ticker: tk,
      name: a?.name ?? '',
      sector: a?.sector ?? '',
      weight,
      previousWeight,
      trade: weight - previousWeight,
      group: '',
    };
  });
  const samp = sampDetail(at.detail)?.groups;
  // HADAPS: the run's risky classes (its cash class is the cash line)
  const classes = hadapsDetail(at.detail)?.classes.filter((c) => c.tickers.length > 0);
  if (samp) {
    const high = new Set(samp.high);
    const ord = new Set(samp.ordinary);
    for (const r of rows) r.group = high.has(r.ticker) ? HIGH_GROUP : ord.has(r.ticker) ? ORDINARY_GROUP : 'Other';
  } else if (classes) {
    for (const r of rows) r.group = classes.find((c) => c.tickers.includes(r.ticker))?.name ?? 'Other';
  } else for (const r of rows) r.group = r.sector || 'Other';
  const by = new Map<string, AllocationRow[]>();
  for (const { group, ...r } of rows) by.set(group, [...(by.get(group) ?? []), r]);
  let groups: AllocationGroup[] = [...by.entries()].map(([name, rs]) => ({
    name,
    rows: rs.sort((a, b) => b.weight - a.weight || a.ticker.localeCompare(b.ticker)),
    total: rs.reduce((s, r) => s + r.weight, 0),
  }));
  if (samp || classes) {
    const order = samp ? [HIGH_GROUP, ORDINARY_GROUP, 'Other'] : [...classes!.map((c) => c.name), 'Other'];
    groups = groups.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  } else groups = groups.sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  return {
    date: at.date,
    groups,
    cashWeight: final[n] ?? Math.max(0, 1 - final.reduce((s, v) => s + v, 0)),
    previousCashWeight: prev[n]!,
    previousDate: at.previous?.date ?? null,
    at,
  };
}
