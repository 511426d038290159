import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, renderCsv } from '../../src-main/reports/render/csv';
import { HOSTILE_NAME, HOSTILE_TICKER, makeFixture, makeHostileFixture } from './fixture';

function read(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: false, relax_column_count: false }) as Record<string, string>[];
}

/** Cell text back to the number the CSV rules promise: '' -> null, 'inf' / '-inf' -> ±Infinity. */
function num(s: string): number | null {
  if (s === '') return null;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

describe('renderCsv', () => {
  const { allocation, backtest } = makeFixture();

  it('weights: every asset of every group in order, then the cash line, numbers exact', () => {
    const text = renderCsv('weights', allocation);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[0]).toBe('run,date,group,ticker,name,sector,weight,previous_weight,trade');
    const rows = read(text);
    const expected = allocation.groups.flatMap((g) => g.rows.map((r) => ({ g: g.name, r })));
    expect(rows).toHaveLength(30 + 1);
    expected.forEach(({ g, r }, i) => {
      const row = rows[i]!;
      expect(row.run).toBe('run-20000623-0001');
      expect(row.date).toBe(allocation.header.date);
      expect(row.group).toBe(g);
      expect(row.ticker).toBe(r.ticker);
      expect(row.name).toBe(r.name);
      expect(row.sector).toBe(r.sector);
      expect(num(row.weight!)).toBe(r.weight);
      expect(num(row.previous_weight!)).toBe(r.previousWeight);
      expect(num(row.trade!)).toBe(r.trade);
    });
    const cash = rows[30]!;
    expect([cash.group, cash.ticker, num(cash.weight!), num(cash.previous_weight!)]).toEqual([
      'Cash',
      'CASH',
      0.03,
      0.05,
    ]);
    expect(num(cash.trade!)).toBeCloseTo(-0.02, 15);
    // weights of the fixture sum to 1 with the cash line
    expect(rows.reduce((s, r) => s + num(r.weight!)!, 0)).toBeCloseTo(1, 12);
  });

  it('trades: only assets with a non-zero trade, BUY / SELL by sign', () => {
    const rows = read(renderCsv('trades', allocation));
    const expected = allocation.groups.flatMap((g) => g.rows).filter((r) => r.trade !== 0);
    // the fixture's two zero-weight names have zero trades and are left out
    expect(expected).toHaveLength(28);
    expect(rows.map((r) => r.ticker)).toEqual(expected.map((r) => r.ticker));
    rows.forEach((row, i) => {
      expect(num(row.trade!)).toBe(expected[i]!.trade);
      expect(row.side).toBe(expected[i]!.trade > 0 ? 'BUY' : 'SELL');
    });
  });

  it('metrics: strategy flags, seeds and mean / std per metric', () => {
    const rows = read(renderCsv('metrics', allocation));
    expect(rows.map((r) => r.strategy)).toEqual(['SAMP-HDRL', 'Equal weight (1/N)', 'Best stock']);
    expect(rows.map((r) => [r.hindsight, r.close_to_equal_weight, r.seeds])).toEqual([
      ['false', 'false', '5'],
      ['false', 'true', '1'],
      ['true', 'false', '1'],
    ]);
    allocation.metrics.forEach((m, i) => {
      for (const [k, v] of Object.entries(m.metrics)) {
        const mean = num(rows[i]![`${k}_mean`]!);
        if (Number.isNaN(v.mean)) expect(mean).toBeNull();
        else expect(mean).toBe(v.mean);
        expect(num(rows[i]![`${k}_std`]!)).toBe(v.std);
      }
    });
    // the header follows METRIC_NAMES order
    const header = renderCsv('metrics', allocation).split('\r\n')[0]!;
    expect(header.indexOf('cumulativeReturn_mean')).toBeLessThan(header.indexOf('sharpe_mean'));
    expect(header.indexOf('sharpe_mean')).toBeLessThan(header.indexOf('hitRate_mean'));
  });

  it('backtest tables: monthly, yearly, drawdowns; weights from lastWeights', () => {
    const monthly = read(renderCsv('monthly', backtest));
    expect(monthly).toHaveLength(backtest.monthly.reduce((s, p) => s + p.items.length, 0));
    const first = backtest.monthly[0]!.items[0]!;
    expect([monthly[0]!.run, Number(monthly[0]!.year), Number(monthly[0]!.month), Number(monthly[0]!.return)]).toEqual([
      'SAMP-HDRL',
      first.year,
      first.month,
      first.ret,
    ]);
    const dd = read(renderCsv('drawdowns', backtest));
    const d0 = backtest.worstDrawdowns[0]!.items[0]!;
    expect([dd[0]!.rank, dd[0]!.start, dd[0]!.trough, dd[0]!.end, Number(dd[0]!.depth), Number(dd[0]!.days)]).toEqual([
      '1',
      d0.start,
      d0.trough,
      d0.end ?? '',
      d0.depth,
      d0.days,
    ]);
    expect(read(renderCsv('yearly', backtest)).map((r) => Number(r.return))).toEqual(
      backtest.yearly.flatMap((p) => p.items.map((y) => y.ret)),
    );
    expect(read(renderCsv('weights', backtest))).toHaveLength(31);
    expect(() => renderCsv('monthly', allocation)).toThrow(TypeError);
    expect(() => renderCsv('weights', { ...backtest, lastWeights: [] })).toThrow(TypeError);
  });

  it('RFC 4180 quoting and the formula guard, by hand', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('=1,1')).toBe('"\'=1,1"');
    expect(csvField('=1+1', false)).toBe('=1+1');
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(Infinity)).toBe('inf');
    expect(csvField(-Infinity)).toBe('-inf');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
  });

  it('hostile strings come back intact (commas, quotes, newline, <script>) and formulas are defused', () => {
    const f = makeHostileFixture();
    const text = renderCsv('weights', f.allocation);
    // the raw text holds the name quoted with doubled quotes
    expect(text).toContain('"Acme, ""Widgets"" <script>alert(1)</script> & Sons\nLtd"');
    const rows = read(text);
    expect(rows).toHaveLength(31);
    expect(rows[0]!.name).toBe(HOSTILE_NAME);
    expect(rows[0]!.sector).toBe('Tech; "Quoted"');
    expect(rows[0]!.ticker).toBe(`'${HOSTILE_TICKER}`);
    expect(num(rows[0]!.weight!)).toBe(f.allocation.groups[0]!.rows[0]!.weight);
    const raw = read(renderCsv('weights', f.allocation, { formulaGuard: false }));
    expect(raw[0]!.ticker).toBe(HOSTILE_TICKER);
    const bom = renderCsv('metrics', f.allocation, { bom: true });
    expect(bom.charCodeAt(0)).toBe(0xfeff);
  });
});
