/**
 * The reports.export channel through the real dispatcher (contract checked both ways) on real runs of the
 * bundled DJIA data (crp, ubah, eg over 2000-01-03..2000-12-29, lookback 252). Every format is read back
 * (pdf-parse, plain HTML text, csv-parse, exceljs) and must show the weights runs.weights returns and the metrics
 * runs.get returns, formatted as the renderers format them (formatted here by hand).
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { dispatch } from '../../src-main/services';
import type { ReportFile, RunInfo, RunWeights } from '../../src-shared/contract';
import { tempEngine } from '../helpers/engine';
import { readPdf, type PdfReadBack } from './pdfText';

let engine: ReturnType<typeof tempEngine>;
const ids: Record<string, string> = {};
const DATE = '2000-06-15';

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const r = await dispatch(engine, channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message} ${JSON.stringify(r.error.issues ?? [])}`);
  return r.value as T;
}

async function exportFile(req: Record<string, unknown>): Promise<{ f: ReportFile; buf: Buffer }> {
  const f = await call<ReportFile>('reports.export', req);
  const buf = Buffer.from(f.base64, 'base64');
  expect(buf.length).toBe(f.bytes);
  return { f, buf };
}

/** Percent as the report tables show it: 2 decimals, '%', never "-0.00%". */
const pct = (x: number, d = 2): string => {
  const s = (x * 100).toFixed(d);
  return `${/^-0\.0*$/.test(s) ? s.slice(1) : s}%`;
};
const ratio = (x: number): string => {
  const s = x.toFixed(2);
  return /^-0\.0*$/.test(s) ? s.slice(1) : s;
};

/** The stored metrics of a run as the metrics table prints them (a few of each unit). */
function metricCells(m: RunInfo['metrics']): string[] {
  const n = (k: string) => m[k] as number;
  return [
    pct(n('cumulativeReturn')),
    pct(n('annualVolatility')),
    ratio(n('sharpe')),
    ratio(n('sortino')),
    pct(n('maxDrawdown')),
    n('maxDrawdownDays').toFixed(0),
    n('avgHoldings').toFixed(1),
  ];
}

let eg: RunInfo;
let w: RunWeights;

beforeAll(async () => {
  engine = tempEngine();
  const res = await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ['crp', 'ubah', 'eg'],
    from: '2000-01-03',
    to: '2000-12-29',
    lookback: 252,
  });
  for (const r of res) ids[r.strategy] = r.runId!;
  eg = await call<RunInfo>('runs.get', { id: ids.eg });
  w = await call<RunWeights>('runs.weights', { id: ids.eg, date: DATE });
}, 120_000);

afterAll(() => engine?.close());

