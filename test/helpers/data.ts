/** Test fixtures: the bundled DJIA data as a PriceMatrix (parsed simply, independent of the importer) and synthetic matrices. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PriceMatrix } from '../../src-main/market/prices';

export const DJIA_CSV = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../resources/data/djia30-1991-2001.csv',
);

let cached: PriceMatrix | undefined;
/** The bundled DJIA 30 closes (2529 days x 30 assets). Callers must not mutate the result. */
export function loadDjia(): PriceMatrix {
  if (cached) return cached;
  const lines = fs.readFileSync(DJIA_CSV, 'utf8').trim().split(/\r?\n/);
  const tickers = lines[0]!.split(',').slice(1);
  const dates: string[] = [];
  const close: Float64Array[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    dates.push(cells[0]!);
    close.push(Float64Array.from(cells.slice(1), Number));
  }
  cached = { universe: 'djia30', dates, tickers, close };
  return cached;
}

/** First `days` rows and first `assets` columns of the DJIA data. */
export function djiaSubset(days: number, assets: number, fromDay = 0): PriceMatrix {
  const m = loadDjia();
  return {
    universe: 'djia30-subset',
    dates: m.dates.slice(fromDay, fromDay + days),
    tickers: m.tickers.slice(0, assets),
    close: m.close.slice(fromDay, fromDay + days).map((r) => r.slice(0, assets)),
  };
}

/** A matrix from explicit price relatives: x[t][i] for t>=1, prices starting at 1. */
export function matrixFromRelatives(relatives: number[][], tickers?: string[]): PriceMatrix {
  const n = relatives[0]!.length;
  const close: Float64Array[] = [new Float64Array(n).fill(1)];
  for (const x of relatives) {
    const prev = close[close.length - 1]!;
    close.push(Float64Array.from(x, (v, i) => prev[i]! * v));
  }
  const start = Date.UTC(2020, 0, 1);
  const dates = close.map((_, t) => new Date(start + t * 86_400_000).toISOString().slice(0, 10));
  return { universe: 'synthetic', dates, tickers: tickers ?? Array.from({ length: n }, (_, i) => `A${i}`), close };
}
