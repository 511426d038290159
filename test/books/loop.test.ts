/**
 * The PM's daily loop on a classic strategy, on the bundled DJIA data cut at 1999-12-31 and fed one January 2000
 * day at a time through the import: decide, approve / adjust / reject / skip, next day. The book's realised track
 * record must equal a backtest (market/simulate.ts) of the same approved weights to 1e-12; edits, rejections,
 * out-of-date answers, positions drift, warnings and orders behave as the books module says.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src-main/market/simulate';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { runBacktest } from '../../src-main/backtest/run';
import { main } from '../../src-main/cli';
import type { BookDecision } from '../../src-shared/contract/books';
import { cutEngine, djiaDates, replay } from './helpers';

let e: Awaited<ReturnType<typeof cutEngine>>;
const BOOK = 'core';
const VALUE = 1_000_000;
/** approved targets (n + cash) by decision date, as the book stored them */
const approved = new Map<string, Float64Array>();
const decisions: BookDecision[] = [];
const jan = djiaDates('1999-12-31', '2000-01-31');

beforeAll(async () => {
  e = await cutEngine('1999-12-31');
});
afterAll(() => e.close());

const withCash = (d: BookDecision, w: number[], cash: number) => Float64Array.from([...w, cash]);

describe('books: the daily loop on a classic strategy', () => {
  it('refuses hindsight and learning strategies, an unknown universe and a taken name', async () => {
    expect(
      (
        await e.refused('books.create', {
          name: 'x',
          universe: 'djia30',
          value: 1,
          strategy: { kind: 'classic', id: 'bcrp' },
        })
      ).message,
    ).toMatch(/hindsight/);
    expect(
      (
        await e.refused('books.create', {
          name: 'x',
          universe: 'djia30',
          value: 1,
          strategy: { kind: 'classic', id: 'beststock' },
        })
      ).message,
    ).toMatch(/hindsight/);
    expect(
      (
        await e.refused('books.create', {
          name: 'x',
          universe: 'djia30',
          value: 1,
          strategy: { kind: 'classic', id: 'samp-hdrl' },
        })
      ).message,
    ).toMatch(/trained model/);
    expect(
      (
        await e.refused('books.create', {
          name: 'x',
          universe: 'nope',
          value: 1,
          strategy: { kind: 'classic', id: 'crp' },
        })
      ).code,
    ).toBe('NOT_FOUND');
    const b = await e.call('books.create', {
      name: BOOK,
      universe: 'djia30',
      value: VALUE,
      currency: 'USD',
      strategy: { kind: 'classic', id: 'eg' },
      settings: { concentrationLimit: 0.03 },
    });
    expect(b.openingDate).toBe('1999-12-31');
    expect(
      (
        await e.refused('books.create', {
          name: BOOK,
          universe: 'djia30',
          value: 1,
          strategy: { kind: 'classic', id: 'crp' },
        })
      ).code,
    ).toBe('CONFLICT');
  });

  it('checks positions like an import and stores nothing while a problem remains', async () => {
    const bad = await e.refused('books.setPositions', {
      name: BOOK,
      csv: 'ticker,weight\nAA,0.6\nZZZZ,0.1\nIBM,-0.1\nAA,0.1\nGE,0.5\n',
    });
    expect(bad.code).toBe('INVALID_INPUT');
    const msgs = bad.issues!.map((i) => `${i.path}: ${i.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/line 3: ZZZZ is not a member/),
        expect.stringMatching(/line 4: IBM: a weight must be zero or more/),
        expect.stringMatching(/line 5: AA is given twice/),
        expect.stringMatching(/sum to 1\.1/),
      ]),
    );
    expect(
      (await e.refused('books.setPositions', { name: BOOK, csv: 'ticker,price\nAA,1\n' })).issues![0]!.message,
    ).toMatch(/no shares column/);
    // a valid preview stores nothing; the book stays all cash
    const p = await e.call('books.setPositions', {
      name: BOOK,
      csv: 'symbol;shares\nAA;100\n"IBM";50\n',
      dryRun: true,
    });
    expect(p.stored).toBe(false);
    expect(p.rows.map((r) => r.ticker)).toEqual(['AA', 'IBM']);
    const b = await e.call('books.get', { name: BOOK });
    expect(b.cash).toBe(VALUE);
    expect(b.positions.every((x) => x.shares === 0)).toBe(true);
    expect(b.dataDate).toBe('1999-12-31');
  });

  it('runs January 2000 day by day; the realised record equals simulate() of the approved weights to 1e-12', async () => {
    const budgetFail = async () => {
      const d = decisions[decisions.length - 1]!;
      // edits that break a rule are refused with a reason each, and nothing is stored
      const over = await e.refused('books.answer', {
        name: BOOK,
        action: 'approve',
        note: 'x',
        edits: [
          { ticker: 'AA', weight: 0.7 },
          { ticker: 'BA', weight: 0.4 },
        ],
      });
      expect(over.message).toMatch(/sum to .* more than 100%/);
      const neg = await e.refused('books.answer', {
        name: BOOK,
        action: 'approve',
        note: 'x',
        edits: [
          { ticker: 'AA', weight: -0.01 },
          { ticker: 'QQQ', weight: 0.01 },
        ],
      });
      expect(neg.issues!.map((i) => i.message)).toEqual([
        expect.stringMatching(/long-only/),
        expect.stringMatching(/QQQ is not a member/),
      ]);
      const zeroed = d.tickers.slice(0, 12).map((ticker) => ({ ticker, weight: 0 }));
      expect(
        (await e.refused('books.answer', { name: BOOK, action: 'approve', note: 'x', edits: zeroed })).message,
      ).toMatch(/above its turnover budget of 25\.00%/);
      expect((await e.call('books.decision', { name: BOOK })).outcome).toBeNull();
    };
    const days = ['1999-12-31', ...jan];
    for (let k = 0; k < days.length; k++) {
      const date = days[k]!;
      if (k > 0) await e.append(date);
      const d = await e.call('books.today', { name: BOOK });
      expect(d.date).toBe(date);
      expect(d.open).toBe(true);
      decisions.push(d);
      if (k === 0) {
        // the first decision buys from cash: turnover 100%, and EG holds ~1/30 > the 3% limit
        expect(d.turnover).toBeCloseTo(1, 9);
        expect(d.warnings.map((w) => w.code)).toEqual(['concentration', 'turnover']);
        expect(d.current.cash).toBe(1);
      }
      if (k === 3) {
        await e.call('books.answer', { name: BOOK, action: 'reject', note: 'market closed early; wait' });
        continue;
      }
      if (k === 5) {
        // not answered today; once the next day's prices arrive it can no longer be
        await e.append(days[k + 1]!);
        const late = await e.refused('books.answer', { name: BOOK, date, action: 'approve', note: 'late' });
        expect(late.code).toBe('CONFLICT');
        expect(late.message).toMatch(/no longer be answered/);
        k++;
        const d2 = await e.call('books.today', { name: BOOK });
        decisions.push(d2);
        const a = await e.call('books.answer', { name: BOOK, action: 'approve', note: 'ok' });
        approved.set(d2.date, withCash(a, a.outcome!.weights!, a.outcome!.cash!));
        continue;
      }
      if (k === 8) {
        await budgetFail();
        const a = await e.call('books.answer', {
          name: BOOK,
          action: 'approve',
          note: 'more AA',
          edits: [
            { ticker: 'aa', weight: 0.05 },
            { ticker: 'BA', weight: 0.01 },
          ],
        });
        expect(a.outcome!.status).toBe('adjusted');
        const i = a.tickers.indexOf('AA');
        expect(a.outcome!.weights![i]).toBe(0.05);
        expect(a.outcome!.weights![a.tickers.indexOf('BA')]).toBe(0.01);
        expect(a.outcome!.weights![1]).toBe(d.target.weights[1]); // the others keep the proposal's
        expect(a.outcome!.cash).toBeCloseTo(1 - a.outcome!.weights!.reduce((s, x) => s + x, 0), 15);
        expect(a.trades.find((t) => t.ticker === 'AA')!.side).toBe('BUY');
        approved.set(date, withCash(a, a.outcome!.weights!, a.outcome!.cash!));
        expect((await e.refused('books.answer', { name: BOOK, action: 'reject', note: 'again' })).code).toBe(
          'CONFLICT',
        );
        continue;
      }
      const a = await e.call('books.answer', { name: BOOK, action: 'approve', note: `as proposed ${date}` });
      expect(a.outcome!.status).toBe('approved');
      expect(a.outcome!.weights).toEqual(d.target.weights);
      approved.set(date, withCash(a, a.outcome!.weights!, a.outcome!.cash!));
    }

    const tr = await e.call('books.trackRecord', { name: BOOK });
    expect(tr.from).toBe('1999-12-31');
    expect(tr.answers).toEqual({ approved: approved.size - 1, adjusted: 1, rejected: 1 });
    const m = loadPriceMatrix(e.db, 'djia30');
    const start = m.dates.indexOf('1999-12-31');
    const sim = simulate(m, replay(approved), {
      strategyId: 'replay',
      testStart: start,
      testEnd: m.dates.length - 1,
      settings: { cost: 0.001 },
    });
    expect(tr.dates).toEqual(sim.dates);
    for (let k = 0; k < sim.dates.length; k++) {
      expect(Math.abs(tr.realised.values[k]! / VALUE - sim.value[k]!)).toBeLessThan(1e-12);
      expect(Math.abs(tr.realised.returns[k]! - sim.ret[k]!)).toBeLessThan(1e-12);
    }
    // the proposals unadjusted: every stored decision followed as proposed, from the same cash
    const proposals = new Map(decisions.map((d) => [d.date, Float64Array.from([...d.target.weights, d.target.cash])]));
    const simP = simulate(m, replay(proposals), {
      strategyId: 'proposed',
      testStart: start,
      testEnd: m.dates.length - 1,
    });
    for (let k = 0; k < sim.dates.length; k++)
      expect(Math.abs(tr.proposed.values[k]! / VALUE - simP.value[k]!)).toBeLessThan(1e-12);
    expect(tr.metrics.realised.sharpe).toBeTypeOf('number');
    expect(tr.metrics.equalWeight.cumulativeReturn).toBeTypeOf('number');
  });

  it("takes the decisions a backtest from the book's opening date takes", async () => {
    const [r] = await runBacktest(
      null,
      { universe: 'djia30', strategies: ['eg'], from: '1999-12-31', to: jan[jan.length - 1], lookback: 252 },
      { store: false, prices: loadPriceMatrix(e.db, 'djia30') },
    );
    const sim = r!.sim!;
    for (const d of decisions) {
      const k = sim.dates.indexOf(d.date);
      expect(Array.from(sim.target[k]!.subarray(0, 30))).toEqual(d.target.weights);
    }
  });

  it('shows approved targets as positions once the next prices arrive, drifting after', async () => {
    const m = loadPriceMatrix(e.db, 'djia30');
    const tr = await e.call('books.trackRecord', { name: BOOK });
    const b = await e.call('books.get', { name: BOOK });
    const last = jan[jan.length - 1]!;
    expect(b.dataDate).toBe(last);
    expect(b.pending).toEqual({ date: last, status: 'approved' });
    // the holdings shown on the last day are those bought at the previous close (an approval on the last day is pending)
    const prev = jan[jan.length - 2]!;
    const w = approved.get(prev)!;
    const t = m.dates.indexOf(prev);
    const kPrev = tr.dates.indexOf(prev);
    const after = tr.realised.values[kPrev]!;
    b.positions.forEach((p, i) => expect(p.shares).toBeCloseTo((w[i]! * after) / m.close[t]![i]!, 6));
    expect(b.cash).toBeCloseTo(w[30]! * after, 6);
    const value = b.positions.reduce((s, p) => s + p.amount, b.cash);
    expect(b.value).toBeCloseTo(value, 6);
    b.positions.forEach((p) => expect(p.weight).toBeCloseTo(p.amount / value, 12));
    expect(b.approvals).toBe(approved.size);
    // positions can no longer be replaced
    expect(
      (await e.refused('books.setPositions', { name: BOOK, unit: 'shares', entries: [{ ticker: 'AA', amount: 1 }] }))
        .code,
    ).toBe('CONFLICT');
  });

  it('exports the approved trades as CSV and XLSX order lists; a rejected decision has none', async () => {
    const o = await e.call('books.orders', { name: BOOK });
    expect(o.date).toBe(jan[jan.length - 1]);
    expect(o.lines.length).toBeGreaterThan(0);
    const csv = Buffer.from(
      (await e.call('books.exportOrders', { name: BOOK, format: 'csv' })).base64,
      'base64',
    ).toString('utf8');
    const rows = csv
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['ticker', 'side', 'shares', 'estimated_price', 'estimated_amount', 'estimated_cost']);
    expect(rows.length - 1).toBe(o.lines.length);
    rows.slice(1).forEach((r, k) => {
      const l = o.lines[k]!;
      expect(r[0]).toBe(l.ticker);
      expect(r[1]).toBe(l.side);
      expect(Number(r[2])).toBe(Math.abs(l.shares));
      expect(Number(r[3])).toBe(l.price);
      expect(Number(r[5])).toBe(l.cost);
    });
    const x = await e.call('books.exportOrders', { name: BOOK, format: 'xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.base64, 'base64') as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Orders')!;
    expect(ws.rowCount).toBe(o.lines.length + 1);
    expect(ws.getRow(2).getCell(1).value).toBe(o.lines[0]!.ticker);
    const rejected = decisions[3]!.date;
    expect((await e.refused('books.orders', { name: BOOK, date: rejected })).message).toMatch(/rejected/);
  });

  it('drives the loop from the command line: create, positions, today, approve, orders', async () => {
    const db = path.join(e.dir, 'hdrl.db');
    const out: string[] = [];
    const err: string[] = [];
    const wOut = process.stdout.write.bind(process.stdout);
    const wErr = process.stderr.write.bind(process.stderr);
    const run = async (...argv: string[]) => {
      out.length = 0;
      err.length = 0;
      process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
      process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
      try {
        return await main(['--db', db, ...argv]);
      } finally {
        process.stdout.write = wOut;
        process.stderr.write = wErr;
      }
    };
    expect(
      await run(
        'book',
        'create',
        'cli',
        '--universe',
        'djia30',
        '--value',
        '50000',
        '--strategy',
        'crp',
        '--turnover-budget',
        '1',
      ),
    ).toBe(0);
    const file = path.join(e.dir, 'pos.csv');
    fs.writeFileSync(file, 'ticker,shares\nAA,10\nXX,3\n');
    expect(await run('book', 'positions', 'cli', '--file', file)).toBe(2);
    expect(err.join('')).toMatch(/XX is not a member/);
    fs.writeFileSync(file, 'ticker,shares\nAA,10\nIBM,20\n');
    expect(await run('book', 'positions', 'cli', '--file', file, '--cash', '40000')).toBe(0);
    expect(await run('today', '--book', 'cli')).toBe(0);
    expect(out.join('')).toMatch(/decision at the close of 2000-01-31/);
    expect(await run('approve', '--book', 'cli', '--edit', 'AA=5%,IBM=0', '--note', 'tilt'), err.join('')).toBe(0);
    expect(out.join('')).toMatch(/adjusted .*: tilt/);
    expect(await run('approve', '--book', 'cli', '--reject', '--note', 'again')).toBe(2);
    const csv = path.join(e.dir, 'orders.csv');
    expect(await run('orders', '--book', 'cli', '--format', 'csv', '--out', csv)).toBe(0);
    expect(fs.readFileSync(csv, 'utf8')).toMatch(/^ticker,side,shares/);
    expect(await run('orders', '--book', 'cli', '--format', 'csv', '--out', e.dir)).toBe(2);
    expect(err.join('')).toMatch(/directory/);
  });
});
