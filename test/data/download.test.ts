/** The Yahoo download with an injected fetcher serving a recorded-shape chart() response: never the network. */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chartToCsv,
  downloadAndImport,
  isOfflineError,
  OfflineError,
  quoteDate,
  type ChartFetcher,
  type ChartResult,
} from '../../src-main/data/download';
import type { DB } from '../../src-main/store/db';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { dumpChecksum, fx, rows, tempDb } from './helpers';

/** The fixture as chart() gives it: dates as Date objects. */
function recorded(): ChartResult {
  const raw = JSON.parse(fs.readFileSync(fx('yahoo-chart-ibm.json'), 'utf8')) as ChartResult & {
    quotes: { date: string }[];
  };
  return { ...raw, quotes: raw.quotes.map((q) => ({ ...q, date: new Date(q.date) })) };
}

let db: DB;
let dir: string;
const calls: { symbol: string; period1: string; period2: string }[] = [];
const fetcher: ChartFetcher = async (symbol, opts) => {
  calls.push({ symbol, period1: opts.period1, period2: opts.period2 });
  return recorded();
};
beforeEach(() => {
  ({ db, dir } = tempDb());
  calls.length = 0;
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('download', () => {
  it('turns chart() quotes into a Yahoo-style CSV on exchange-local dates', () => {
    // 14:30 UTC is 09:30 in New York (gmtoffset -18000 s); 03:00 UTC is still the previous day there
    expect(quoteDate(new Date('2024-01-02T14:30:00Z'), -18000)).toBe('2024-01-02');
    expect(quoteDate(new Date('2024-01-03T03:00:00Z'), -18000)).toBe('2024-01-02');
    expect(quoteDate(1704205800, 0)).toBe('2024-01-02'); // seconds
    const csv = chartToCsv(recorded()).split('\n');
    expect(csv[0]).toBe('Date,Open,High,Low,Close,Adj Close,Volume');
    expect(csv[1]).toBe('2024-01-02,161.5,163.49,160.69,158.16,152.07,4087800');
    expect(csv[4]).toBe('2024-01-05,,,,,,');
  });

  it('rejects the null day by default and forward-fills it on request', async () => {
    const rejected = await downloadAndImport(db, ['ibm'], {
      universe: 'Yahoo',
      from: '2024-01-02',
      to: '2024-01-08',
      fetcher,
    });
    expect(calls).toEqual([{ symbol: 'IBM', period1: '2024-01-02', period2: '2024-01-09' }]);
    expect(rejected.result).toBeNull();
    expect(rejected.preview.problems.find((p) => p.severity === 'error')!.message).toMatch(
      /IBM: missing price on 2024-01-05 \(an empty cell\)/,
    );

    const { result, preview } = await downloadAndImport(db, ['IBM'], {
      universe: 'Yahoo',
      from: '2024-01-02',
      to: '2024-01-08',
      fill: 'ffill',
      fetcher,
    });
    expect(preview.format).toBe('per-ticker');
    expect(result).toMatchObject({ universe: 'yahoo', bars: 5, filledCells: 1 });
    expect(
      rows(
        db,
        `SELECT date, close, adj_close, filled FROM bars WHERE ticker = 'IBM' AND date >= '2024-01-04' ORDER BY date`,
      ),
    ).toEqual([
      { date: '2024-01-04', close: 159.69, adj_close: 153.54, filled: 0 },
      { date: '2024-01-05', close: 159.69, adj_close: 153.54, filled: 1 },
      { date: '2024-01-08', close: 160.19, adj_close: 154.02, filled: 0 },
    ]);
    expect(rows(db, 'SELECT * FROM assets')).toEqual([
      { ticker: 'IBM', name: 'International Business Machines Corporation', class: 'Equity', sector: '' },
    ]);
    expect(rows(db, 'SELECT kind FROM import_batches')).toEqual([{ kind: 'download' }]);
    expect(rows<{ source: string }>(db, 'SELECT source FROM universes')[0]!.source).toMatch(
      /^Yahoo Finance chart\(\) daily bars/,
    );
    expect(loadPriceMatrix(db, 'yahoo').close.map((r) => r[0])).toEqual([152.07, 150.85, 153.54, 153.54, 154.02]);
  });

  it('cuts quotes after `to`', async () => {
    const { result } = await downloadAndImport(db, ['IBM'], {
      universe: 'Y',
      from: '2024-01-02',
      to: '2024-01-04',
      fetcher,
    });
    expect(result!.bars).toBe(3);
  });

  it('says clearly when it is offline, and writes nothing', async () => {
    const before = dumpChecksum(db);
    const offline: ChartFetcher = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND query2.finance.yahoo.com'), { code: 'ENOTFOUND' }),
      });
    };
    const err = await downloadAndImport(db, ['IBM'], { universe: 'Y', from: '2024-01-02', fetcher: offline }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OfflineError);
    expect((err as Error).message).toMatch(/cannot reach Yahoo Finance \(offline\?\)/);
    expect(dumpChecksum(db)).toBe(before);
    expect(isOfflineError(new Error('Not Found'))).toBe(false);
    const other = await downloadAndImport(db, ['IBM'], {
      universe: 'Y',
      from: '2024-01-02',
      fetcher: async () => Promise.reject(new Error('No data found, symbol may be delisted')),
    }).catch((e: Error) => e);
    expect((other as Error).message).toBe('download of IBM failed: No data found, symbol may be delisted');
  });
});
