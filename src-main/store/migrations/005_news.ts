/**
 * Migration 005: news for MPLS's sentiment module (docs/news.md). Rows belong to a universe and to the import batch
 * that brought them (undo removes a batch's rows). `row_key` is what makes a re-import add nothing: the sha256 of
 * the row's content as imported (date, ticker or sector, source, text, probabilities) with, after a colon, which
 * occurrence of that content in its file it is (1 for the first), unique per universe. Probabilities come from the
 * file (`scored_by` 'file') or from a FinBERT model (`scored_by` the sha256 of its model.onnx); NULL until scored.
 * Removing a universe (undoing the price import that created it) removes its news with it.
 */
export const up = `
CREATE TABLE news_batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  universe_id TEXT NOT NULL REFERENCES universes(id) ON DELETE CASCADE,
  file TEXT NOT NULL,                -- absolute path as imported
  sha256 TEXT NOT NULL,              -- of the whole file
  rows INTEGER NOT NULL,             -- rows the batch added
  created_at TEXT NOT NULL,
  undone_at TEXT
);
CREATE TABLE news (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  universe_id TEXT NOT NULL REFERENCES universes(id) ON DELETE CASCADE,
  batch_id INTEGER NOT NULL REFERENCES news_batches(id) ON DELETE CASCADE,
  row_key TEXT NOT NULL,
  date TEXT NOT NULL,
  ticker TEXT,
  sector TEXT,
  source TEXT NOT NULL CHECK (source IN ('news', 'social', 'earnings', 'other')),
  text TEXT NOT NULL,
  positive REAL,
  neutral REAL,
  negative REAL,
  scored_by TEXT,
  CHECK ((ticker IS NULL) <> (sector IS NULL)),
  CHECK ((positive IS NULL) = (scored_by IS NULL)),
  UNIQUE (universe_id, row_key)
);
CREATE INDEX news_by_universe_date ON news(universe_id, date);
CREATE INDEX news_by_batch ON news(batch_id);
`;
