/**
 * Optional online download of daily bars through yahoo-finance2's chart() (the one network feature; everything
 * else works offline). Each ticker's response is written as a Yahoo-style per-ticker CSV
 * (Date,Open,High,Low,Close,Adj Close,Volume) plus a meta JSON in a temporary folder and imported through the
 * same reader, checks and transaction as any file import (batch kind 'download'). The fetcher is injectable, so
 * tests use a recorded response and never the network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FillPolicy, ImportPreview, ImportResult } from '../../src-shared/contract/data';
import type { DB } from '../store/db';
import { normalizeTicker } from './cells';
import { runImport, type RunOptions } from './importer';

/** One daily quote as chart() returns it (return: 'array'); null where Yahoo has no value. */
export interface ChartQuote {
  date: Date | string | number;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
  adjclose?: number | null;
}

/** The part of chart()'s array-shaped result the import reads. */
export interface ChartResult {
  meta: {
    symbol: string;
    gmtoffset?: number;
    longName?: string;
    shortName?: string;
    instrumentType?: string;
    currency?: string;
  };
  quotes: ChartQuote[];
}

/** Fetch daily bars of one symbol from period1 to period2 (ISO dates). */
export type ChartFetcher = (
  symbol: string,
  opts: { period1: string; period2: string; interval: '1d' },
) => Promise<ChartResult>;

/** The network could not be reached (no connection, DNS failure, refused). */
export class OfflineError extends Error {
  constructor(detail: string) {
    super(
      `cannot reach Yahoo Finance (offline?): ${detail}. Download needs an internet connection; import CSV files with \`hdrl import\` instead.`,
    );
    this.name = 'OfflineError';
  }
}

const OFFLINE_CODES =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|fetch failed/i;

/** True when an error (or its cause chain) says the network is unreachable. */
export function isOfflineError(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    const err = x as { code?: string; message?: string };
    if (OFFLINE_CODES.test(String(err.code ?? '')) || OFFLINE_CODES.test(String(err.message ?? ''))) return true;
  }
  return false;
}

/** chart() of the installed yahoo-finance2 (v3: an instance per client), returning the array-shaped result. */
export async function yahooChartFetcher(): Promise<ChartFetcher> {
  const mod = (await import('yahoo-finance2')) as unknown as {
    default: new (opts?: object) => { chart: (s: string, o: object) => Promise<unknown> };
  };
  const yf = new mod.default({ suppressNotices: ['yahooSurvey'] });
  return async (symbol, opts) => (await yf.chart(symbol, { ...opts, return: 'array' })) as ChartResult;
}

/** Yahoo's instrumentType as an asset class. */
const CLASS_OF: Record<string, string> = {
  EQUITY: 'Equity',
  ETF: 'ETF',
  MUTUALFUND: 'Fund',
  INDEX: 'Index',
  CURRENCY: 'Currency',
  CRYPTOCURRENCY: 'Crypto',
  FUTURE: 'Future',
  OPTION: 'Option',
};

/**
 * The exchange-local trading date of a chart() timestamp: the instant shifted by the exchange's UTC offset
 * (meta.gmtoffset, seconds), as YYYY-MM-DD.
 */
export function quoteDate(date: Date | string | number, gmtoffsetSec = 0): string {
  const ms =
    date instanceof Date
      ? date.getTime()
      : typeof date === 'number'
        ? date < 1e11
          ? date * 1000
          : date
        : Date.parse(date);
  return new Date(ms + gmtoffsetSec * 1000).toISOString().slice(0, 10);
}

const cell = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));

/**
 * A chart() result as the text of a Yahoo-style per-ticker CSV: Date,Open,High,Low,Close,Adj Close,Volume (no Adj
 * Close column when the result has no adjusted closes), one row per quote in the order given; null values become
 * empty cells (missing cells for the fill policy).
 */
export function chartToCsv(r: ChartResult): string {
  const off = r.meta.gmtoffset ?? 0;
  const hasAdj = r.quotes.some((q) => q.adjclose !== undefined);
  const lines = [hasAdj ? 'Date,Open,High,Low,Close,Adj Close,Volume' : 'Date,Open,High,Low,Close,Volume'];
  for (const q of r.quotes) {
    const row = [quoteDate(q.date, off), cell(q.open), cell(q.high), cell(q.low), cell(q.close)];
    if (hasAdj) row.push(cell(q.adjclose));
    row.push(cell(q.volume));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

export interface DownloadOptions {
  universe: string;
  /** first date, ISO */
  from: string;
  /** last date, ISO (default today) */
  to?: string;
  fill?: FillPolicy;
  fetcher?: ChartFetcher;
}

/**
 * Download daily bars of `tickers` and import them into a universe. Takes the database, the tickers, the options
 * and the run options (dryRun previews only); gives the preview and the result. Throws OfflineError when the
 * network cannot be reached, and an Error naming the ticker for any other fetch failure (nothing written).
 */
export async function downloadAndImport(
  db: DB,
  tickers: readonly string[],
  opts: DownloadOptions,
  run: RunOptions = {},
): Promise<{ preview: ImportPreview; result: ImportResult | null }> {
  const syms = tickers.map((t) => {
    const n = normalizeTicker(t);
    if (!n || n.includes('/')) throw new Error(`bad ticker "${t}"`);
    return n;
  });
  const fetcher = opts.fetcher ?? (await yahooChartFetcher());
  const to = opts.to ?? new Date().toISOString().slice(0, 10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-download-'));
  try {
    const files: string[] = [];
    const assets: { ticker: string; name: string; class: string; sector: string }[] = [];
    for (const [i, sym] of syms.entries()) {
      run.onProgress?.(0, `downloading ${sym} (${i + 1}/${syms.length})`);
      let r: ChartResult;
      try {
        // period2 is exclusive in Yahoo's API: ask for the day after `to`, then the import's checks see the rest
        r = await fetcher(sym, { period1: opts.from, period2: quoteDate(Date.parse(to) + 86_400_000), interval: '1d' });
      } catch (e) {
        if (isOfflineError(e)) throw new OfflineError((e as Error).message);
        throw new Error(`download of ${sym} failed: ${(e as Error).message}`, { cause: e });
      }
      const rows = { ...r, quotes: r.quotes.filter((q) => quoteDate(q.date, r.meta.gmtoffset ?? 0) <= to) };
      const file = path.join(dir, `${sym}.csv`);
      fs.writeFileSync(file, chartToCsv(rows));
      files.push(file);
      assets.push({
        ticker: sym,
        name: r.meta.longName ?? r.meta.shortName ?? '',
        class: CLASS_OF[r.meta.instrumentType ?? ''] ?? 'Equity',
        sector: '',
      });
    }
    const metaFile = path.join(dir, 'universe.json');
    fs.writeFileSync(
      metaFile,
      JSON.stringify({
        name: opts.universe,
        source: `Yahoo Finance chart() daily bars, downloaded ${new Date().toISOString().slice(0, 10)} for ${opts.from} .. ${to}`,
        assets,
      }),
    );
    return await runImport(
      db,
      files,
      { universe: opts.universe, format: 'per-ticker', fill: opts.fill, meta: metaFile, source: undefined },
      { ...run, kind: 'download' },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
