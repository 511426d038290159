/**
 * Flat tables shared by the CSV and XLSX writers (docs/architecture.md "Reports": weights as CSV and XLSX): one row per asset,
 * per trade, per strategy, per month, per drawdown. Numbers stay raw fractions here; the writers format them.
 */
import { TRADE_EPSILON, metricColumns } from '../format';
import type { MetricsRow, ReportData } from '../model';

/** Ticker of the cash line in weight tables. */
export const CASH_TICKER = 'CASH';

/** One asset (or the cash line) with its group, as exported. */
export interface WeightLine {
  run: string;
  date: string;
  group: string;
  ticker: string;
  name: string;
  sector: string;
  weight: number;
  /** null for the cash line when the previous cash weight is unknown */
  previousWeight: number | null;
  trade: number | null;
  /** the cash line (not an asset) */
  cash: boolean;
}

/**
 * Weight lines of a report: every asset of every group in the given order, then one cash line per run.
 * Backtest reports give the lines of `lastWeights` (empty when absent).
 */
export function weightLines(data: ReportData): WeightLine[] {
  const out: WeightLine[] = [];
  const holdings =
    data.kind === 'allocation'
      ? [
          {
            run: data.header.runId,
            date: data.header.date,
            groups: data.groups,
            cashWeight: data.cashWeight,
            previousCash: data.previousCashWeight ?? null,
          },
        ]
      : (data.lastWeights ?? []).map((h) => ({ ...h, previousCash: null as number | null }));
  for (const h of holdings) {
    for (const g of h.groups) {
      for (const r of g.rows) {
        out.push({
          run: h.run,
          date: h.date,
          group: g.name,
          ticker: r.ticker,
          name: r.name,
          sector: r.sector,
          weight: r.weight,
          previousWeight: r.previousWeight,
          trade: r.trade,
          cash: false,
        });
      }
    }
    out.push({
      run: h.run,
      date: h.date,
      group: 'Cash',
      ticker: CASH_TICKER,
      name: 'Cash',
      sector: '',
      weight: h.cashWeight,
      previousWeight: h.previousCash,
      trade: h.previousCash === null ? null : h.cashWeight - h.previousCash,
      cash: true,
    });
  }
  return out;
}

/** Trade lines: the asset lines whose |trade| > TRADE_EPSILON (the cash line is not a trade), in table order. */
export function tradeLines(data: ReportData): WeightLine[] {
  return weightLines(data).filter((l) => !l.cash && l.trade !== null && Math.abs(l.trade) > TRADE_EPSILON);
}

/** 'BUY' for a positive trade, 'SELL' for a negative one. */
export function side(trade: number): 'BUY' | 'SELL' {
  return trade > 0 ? 'BUY' : 'SELL';
}

/** Metric keys and rows of a metrics table (see format.metricColumns). */
export function metricsTable(rows: readonly MetricsRow[]): { keys: string[]; rows: readonly MetricsRow[] } {
  return { keys: metricColumns(rows), rows };
}
