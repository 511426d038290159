/**
 * The SQLite store: one better-sqlite3 database file in WAL mode with foreign keys on. Schema changes are
 * numbered migrations in ./migrations, each applied in its own transaction; `PRAGMA user_version` holds the
 * number of the last one applied, so a half-applied migration can never be seen.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import * as m001 from './migrations/001_initial';
import * as m002 from './migrations/002_import_history';

export type DB = Database.Database;

/** Ordered list of migrations; append, never edit one that has shipped. */
export const migrations: { version: number; name: string; up: string }[] = [
  { version: 1, name: 'initial', up: m001.up },
  { version: 2, name: 'import history', up: m002.up },
];

export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

export interface OpenOptions {
  /** path to a better_sqlite3.node built for the running runtime (Electron needs its own build) */
  nativeBinding?: string;
  readonly?: boolean;
}

/** Open (creating if needed) the database at `file` and bring its schema up to date. */
export function openDatabase(file: string, opts: OpenOptions = {}): DB {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file, { ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}), readonly: opts.readonly === true });
  if (!opts.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  if (!opts.readonly) migrate(db);
  return db;
}

export function schemaVersion(db: DB): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Apply every migration newer than the database's user_version, each in one transaction. */
export function migrate(db: DB): number {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this app (${SCHEMA_VERSION}); update HDRL Desk`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
