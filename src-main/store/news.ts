/**
 * Reading and scoring stored news (migration 005; docs/news.md): a universe's counts for the desk and `hdrl news
 * list`, the scored rows MPLS's sentiment module reads, and the unscored rows a FinBERT model scores. Importing and
 * undoing news is data/news.ts (it stages a file's rows, then writes them here in one transaction).
 */
import type { NewsCount, NewsSummary } from '../../src-shared/contract/news';
import { sentimentAvailability, type ScoredNewsItem, type SentimentInput } from '../agents/mpls/sentiment';
import type { DB } from './db';
import { UnknownUniverseError } from './prices';

/** The sector a row counts under in counts: its own, or its ticker's asset's; this when neither has one. */
export const NO_SECTOR = '(no sector)';

/** What a model-scored row records as its scorer: the model file's sha256; rows scored in the file say this. */
export const SCORED_IN_FILE = 'file';

function checkUniverse(db: DB, universeId: string): void {
  if (!db.prepare('SELECT 1 FROM universes WHERE id = ?').get(universeId)) throw new UnknownUniverseError(universeId);
}

/** SQL of a row's sector for counts (see NO_SECTOR); `n` is news, `a` its ticker's asset (LEFT JOIN). */
const SECTOR_SQL = `COALESCE(NULLIF(TRIM(COALESCE(n.sector, a.sector)), ''), '${NO_SECTOR}')`;

/**
 * A universe's news in numbers (contract NewsSummary): rows, scored rows and by whom, date range, counts per source
 * and sector, and whether the sentiment module can run. Throws UnknownUniverseError.
 */
export function newsSummary(db: DB, universeId: string): NewsSummary {
  checkUniverse(db, universeId);
  const counts = db
    .prepare(
      `SELECT n.source AS source, ${SECTOR_SQL} AS sector, COUNT(*) AS rows, COUNT(n.positive) AS scored
       FROM news n LEFT JOIN assets a ON a.ticker = n.ticker WHERE n.universe_id = ?
       GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all(universeId) as NewsCount[];
  const t = db
    .prepare(
      `SELECT COUNT(*) AS rows, COUNT(positive) AS scored, SUM(scored_by = ?) AS pre, MIN(date) AS first, MAX(date) AS last
       FROM news WHERE universe_id = ?`,
    )
    .get(SCORED_IN_FILE, universeId) as {
    rows: number;
    scored: number;
    pre: number | null;
    first: string | null;
    last: string | null;
  };
  const models = db
    .prepare(
      `SELECT scored_by AS sha256, COUNT(*) AS rows FROM news WHERE universe_id = ? AND scored_by IS NOT NULL AND scored_by != ?
       GROUP BY scored_by ORDER BY rows DESC`,
    )
    .all(universeId, SCORED_IN_FILE) as { sha256: string; rows: number }[];
  const reason = sentimentAvailability(universeId, t.rows, t.scored);
  return {
    universe: universeId,
    rows: t.rows,
    scored: t.scored,
    preScored: t.pre ?? 0,
    models,
    dateRange: t.first && t.last ? { from: t.first, to: t.last } : null,
    counts,
    sentiment: reason === null ? { on: true } : { on: false, reason },
  };
}

/**
 * A universe's news as the sentiment module reads it: the count of all rows and of unscored ones, and every scored
 * row dated up to `to` (inclusive; all when absent), in date order. Throws UnknownUniverseError.
 */
export function sentimentInput(db: DB, universeId: string, opts: { to?: string } = {}): SentimentInput {
  checkUniverse(db, universeId);
  const c = db
    .prepare('SELECT COUNT(*) AS total, COUNT(*) - COUNT(positive) AS unscored FROM news WHERE universe_id = ?')
    .get(universeId) as { total: number; unscored: number };
  const items = db
    .prepare(
      `SELECT date, ticker, sector, source, positive, neutral, negative FROM news
       WHERE universe_id = ? AND positive IS NOT NULL AND date <= ? ORDER BY date, id`,
    )
    .all(universeId, opts.to ?? '9999-12-31') as ScoredNewsItem[];
  return { universe: universeId, total: c.total, unscored: c.unscored, items };
}

/** Unscored rows of a universe after row id `afterId`, at most `limit`, in id order (the scorer's pages). */
export function unscoredNews(
  db: DB,
  universeId: string,
  afterId: number,
  limit: number,
): { id: number; text: string }[] {
  return db
    .prepare('SELECT id, text FROM news WHERE universe_id = ? AND positive IS NULL AND id > ? ORDER BY id LIMIT ?')
    .all(universeId, afterId, limit) as { id: number; text: string }[];
}

/** How many rows of a universe have no probabilities yet. */
export function unscoredCount(db: DB, universeId: string): number {
  return (
    db.prepare('SELECT COUNT(*) AS n FROM news WHERE universe_id = ? AND positive IS NULL').get(universeId) as {
      n: number;
    }
  ).n;
}

/**
 * Store a model's probabilities for rows still unscored (a row scored meanwhile by another process is left as it
 * is). The caller holds the write transaction. Gives the rows written.
 */
export function writeScores(
  db: DB,
  rows: readonly { id: number; positive: number; neutral: number; negative: number }[],
  modelSha256: string,
): number {
  const upd = db.prepare(
    'UPDATE news SET positive = ?, neutral = ?, negative = ?, scored_by = ? WHERE id = ? AND positive IS NULL',
  );
  let n = 0;
  for (const r of rows) n += upd.run(r.positive, r.neutral, r.negative, modelSha256, r.id).changes;
  return n;
}
