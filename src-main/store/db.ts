/**
 * The SQLite store: one better-sqlite3 database file in WAL mode with foreign keys on. Schema changes are
 * numbered migrations in ./migrations, each applied in its own transaction; `PRAGMA user_version` holds the
 * number of the last one applied, so a half-applied migration can never be seen.
 *
 * Several processes write the same file (the desktop or headless host, job processes, the command line), and
 * better-sqlite3 is synchronous, so how a writer waits matters:
 * - Every write transaction goes through {@link writeTransactionSync} or {@link writeTransaction}: it starts with
 *   BEGIN IMMEDIATE (the write lock is taken first, so a transaction never reads and then fails to upgrade), and
 *   when the database is busy the whole transaction is tried again until WRITE_WAIT_MS have passed; then
 *   DatabaseBusyError says so.
 * - The synchronous helper is for processes that serve nothing else while they wait (job processes, the command
 *   line, the start of any process): each try blocks up to the connection's busy timeout (BUSY_TIMEOUT_MS).
 * - The asynchronous helper is for the process that serves requests (host, Electron main): each try gives up at
 *   once when the lock is taken (busy timeout 0 during the try) and the next try waits on a timer, so the event
 *   loop keeps serving while another process writes.
 * - A migration re-reads user_version inside its IMMEDIATE transaction, so two processes opening a new database
 *   at once apply each migration once.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import * as m001 from './migrations/001_initial';
import * as m002 from './migrations/002_import_history';
import * as m003 from './migrations/003_replaced_bars';
import * as m004 from './migrations/004_books';
import * as m005 from './migrations/005_news';

export type DB = Database.Database;

/** Ordered list of migrations; append, never edit one that has shipped. */
export const migrations: { version: number; name: string; up: string }[] = [
  { version: 1, name: 'initial', up: m001.up },
  { version: 2, name: 'import history', up: m002.up },
  { version: 3, name: 'replaced bars', up: m003.up },
  { version: 4, name: 'books', up: m004.up },
  { version: 5, name: 'news', up: m005.up },
];

export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

/**
 * How long one statement of a blocking writer waits for the lock inside SQLite (PRAGMA busy_timeout), ms. Long:
 * a job or the command line has nothing better to do than wait for an import or a backtest to commit.
 */
export const BUSY_TIMEOUT_MS = 60_000;
/** How long a write transaction keeps trying, in all, before DatabaseBusyError, ms. */
export const WRITE_WAIT_MS = 60_000;
/** First and largest pause between two tries of a write transaction that found the database busy, ms. */
const FIRST_PAUSE_MS = 5;
const MAX_PAUSE_MS = 250;

export interface OpenOptions {
  /** path to a better_sqlite3.node built for the running runtime (Electron needs its own build) */
  nativeBinding?: string;
  readonly?: boolean;
  /** PRAGMA busy_timeout of the connection (default BUSY_TIMEOUT_MS) */
  busyTimeoutMs?: number;
  /** how long a write transaction on this connection keeps trying in all (default WRITE_WAIT_MS) */
  writeWaitMs?: number;
}

/** Thrown when a write transaction found the database locked by another writer for longer than its wait. */
export class DatabaseBusyError extends Error {
  constructor(readonly waitedMs: number) {
    super('the database is busy (an import or backtest is writing); try again');
    this.name = 'DatabaseBusyError';
  }
}

/** True for SQLite's "database is locked" family (SQLITE_BUSY and its extended codes). */
export function isBusyError(e: unknown): boolean {
  return e instanceof Database.SqliteError && (e.code === 'SQLITE_BUSY' || e.code.startsWith('SQLITE_BUSY_'));
}

const writeWait = new WeakMap<DB, number>();
const pauseCell = new Int32Array(new SharedArrayBuffer(4));
const pauseAfter = (tries: number) => Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.min(tries, 8));

/**
 * Call `attempt` until it does not fail with SQLITE_BUSY, pausing this thread between tries, for at most the
 * connection's write wait (then DatabaseBusyError). Any other error is thrown at once.
 */
