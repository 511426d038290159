/**
 * Synthetic price files for benchmarks and tests of the import at scale (no real data is needed): seeded
 * geometric random walks written as a wide CSV, streamed to disk row by row.
 */
import fs from 'node:fs';

export interface SyntheticOptions {
  tickers: number;
  /** business days (Monday to Friday) from `start` */
  days: number;
  /** first date, ISO (default 2000-01-03, a Monday) */
  start?: string;
  seed?: number;
  /** daily log-return standard deviation (default 0.02, about 32% a year) */
  vol?: number;
}

/** mulberry32: a small, fast, seeded 32-bit PRNG giving uniforms in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` business-day dates from `start` (weekends skipped), ISO. */
export function businessDays(start: string, n: number): string[] {
  const out: string[] = [];
  let ms = Date.parse(start + 'T00:00:00Z');
  while (out.length < n) {
    const dow = new Date(ms).getUTCDay();
    if (dow !== 0 && dow !== 6) out.push(new Date(ms).toISOString().slice(0, 10));
    ms += 86_400_000;
  }
  return out;
}

/** Ticker names S0000, S0001, ... */
export function syntheticTickers(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `S${String(i).padStart(4, '0')}`);
}

/**
 * Write a wide CSV (date + one close column per ticker) of seeded random walks starting at 100, prices rounded
 * to 4 decimals, never below 0.01. Takes the target path and the options; gives the file's size in bytes and its
 * data row count. The same options always give the same file.
 */
export function writeSyntheticWideCsv(file: string, opts: SyntheticOptions): { bytes: number; rows: number } {
  const rnd = mulberry32(opts.seed ?? 1);
  const vol = opts.vol ?? 0.02;
  const tickers = syntheticTickers(opts.tickers);
  const dates = businessDays(opts.start ?? '2000-01-03', opts.days);
  const px = new Float64Array(opts.tickers).fill(100);
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  const put = (s: string) => {
    bytes += fs.writeSync(fd, s);
  };
  try {
    put(['date', ...tickers].join(',') + '\n');
    let buf = '';
    for (const d of dates) {
      let line = d;
      for (let i = 0; i < px.length; i++) {
        // Box-Muller normal draw
        const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
        px[i] = Math.max(0.01, px[i]! * Math.exp(vol * z - 0.5 * vol * vol));
        line += ',' + px[i]!.toFixed(4);
      }
      buf += line + '\n';
      if (buf.length > 1 << 20) {
        put(buf);
        buf = '';
      }
    }
    if (buf) put(buf);
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, rows: dates.length };
}
