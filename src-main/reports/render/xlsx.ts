/**
 * XLSX export of a report with exceljs (docs/architecture.md "Reports": the weights as CSV and XLSX).
 *
 * Sheets
 * - allocation report: Weights, Trades, Metrics, About
 * - backtest report: Weights and Trades (only when `lastWeights` is given, with one block per run), Metrics,
 *   Monthly, Yearly, Drawdowns, About
 * Every data sheet has a bold, frozen header row with an auto-filter and set column widths. Cell values are the
 * raw numbers of the report (fractions); the number format does the display: 0.00% for weights, trades, returns
 * and drawdowns, 0.00 for ratios. Dates are real Excel dates (UTC midnight) shown as yyyy-mm-dd. Excel has no
 * infinity, so ±Infinity is written as the text 'inf' / '-inf'; NaN and missing values are empty cells.
 * Empty text is an empty cell. Text cells drop the control characters XML 1.0 cannot hold (all below U+0020 except TAB, LF, CR), which
 * would otherwise make a file Excel refuses to open.
 */
import ExcelJS from 'exceljs';
import { MONTHS, flattenConfig, metricColumns, metricSpec, type MetricUnit } from '../format';
import type { AllocationReportData, BacktestReportData, ReportData } from '../model';
import { side, tradeLines, weightLines, type WeightLine } from './rows';

/** Number format of fractions shown as percentages. */
export const XLSX_PCT_FORMAT = '0.00%';
/** Number format of ratios. */
export const XLSX_RATIO_FORMAT = '0.00';
/** Number format of dates. */
export const XLSX_DATE_FORMAT = 'yyyy-mm-dd';

const UNIT_FORMAT: Record<MetricUnit, string> = {
  pct: XLSX_PCT_FORMAT,
  ratio: XLSX_RATIO_FORMAT,
  days: '0',
  count: '0.0',
};

type XCell = string | number | boolean | Date | null;

/** A number as an Excel cell value: ±Infinity as text, NaN / null as an empty cell. */
export function xlsxNumber(x: number | null | undefined): number | string | null {
  if (x === null || x === undefined || Number.isNaN(x)) return null;
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return x;
}

/** An ISO date 'YYYY-MM-DD' as a Date at UTC midnight (how exceljs writes Excel dates); null stays null. */
export function xlsxDate(d: string | null): Date | string | null {
  if (d === null) return null;
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isNaN(t) ? d : new Date(t);
}

// eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters, so the pattern names them on purpose
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text as an XLSX cell can hold it (XML-invalid control characters removed). */
export function xlsxText(s: string): string {
  return s.replace(XML_INVALID, '');
}

interface Col {
  header: string;
  width: number;
  numFmt?: string;
}

function sheet(wb: ExcelJS.Workbook, name: string, cols: Col[], rows: XCell[][]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  ws.columns = cols.map((c) => ({
    header: c.header,
    width: c.width,
    ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
  }));
  for (const r of rows) ws.addRow(r.map((c) => (typeof c === 'string' ? xlsxText(c) || null : c)));
  const head = ws.getRow(1);
  head.font = { bold: true };
  head.alignment = { vertical: 'middle' };
  head.eachCell((cell) => {
    cell.numFmt = 'General';
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EDF3' } };
    cell.border = { bottom: { style: 'thin', color: { argb: 'FF8A94A6' } } };
  });
  if (cols.length > 0) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } };
  return ws;
}

/** The columns that say which position a weight or trade line is about (Weights and Trades sheets). */
const LINE_COLUMNS: Col[] = [
  { header: 'Run', width: 16 },
  { header: 'Date', width: 12, numFmt: XLSX_DATE_FORMAT },
  { header: 'Group', width: 16 },
  { header: 'Ticker', width: 10 },
  { header: 'Name', width: 30 },
  { header: 'Sector', width: 22 },
];
const lineCells = (l: WeightLine) => [l.run, xlsxDate(l.date), l.group, l.ticker, l.name, l.sector];

