/**
 * Migration 003: bars an import replaced. An import with `replace` overwrites the stored series of a ticker whose
 * data differ from its file's; the stored bars move here, under the replacing batch, with every column and the
 * batch that had written them, so undoing that import puts them back exactly.
 */
export const up = `
CREATE TABLE replaced_bars (
  batch_id INTEGER NOT NULL REFERENCES import_batches(id),  -- the import that replaced them
  ticker TEXT NOT NULL,
  date TEXT NOT NULL,
  open REAL, high REAL, low REAL,
  close REAL NOT NULL,
  adj_close REAL,
  volume REAL,
  filled INTEGER NOT NULL,
  written_by INTEGER NOT NULL REFERENCES import_batches(id),  -- bars.batch_id as it was
  PRIMARY KEY (batch_id, ticker, date)
) WITHOUT ROWID;
`;
