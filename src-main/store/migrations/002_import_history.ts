/**
 * Migration 002: what an import needs to be undone completely. 001's import_batches records the assets and the
 * universe a batch created; this adds the universe members it added to an existing universe, the asset metadata
 * it overwrote (previous values, restored on undo), how many bars it wrote, and its kind (a user import, the
 * bundled data set loaded on first start — never undone — or a download).
 */
export const up = `
ALTER TABLE import_batches ADD COLUMN kind TEXT NOT NULL DEFAULT 'import' CHECK (kind IN ('import', 'bundled', 'download'));
ALTER TABLE import_batches ADD COLUMN added_members TEXT NOT NULL DEFAULT '[]';  -- JSON array of tickers added to the universe
ALTER TABLE import_batches ADD COLUMN asset_updates TEXT NOT NULL DEFAULT '[]';  -- JSON array of {ticker, name, class, sector} as they were before
ALTER TABLE import_batches ADD COLUMN bars INTEGER NOT NULL DEFAULT 0;
CREATE INDEX import_batches_active ON import_batches(undone_at, id);
`;
