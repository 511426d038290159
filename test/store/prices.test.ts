/**
 * loadPriceMatrix / listUniverses / universeDetail on a database written by hand with SQL (no importer involved):
 * alignment on the dates every member has, adjusted closes preferred, the date range honoured, nothing after `to`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DB } from '../../src-main/store/db';
import { listUniverses, loadPriceMatrix, universeDetail, UnknownUniverseError } from '../../src-main/store/prices';

let db: DB;
let dir: string;

/**
 * Universe u1: A (2020-01-01..05, adj close on the 3rd), B (01-02..05, filled on the 4th), C (01-01..04).
 * Common dates: 01-02, 01-03, 01-04. Universe u2 (no members). Universe u3: C only.
 */
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-prices-'));
  db = openDatabase(path.join(dir, 'p.db'));
  db.exec(`
    INSERT INTO import_batches (universe_id, files, format, fill_policy, rows, created_at) VALUES ('u1', '[]', 'wide', 'reject', 0, 'now');
    INSERT INTO universes (id, name, source, created_at) VALUES ('u1', 'One', 'hand-made', 't1'), ('u2', 'Empty', '', 't2'), ('u3', 'Three', '', 't3');
    INSERT INTO assets (ticker, name, class, sector) VALUES ('A', 'Alpha', 'Equity', 'Tech'), ('B', 'Beta', 'Bond', ''), ('C', 'Gamma', 'Equity', 'Energy');
    INSERT INTO universe_members (universe_id, ticker, position) VALUES ('u1', 'B', 5), ('u1', 'A', 2), ('u1', 'C', 9), ('u3', 'C', 0);
    INSERT INTO bars (ticker, date, close, adj_close, filled, batch_id) VALUES
      ('A', '2020-01-01', 10, NULL, 0, 1), ('A', '2020-01-02', 11, NULL, 0, 1), ('A', '2020-01-03', 12, 6, 0, 1), ('A', '2020-01-04', 13, NULL, 0, 1), ('A', '2020-01-05', 14, NULL, 0, 1),
      ('B', '2020-01-02', 20, NULL, 0, 1), ('B', '2020-01-03', 21, NULL, 0, 1), ('B', '2020-01-04', 21, NULL, 1, 1), ('B', '2020-01-05', 22, NULL, 0, 1),
      ('C', '2020-01-01', 30, NULL, 0, 1), ('C', '2020-01-02', 31, NULL, 0, 1), ('C', '2020-01-03', 32, NULL, 0, 1), ('C', '2020-01-04', 33, NULL, 0, 1);
  `);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const plain = (m: ReturnType<typeof loadPriceMatrix>) => ({
  dates: m.dates,
  tickers: m.tickers,
  close: m.close.map((r) => [...r]),
});

describe('loadPriceMatrix', () => {
  it('keeps the dates where every member has a close, members in position order, adjusted close first', () => {
    const m = loadPriceMatrix(db, 'u1');
    expect(plain(m)).toEqual({
      dates: ['2020-01-02', '2020-01-03', '2020-01-04'],
      tickers: ['A', 'B', 'C'],
      close: [
        [11, 20, 31],
        [6, 21, 32],
        [13, 21, 33],
      ],
    });
    expect(m.universe).toBe('u1');
    expect(m.assets).toEqual([
      { ticker: 'A', name: 'Alpha', class: 'Equity', sector: 'Tech' },
      { ticker: 'B', name: 'Beta', class: 'Bond', sector: '' },
      { ticker: 'C', name: 'Gamma', class: 'Equity', sector: 'Energy' },
    ]);
  });

  it('honours from and to, inclusive', () => {
    expect(loadPriceMatrix(db, 'u1', { from: '2020-01-03' }).dates).toEqual(['2020-01-03', '2020-01-04']);
    expect(loadPriceMatrix(db, 'u1', { to: '2020-01-03' }).dates).toEqual(['2020-01-02', '2020-01-03']);
    expect(loadPriceMatrix(db, 'u3', { from: '2020-01-02', to: '2020-01-03' }).dates).toEqual([
      '2020-01-02',
      '2020-01-03',
    ]);
  });

  it('never depends on bars after `to`', () => {
    const a = plain(loadPriceMatrix(db, 'u1', { to: '2020-01-03' }));
    db.exec(
      `UPDATE bars SET close = close * 100, adj_close = NULL WHERE date > '2020-01-03'; DELETE FROM bars WHERE ticker = 'C' AND date = '2020-01-04'`,
    );
    expect(plain(loadPriceMatrix(db, 'u1', { to: '2020-01-03' }))).toEqual(a);
  });

  it('gives zero dates for a universe without members, and throws for an unknown one', () => {
    expect(plain(loadPriceMatrix(db, 'u2'))).toEqual({ dates: [], tickers: [], close: [] });
    expect(() => loadPriceMatrix(db, 'nope')).toThrow(UnknownUniverseError);
  });
});

describe('listUniverses and universeDetail', () => {
  it('gives member counts and the latest-first to earliest-last range', () => {
    expect(listUniverses(db)).toEqual([
      {
        id: 'u1',
        name: 'One',
        source: 'hand-made',
        createdAt: 't1',
        assetCount: 3,
        from: '2020-01-02',
        to: '2020-01-04',
      },
      { id: 'u2', name: 'Empty', source: '', createdAt: 't2', assetCount: 0, from: null, to: null },
      { id: 'u3', name: 'Three', source: '', createdAt: 't3', assetCount: 1, from: '2020-01-01', to: '2020-01-04' },
    ]);
  });

  it('gives per-member coverage with filled bars counted', () => {
    const d = universeDetail(db, 'u1');
    expect(d.alignedDates).toBe(3);
    expect(d.assets.map((a) => [a.ticker, a.position, a.first, a.last, a.bars, a.filled])).toEqual([
      ['A', 0, '2020-01-01', '2020-01-05', 5, 0],
      ['B', 1, '2020-01-02', '2020-01-05', 4, 1],
      ['C', 2, '2020-01-01', '2020-01-04', 4, 0],
    ]);
    expect(() => universeDetail(db, 'nope')).toThrow(UnknownUniverseError);
  });
});