function addWeightSheets(wb: ExcelJS.Workbook, data: ReportData): void {
  const w = weightLines(data);
  sheet(
    wb,
    'Weights',
    [
      ...LINE_COLUMNS,
      { header: 'Weight', width: 10, numFmt: XLSX_PCT_FORMAT },
      { header: 'Previous weight', width: 15, numFmt: XLSX_PCT_FORMAT },
      { header: 'Trade', width: 10, numFmt: XLSX_PCT_FORMAT },
    ],
    w.map((l) => [...lineCells(l), xlsxNumber(l.weight), xlsxNumber(l.previousWeight), xlsxNumber(l.trade)]),
  );
  sheet(
    wb,
    'Trades',
    [
      ...LINE_COLUMNS,
      { header: 'Side', width: 7 },
      { header: 'Trade', width: 10, numFmt: XLSX_PCT_FORMAT },
      { header: 'Previous weight', width: 15, numFmt: XLSX_PCT_FORMAT },
      { header: 'Weight', width: 10, numFmt: XLSX_PCT_FORMAT },
    ],
    tradeLines(data).map((l) => [
      ...lineCells(l),
      side(l.trade!),
      xlsxNumber(l.trade),
      xlsxNumber(l.previousWeight),
      xlsxNumber(l.weight),
    ]),
  );
}

function addMetricsSheet(wb: ExcelJS.Workbook, data: ReportData): void {
  const keys = metricColumns(data.metrics);
  const cols: Col[] = [
    { header: 'Strategy', width: 26 },
    { header: 'Hindsight', width: 10 },
    { header: 'Close to EW', width: 12 },
    { header: 'Seeds', width: 7 },
  ];
  for (const k of keys) {
    const s = metricSpec(k);
    const fmt = UNIT_FORMAT[s.unit];
    const width = Math.max(11, s.label.length + 3);
    cols.push({ header: s.label, width, numFmt: fmt }, { header: `${s.label} std`, width: width + 2, numFmt: fmt });
  }
  sheet(
    wb,
    'Metrics',
    cols,
    data.metrics.map((r) => [
      r.strategy,
      r.hindsight,
      r.closeToEqualWeight,
      r.seeds,
      ...keys.flatMap((k) => [xlsxNumber(r.metrics[k]?.mean), xlsxNumber(r.metrics[k]?.std)]),
    ]),
  );
}

function addBacktestSheets(wb: ExcelJS.Workbook, data: BacktestReportData): void {
  const yearly = new Map<string, number>();
  for (const p of data.yearly) for (const y of p.items) yearly.set(`${p.name}\u0000${y.year}`, y.ret);
  const monthlyRows: XCell[][] = [];
  for (const p of data.monthly) {
    const years = [...new Set(p.items.map((m) => m.year))].sort((a, b) => a - b);
    for (const year of years) {
      const row: XCell[] = [p.name, year, ...MONTHS.map(() => null), xlsxNumber(yearly.get(`${p.name}\u0000${year}`))];
      for (const m of p.items) if (m.year === year) row[1 + m.month] = xlsxNumber(m.ret);
      monthlyRows.push(row);
    }
  }
  sheet(
    wb,
    'Monthly',
    [
      { header: 'Run', width: 24 },
      { header: 'Year', width: 7 },
      ...MONTHS.map((m) => ({ header: m, width: 8, numFmt: XLSX_PCT_FORMAT })),
      { header: 'Year return', width: 12, numFmt: XLSX_PCT_FORMAT },
    ],
    monthlyRows,
  );
  sheet(
    wb,
    'Yearly',
    [
      { header: 'Run', width: 24 },
      { header: 'Year', width: 7 },
      { header: 'Return', width: 10, numFmt: XLSX_PCT_FORMAT },
    ],
    data.yearly.flatMap((p) => p.items.map((y) => [p.name, y.year, xlsxNumber(y.ret)])),
  );
  sheet(
    wb,
    'Drawdowns',
    [
      { header: 'Run', width: 24 },
      { header: 'Rank', width: 6 },
      { header: 'Start (peak)', width: 13, numFmt: XLSX_DATE_FORMAT },
      { header: 'Trough', width: 12, numFmt: XLSX_DATE_FORMAT },
      { header: 'End (recovery)', width: 15, numFmt: XLSX_DATE_FORMAT },
      { header: 'Depth', width: 10, numFmt: XLSX_PCT_FORMAT },
      { header: 'Trading days', width: 13, numFmt: '0' },
    ],
    data.worstDrawdowns.flatMap((p) =>
      p.items.map((d, i) => [
        p.name,
        i + 1,
        xlsxDate(d.start),
        xlsxDate(d.trough),
        xlsxDate(d.end),
        xlsxNumber(d.depth),
        d.days,
      ]),
    ),
  );
}

