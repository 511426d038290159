import { describe, expect, it } from 'vitest';
import { PAGE_HEIGHT, PAGE_MARGIN, PAGE_WIDTH } from '../../src-main/reports/render/pdfLayout';
import { renderAllocationPdf, renderBacktestPdf } from '../../src-main/reports/render/pdf';
import type { AllocationReportData } from '../../src-main/reports/model';
import { makeFixture, makeHostileFixture } from './fixture';
import { readPdf, type PdfReadBack } from './pdfText';

/** Hand formatting as the tables show it. */
const pct = (x: number, d = 2): string => {
  const s = (x * 100).toFixed(d);
  return `${/^-0\.0*$/.test(s) ? s.slice(1) : s}%`;
};
const signed = (x: number): string => {
  const s = pct(x);
  return /^\d/.test(s) && Number(s.slice(0, -1)) !== 0 ? `+${s}` : s;
};

function cellsOf(r: PdfReadBack, first: string): string[][] {
  return r.lines.map((l) => l.split(' | ')).filter((c) => c[0] === first);
}

/** Every text item lies inside the page margins (nothing cut at a page edge). */
function insideMargins(r: PdfReadBack): void {
  // A4 landscape
  expect(r.items[0]!.pageWidth).toBeCloseTo(PAGE_WIDTH, 1);
  expect(r.items[0]!.pageHeight).toBeCloseTo(PAGE_HEIGHT, 1);
  for (const it of r.items) {
    if (it.str.trim() === '') continue;
    const where = `${it.str} (page ${it.page})`;
    expect(it.x, where).toBeGreaterThanOrEqual(PAGE_MARGIN - 0.5);
    expect(it.x + it.width, where).toBeLessThanOrEqual(PAGE_WIDTH - PAGE_MARGIN + 0.5);
    expect(it.y, where).toBeGreaterThanOrEqual(PAGE_MARGIN);
    expect(it.y, where).toBeLessThanOrEqual(PAGE_HEIGHT - PAGE_MARGIN);
  }
}

function standardFontsOnlyNoImages(buf: Buffer): void {
  const s = buf.toString('latin1');
  expect(s.startsWith('%PDF-')).toBe(true);
  expect(s).toContain('/BaseFont /Helvetica');
  expect(s).not.toContain('/FontFile'); // no embedded font program
  expect(s).not.toMatch(/\/Subtype\s*\/Image/); // charts are vector paths, not pictures
}

describe('renderAllocationPdf', async () => {
  const { allocation } = makeFixture();
  const buf = await renderAllocationPdf(allocation);
  const r = await readPdf(buf);

  it('is an A4 landscape PDF with standard Helvetica, vector charts and metadata', () => {
    standardFontsOnlyNoImages(buf);
    expect(r.info?.Title).toBe('Allocation report \u2014 SAMP-HDRL \u2014 2000-06-14');
    expect(r.pages).toBeGreaterThanOrEqual(2);
    for (let p = 1; p <= r.pages; p++) expect(r.lines.some((l) => l.endsWith(`Page ${p} of ${r.pages}`))).toBe(true);
  });

  it('has every ticker on one row with its weight, previous weight and trade as in the table', () => {
    for (const g of allocation.groups) {
      for (const row of g.rows) {
        const found = cellsOf(r, row.ticker);
        expect(found, row.ticker).toHaveLength(1);
        expect(found[0]).toEqual([
          row.ticker,
          row.name,
          row.sector,
          pct(row.weight),
          pct(row.previousWeight),
          signed(row.trade),
        ]);
      }
      expect(r.lines).toContain(`${g.name} | ${pct(g.total)}  \u00b7  ${g.rows.length} assets`);
    }
    expect(cellsOf(r, 'CASH')[0]).toEqual(['CASH', 'Cash', '3.00%', '5.00%', '-2.00%']);
    expect(cellsOf(r, 'Total')[0]).toEqual(['Total', '100.00%']);
  });

  it('repeats the table header on the continuation page', () => {
    const header = 'Ticker | Name | Sector | Weight | Previous | Trade';
    expect(r.lines.filter((l) => l === header).length).toBeGreaterThanOrEqual(2);
    expect(r.lines).toContain('Target weights (continued)');
  });

  it('shows the Sharpe ratio of each strategy on its row, with marks and the seed spread', () => {
    const names = ['SAMP-HDRL', 'Equal weight (1/N) \u2021', 'Best stock \u2020'];
    allocation.metrics.forEach((m, i) => {
      // (the chart legend also starts with the run's name: the table row is the one with all columns)
      const row = cellsOf(r, names[i]!).filter((c) => c.length > 10);
      expect(row, names[i]).toHaveLength(1);
      // Strategy, Seeds, Cum. return, Ann. return, Ann. vol, Sharpe, ...
      expect(row[0]![1]).toBe(String(m.seeds));
      expect(row[0]![5]).toBe(m.metrics.sharpe!.mean.toFixed(2));
    });
    const spread = r.lines.find((l) => l.startsWith('\u00b1'))!.split(' | ');
    expect(spread[3]).toBe(`\u00b1${allocation.metrics[0]!.metrics.sharpe!.std!.toFixed(2)}`);
    expect(r.lines.some((l) => l.startsWith('\u2020 Hindsight baseline'))).toBe(true);
    expect(r.lines.some((l) => l.startsWith('\u2021 Close to equal weight'))).toBe(true);
  });

  it('shows regime, rebound, agents, caveats; nothing outside the margins', () => {
    expect(r.lines).toContain('Trend | bull | Rebound flagged | High-quality | 68.93%');
    expect(r.lines.some((l) => l.startsWith('Upper agent | Lower agent 1 | Lower agent 2'))).toBe(true);
    expect(r.lines.some((l) => l.startsWith('MSFT t-1..t-5 | 0.0421'))).toBe(true);
    for (const c of allocation.caveats) expect(r.lines).toContain(`\u2022  ${c}`);
    insideMargins(r);
  });
});

