/**
 * `hdrl approve --book NAME --note TEXT`: answer the book's open decision — approve it as proposed, approve it with
 * edited target weights (--edit TICKER=WEIGHT,..., a fraction or a percentage; the tickers not named keep the
 * proposal's weight), or --reject it. Edits are checked (members of the universe, long-only, summing to at most
 * 100%, within the book's turnover budget) and a refused edit stores nothing.
 */
import { UsageError, type CliCommand } from '../types';
import { callBooks, parsePairs, printDecision, refusals } from './book';

export const approveCommand: CliCommand = {
  name: 'approve',
  summary: "approve (as proposed or edited) or reject a book's open decision, with a note",
  usage: '--book NAME --note TEXT [--edit TICKER=WEIGHT,...] [--reject] [--date YYYY-MM-DD]',
  options: {
    book: { type: 'string' },
    note: { type: 'string' },
    edit: { type: 'string', multiple: true },
    reject: { type: 'boolean' },
    date: { type: 'string' },
  },
  async run({ args, engine, io }) {
    if (typeof args.book !== 'string') throw new UsageError('--book is required');
    if (typeof args.note !== 'string' || !args.note.trim()) throw new UsageError('--note is required: say why');
    const edits = parsePairs((args.edit as string[] | undefined) ?? [], '--edit', true);
    if (args.reject && edits.length) throw new UsageError('--reject takes no --edit');
    const name = args.book;
    return refusals(io, async () => {
      const d = await callBooks(engine!, 'books.answer', {
        name,
        action: args.reject ? 'reject' : 'approve',
        note: args.note as string,
        ...(edits.length ? { edits: edits.map((x) => ({ ticker: x.key, weight: x.value })) } : {}),
        ...(typeof args.date === 'string' ? { date: args.date } : {}),
      });
      const b = await callBooks(engine!, 'books.get', { name });
      printDecision(io, d, b.currency);
      if (d.outcome?.status !== 'rejected') io.out(`orders: hdrl orders --book ${name} --format csv --out ORDERS.csv`);
      return 0;
    });
  },
};
