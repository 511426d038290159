/**
 * Books in the database (migration 004): the book row with its opening positions, its stored decisions and the
 * answer to each. Plain reads and writes only; the rules (what may be stored when) live in src-main/books.
 * Weight and price vectors are Float64Array BLOBs as in run_weights (store/runs.ts encodeWeights), cash last.
 * Callers wrap writes that belong together in one write transaction (store/db.ts).
 */
import type { DB } from './db';
import { decodeWeights, encodeWeights, toJson } from './runs';
import type { BookSettings, BookWarning, OutcomeStatus } from '../../src-shared/contract/books';

export interface BookRow {
  name: string;
  universe: string;
  currency: string;
  strategy: string;
  params: Record<string, unknown>;
  modelRun: string | null;
  modelKey: string | null;
  settings: BookSettings;
  openingDate: string;
  openingCash: number;
  openingValue: number;
  createdAt: string;
  updatedAt: string;
}

interface RawBook {
  name: string;
  universe_id: string;
  currency: string;
  strategy: string;
  params: string;
  model_run: string | null;
  model_key: string | null;
  settings: string;
  opening_date: string;
  opening_cash: number;
  opening_value: number;
  created_at: string;
  updated_at: string;
}

function decodeBook(r: RawBook): BookRow {
  return {
    name: r.name,
    universe: r.universe_id,
    currency: r.currency,
    strategy: r.strategy,
    params: JSON.parse(r.params) as Record<string, unknown>,
    modelRun: r.model_run,
    modelKey: r.model_key,
    settings: JSON.parse(r.settings) as BookSettings,
    openingDate: r.opening_date,
    openingCash: r.opening_cash,
    openingValue: r.opening_value,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function getBook(db: DB, name: string): BookRow | undefined {
  const r = db.prepare('SELECT * FROM books WHERE name = ?').get(name) as RawBook | undefined;
  return r ? decodeBook(r) : undefined;
}

export function listBooks(db: DB): BookRow[] {
  return (db.prepare('SELECT * FROM books ORDER BY name').all() as RawBook[]).map(decodeBook);
}

export function insertBook(db: DB, b: Omit<BookRow, 'createdAt' | 'updatedAt'>): void {
  const now = new Date().toISOString();
  db.prepare(
    `INSERT INTO books (name, universe_id, currency, strategy, params, model_run, model_key, settings, opening_date, opening_cash, opening_value, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    b.name,
    b.universe,
    b.currency,
    b.strategy,
    JSON.stringify(b.params),
    b.modelRun,
    b.modelKey,
    JSON.stringify(b.settings),
    b.openingDate,
    b.openingCash,
    b.openingValue,
    now,
    now,
  );
}

/** Change the strategy (and model) and settings of a book. */
export function updateBookStrategy(
  db: DB,
  name: string,
  s: Pick<BookRow, 'strategy' | 'params' | 'modelRun' | 'modelKey' | 'settings'>,
): void {
  db.prepare(
    `UPDATE books SET strategy = ?, params = ?, model_run = ?, model_key = ?, settings = ?, updated_at = ? WHERE name = ?`,
  ).run(
    s.strategy,
    JSON.stringify(s.params),
    s.modelRun,
    s.modelKey,
    JSON.stringify(s.settings),
    new Date().toISOString(),
    name,
  );
}

export function deleteBook(db: DB, name: string): boolean {
  return db.prepare('DELETE FROM books WHERE name = ?').run(name).changes > 0;
}

/** The opening holdings in shares, by ticker. */
export function getOpeningShares(db: DB, name: string): Map<string, number> {
  const rows = db.prepare('SELECT ticker, shares FROM book_positions WHERE book = ? ORDER BY ticker').all(name) as {
    ticker: string;
    shares: number;
  }[];
  return new Map(rows.map((r) => [r.ticker, r.shares]));
}

/** Replace the opening holdings (and their date, cash and value). */
export function setOpening(
  db: DB,
  name: string,
  o: { date: string; cash: number; value: number; shares: ReadonlyMap<string, number> },
): void {
  db.prepare('DELETE FROM book_positions WHERE book = ?').run(name);
  const ins = db.prepare('INSERT INTO book_positions (book, ticker, shares) VALUES (?, ?, ?)');
  for (const [t, s] of o.shares) if (s > 0) ins.run(name, t, s);
  db.prepare(
    'UPDATE books SET opening_date = ?, opening_cash = ?, opening_value = ?, updated_at = ? WHERE name = ?',
  ).run(o.date, o.cash, o.value, new Date().toISOString(), name);
}

export interface StoredAnswer {
  status: OutcomeStatus;
  /** approved targets, cash last; null when rejected */
  weights: Float64Array | null;
  note: string;
  createdAt: string;
}

export interface StoredDecision {
  id: number;
  book: string;
  date: string;
  strategy: string;
  modelKey: string | null;
  tickers: string[];
  prices: Float64Array;
  drifted: Float64Array;
  target: Float64Array;
  value: number;
  cost: number;
  detail: Record<string, unknown> | null;
  warnings: BookWarning[];
  createdAt: string;
  answer: StoredAnswer | null;
}

interface RawDecision {
  id: number;
  book: string;
  date: string;
  strategy: string;
  model_key: string | null;
  tickers: string;
  prices: Buffer;
  drifted: Buffer;
  target: Buffer;
  value: number;
  cost: number;
  detail: string | null;
  warnings: string;
  created_at: string;
  status: OutcomeStatus | null;
  weights: Buffer | null;
  note: string | null;
  answered_at: string | null;
}

const DECISION_SELECT = `SELECT d.*, a.status, a.weights, a.note, a.created_at AS answered_at FROM book_decisions d LEFT JOIN book_answers a ON a.decision_id = d.id`;

function decodeDecision(r: RawDecision): StoredDecision {
  return {
    id: r.id,
    book: r.book,
    date: r.date,
    strategy: r.strategy,
    modelKey: r.model_key,
    tickers: JSON.parse(r.tickers) as string[],
    prices: decodeWeights(r.prices),
    drifted: decodeWeights(r.drifted),
    target: decodeWeights(r.target),
    value: r.value,
    cost: r.cost,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    warnings: JSON.parse(r.warnings) as BookWarning[],
    createdAt: r.created_at,
    answer: r.status
      ? {
          status: r.status,
          weights: r.weights ? decodeWeights(r.weights) : null,
          note: r.note ?? '',
          createdAt: r.answered_at ?? '',
        }
      : null,
  };
}

/** The decision of a book at a date, or its latest when no date is given. */
export function getDecision(db: DB, book: string, date?: string): StoredDecision | undefined {
  const r = (
    date
      ? db.prepare(`${DECISION_SELECT} WHERE d.book = ? AND d.date = ?`).get(book, date)
      : db.prepare(`${DECISION_SELECT} WHERE d.book = ? ORDER BY d.date DESC LIMIT 1`).get(book)
  ) as RawDecision | undefined;
  return r ? decodeDecision(r) : undefined;
}

/** Every decision of a book in date order (oldest first), or the newest `limit` of them. */
export function listDecisions(db: DB, book: string, limit?: number): StoredDecision[] {
  if (limit !== undefined) {
    const rows = db
      .prepare(`${DECISION_SELECT} WHERE d.book = ? ORDER BY d.date DESC LIMIT ?`)
      .all(book, limit) as RawDecision[];
    return rows.map(decodeDecision).reverse();
  }
  return (db.prepare(`${DECISION_SELECT} WHERE d.book = ? ORDER BY d.date`).all(book) as RawDecision[]).map(
    decodeDecision,
  );
}

/** Number of approvals (as proposed or adjusted) of a book. */
export function countApprovals(db: DB, book: string): number {
  const r = db
    .prepare(
      `SELECT COUNT(*) AS n FROM book_answers a JOIN book_decisions d ON d.id = a.decision_id WHERE d.book = ? AND a.status != 'rejected'`,
    )
    .get(book) as { n: number };
  return r.n;
}

export interface NewDecision {
  book: string;
  date: string;
  strategy: string;
  modelKey: string | null;
  tickers: readonly string[];
  prices: Float64Array;
  drifted: Float64Array;
  target: Float64Array;
  value: number;
  cost: number;
  detail: Record<string, unknown> | null;
  warnings: readonly BookWarning[];
}

/** Store a decision, replacing an unanswered one of the same date. Returns its id. */
export function putDecision(db: DB, d: NewDecision): number {
  db.prepare(
    `DELETE FROM book_decisions WHERE book = ? AND date = ? AND id NOT IN (SELECT decision_id FROM book_answers)`,
  ).run(d.book, d.date);
  const r = db
    .prepare(
      `INSERT INTO book_decisions (book, date, strategy, model_key, tickers, prices, drifted, target, value, cost, detail, warnings, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      d.book,
      d.date,
      d.strategy,
      d.modelKey,
      JSON.stringify(d.tickers),
      encodeWeights(d.prices),
      encodeWeights(d.drifted),
      encodeWeights(d.target),
      d.value,
      d.cost,
      d.detail ? toJson(d.detail) : null,
      JSON.stringify(d.warnings),
      new Date().toISOString(),
    );
  return Number(r.lastInsertRowid);
}

export function putAnswer(db: DB, decisionId: number, a: Omit<StoredAnswer, 'createdAt'>): void {
  db.prepare(`INSERT INTO book_answers (decision_id, status, weights, note, created_at) VALUES (?, ?, ?, ?, ?)`).run(
    decisionId,
    a.status,
    a.weights ? encodeWeights(a.weights) : null,
    a.note,
    new Date().toISOString(),
  );
}