describe('renderAllocationPdf pagination and hostile text', () => {
  it('a 150-asset table spans pages without losing or splitting a row', async () => {
    const { allocation } = makeFixture();
    const base = allocation.groups[1]!.rows;
    const rows = Array.from({ length: 150 }, (_, i) => ({
      ...base[i % base.length]!,
      ticker: `T${String(i).padStart(3, '0')}`,
      weight: i / 100000,
    }));
    const big: AllocationReportData = {
      ...allocation,
      groups: [{ name: 'Everything', rows, total: rows.reduce((s, x) => s + x.weight, 0) }],
    };
    const r = await readPdf(await renderAllocationPdf(big));
    expect(r.pages).toBeGreaterThanOrEqual(5);
    for (const x of rows) {
      const found = cellsOf(r, x.ticker);
      expect(found, x.ticker).toHaveLength(1);
      expect(found[0]!).toHaveLength(6);
      expect(found[0]![3]).toBe(pct(x.weight));
    }
    insideMargins(r);
  });

  it('hostile and over-long strings are flattened and cut with an ellipsis inside the page', async () => {
    const f = makeHostileFixture();
    f.allocation.groups[0]!.rows[1]!.name = 'W'.repeat(300);
    f.allocation.groups[0]!.rows[2]!.name = 'Caf\u00e9 \u2212 \u65e5\u672c'; // é is WinAnsi; minus and CJK are not
    const buf = await renderAllocationPdf(f.allocation);
    const r = await readPdf(buf);
    const hostile = r.lines.map((l) => l.split(' | ')).find((c) => c[1]?.startsWith('Acme'))!;
    // the ticker is cut to its column; the newline of the name became a space
    expect(hostile[0]!.startsWith('=HYPER')).toBe(true);
    // (pdf.js reads the WinAnsi ellipsis glyph back as '...')
    expect(hostile[0]).toMatch(/(\u2026|\.\.\.)$/);
    expect(hostile[1]).toBe('Acme, "Widgets" <script>alert(1)</script> & Sons Ltd');
    const long = cellsOf(r, f.allocation.groups[0]!.rows[1]!.ticker)[0]!;
    expect(long[1]).toMatch(/^W+(\u2026|\.\.\.)$/);
    expect(long[1]!.length).toBeLessThan(60);
    expect(cellsOf(r, f.allocation.groups[0]!.rows[2]!.ticker)[0]![1]).toBe('Caf\u00e9 - ??');
    insideMargins(r);
  });
});

describe('renderBacktestPdf', async () => {
  const { backtest } = makeFixture();
  const buf = await renderBacktestPdf(backtest);
  const r = await readPdf(buf);

  it('is a vector PDF with the metrics table and every Sharpe', () => {
    standardFontsOnlyNoImages(buf);
    const names = ['SAMP-HDRL', 'Equal weight (1/N) \u2021', 'Best stock \u2020'];
    backtest.metrics.forEach((m, i) =>
      expect(cellsOf(r, names[i]!).filter((c) => c.length > 10)[0]![5]).toBe(m.metrics.sharpe!.mean.toFixed(2)),
    );
    expect(r.lines.some((l) => l.includes('Transaction cost | 0.100% per unit traded'))).toBe(true);
  });

  it('has a heatmap row per run and year with the monthly returns in month order and the year return', () => {
    // the three runs each have 1999 (Jul-Dec) and 2000 (Jan-Jun); heatmap rows share their line with the
    // drawdown table beside them, so take the cells up to the year column (1 + months + 1)
    backtest.monthly.forEach((p, k) => {
      const yearly = backtest.yearly[k]!.items;
      for (const y of [1999, 2000]) {
        // (the year axis of the bar chart also starts with '1999': heatmap rows have the month cells)
        const lines = cellsOf(r, String(y)).filter((c) => c.length > 3);
        const months = p.items.filter((m) => m.year === y);
        const expected = [
          String(y),
          ...months.map((m) => pct(m.ret, 1)),
          pct(yearly.find((q) => q.year === y)!.ret, 1),
        ];
        expect(lines[k]!.slice(0, expected.length)).toEqual(expected);
      }
    });
  });

  it('lists the worst drawdowns of each run and stays inside the margins', () => {
    for (const p of backtest.worstDrawdowns) {
      p.items.forEach((d, i) => {
        const line = r.lines.find(
          (l) =>
            l.includes(
              ` | ${i + 1} | ${d.start} | ${d.trough} | ${d.end ?? 'not recovered'} | ${pct(d.depth)} | ${d.days}`,
            ) || l.startsWith(`${i + 1} | ${d.start} | ${d.trough}`),
        );
        expect(line, `${p.name} #${i + 1}`).toBeDefined();
      });
    }
    insideMargins(r);
  });
});
