/**
 * `hdrl orders --book NAME --format csv|xlsx --out FILE`: the order list of the book's latest approved decision (or
 * the one of --date): ticker, side, shares, estimated price and amount, estimated cost. --out must be a regular
 * file or a new name (reports/outputFile.ts); anything else exits 2 before any work. Prints the absolute path.
 */
import { OrderFormat } from '../../../src-shared/contract/books';
import { checkOutputTarget, OutputTargetError, writeOutputFile } from '../../reports/outputFile';
import { UsageError, type CliCommand } from '../types';
import { callBooks, refusals } from './book';

export const ordersCommand: CliCommand = {
  name: 'orders',
  summary: "export the order list of a book's approved decision as csv or xlsx",
  usage: '--book NAME --format csv|xlsx --out FILE [--date YYYY-MM-DD]',
  options: { book: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, date: { type: 'string' } },
  async run({ args, engine, io }) {
    if (typeof args.book !== 'string') throw new UsageError('--book is required');
    const format = OrderFormat.safeParse(args.format);
    if (!format.success) throw new UsageError(`--format must be one of ${OrderFormat.options.join(', ')}`);
    if (typeof args.out !== 'string' || !args.out) throw new UsageError('--out FILE is required');
    const out = args.out;
    return refusals(io, async () => {
      try {
        checkOutputTarget(out);
        const f = await callBooks(engine!, 'books.exportOrders', {
          name: args.book as string,
          format: format.data,
          ...(typeof args.date === 'string' ? { date: args.date } : {}),
        });
        const file = writeOutputFile(out, Buffer.from(f.base64, 'base64'));
        io.err(`wrote ${f.fileName}, ${f.bytes} bytes`);
        io.out(file);
        return 0;
      } catch (e) {
        if (e instanceof OutputTargetError) return (io.err(e.message), 2);
        throw e;
      }
    });
  },
};
