/**
 * Volume for the impact model: loadPriceMatrix turns stored volumes into each day's traded value (the bar's own
 * close x its volume, NaN where a bar has none) and leaves the field out when no bar has a volume; a scenario's cut
 * of the matrix keeps it; an import of a file with a Volume column reaches the model's ADV.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DB } from '../../src-main/store/db';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { restrictPrices } from '../../src-main/market/scenarios';
import { ExecutionCosts } from '../../src-main/market/costs';
import { tempEngine } from '../helpers/engine';

let db: DB;
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-volume-'));
  db = openDatabase(path.join(dir, 'v.db'));
  // A: a volume every day, an adjusted close on the 3rd; B: no volume on the 2nd (a forward-filled bar);
  // u2 holds C only, whose bars have no volume at all
  db.exec(`
    INSERT INTO import_batches (universe_id, files, format, fill_policy, rows, created_at) VALUES ('u1', '[]', 'long', 'reject', 0, 'now');
    INSERT INTO universes (id, name, source, created_at) VALUES ('u1', 'One', '', 't'), ('u2', 'Two', '', 't');
    INSERT INTO assets (ticker) VALUES ('A'), ('B'), ('C');
    INSERT INTO universe_members (universe_id, ticker, position) VALUES ('u1', 'A', 0), ('u1', 'B', 1), ('u2', 'C', 0);
    INSERT INTO bars (ticker, date, close, adj_close, volume, filled, batch_id) VALUES
      ('A', '2020-01-01', 10, NULL, 1000, 0, 1), ('A', '2020-01-02', 11, NULL, 2000, 0, 1), ('A', '2020-01-03', 12, 6, 3000, 0, 1),
      ('B', '2020-01-01', 20, NULL, 500, 0, 1), ('B', '2020-01-02', 20, NULL, NULL, 1, 1), ('B', '2020-01-03', 21, NULL, 700, 0, 1),
      ('C', '2020-01-01', 30, NULL, NULL, 0, 1), ('C', '2020-01-02', 31, NULL, NULL, 0, 1);
  `);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('traded value in the price matrix', () => {
  it("is the bar's own close x its volume (not the adjusted close), NaN where the bar has no volume", () => {
    const m = loadPriceMatrix(db, 'u1');
    expect(m.close.map((r) => [...r])).toEqual([
      [10, 20],
      [11, 20],
      [6, 21],
    ]);
    expect(m.tradedValue!.map((r) => [...r])).toEqual([
      [10_000, 10_000],
      [22_000, NaN],
      [36_000, 14_700],
    ]);
    // a date range cuts both alike
    expect(loadPriceMatrix(db, 'u1', { from: '2020-01-02' }).tradedValue!.map((r) => [...r])).toEqual([
      [22_000, NaN],
      [36_000, 14_700],
    ]);
  });

  it('is absent when no bar of the matrix has a volume', () => {
    const m = loadPriceMatrix(db, 'u2');
    expect(m.dates).toHaveLength(2);
    expect('tradedValue' in m).toBe(false);
  });

  it("follows a scenario's cut of the matrix", () => {
    const m = restrictPrices(loadPriceMatrix(db, 'u1'), ['B']);
    expect(m.tradedValue!.map((r) => [...r])).toEqual([[10_000], [NaN], [14_700]]);
  });
});

describe('an imported Volume column reaches the model', () => {
  it('ADV from the data, not the proxy', async () => {
    const engine = tempEngine({ seedDefaultData: false });
    try {
      const csv = path.join(engine.dir, 'x.csv');
      const rows = ['Date,Ticker,Close,Volume'];
      for (let d = 1; d <= 9; d++) {
        const day = `2021-03-0${d}`;
        rows.push(`${day},XA,${100 + d},${1000 * d}`, `${day},XB,${50 + (d % 2)},${400}`);
      }
      fs.writeFileSync(csv, rows.join('\n') + '\n');
      const { runImport } = await import('../../src-main/data/importer');
      const { result } = await runImport(engine.db, [csv], { universe: 'vol' });
      expect(result).toBeTruthy();
      const m = loadPriceMatrix(engine.db, 'vol');
      expect(m.tickers).toEqual(['XA', 'XB']);
      const p = new ExecutionCosts(m, 0, { window: 3, advProxy: 1 });
      // XA over days 7..9: (107 x 7000 + 108 x 8000 + 109 x 9000) / 3
      expect(p.averageDailyTradedValue(0, 8)).toBeCloseTo((107 * 7000 + 108 * 8000 + 109 * 9000) / 3, 6);
      expect(p.averageDailyTradedValue(1, 8)).toBeCloseTo(((51 + 50 + 51) * 400) / 3, 6);
    } finally {
      engine.close();
      fs.rmSync(engine.dir, { recursive: true, force: true });
    }
  });
});
