/** The data commands of `hdrl`: import (dry run, commit, undo, usage errors), universes, export-prices. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fx, runCli } from './helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let db: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-cli-data-'));
  db = path.join(dir, 'cli.db');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hdrl data commands', () => {
  it('export-prices writes the bundled universe back byte for byte', async () => {
    const out = path.join(dir, 'djia.csv');
    const r = await runCli(db, ['export-prices', '--universe', 'djia30', '--out', out]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(
      fs.readFileSync(path.join(ROOT, 'resources/data/djia30-1991-2001.csv'), 'utf8'),
    );
  });

  it('export-prices honours --from/--to and refuses unknown universes and bad dates', async () => {
    const out = path.join(dir, 'part.csv');
    expect(
      (
        await runCli(db, [
          'export-prices',
          '--universe',
          'djia30',
          '--from',
          '2000-12-28',
          '--to',
          '2000-12-29',
          '--out',
          out,
        ])
      ).code,
    ).toBe(0);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'date,AA,AXP',
      '2000-12-28,34.22,53.55',
      '2000-12-29,33.11,54.48',
    ]);
    expect((await runCli(db, ['export-prices', '--universe', 'nope'])).code).toBe(2);
    expect((await runCli(db, ['export-prices', '--universe', 'djia30', '--from', '28/12/2000'])).code).toBe(2);
  });

  it('import: a dry run writes nothing, a commit is listed, --undo removes it', async () => {
    const dry = await runCli(db, ['import', fx('good/wide.csv'), '--universe', 'Cli ABC', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing written');
    expect((await runCli(db, ['universes'])).stdout).not.toContain('cli-abc');
    const done = await runCli(db, [
      'import',
      fx('good/wide.csv'),
      '--universe',
      'Cli ABC',
      '--meta',
      fx('good/meta.csv'),
    ]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/imported: batch \d+, 15 bars of 3 tickers into cli-abc \(new universe\)/);
    expect((await runCli(db, ['universes'])).stdout).toMatch(/^cli-abc\s+Cli ABC\s+3\s+2020-01-02\s+2020-01-08$/m);
    const undo = await runCli(db, ['import', '--undo']);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toMatch(/undid import \d+ into cli-abc: 15 bars/);
    expect((await runCli(db, ['universes'])).stdout).not.toContain('cli-abc');
  });

  it('import: gaps are shown per ticker; usage errors exit 2', async () => {
    const r = await runCli(db, ['import', fx('good/gaps.csv'), '--universe', 'G', '--fill', 'ffill', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+AAA\s+2020-01-02\s+2020-01-08\s+1\s+1\s+0\s+0\s+0$/m);
    expect(r.stdout).toContain('missing:   2 cells inside ticker ranges (fill policy ffill: 2 filled)');
    expect((await runCli(db, ['import', fx('good/wide.csv')])).code).toBe(2);
    expect((await runCli(db, ['import', fx('good/wide.csv'), '--universe', 'x', '--format', 'tall'])).code).toBe(2);
    expect((await runCli(db, ['import', fx('good/wide.csv'), '--universe', 'x', '--fill', 'zero'])).code).toBe(2);
    expect((await runCli(db, ['import', '--universe', 'x'])).code).toBe(2);
  });
});
