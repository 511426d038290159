/**
 * The malformed corpus (test/fixtures/import/malformed/, one problem per file): each import through the `hdrl`
 * command is rejected with exit status 2 and a `file:line[:col]: error: ...` message at the hand-located spot; the
 * database file's bytes are unchanged after each, and its logical dump (every row) after all of them.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { dumpChecksum, fx, runCli as runCliOn } from './helpers';

interface Case {
  file: string;
  /** expected error location and a piece of its message */
  line: number;
  col?: number;
  message: RegExp;
  meta?: string;
  format?: string;
}

const M = (f: string) => `malformed/${f}`;
const corpus: Case[] = [
  { file: M('bad-date.csv'), line: 3, col: 1, message: /unparsable date "2020-0x-03"/ },
  { file: M('no-such-date.csv'), line: 4, col: 1, message: /no such date "2020-02-30"/ },
  { file: M('ambiguous-date.csv'), line: 2, col: 1, message: /ambiguous date/ },
  { file: M('empty-date.csv'), line: 3, col: 1, message: /empty date/ },
  { file: M('bad-number.csv'), line: 3, col: 2, message: /unparsable number "12\.3x"/ },
  { file: M('thousands-separator.csv'), line: 3, col: 3, message: /unparsable number "1,021\.5"/ },
  { file: M('currency-sign.csv'), line: 2, col: 2, message: /unparsable number "\$10\.50"/ },
  { file: M('infinity.csv'), line: 3, col: 2, message: /infinite value/ },
  { file: M('out-of-range.csv'), line: 3, col: 3, message: /out of range "1e999"/ },
  {
    file: M('implausible-huge.csv'),
    line: 3,
    col: 2,
    message: /AAA: price 1e308 is outside the plausible range 1e-6 \.\. 1e\+9; pass --allow-implausible/,
  },
  { file: M('implausible-tiny.csv'), line: 4, col: 3, message: /BBB: price 5e-324 is outside the plausible range/ },
  {
    file: M('implausible-move.csv'),
    line: 4,
    col: 2,
    message:
      /AAA: 2020-01-06 is 109x the previous price \(2020-01-03\): a one-day move beyond x100 or \/100 is implausible/,
  },
  { file: M('zero-price.csv'), line: 4, col: 3, message: /price 0 is not positive/ },
  { file: M('negative-price.csv'), line: 3, col: 2, message: /price -11 is not positive/ },
  { file: M('duplicate-date.csv'), line: 4, col: 1, message: /duplicate date 2020-01-03/ },
  { file: M('unsorted.csv'), line: 4, col: 1, message: /date 2020-01-03 comes after 2020-01-06/ },
  { file: M('na-cell.csv'), line: 3, col: 2, message: /AAA: missing price on 2020-01-03 \(a NA/ },
  { file: M('nan-cell.csv'), line: 3, col: 3, message: /BBB: missing price on 2020-01-03 \(a NA/ },
  { file: M('null-cell.csv'), line: 4, col: 2, message: /AAA: missing price on 2020-01-06 \(a NA/ },
  { file: M('empty-cell.csv'), line: 3, col: 2, message: /missing price on 2020-01-03 \(an empty cell\)/ },
  { file: M('empty-column.csv'), line: 1, col: 3, message: /column BBB has no prices/ },
  { file: M('empty-header.csv'), line: 1, col: 3, message: /column 3 has no header/ },
  { file: M('duplicate-column.csv'), line: 1, col: 4, message: /AAA has two columns/ },
  { file: M('bad-ticker-header.csv'), line: 1, col: 3, message: /bad ticker "BB B"/ },
  { file: M('ragged-short.csv'), line: 3, col: 3, message: /2 fields, the header has 3/ },
  { file: M('ragged-long.csv'), line: 4, col: 4, message: /4 fields, the header has 3/ },
  { file: M('unclosed-quote.csv'), line: 4, message: /malformed CSV: Quote Not Closed/ },
  { file: M('stray-quote.csv'), line: 3, message: /malformed CSV: Invalid Closing Quote/ },
  { file: M('no-date-column.csv'), line: 1, message: /no date column/ },
  { file: M('header-only.csv'), line: 1, message: /no data rows/ },
  { file: M('empty-file.csv'), line: 1, message: /the file is empty/ },
  { file: M('semicolon-decimal-comma.csv'), line: 2, col: 2, message: /unparsable number "10,5"/ },
  { file: M('long-empty-ticker.csv'), line: 3, col: 2, message: /empty ticker/ },
  { file: M('long-duplicate.csv'), line: 4, col: 1, message: /AAA: duplicate date 2020-01-03/ },
  { file: M('long-unsorted.csv'), line: 4, col: 1, message: /comes after 2020-01-06/ },
  { file: M('long-no-price.csv'), line: 1, message: /no price column/ },
  { file: M('long-negative-volume.csv'), line: 3, col: 4, message: /volume -5 is negative/ },
  { file: M('long-missing-row.csv'), line: 5, message: /AAA: missing price on 2020-01-03 \(no row/ },
  { file: M('long-zero-adj.csv'), line: 3, col: 4, message: /adj close 0 is not positive/ },
  { file: M('per-ticker/PTB.csv'), line: 4, col: 6, message: /PTB: adj close: unparsable number "abc"/ },
  {
    file: M('conflict-with-stored.csv'),
    line: 2,
    col: 2,
    message:
      /AA is already stored with different data: stored 1990-12-31 \.\. 2001-01-02 \(2529 bars\), this file 1991-01-02 \.\. 1991-01-03; first difference on 1991-01-02: stored close 5\.92, this file has 6\.5 .*--rename AA=NEW.*--replace/,
  },
  {
    file: M('good-for-meta.csv'),
    meta: M('unknown-meta-ticker.meta.csv'),
    line: 4,
    message: /ticker ZZZ in the meta file is not in the imported data/,
  },
  { file: M('good-for-meta.csv'), meta: M('bad-meta.meta.json'), line: 5, message: /not valid JSON/ },
  { file: M('wide-as-long.csv'), format: 'long', line: 1, message: /no ticker column/ },
];

function fileSha(f: string): string {
  return createHash('sha256').update(fs.readFileSync(f)).digest('hex');
}

let dir: string;
let dbFile: string;
let initial: ReturnType<typeof snapshot>;
let initialDump: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'hdrl-malformed-'));
  dbFile = path.join(dir, 'corpus.db');
  // a database with the bundled universe, created the way the app creates it
  const out = await runCli(['universes']);
  expect(out.code).toBe(0);
  expect(out.stdout).toContain('djia30');
  initial = snapshot();
  initialDump = logicalDump();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const runCli = (args: string[]) => runCliOn(dbFile, args);

/** The database file's bytes (the WAL is checkpointed into it when the command closes the database). */
function snapshot(): { bytes: string; wal: boolean } {
  return { bytes: fileSha(dbFile), wal: fs.existsSync(dbFile + '-wal') && fs.statSync(dbFile + '-wal').size > 0 };
}

function logicalDump(): string {
  const db = openDatabase(dbFile, { readonly: true });
  try {
    return dumpChecksum(db);
  } finally {
    db.close();
  }
}

describe('malformed corpus', () => {
  it('has at least 30 files, each used by a case', () => {
    const files = fs
      .readdirSync(fx('malformed'), { recursive: true })
      .map(String)
      .filter((f) => /\.(csv|json)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(30);
    const used = new Set(
      corpus.flatMap((c) => [c.file, c.meta].filter(Boolean).map((f) => f!.replace(/^malformed\//, ''))),
    );
    expect(files.filter((f) => !used.has(f))).toEqual([]);
  });

  it.each(corpus)('$file is rejected at line $line with nothing written', async (c) => {
    const file = fx(c.file);
    const args = ['import', file, '--universe', 'corpus'];
    if (c.meta) args.push('--meta', fx(c.meta));
    if (c.format) args.push('--format', c.format);
    const out = await runCli(args);
    expect(out.code).toBe(2);
    const where = c.meta ? fx(c.meta) : file;
    const loc = c.col ? `${where}:${c.line}:${c.col}: error: ` : `${where}:${c.line}: error: `;
    const hit = out.stderr.split('\n').find((l) => l.startsWith(loc));
    expect(hit, `no "${loc}" line in:\n${out.stderr}`).toBeDefined();
    expect(hit!).toMatch(c.message);
    expect(out.stderr).toContain('import rejected');
    expect(snapshot()).toEqual(initial);
  });

  it('leaves the logical content (every row of every table) as it was', () => {
    expect(logicalDump()).toBe(initialDump);
  });
});