function aboutRows(data: ReportData): [string, string][] {
  if (data.kind === 'allocation') {
    const h = (data as AllocationReportData).header;
    return [
      ['Report', 'Allocation report'],
      ['Universe', `${h.universe.name} (${h.universe.id})`],
      ['Data source', h.dataSource],
      ['Strategy', `${h.strategy.label} (${h.strategy.id})`],
      ['Run id', h.runId],
      ['Date', h.date],
      ['Window', `${h.window.from} to ${h.window.to}`],
      ['Seed', String(h.seed)],
      ['Code version', h.codeVersion],
      ['Backend', h.backend ?? 'n/a'],
      ...(h.generatedAt ? ([['Generated at', h.generatedAt]] as [string, string][]) : []),
      ...flattenConfig(h.config).map(([k, v]) => [`config.${k}`, v] as [string, string]),
      ...data.caveats.map((c, i) => [`Caveat ${i + 1}`, c] as [string, string]),
    ];
  }
  const h = data.header;
  return [
    ['Report', h.title ?? 'Backtest tear sheet'],
    ['Universe', `${h.universe.name} (${h.universe.id})`],
    ['Window', `${h.window.from} to ${h.window.to}`],
    ['Transaction cost', `${(h.cost * 100).toFixed(3)}% per unit traded`],
    ['Rebalance', h.rebalance],
    ['Generated at', h.generatedAt],
    ...(h.dataSource ? ([['Data source', h.dataSource]] as [string, string][]) : []),
    ...(h.codeVersion ? ([['Code version', h.codeVersion]] as [string, string][]) : []),
    ...data.caveats.map((c, i) => [`Caveat ${i + 1}`, c] as [string, string]),
  ];
}

/**
 * The report as an XLSX workbook (sheets and formats in the file overview).
 * @returns the .xlsx file bytes
 */
export async function renderXlsx(data: ReportData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'HDRL Desk';
  const stamp = Date.parse(data.kind === 'allocation' ? (data.header.generatedAt ?? '') : data.header.generatedAt);
  if (!Number.isNaN(stamp)) {
    wb.created = new Date(stamp);
    wb.modified = new Date(stamp);
  }
  if (data.kind === 'allocation' || (data.lastWeights?.length ?? 0) > 0) addWeightSheets(wb, data);
  addMetricsSheet(wb, data);
  if (data.kind === 'backtest') addBacktestSheets(wb, data);
  const about = wb.addWorksheet('About');
  about.columns = [
    { header: 'Field', width: 28 },
    { header: 'Value', width: 100 },
  ];
  for (const r of aboutRows(data)) about.addRow(r.map(xlsxText));
  about.getRow(1).font = { bold: true };
  about.getColumn(2).alignment = { wrapText: true, vertical: 'top' };
  const buf = await wb.xlsx.writeBuffer();
  return Buffer.from(buf as ArrayBuffer);
}
