/**
 * Reading prices back: the one loader every strategy, backtest and report uses (loadPriceMatrix), and the
 * universe listings for the Data view and `hdrl universes`.
 *
 * Alignment: a universe's price matrix holds exactly the dates on which every member has a bar (the intersection
 * of the members' dates within [from, to]). Leading and trailing gaps of a member therefore shorten the matrix
 * (it starts at the latest first date and ends at the earliest last date of the members); an interior date some
 * member lacks is dropped for all (an import only lets that happen when different imports brought different
 * calendars: inside one import a missing cell is rejected or forward-filled). The price used is the adjusted
 * close where the bar has one (files with an Adj Close column), else the close (docs/backtest-conventions.md).
 * Where bars carry a volume, the matrix also holds each day's traded value, the bar's own close x its volume (not
 * the adjusted close: that is what changed hands that day); NaN where a bar has none (forward-filled bars never
 * do), and no traded values at all when no bar of the matrix has a volume.
 */
import type { AssetCoverage, UniverseDetail, UniverseSummary } from '../../src-shared/contract/data';
import type { PriceMatrix } from '../market/prices';
import type { DB } from './db';

export interface LoadOptions {
  /** first date (inclusive), ISO */
  from?: string;
  /** last date (inclusive), ISO: no bar after it is ever read */
  to?: string;
}

const MIN_DATE = '0000-01-01';
const MAX_DATE = '9999-12-31';

/** Thrown when a universe id names no universe. */
export class UnknownUniverseError extends Error {
  constructor(readonly universeId: string) {
    super(`universe ${universeId} not found`);
    this.name = 'UnknownUniverseError';
  }
}

interface MemberRow {
  ticker: string;
  position: number;
  name: string;
  class: string;
  sector: string;
}

function members(db: DB, universeId: string): MemberRow[] {
  if (!db.prepare('SELECT 1 FROM universes WHERE id = ?').get(universeId)) throw new UnknownUniverseError(universeId);
  return db
    .prepare(
      'SELECT m.ticker, m.position, a.name, a.class, a.sector FROM universe_members m JOIN assets a ON a.ticker = m.ticker WHERE m.universe_id = ? ORDER BY m.position',
    )
    .all(universeId) as MemberRow[];
}

/**
 * The aligned daily closes of a universe. Takes the database, the universe id and an optional inclusive date
 * range (ISO dates; the query itself has `date <= to`, so nothing after `to` is read); gives a PriceMatrix whose
 * tickers are the members in position order, with their asset metadata, and whose dates are those on which every
 * member has a close (see the module comment); close[t][i] is the adjusted close where stored, else the close.
 * Throws UnknownUniverseError for an unknown id. A universe without members or common dates gives zero dates.
 */
export function loadPriceMatrix(db: DB, universeId: string, opts: LoadOptions = {}): PriceMatrix {
  const mem = members(db, universeId);
  const n = mem.length;
  const col = new Map(mem.map((m, i) => [m.ticker, i]));
  const dates: string[] = [];
  const close: Float64Array[] = [];
  const traded: Float64Array[] = [];
  let anyVolume = false;
  if (n > 0) {
    const stmt = db
      .prepare(
        `SELECT b.date, b.ticker, COALESCE(b.adj_close, b.close), b.close * b.volume
         FROM bars b JOIN universe_members m ON m.ticker = b.ticker AND m.universe_id = ?
         WHERE b.date >= ? AND b.date <= ?
         ORDER BY b.date`,
      )
      .raw(true);
    let cur: string | null = null;
    let row = new Float64Array(n);
    let tv = new Float64Array(n);
    let count = 0;
    let rowVolume = false;
    const flush = () => {
      if (cur !== null && count === n) {
        dates.push(cur);
        close.push(row);
        traded.push(tv);
        if (rowVolume) anyVolume = true;
        row = new Float64Array(n);
        tv = new Float64Array(n);
      }
    };
    for (const r of stmt.iterate(universeId, opts.from ?? MIN_DATE, opts.to ?? MAX_DATE) as Iterable<
      [string, string, number, number | null]
    >) {
      if (r[0] !== cur) {
        flush();
        cur = r[0];
        count = 0;
        rowVolume = false;
      }
      const i = col.get(r[1])!;
      row[i] = r[2];
      if (r[3] === null) tv[i] = Number.NaN;
      else {
        tv[i] = r[3];
        rowVolume = true;
      }
      count++;
    }
    flush();
  }
  return {
    universe: universeId,
    dates,
    tickers: mem.map((m) => m.ticker),
    close,
    ...(anyVolume ? { tradedValue: traded } : {}),
    assets: mem.map((m) => ({ ticker: m.ticker, name: m.name, class: m.class, sector: m.sector })),
  };
}

