/**
 * CSV export of report tables (docs/architecture.md "Reports": the weights as CSV and XLSX), RFC 4180:
 * - CRLF line ends, a header row, every record with the same number of fields;
 * - a field containing a comma, a double quote, CR or LF is wrapped in double quotes, inner quotes doubled;
 * - numbers are raw (fractions, not percentages) in JavaScript's shortest round-trip form, so
 *   Number(field) gives back exactly the value; +Infinity / -Infinity are written 'inf' / '-inf' and NaN or a
 *   missing value as an empty field; booleans as 'true' / 'false'.
 * - Formula guard (on by default): a TEXT field starting with = + - @ TAB or CR gets a leading apostrophe, so a
 *   spreadsheet opening the file shows the text instead of evaluating it (OWASP "CSV injection"). Numbers are
 *   never altered.
 */
import type { ReportData } from '../model';
import { metricColumns } from '../format';
import { side, tradeLines, weightLines } from './rows';

/** Which table to export. weights / trades need an allocation report or a backtest report with lastWeights. */
export type CsvKind = 'weights' | 'trades' | 'metrics' | 'monthly' | 'yearly' | 'drawdowns';

export interface CsvOptions {
  /** prefix formula-like text fields with an apostrophe (default true) */
  formulaGuard?: boolean;
  /** start with a UTF-8 byte-order mark so old Excel versions detect UTF-8 (default false) */
  bom?: boolean;
}

type Cell = string | number | boolean | null;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field as RFC 4180 wants it (see the file overview for numbers, non-finite values and the guard). */
export function csvField(v: Cell, formulaGuard = true): string {
  let s: string;
  if (v === null) s = '';
  else if (typeof v === 'number')
    s = Number.isNaN(v) ? '' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
  else if (typeof v === 'boolean') s = v ? 'true' : 'false';
  else s = formulaGuard && FORMULA_START.test(v) ? `'${v}` : v;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(header: string[], rows: Cell[][], opts: CsvOptions): string {
  const guard = opts.formulaGuard ?? true;
  const lines = [header.map((h) => csvField(h, guard)).join(',')];
  for (const r of rows) lines.push(r.map((c) => csvField(c, guard)).join(','));
  return (opts.bom ? '\ufeff' : '') + lines.join('\r\n') + '\r\n';
}

/**
 * A report table as RFC 4180 CSV text (columns per kind):
 * - weights: run, date, group, ticker, name, sector, weight, previous_weight, trade (fractions; last line per
 *   run is the cash line, ticker CASH)
 * - trades: run, date, group, ticker, name, sector, side (BUY/SELL), trade, previous_weight, weight
 * - metrics: strategy, hindsight, close_to_equal_weight, seeds, then `<metric>_mean`, `<metric>_std` per metric
 * - monthly: run, year, month (1..12), return; yearly: run, year, return (backtest reports)
 * - drawdowns: run, rank, start, trough, end, depth, days (backtest reports)
 * @throws TypeError when the report has no such table (weights of a backtest without lastWeights, monthly of an
 *   allocation report)
 */
export function renderCsv(kind: CsvKind, data: ReportData, opts: CsvOptions = {}): string {
  switch (kind) {
    case 'weights': {
      if (data.kind === 'backtest' && !data.lastWeights?.length)
        throw new TypeError('backtest report has no lastWeights');
      const header = ['run', 'date', 'group', 'ticker', 'name', 'sector', 'weight', 'previous_weight', 'trade'];
      const rows = weightLines(data).map((l) => [
        l.run,
        l.date,
        l.group,
        l.ticker,
        l.name,
        l.sector,
        l.weight,
        l.previousWeight,
        l.trade,
      ]);
      return toCsv(header, rows, opts);
    }
    case 'trades': {
      if (data.kind === 'backtest' && !data.lastWeights?.length)
        throw new TypeError('backtest report has no lastWeights');
      const header = ['run', 'date', 'group', 'ticker', 'name', 'sector', 'side', 'trade', 'previous_weight', 'weight'];
      const rows = tradeLines(data).map((l) => [
        l.run,
        l.date,
        l.group,
        l.ticker,
        l.name,
        l.sector,
        side(l.trade!),
        l.trade,
        l.previousWeight,
        l.weight,
      ]);
      return toCsv(header, rows, opts);
    }
    case 'metrics': {
      const keys = metricColumns(data.metrics);
      const header = [
        'strategy',
        'hindsight',
        'close_to_equal_weight',
        'seeds',
        ...keys.flatMap((k) => [`${k}_mean`, `${k}_std`]),
      ];
      const rows = data.metrics.map((r) => [
        r.strategy,
        r.hindsight,
        r.closeToEqualWeight,
        r.seeds,
        ...keys.flatMap((k) => [r.metrics[k]?.mean ?? null, r.metrics[k]?.std ?? null]),
      ]);
      return toCsv(header, rows, opts);
    }
    case 'monthly': {
      if (data.kind !== 'backtest') throw new TypeError('monthly returns are part of backtest reports');
      const rows = data.monthly.flatMap((p) => p.items.map((m) => [p.name, m.year, m.month, m.ret]));
      return toCsv(['run', 'year', 'month', 'return'], rows, opts);
    }
    case 'yearly': {
      if (data.kind !== 'backtest') throw new TypeError('yearly returns are part of backtest reports');
      const rows = data.yearly.flatMap((p) => p.items.map((y) => [p.name, y.year, y.ret]));
      return toCsv(['run', 'year', 'return'], rows, opts);
    }
    case 'drawdowns': {
      if (data.kind !== 'backtest') throw new TypeError('drawdown tables are part of backtest reports');
      const rows = data.worstDrawdowns.flatMap((p) =>
        p.items.map((d, i) => [p.name, i + 1, d.start, d.trough, d.end, d.depth, d.days]),
      );
      return toCsv(['run', 'rank', 'start', 'trough', 'end', 'depth', 'days'], rows, opts);
    }
  }
}