describe('reports.export: allocation report', () => {
  it('PDF: every ticker with its weight, and the run\u2019s metrics, as runs.weights / runs.get give them; a copy on disk', async () => {
    const { f, buf } = await exportFile({ kind: 'allocation', runId: ids.eg, date: DATE, format: 'pdf' });
    expect(f.fileName).toBe(`allocation-eg-${DATE}-${ids.eg}.pdf`);
    expect(f.mimeType).toBe('application/pdf');
    expect(f.path).toBe(path.join(engine.dataDir, 'reports', f.fileName));
    expect(fs.readFileSync(f.path).equals(buf)).toBe(true);
    const r: PdfReadBack = await readPdf(buf);
    expect(r.info?.Title).toBe(`Allocation report \u2014 Exponentiated Gradient (EG) \u2014 ${DATE}`);
    const detail = await call<{ assets: { ticker: string; name: string; sector: string }[] }>('data.universe', {
      id: 'djia30',
    });
    w.tickers.forEach((t, i) => {
      const a = detail.assets.find((x) => x.ticker === t)!;
      // (the ticker list of the configuration section may wrap onto a line starting with a ticker: match the name too)
      const rows = r.lines.map((l) => l.split(' | ')).filter((c) => c[0] === t && c[1] === a.name);
      expect(rows, t).toHaveLength(1);
      const cells = rows[0]!;
      expect(cells.slice(0, 3), t).toEqual([t, a.name, a.sector]);
      expect(cells[3], t).toBe(pct(w.final.weights[i]!));
      expect(cells.length, t).toBe(6); // weight, previous, trade
      expect(cells[5]).toMatch(/^[+-]?\d+\.\d\d%$/);
    });
    const cash = r.lines.map((l) => l.split(' | ')).find((c) => c[0] === 'CASH')!;
    expect(cash[2]).toBe(pct(w.final.cash));
    const mine = r.lines.find((l) => l.startsWith('Exponentiated Gradient (EG) \u00b7 seed 1'))!;
    expect(mine).toBeDefined();
    for (const c of metricCells(eg.metrics)) expect(mine.split(' | ')).toContain(c);
    const crp = await call<RunInfo>('runs.get', { id: ids.crp });
    const crpLine = r.lines.find((l) => l.startsWith('Uniform constant rebalanced') && l.split(' | ').length > 10)!;
    for (const c of metricCells(crp.metrics)) expect(crpLine.split(' | ')).toContain(c);
    const text = r.lines.join('\n');
    expect(text).toContain('Transaction costs assumed: 0.10%');
    expect(text).toContain('Decisions use data up to each close only');
  });

  it('HTML: the weights table rows and the metrics row carry the same figures', async () => {
    const { f, buf } = await exportFile({ kind: 'allocation', runId: ids.eg, date: DATE, format: 'html' });
    expect(f.mimeType).toBe('text/html; charset=utf-8');
    const html = buf.toString('utf8');
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    const cells = (row: string) => row.split('</td>').map((c) => c.replace(/<[^>]+>/g, '').trim());
    w.tickers.forEach((t, i) => {
      const row = new RegExp(`<tr><td><b>${t}</b></td>.*?</tr>`).exec(html);
      expect(row, t).not.toBeNull();
      const c = cells(row![0]);
      expect(c[0]).toBe(t);
      expect(c[3]).toBe(pct(w.final.weights[i]!));
    });
    const mine = /<tr class="this-run">.*?<\/tr>/.exec(html)![0];
    expect(mine).toContain('Exponentiated Gradient (EG) \u00b7 seed 1');
    const mc = cells(mine);
    for (const c of metricCells(eg.metrics)) expect(mc).toContain(c);
    expect(html).toContain('<svg'); // charts inline
  });

  it('CSV weights / trades / metrics: exact numbers', async () => {
    const weights = parse(
      (
        await exportFile({ kind: 'allocation', runId: ids.eg, date: DATE, format: 'csv', csvKind: 'weights' })
      ).buf.toString('utf8'),
      { columns: true },
    ) as Record<string, string>[];
    expect(weights).toHaveLength(31);
    w.tickers.forEach((t, i) => {
      const row = weights.find((x) => x.ticker === t)!;
      expect(Number(row.weight)).toBe(w.final.weights[i]);
      expect(row.date).toBe(DATE);
      expect(Number(row.trade)).toBeCloseTo(Number(row.weight) - Number(row.previous_weight), 15);
    });
    const cashRow = weights[30]!;
    expect([cashRow.ticker, Number(cashRow.weight)]).toEqual(['CASH', w.final.cash]);
    // a trade of the day = target - previous weight drifted; ½ Σ|trade| (cash included) is the stored turnover
    const series = await call<{ dates: string[]; turnover: number[] }>('runs.series', { id: ids.eg });
    const half = 0.5 * weights.reduce((s, x) => s + Math.abs(Number(x.trade)), 0);
    expect(half).toBeCloseTo(series.turnover[series.dates.indexOf(DATE)]!, 12);

    const { f, buf } = await exportFile({
      kind: 'allocation',
      runId: ids.eg,
      date: DATE,
      format: 'csv',
      csvKind: 'trades',
    });
    expect(f.fileName).toBe(`allocation-eg-${DATE}-${ids.eg}-trades.csv`);
    const trades = parse(buf.toString('utf8'), { columns: true }) as Record<string, string>[];
    const nonZero = weights.filter((x) => x.ticker !== 'CASH' && Math.abs(Number(x.trade)) > 1e-9);
    expect(trades.map((x) => x.ticker)).toEqual(nonZero.map((x) => x.ticker));
    for (const t of trades) expect(t.side).toBe(Number(t.trade) > 0 ? 'BUY' : 'SELL');

    const metrics = parse(
      (await exportFile({ kind: 'allocation', runId: ids.eg, format: 'csv', csvKind: 'metrics' })).buf.toString('utf8'),
      { columns: true },
    ) as Record<string, string>[];
    expect(metrics[0]!.strategy).toBe('Exponentiated Gradient (EG) \u00b7 seed 1');
    for (const k of ['sharpe', 'cumulativeReturn', 'maxDrawdown', 'cvar95', 'turnover'])
      expect(Number(metrics[0]![`${k}_mean`])).toBe(eg.metrics[k]);
    expect(metrics[0]!.close_to_equal_weight).toBe(String(eg.flags.includes('close-to-equal-weight')));
    expect(metrics.map((x) => x.strategy)).toEqual(
      expect.arrayContaining(['Uniform constant rebalanced', 'Buy and hold (UBAH)']),
    );
  });

  it('XLSX: Weights and Metrics sheets hold the same numbers', async () => {
    const { f, buf } = await exportFile({ kind: 'allocation', runId: ids.eg, date: DATE, format: 'xlsx' });
    expect(f.mimeType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['Weights', 'Trades', 'Metrics', 'About']);
    const ws = wb.getWorksheet('Weights')!;
    const byTicker = new Map<string, number>();
    for (let r = 2; r <= ws.rowCount; r++)
      byTicker.set(String(ws.getRow(r).getCell(4).value), ws.getRow(r).getCell(7).value as number);
    w.tickers.forEach((t, i) => expect(byTicker.get(t)).toBe(w.final.weights[i]));
    expect(byTicker.get('CASH')).toBe(w.final.cash);
    const ms = wb.getWorksheet('Metrics')!;
    const head = (ms.getRow(1).values as unknown[]).map(String);
    const sharpeCol = head.indexOf('Sharpe');
    expect(ms.getRow(2).getCell(1).value).toBe('Exponentiated Gradient (EG) \u00b7 seed 1');
    expect(ms.getRow(2).getCell(sharpeCol).value).toBe(eg.metrics.sharpe);
  });
});