/** Per-member coverage: first and last date, bar count, forward-filled bar count (the import's shrink check uses it too). */
export function coverage(
  db: DB,
  universeId: string,
): Map<string, { first: string | null; last: string | null; bars: number; filled: number }> {
  const rows = db
    .prepare(
      `SELECT m.ticker, MIN(b.date) AS first, MAX(b.date) AS last, COUNT(b.date) AS bars, COALESCE(SUM(b.filled), 0) AS filled
       FROM universe_members m LEFT JOIN bars b ON b.ticker = m.ticker
       WHERE m.universe_id = ? GROUP BY m.ticker`,
    )
    .all(universeId) as { ticker: string; first: string | null; last: string | null; bars: number; filled: number }[];
  return new Map(rows.map((r) => [r.ticker, r]));
}

/**
 * Aligned range from member coverage: latest first date to earliest last date (null when empty or disjoint). The
 * universe list shows it, and the import compares it before and after (a shrinking import needs consent).
 */
export function alignedRange(cov: Iterable<{ first: string | null; last: string | null }>): {
  from: string | null;
  to: string | null;
} {
  let from: string | null = null;
  let to: string | null = null;
  let any = false;
  for (const c of cov) {
    if (c.first === null || c.last === null) return { from: null, to: null };
    any = true;
    if (from === null || c.first > from) from = c.first;
    if (to === null || c.last < to) to = c.last;
  }
  if (!any || from === null || to === null || from > to) return { from: null, to: null };
  return { from, to };
}

/** A universe's own row: id, display name, the line naming where its prices came from, and when it was created. */
export interface UniverseRow {
  id: string;
  name: string;
  source: string;
  createdAt: string;
}

/** One universe's row, or null when the id names none. */
export function getUniverse(db: DB, universeId: string): UniverseRow | null {
  const u = db.prepare('SELECT id, name, source, created_at AS createdAt FROM universes WHERE id = ?').get(universeId);
  return (u as UniverseRow | undefined) ?? null;
}

/**
 * Every universe. Takes the database; gives id, name, source line, creation time, member count and the aligned
 * date range (latest first date to earliest last date of the members), sorted by id.
 */
export function listUniverses(db: DB): UniverseSummary[] {
  const us = db.prepare('SELECT id, name, source, created_at AS createdAt FROM universes ORDER BY id').all() as {
    id: string;
    name: string;
    source: string;
    createdAt: string;
  }[];
  return us.map((u) => {
    const cov = coverage(db, u.id);
    return { ...u, assetCount: cov.size, ...alignedRange(cov.values()) };
  });
}

/**
 * One universe with its members' metadata and coverage. Takes the database and the id; gives the detail, whose
 * alignedDates counts the dates of loadPriceMatrix. Throws UnknownUniverseError.
 */
export function universeDetail(db: DB, universeId: string): UniverseDetail {
  const mem = members(db, universeId);
  const u = db
    .prepare('SELECT id, name, source, created_at AS createdAt FROM universes WHERE id = ?')
    .get(universeId) as { id: string; name: string; source: string; createdAt: string };
  const cov = coverage(db, universeId);
  const assets: AssetCoverage[] = mem.map((m, i) => {
    const c = cov.get(m.ticker) ?? { first: null, last: null, bars: 0, filled: 0 };
    return {
      ticker: m.ticker,
      name: m.name,
      class: m.class,
      sector: m.sector,
      position: i,
      first: c.first,
      last: c.last,
      bars: c.bars,
      filled: c.filled,
    };
  });
  const alignedDates = mem.length
    ? (
        db
          .prepare(
            `SELECT COUNT(*) AS n FROM (SELECT b.date FROM bars b JOIN universe_members m ON m.ticker = b.ticker AND m.universe_id = ?
           GROUP BY b.date HAVING COUNT(*) = ?)`,
          )
          .get(universeId, mem.length) as { n: number }
      ).n
    : 0;
  return { ...u, assetCount: mem.length, ...alignedRange(cov.values()), assets, alignedDates };
}
