/**
 * Migration 004: books (the PM's daily loop, src-main/books). A book holds its opening positions; every decision
 * its strategy took is kept with what it saw (tickers, closes, the book's drifted weights and value) and at most
 * one answer. The book's positions on any later date follow from the opening, the approved answers and the prices
 * (src-main/books/ledger.ts), so nothing here has to be updated when prices arrive.
 */
export const up = `
CREATE TABLE books (
  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
  universe_id TEXT NOT NULL REFERENCES universes(id),
  currency TEXT NOT NULL,
  strategy TEXT NOT NULL,             -- strategy id; for a model book the learning variant
  params TEXT NOT NULL DEFAULT '{}',  -- JSON: resolved strategy parameters (classic)
  model_run TEXT,                     -- model books: the run that trained the model
  model_key TEXT,                     -- model books: hdrl-data/models/<key>.json
  settings TEXT NOT NULL,             -- JSON: BookSettings
  opening_date TEXT NOT NULL,         -- the data date the opening positions are valued at
  opening_cash REAL NOT NULL CHECK (opening_cash >= 0),
  opening_value REAL NOT NULL CHECK (opening_value > 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE book_positions (         -- opening holdings, in shares
  book TEXT NOT NULL REFERENCES books(name) ON DELETE CASCADE,
  ticker TEXT NOT NULL,
  shares REAL NOT NULL CHECK (shares >= 0),
  PRIMARY KEY (book, ticker)
) WITHOUT ROWID;
CREATE TABLE book_decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  book TEXT NOT NULL REFERENCES books(name) ON DELETE CASCADE,
  date TEXT NOT NULL,                 -- data date: decided at its close for the next session
  strategy TEXT NOT NULL,
  model_key TEXT,
  tickers TEXT NOT NULL,              -- JSON array, the order of every vector below
  prices BLOB NOT NULL,               -- Float64Array: closes of date
  drifted BLOB NOT NULL,              -- Float64Array: the book's weights before trading, cash last
  target BLOB NOT NULL,               -- Float64Array: the proposal, cash last
  value REAL NOT NULL,                -- book value at the close, before trading
  cost REAL NOT NULL,                 -- the book's cost rate when it decided (what its trade pays)
  detail TEXT,                        -- JSON: the strategy's decision detail
  warnings TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  UNIQUE (book, date)
);
CREATE TABLE book_answers (
  decision_id INTEGER PRIMARY KEY REFERENCES book_decisions(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('approved', 'adjusted', 'rejected')),
  weights BLOB,                       -- Float64Array: the approved targets, cash last; NULL when rejected
  note TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;
