/** Helpers of the data tests: fixture paths, temporary databases, a logical dump checksum. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../src-main/cli/index';
import { openDatabase, type DB } from '../../src-main/store/db';

export const FIXTURES = fileURLToPath(new URL('../fixtures/import', import.meta.url));
export const fx = (...p: string[]) => path.join(FIXTURES, ...p);

/** A new empty database (schema only, no bundled data) in a fresh temporary folder. */
export function tempDb(): { db: DB; file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-data-test-'));
  const file = path.join(dir, 'test.db');
  return { db: openDatabase(file), file, dir };
}

/**
 * SHA-256 over every row of every table (sorted by all columns), the schema and user_version: equal checksums
 * mean the same logical content.
 */
export function dumpChecksum(db: DB): string {
  const h = createHash('sha256');
  h.update(`user_version=${db.pragma('user_version', { simple: true })}\n`);
  const tables = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name`)
    .all() as { name: string; sql: string | null }[];
  for (const t of tables) {
    h.update(`${t.name}:${t.sql ?? ''}\n`);
    const isTable =
      (db.prepare(`SELECT type FROM sqlite_master WHERE name = ?`).get(t.name) as { type: string }).type === 'table';
    if (!isTable) continue;
    const cols = (db.prepare(`SELECT * FROM pragma_table_info(?)`).all(t.name) as { name: string }[]).map(
      (c) => `"${c.name}"`,
    );
    // one string per table, built by SQLite: every value quote()d (type-exact), rows sorted by all columns
    const text = db
      .prepare(
        `SELECT group_concat(r, char(10)) AS t FROM (SELECT ${cols.map((c) => `quote(${c})`).join(` || ',' || `)} AS r FROM "${t.name}" ORDER BY ${cols.join(', ')})`,
      )
      .get() as { t: string | null };
    h.update((text.t ?? '') + '\n');
  }
  return h.digest('hex');
}

/** Rows of a query as plain objects. */
export function rows<T>(db: DB, sql: string, ...params: unknown[]): T[] {
  return db.prepare(sql).all(...params) as T[];
}

/** Run the `hdrl` command in this process on database `dbFile`, capturing what it prints. */
export async function runCli(
  dbFile: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    const code = await main(['--db', dbFile, ...args]);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
