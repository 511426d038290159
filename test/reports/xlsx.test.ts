import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { renderXlsx } from '../../src-main/reports/render/xlsx';
import { HOSTILE_NAME, makeFixture, makeHostileFixture } from './fixture';

async function load(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

function values(ws: ExcelJS.Worksheet, row: number): unknown[] {
  const out: unknown[] = [];
  for (let c = 1; c <= ws.columnCount; c++) out.push(ws.getRow(row).getCell(c).value);
  return out;
}

const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

/** Excel cell value expected for a number: ±Infinity as text, NaN as empty. */
const cellNum = (x: number | null): unknown =>
  x === null || Number.isNaN(x) ? null : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x;

describe('renderXlsx', () => {
  const { allocation, backtest } = makeFixture();

  it('allocation: sheets, frozen bold header, exact weights and trades with 0.00% formats', async () => {
    const wb = await load(await renderXlsx(allocation));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Weights', 'Trades', 'Metrics', 'About']);
    const ws = wb.getWorksheet('Weights')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(values(ws, 1)).toEqual([
      'Run',
      'Date',
      'Group',
      'Ticker',
      'Name',
      'Sector',
      'Weight',
      'Previous weight',
      'Trade',
    ]);
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.getColumn(5).width).toBe(30);
    const rows = allocation.groups.flatMap((g) => g.rows.map((r) => [g.name, r] as const));
    expect(ws.rowCount).toBe(1 + 30 + 1);
    rows.forEach(([g, r], i) => {
      expect(values(ws, i + 2)).toEqual([
        allocation.header.runId,
        day(allocation.header.date),
        g,
        r.ticker,
        r.name,
        r.sector,
        r.weight,
        r.previousWeight,
        r.trade,
      ]);
      expect(ws.getRow(i + 2).getCell(7).numFmt).toBe('0.00%');
      expect(ws.getRow(i + 2).getCell(9).numFmt).toBe('0.00%');
      expect(ws.getRow(i + 2).getCell(2).numFmt).toBe('yyyy-mm-dd');
    });
    const cash = values(ws, 32);
    expect(cash.slice(2, 8)).toEqual(['Cash', 'CASH', 'Cash', null, 0.03, 0.05]);
    expect(cash[8] as number).toBeCloseTo(-0.02, 15);

    const tr = wb.getWorksheet('Trades')!;
    const trades = allocation.groups.flatMap((g) => g.rows).filter((r) => r.trade !== 0);
    expect(tr.rowCount).toBe(1 + trades.length);
    trades.forEach((r, i) => {
      const v = values(tr, i + 2);
      expect([v[3], v[6], v[7], v[8], v[9]]).toEqual([
        r.ticker,
        r.trade > 0 ? 'BUY' : 'SELL',
        r.trade,
        r.previousWeight,
        r.weight,
      ]);
    });
  });

  it('metrics sheet: flags, seeds, mean and std per metric with their formats; NaN empty', async () => {
    const wb = await load(await renderXlsx(allocation));
    const ws = wb.getWorksheet('Metrics')!;
    const head = values(ws, 1) as string[];
    expect(head.slice(0, 6)).toEqual([
      'Strategy',
      'Hindsight',
      'Close to EW',
      'Seeds',
      'Cum. return',
      'Cum. return std',
    ]);
    const sharpeCol = head.indexOf('Sharpe') + 1;
    expect(sharpeCol).toBeGreaterThan(0);
    allocation.metrics.forEach((m, i) => {
      const v = values(ws, i + 2);
      expect(v.slice(0, 4)).toEqual([m.strategy, m.hindsight, m.closeToEqualWeight, m.seeds]);
      expect(v[sharpeCol - 1]).toBe(m.metrics.sharpe!.mean);
      expect(v[sharpeCol]).toBe(m.metrics.sharpe!.std);
      expect(v[4]).toBe(m.metrics.cumulativeReturn!.mean);
      // the fixture's avgHoldings is NaN (no weights given): an empty cell
      const h = head.indexOf('Holdings');
      expect(v[h]).toBe(cellNum(m.metrics.avgHoldings!.mean));
    });
    expect(ws.getRow(2).getCell(5).numFmt).toBe('0.00%');
    expect(ws.getRow(2).getCell(sharpeCol).numFmt).toBe('0.00');
  });

  it('backtest: monthly grid, yearly, drawdowns with real dates', async () => {
    const wb = await load(await renderXlsx(backtest));
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Weights',
      'Trades',
      'Metrics',
      'Monthly',
      'Yearly',
      'Drawdowns',
      'About',
    ]);
    const mo = wb.getWorksheet('Monthly')!;
    expect(values(mo, 1)).toEqual([
      'Run',
      'Year',
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
      'Year return',
    ]);
    // 3 runs x 2 calendar years (1999-07 .. 2000-06)
    expect(mo.rowCount).toBe(1 + 6);
    let r = 2;
    for (const p of backtest.monthly) {
      const years = [...new Set(p.items.map((m) => m.year))];
      for (const y of years) {
        const v = values(mo, r);
        expect(v[0]).toBe(p.name);
        expect(v[1]).toBe(y);
        for (let month = 1; month <= 12; month++) {
          const m = p.items.find((x) => x.year === y && x.month === month);
          expect(v[1 + month]).toBe(m ? m.ret : null);
        }
        expect(v[14]).toBe(backtest.yearly.find((q) => q.name === p.name)!.items.find((q) => q.year === y)!.ret);
        r++;
      }
    }
    expect(mo.getRow(2).getCell(9).numFmt).toBe('0.00%');
    const dd = wb.getWorksheet('Drawdowns')!;
    let i = 2;
    for (const p of backtest.worstDrawdowns) {
      p.items.forEach((d, k) => {
        expect(values(dd, i)).toEqual([
          p.name,
          k + 1,
          day(d.start),
          day(d.trough),
          d.end === null ? null : day(d.end),
          d.depth,
          d.days,
        ]);
        i++;
      });
    }
    const yr = wb.getWorksheet('Yearly')!;
    expect(values(yr, 2)).toEqual([
      backtest.yearly[0]!.name,
      backtest.yearly[0]!.items[0]!.year,
      backtest.yearly[0]!.items[0]!.ret,
    ]);
  });

  it('infinite metrics become text, hostile strings stay text, XML-invalid characters are dropped', async () => {
    const f = makeHostileFixture();
    f.allocation.metrics[0]!.metrics.sortino = { mean: Infinity, std: null };
    f.allocation.groups[0]!.rows[1]!.name = 'bell\u0007 char';
    const wb = await load(await renderXlsx(f.allocation));
    const w = wb.getWorksheet('Weights')!;
    expect(w.getRow(2).getCell(5).value).toBe(HOSTILE_NAME);
    expect(w.getRow(2).getCell(4).value).toBe('=HYPERLINK("x")');
    expect(w.getRow(2).getCell(4).formula).toBeUndefined();
    expect(w.getRow(3).getCell(5).value).toBe('bell char');
    const m = wb.getWorksheet('Metrics')!;
    const col = (values(m, 1) as string[]).indexOf('Sortino') + 1;
    expect(m.getRow(2).getCell(col).value).toBe('inf');
  });
});
