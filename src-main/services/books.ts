/** Handlers of the books.* channels (contract/books.ts); the rules live in src-main/books. */
import { writeTransaction } from '../store/db';
import { deleteBook, getBook, listBooks, listDecisions } from '../store/books';
import {
  answerDecision,
  applyUpdate,
  bookDetail,
  bookSummary,
  decisionOut,
  getBookDecision,
  insertNewBook,
  latestDate,
  planToday,
  prepareBook,
  prepareUpdate,
  setPositions,
  storeToday,
  trackRecord,
} from '../books/book';
import { orderFile, orderList } from '../books/orders';
import { notFound } from './errors';
import type { Handlers } from './types';

type BookChannel =
  | 'books.list'
  | 'books.create'
  | 'books.update'
  | 'books.get'
  | 'books.delete'
  | 'books.setPositions'
  | 'books.today'
  | 'books.decision'
  | 'books.decisions'
  | 'books.answer'
  | 'books.trackRecord'
  | 'books.orders'
  | 'books.exportOrders';

export const bookHandlers: Handlers<BookChannel> = {
  async 'books.list'(_req, engine) {
    return Promise.all(listBooks(engine.db).map((b) => bookSummary(engine.db, b)));
  },
  // the strategy is resolved and checked first (the registry loads asynchronously), then stored in one write transaction
  async 'books.create'(req, engine) {
    const nb = await prepareBook(engine.db, req);
    return bookSummary(engine.db, await writeTransaction(engine.db, () => insertNewBook(engine.db, nb)));
  },
  async 'books.update'(req, engine) {
    const u = await prepareUpdate(engine.db, req);
    return bookSummary(engine.db, await writeTransaction(engine.db, () => applyUpdate(engine.db, req.name, u)));
  },
  'books.get': (req, engine) => bookDetail(engine.db, req.name),
  'books.delete': (req, engine) =>
    writeTransaction(engine.db, () => {
      if (!getBook(engine.db, req.name)) throw notFound(`book ${req.name}`);
      return { name: req.name, deleted: deleteBook(engine.db, req.name) };
    }),
  'books.setPositions': (req, engine) => writeTransaction(engine.db, () => setPositions(engine.db, req)),
  async 'books.today'(req, engine) {
    const plan = planToday(engine.db, req.name);
    if (plan.existing && (plan.existing.answer || !req.refresh)) return decisionOut(plan.existing, plan.date);
    const d = await plan.compute();
    return writeTransaction(engine.db, () => storeToday(engine.db, d));
  },
  'books.decision': (req, engine) => getBookDecision(engine.db, req.name, req.date),
  'books.decisions'(req, engine) {
    const b = getBook(engine.db, req.name);
    if (!b) throw notFound(`book ${req.name}`);
    const latest = latestDate(engine.db, b.universe);
    return listDecisions(engine.db, b.name, req.limit ?? 500)
      .reverse()
      .map((d) => decisionOut(d, latest));
  },
  'books.answer': (req, engine) => writeTransaction(engine.db, () => answerDecision(engine.db, req)),
  'books.trackRecord': (req, engine) => trackRecord(engine.db, req.name),
  'books.orders'(req, engine) {
    const { note: _note, ...o } = orderList(engine.db, req.name, req.date);
    return o;
  },
  async 'books.exportOrders'(req, engine) {
    const f = await orderFile(engine.db, req.name, req.format, req.date);
    return { fileName: f.fileName, base64: Buffer.from(f.bytes).toString('base64'), bytes: f.bytes.length };
  },
};
