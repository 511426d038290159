/** Migration 001: prices, universes, imports, runs and everything a run produces. */
export const up = `
CREATE TABLE assets (
  ticker TEXT PRIMARY KEY CHECK (length(ticker) BETWEEN 1 AND 32),
  name TEXT NOT NULL DEFAULT '',
  class TEXT NOT NULL DEFAULT 'Equity',
  sector TEXT NOT NULL DEFAULT ''
);
CREATE TABLE universes (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE TABLE universe_members (
  universe_id TEXT NOT NULL REFERENCES universes(id) ON DELETE CASCADE,
  ticker TEXT NOT NULL REFERENCES assets(ticker),
  position INTEGER NOT NULL,
  PRIMARY KEY (universe_id, ticker)
);
CREATE TABLE import_batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  universe_id TEXT NOT NULL,
  files TEXT NOT NULL,            -- JSON array of {path, sha256, format}
  format TEXT NOT NULL,
  fill_policy TEXT NOT NULL,
  rows INTEGER NOT NULL,
  filled_cells INTEGER NOT NULL DEFAULT 0,
  created_universe INTEGER NOT NULL DEFAULT 0,
  created_assets TEXT NOT NULL DEFAULT '[]', -- JSON array of tickers this batch added
  created_at TEXT NOT NULL,
  undone_at TEXT
);
CREATE TABLE bars (
  ticker TEXT NOT NULL REFERENCES assets(ticker),
  date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  open REAL, high REAL, low REAL,
  close REAL NOT NULL CHECK (close > 0),
  adj_close REAL CHECK (adj_close IS NULL OR adj_close > 0),
  volume REAL,
  filled INTEGER NOT NULL DEFAULT 0,      -- 1 when the close was forward-filled by the import policy
  batch_id INTEGER NOT NULL REFERENCES import_batches(id),
  PRIMARY KEY (ticker, date)
) WITHOUT ROWID;
CREATE INDEX bars_batch ON bars(batch_id);
CREATE INDEX bars_date ON bars(date);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  universe_id TEXT NOT NULL REFERENCES universes(id),
  strategy TEXT NOT NULL,
  config TEXT NOT NULL,            -- JSON: every setting the run used
  seed INTEGER NOT NULL,
  code_version TEXT NOT NULL,
  backend TEXT,                    -- compute backend for learning runs
  status TEXT NOT NULL CHECK (status IN ('running','complete','failed','cancelled','killed')),
  pid INTEGER,
  window_from TEXT NOT NULL,
  window_to TEXT NOT NULL,
  train_from TEXT,
  train_to TEXT,
  hindsight INTEGER NOT NULL DEFAULT 0,
  flags TEXT NOT NULL DEFAULT '[]', -- JSON array, e.g. ["close-to-equal-weight"]
  model_path TEXT,
  model_sha256 TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT,
  timings TEXT NOT NULL DEFAULT '{}'  -- JSON: {trainMs, backtestMs, ...}
);
CREATE INDEX runs_universe ON runs(universe_id, strategy);
-- Per-day target weights per run; agent = 'final' for the portfolio, or 'upper','lower1','lower2'... for agents.
CREATE TABLE run_weights (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  agent TEXT NOT NULL,
  date TEXT NOT NULL,
  weights BLOB NOT NULL,           -- Float64Array in universe member order, cash last
  PRIMARY KEY (run_id, agent, date)
) WITHOUT ROWID;
CREATE TABLE run_days (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  date TEXT NOT NULL,
  value REAL NOT NULL,             -- portfolio value, 1 at the start of the window
  ret REAL NOT NULL,               -- net daily simple return
  turnover REAL NOT NULL,          -- one-way turnover paid on this date's rebalance
  cost REAL NOT NULL,
  PRIMARY KEY (run_id, date)
) WITHOUT ROWID;
CREATE TABLE run_metrics (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;
CREATE TABLE run_details (           -- per-date extras a strategy reports (capital split, w0/w1/w2 meta...)
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  date TEXT NOT NULL,
  detail TEXT NOT NULL,             -- JSON
  PRIMARY KEY (run_id, date)
) WITHOUT ROWID;
CREATE TABLE groupings (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  date TEXT NOT NULL,
  grouping TEXT NOT NULL,          -- JSON {groups:{name:[tickers]}, scores:{ticker:sortino}}
  PRIMARY KEY (run_id, date)
) WITHOUT ROWID;
CREATE TABLE regime_labels (
  universe_id TEXT NOT NULL REFERENCES universes(id) ON DELETE CASCADE,
  date TEXT NOT NULL,
  trend TEXT NOT NULL,
  volatility TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (universe_id, date)
) WITHOUT ROWID;
CREATE TABLE rebound_flags (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  date TEXT NOT NULL,
  grp TEXT NOT NULL,
  detail TEXT NOT NULL,            -- JSON: thresholds met
  PRIMARY KEY (run_id, date, grp)
) WITHOUT ROWID;
CREATE TABLE explanations (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  date TEXT NOT NULL,
  agent TEXT NOT NULL,
  method TEXT NOT NULL,
  settings TEXT NOT NULL,
  result TEXT NOT NULL,            -- JSON
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, date, agent, method)
) WITHOUT ROWID;
CREATE TABLE notes (
  universe_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  date TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'comment',
  text TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (run_id, date)
) WITHOUT ROWID;
`;