describe('reports.export: backtest report', () => {
  it('PDF and XLSX over the three runs', async () => {
    const runIds = [ids.crp, ids.ubah, ids.eg];
    const { f, buf } = await exportFile({ kind: 'backtest', runIds, format: 'pdf' });
    expect(f.fileName).toBe('backtest-djia30-2000-01-03-2000-12-29-3runs.pdf');
    const r = await readPdf(buf);
    expect(r.info?.Title).toBe('Backtest tear sheet \u2014 DJIA 30 (1991-2001)');
    expect(r.lines.slice(0, 3).some((l) => l.startsWith('Backtest tear sheet'))).toBe(true);
    const egLine = r.lines.find((l) => l.startsWith('Exponentiated Gradient (EG)'))!;
    for (const c of metricCells(eg.metrics)) expect(egLine.split(' | ')).toContain(c);
    // the year's return in the heatmap is the run's cumulative return (one decimal)
    // (heatmap row: year, 12 months, year return; the worst-drawdown table shares the baseline to its right)
    const yearCells = r.lines.filter((l) => l.startsWith('2000 | ')).map((l) => l.split(' | ')[13]);
    expect(yearCells).toHaveLength(3);
    expect(yearCells).toContain(pct(eg.metrics.cumulativeReturn as number, 1));

    const x = await exportFile({ kind: 'backtest', runIds, format: 'xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.buf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual([
      'Weights',
      'Trades',
      'Metrics',
      'Monthly',
      'Yearly',
      'Drawdowns',
      'About',
    ]);
    const yearly = wb.getWorksheet('Yearly')!;
    const egYear = [2, 3, 4]
      .map((i) => yearly.getRow(i))
      .find((row) => row.getCell(1).value === 'Exponentiated Gradient (EG)')!;
    expect(egYear.getCell(3).value as number).toBeCloseTo(eg.metrics.cumulativeReturn as number, 12);

    const csv = parse(
      (await exportFile({ kind: 'backtest', runIds, format: 'csv', csvKind: 'weights' })).buf.toString('utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const last = await call<RunWeights>('runs.weights', { id: ids.eg });
    last.tickers.forEach((t, i) =>
      expect(Number(csv.find((row) => row.run === 'Exponentiated Gradient (EG)' && row.ticker === t)!.weight)).toBe(
        last.final.weights[i],
      ),
    );
  });
});

describe('reports.export: refused requests', () => {
  async function code(req: unknown): Promise<string | null> {
    const r = await dispatch(engine, 'reports.export', req);
    return r.ok ? null : r.error.code;
  }
  it('schema: kind and its ids, csvKind only with csv, no extra keys, bounded ids', async () => {
    expect(await code({ kind: 'allocation', format: 'pdf' })).toBe('BAD_REQUEST');
    expect(await code({ kind: 'backtest', runId: ids.eg, format: 'pdf' })).toBe('BAD_REQUEST');
    expect(await code({ kind: 'backtest', runIds: [ids.eg], date: DATE, format: 'pdf' })).toBe('BAD_REQUEST');
    expect(await code({ kind: 'allocation', runId: ids.eg, format: 'pdf', csvKind: 'weights' })).toBe('BAD_REQUEST');
    expect(await code({ kind: 'allocation', runId: ids.eg, format: 'docx' })).toBe('BAD_REQUEST');
    expect(await code({ kind: 'allocation', runId: ids.eg, format: 'pdf', path: '/etc/passwd' })).toBe('BAD_REQUEST');
    expect(
      await code({ kind: 'backtest', runIds: Array.from({ length: 51 }, (_, i) => `r-${i}`), format: 'pdf' }),
    ).toBe('BAD_REQUEST');
    expect(await code({ kind: 'allocation', runId: 'r-' + 'a'.repeat(127), format: 'pdf' })).toBe('BAD_REQUEST');
    expect(await code({ kind: 'allocation', runId: 'r x', format: 'pdf' })).toBe('BAD_REQUEST');
  });
  it('engine: unknown run or date is NOT_FOUND', async () => {
    expect(await code({ kind: 'allocation', runId: 'r-00000000000000000000', format: 'pdf' })).toBe('NOT_FOUND');
    expect(await code({ kind: 'allocation', runId: ids.eg, date: '2000-06-17', format: 'pdf' })).toBe('NOT_FOUND'); // a Saturday
    expect(await code({ kind: 'backtest', runIds: [ids.eg, 'r-00000000000000000000'], format: 'html' })).toBe(
      'NOT_FOUND',
    );
  });
});
