/**
 * `hdrl export-prices`: a universe's aligned closes as a wide CSV (date + one column per member), to stdout or to
 * --out FILE (a regular file or a new name, written whole or not at all: reports/outputFile.ts; anything else exits 2).
 */
import { IsoDate } from '../../../src-shared/contract/define';
import type { PriceMatrix } from '../../market/prices';
import { writeOutputFile, OutputTargetError } from '../../reports/outputFile';
import { loadPriceMatrix, UnknownUniverseError } from '../../store/prices';
import { UsageError, type CliCommand } from '../types';

/**
 * Write a price matrix as a wide CSV: header `date,T1,T2,...`, one row per date, numbers in JavaScript's shortest
 * round-trip form (re-importing the file gives the same doubles). Takes the matrix and a line sink.
 */
export function writeWideCsv(m: PriceMatrix, write: (chunk: string) => void): void {
  write(['date', ...m.tickers].join(',') + '\n');
  let buf = '';
  for (let t = 0; t < m.dates.length; t++) {
    buf += m.dates[t] + ',' + Array.from(m.close[t]!, String).join(',') + '\n';
    if (buf.length > 1 << 16) {
      write(buf);
      buf = '';
    }
  }
  if (buf) write(buf);
}

export const exportPricesCommand: CliCommand = {
  name: 'export-prices',
  summary: "write a universe's aligned closes as a wide CSV (stdout or --out FILE)",
  usage: '--universe ID [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out FILE]',
  options: { universe: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
  async run({ args, engine, io }) {
    if (typeof args.universe !== 'string') throw new UsageError('--universe ID is required');
    for (const k of ['from', 'to'] as const)
      if (args[k] !== undefined && !IsoDate.safeParse(args[k]).success)
        throw new UsageError(`--${k} must be a date YYYY-MM-DD`);
    let m: PriceMatrix;
    try {
      m = loadPriceMatrix(engine!.db, args.universe, {
        from: args.from as string | undefined,
        to: args.to as string | undefined,
      });
    } catch (e) {
      if (e instanceof UnknownUniverseError) {
        io.err(e.message);
        return 2;
      }
      throw e;
    }
    if (typeof args.out === 'string') {
      try {
        writeOutputFile(args.out, (write) => writeWideCsv(m, write));
      } catch (e) {
        if (!(e instanceof OutputTargetError)) throw e;
        io.err(e.message);
        return 2;
      }
      io.err(`wrote ${m.dates.length} dates x ${m.tickers.length} tickers to ${args.out}`);
    } else {
      writeWideCsv(m, (s) => process.stdout.write(s));
    }
    return 0;
  },
};
