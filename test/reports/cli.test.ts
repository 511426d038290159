/**
 * `hdrl export` as a user runs it: `node bin/hdrl.mjs --db X export ...` in a child process, against a database
 * holding real crp / ubah runs of the bundled DJIA data (2000-01-03..2000-12-29, lookback 252).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { main } from '../../src-main/cli';
import { openEngine } from '../../src-main/engine';
import { getRunMetrics, getRunWeightsAt } from '../../src-main/store/runs';
import { ROOT } from '../helpers/browser';
import { tempDir } from '../helpers/engine';
import { readPdf } from './pdfText';

let dir: string;
let db: string;
let crp: string;
let ubah: string;
let crpMetrics: Record<string, number>;
let ubahWeights: Float64Array;

function hdrl(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/hdrl.mjs'), '--db', db, ...args], {
      cwd: ROOT,
      env: { ...process.env, HDRL_DB: '' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += String(d)));
    p.stderr.on('data', (d) => (err += String(d)));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The CLI entry in this process (stdout / stderr captured), for the usage checks that need no child process. */
async function inProcess(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((x) => ((out += String(x)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((x) => ((err += String(x)), true));
  try {
    return { code: await main(['--db', db, ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  dir = tempDir('hdrl-cli-export-');
  db = path.join(dir, 'e.db');
  const engine = openEngine({ dbPath: db, shell: 'cli' });
  try {
    const res = await runBacktest(engine.db, {
      universe: 'djia30',
      strategies: ['crp', 'ubah'],
      from: '2000-01-03',
      to: '2000-12-29',
      lookback: 252,
    });
    crp = res[0]!.runId!;
    ubah = res[1]!.runId!;
    crpMetrics = getRunMetrics(engine.db, crp);
    ubahWeights = getRunWeightsAt(engine.db, ubah, '2000-09-15')!.agents.final!;
  } finally {
    engine.close();
  }
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hdrl export', () => {
  it('--run ID --format pdf writes the allocation report and prints its path', async () => {
    const out = path.join(dir, 'sub', 'alloc.pdf');
    const r = await hdrl('export', '--run', crp, '--format', 'pdf', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim()).toBe(out);
    const pdf = await readPdf(fs.readFileSync(out));
    expect(pdf.info?.Title).toBe('Allocation report \u2014 Uniform constant rebalanced (UCRP) \u2014 2000-12-29');
    const sharpe = crpMetrics.sharpe!.toFixed(2);
    // the metrics row (the chart legend starts with the same name)
    const line = pdf.lines.find(
      (l) => l.startsWith('Uniform constant rebalanced \u00b7 seed 1') && l.split(' | ').length > 10,
    )!;
    expect(line.split(' | ')).toContain(sharpe);
    // the AA row: crp holds 1/30 in every asset
    expect(pdf.lines.find((l) => l.startsWith('AA | Alcoa'))!.split(' | ')[3]).toBe('3.33%');
  });

  it('--date and --csv weights give the weights of that date, exact', async () => {
    const out = path.join(dir, 'w.csv');
    const r = await hdrl(
      'export',
      '--run',
      ubah,
      '--date',
      '2000-09-15',
      '--format',
      'csv',
      '--csv',
      'weights',
      '--out',
      out,
    );
    expect(r.code, r.err).toBe(0);
    const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(31);
    expect(rows.every((x) => x.date === '2000-09-15')).toBe(true);
    const sum = rows.slice(0, 30).reduce((s, x) => s + Number(x.weight), 0);
    expect(sum).toBeCloseTo(1 - ubahWeights[30]!, 12);
    // buy and hold never trades after day one: previous (drifted) weights equal the targets
    for (const x of rows.slice(0, 30)) expect(Number(x.trade)).toBeCloseTo(0, 12);
    expect(rows.map((x) => Number(x.weight)).sort()).toEqual(Array.from(ubahWeights).sort());
  });

  it('--runs ID,ID --format xlsx writes the tear sheet', async () => {
    const out = path.join(dir, 'bt.xlsx');
    const r = await hdrl('export', '--runs', `${crp},${ubah}`, '--format', 'xlsx', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim()).toBe(out);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(fs.readFileSync(out) as unknown as ArrayBuffer);
    const ms = wb.getWorksheet('Metrics')!;
    const head = (ms.getRow(1).values as unknown[]).map(String);
    const row = [2, 3].map((i) => ms.getRow(i)).find((x) => x.getCell(1).value === 'Uniform constant rebalanced')!;
    expect(row.getCell(head.indexOf('Cum. return')).value).toBe(crpMetrics.cumulativeReturn);
  });

  it('bad usage exits 2 (in process, through the same entry)', async () => {
    const both = await inProcess(
      'export',
      '--run',
      crp,
      '--runs',
      crp,
      '--format',
      'pdf',
      '--out',
      path.join(dir, 'x.pdf'),
    );
    expect(both.code).toBe(2);
    expect(both.err).toContain('either --run');
    const fmt = await inProcess('export', '--run', crp, '--format', 'docx', '--out', path.join(dir, 'x.docx'));
    expect([fmt.code, fmt.err]).toEqual([2, expect.stringContaining('--format must be one of pdf, html, csv, xlsx')]);
    const csv = await inProcess(
      'export',
      '--run',
      crp,
      '--format',
      'pdf',
      '--csv',
      'weights',
      '--out',
      path.join(dir, 'x.pdf'),
    );
    expect([csv.code, csv.err]).toEqual([2, expect.stringContaining('--csv goes with --format csv')]);
    const out = await inProcess('export', '--run', crp, '--format', 'pdf');
    expect([out.code, out.err]).toEqual([2, expect.stringContaining('--out FILE is required')]);
    expect(fs.existsSync(path.join(dir, 'x.pdf'))).toBe(false);
  });

  it('refuses a FIFO, a directory or a device as --out before writing, and leaves no temporary file', async () => {
    const where = tempDir('hdrl-cli-out-');
    const fifo = path.join(where, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const folder = path.join(where, 'folder');
    fs.mkdirSync(folder);
    const cases: [string, string][] = [
      [fifo, 'it is a named pipe (FIFO)'],
      [folder, 'it is a directory'],
      ['/dev/null', 'it is a character device'],
    ];
    for (const [out, why] of cases) {
      for (const args of [
        ['export', '--run', crp, '--format', 'csv', '--out', out],
        ['export-prices', '--universe', 'djia30', '--from', '2000-01-03', '--to', '2000-01-31', '--out', out],
      ]) {
        const r = await inProcess(...args);
        expect([r.code, r.err], `${args[0]} --out ${out}`).toEqual([
          2,
          expect.stringContaining(`cannot write ${out}: ${why}`),
        ]);
        expect(r.out).toBe('');
      }
    }
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    expect(fs.statSync(folder).isDirectory()).toBe(true);
    expect(fs.readdirSync(folder)).toEqual([]);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    // nothing else appeared beside the targets: no `<out>.<pid>.tmp` or hidden temporary file
    expect(fs.readdirSync(where).sort()).toEqual(['folder', 'pipe']);
    expect(fs.readdirSync('/dev').filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it("refuses the app's own database (by its path, a relative path or a link) as --out and leaves it intact", async () => {
    const before = fs.readFileSync(db);
    const link = path.join(tempDir('hdrl-cli-out-'), 'db-link');
    fs.symlinkSync(db, link);
    const hard = path.join(dir, 'db-hard');
    fs.linkSync(db, hard);
    for (const out of [db, path.relative(process.cwd(), db), link, hard, `${db}-wal`]) {
      for (const args of [
        ['export-prices', '--universe', 'djia30', '--from', '2000-01-03', '--to', '2000-01-31', '--out', out],
        ['export', '--run', crp, '--format', 'csv', '--out', out],
      ]) {
        const r = await inProcess(...args);
        expect([r.code, r.err], `${args[0]} --out ${out}`).toEqual([
          2,
          expect.stringContaining("it is one of the app's own database files"),
        ]);
      }
    }
    fs.rmSync(hard);
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });

  it('replaces an existing regular file whole and leaves no temporary file', async () => {
    const where = tempDir('hdrl-cli-out-');
    const out = path.join(where, 'prices.csv');
    fs.writeFileSync(out, 'old contents\n');
    const r = await inProcess(
      'export-prices',
      '--universe',
      'djia30',
      '--from',
      '2000-01-03',
      '--to',
      '2000-01-07',
      '--out',
      out,
    );
    expect(r.code, r.err).toBe(0);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]!.startsWith('date,')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([
      '2000-01-03',
      '2000-01-04',
      '2000-01-05',
      '2000-01-06',
      '2000-01-07',
    ]);
    expect(fs.readdirSync(where)).toEqual(['prices.csv']);
  });

  it('an unknown run exits 2 with the reason and writes nothing', async () => {
    const missing = await hdrl(
      'export',
      '--run',
      'r-00000000000000000000',
      '--format',
      'html',
      '--out',
      path.join(dir, 'x.html'),
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('run r-00000000000000000000 not found');
    expect(fs.existsSync(path.join(dir, 'x.html'))).toBe(false);
  });
});
