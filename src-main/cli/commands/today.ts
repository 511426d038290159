/**
 * `hdrl today --book NAME`: the book's decision at the close of the latest data date, for the next session —
 * current and target weights, the trades in shares and currency with their estimated cost, the strategy's
 * warnings, and whether it is answered. Asked again the same day it shows the stored decision (--refresh
 * recomputes one that is not answered yet).
 */
import { UsageError, type CliCommand } from '../types';
import { callBooks, printDecision, refusals } from './book';

export const todayCommand: CliCommand = {
  name: 'today',
  summary: "a book's decision for the next session: targets vs current weights, trades, cost, warnings",
  usage: '--book NAME [--refresh] [--json]',
  options: { book: { type: 'string' }, refresh: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ args, engine, io }) {
    if (typeof args.book !== 'string') throw new UsageError('--book is required');
    const name = args.book;
    return refusals(io, async () => {
      const d = await callBooks(engine!, 'books.today', { name, ...(args.refresh ? { refresh: true } : {}) });
      if (args.json) return (io.out(JSON.stringify(d, null, 1)), 0);
      const b = await callBooks(engine!, 'books.get', { name });
      printDecision(io, d, b.currency);
      return 0;
    });
  },
};