function retryWhileBusySync<T>(db: DB, attempt: () => T): T {
  const start = Date.now();
  const budget = writeWait.get(db) ?? WRITE_WAIT_MS;
  for (let tries = 0; ; tries++) {
    try {
      return attempt();
    } catch (e) {
      if (!isBusyError(e)) throw e;
      const waited = Date.now() - start;
      if (waited >= budget) throw new DatabaseBusyError(waited);
      Atomics.wait(pauseCell, 0, 0, Math.min(pauseAfter(tries), budget - waited));
    }
  }
}

/**
 * Run `fn` as one write transaction (BEGIN IMMEDIATE), trying again while the database is busy, blocking this
 * thread while it waits. Takes the database and a synchronous function of the writes; gives what `fn` returns.
 * Inside another transaction `fn` runs as a savepoint of it (the outer one holds the lock already). Throws
 * DatabaseBusyError when the lock stayed taken for the connection's write wait, or what `fn` throws (after
 * rolling back).
 */
export function writeTransactionSync<T>(db: DB, fn: () => T): T {
  if (db.inTransaction) return db.transaction(fn)();
  const tx = db.transaction(fn);
  return retryWhileBusySync(db, () => tx.immediate());
}

/**
 * The same for the process that serves requests: each try gives up at once when another connection holds the
 * lock (or this connection is inside a transaction some other task left open), and the next try waits on a
 * timer, so the event loop keeps running. Takes the database and a synchronous function of the writes; gives a
 * promise of what `fn` returns. Rejects with DatabaseBusyError after the connection's write wait.
 */
export async function writeTransaction<T>(db: DB, fn: () => T): Promise<T> {
  const tx = db.transaction(fn);
  const start = Date.now();
  const budget = writeWait.get(db) ?? WRITE_WAIT_MS;
  for (let tries = 0; ; tries++) {
    if (!db.inTransaction) {
      const timeout = db.pragma('busy_timeout', { simple: true }) as number;
      db.pragma('busy_timeout = 0');
      try {
        return tx.immediate();
      } catch (e) {
        if (!isBusyError(e)) throw e;
      } finally {
        db.pragma(`busy_timeout = ${timeout}`);
      }
    }
    const waited = Date.now() - start;
    if (waited >= budget) throw new DatabaseBusyError(waited);
    await new Promise((resolve) => setTimeout(resolve, Math.min(pauseAfter(tries), budget - waited)));
  }
}

/** Open (creating if needed) the database at `file` and bring its schema up to date. */
export function openDatabase(file: string, opts: OpenOptions = {}): DB {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file, {
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    readonly: opts.readonly === true,
  });
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS))}`);
  if (opts.writeWaitMs !== undefined) writeWait.set(db, opts.writeWaitMs);
  // two processes opening a new file at once both switch it to WAL; SQLite reports the loser busy at once
  if (!opts.readonly) retryWhileBusySync(db, () => db.pragma('journal_mode = WAL'));
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  if (!opts.readonly) migrate(db);
  return db;
}

export function schemaVersion(db: DB): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Apply every migration newer than the database's user_version, each in one IMMEDIATE transaction that reads
 * user_version again once it holds the lock (another process may have applied it meanwhile). Takes the
 * database; gives the schema version after. Throws when the file is newer than this app.
 */
export function migrate(db: DB): number {
  const newer = (v: number) =>
    new Error(`database schema version ${v} is newer than this app (${SCHEMA_VERSION}); update HDRL Desk`);
  if (schemaVersion(db) > SCHEMA_VERSION) throw newer(schemaVersion(db));
  for (const m of migrations) {
    if (m.version <= schemaVersion(db)) continue;
    writeTransactionSync(db, () => {
      const current = schemaVersion(db);
      if (current > SCHEMA_VERSION) throw newer(current);
      if (current >= m.version) return;
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    });
  }
  return schemaVersion(db);
}
