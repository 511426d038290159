/**
 * Path parameters of the import: only regular files within a size cap are read (a FIFO, /dev/zero or a
 * directory is refused, price file and meta file alike), and the browser and the desktop window may only name
 * the files they are entitled to — refused before anything touches the file system.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImportPreview, ImportResult } from '../../src-shared/contract';
import { runImport } from '../../src-main/data/importer';
import { readImportFilesSync } from '../../src-main/data/reader';
import { MAX_IMPORT_FILE_BYTES, MAX_META_FILE_BYTES } from '../../src-main/data/settings';
import { dispatch } from '../../src-main/services';
import { uploadsDir } from '../../src-main/services/data';
import type { Caller } from '../../src-main/services/types';
import { tempEngine } from '../helpers/engine';
import { fx, tempDb } from './helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const posix = process.platform !== 'win32';
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-paths-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `hdrl import` in a child process, killed after 30 s: a read that blocks or never ends shows as a timeout. */
function cliChild(args: string[]): { status: number | null; stderr: string; timedOut: boolean } {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin/hdrl.mjs'), '--db', path.join(dir, 'child.db'), 'import', ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
  );
  return { status: r.status, stderr: r.stderr, timedOut: r.error !== undefined || r.signal !== null };
}

describe('only regular files of bounded size are read', () => {
  it.runIf(posix)(
    'a FIFO as meta file is refused at once instead of blocking the process',
    () => {
      const fifo = path.join(dir, 'meta.fifo');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const r = cliChild([fx('good/wide.csv'), '--universe', 'f', '--meta', fifo, '--dry-run']);
      expect(r.timedOut).toBe(false);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${fifo}: error: not a regular file: a FIFO (named pipe)`);
    },
    40_000,
  );

  it.runIf(posix)(
    'a FIFO as price file is refused without opening it',
    () => {
      const fifo = path.join(dir, 'prices.fifo');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const r = cliChild([fifo, '--universe', 'f', '--dry-run']);
      expect(r.timedOut).toBe(false);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${fifo}: error: not a regular file: a FIFO (named pipe)`);
    },
    40_000,
  );

  it.runIf(fs.existsSync('/dev/zero'))(
    '/dev/zero is refused as a character device, as meta file and as price file',
    async () => {
      const { db, dir: dbDir } = tempDb();
      try {
        const before = process.memoryUsage().rss;
        const { preview } = await runImport(db, ['/dev/zero'], { universe: 'z', meta: '/dev/zero' }, { dryRun: true });
        expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 ** 2);
        const errors = preview.problems.filter((p) => p.severity === 'error');
        expect(errors.map((p) => [p.file, p.code, p.message])).toEqual([
          ['/dev/zero', 'no-file', 'not a regular file: a character device (an import reads only regular files)'],
          ['/dev/zero', 'no-file', 'not a regular file: a character device (an import reads only regular files)'],
        ]);
        // the sync reader (bundled data) goes through the same check
        expect(readImportFilesSync(['/dev/zero']).problems.list().problems[0]!.message).toMatch(/character device/);
      } finally {
        db.close();
        fs.rmSync(dbDir, { recursive: true, force: true });
      }
    },
  );

  it('a directory is refused, as meta file and as price file', async () => {
    const { db, dir: dbDir } = tempDb();
    try {
      const { preview } = await runImport(db, [dir], { universe: 'd', meta: dir }, { dryRun: true });
      expect(preview.problems.filter((p) => p.severity === 'error').map((p) => p.message)).toEqual([
        'not a regular file: a directory (an import reads only regular files)',
        'not a regular file: a directory (an import reads only regular files)',
      ]);
    } finally {
      db.close();
      fs.rmSync(dbDir, { recursive: true, force: true });
    }
  });

  it('files above the size caps are refused before a byte is read, naming the limit', async () => {
    // sparse files: their size costs no disk
    const big = path.join(dir, 'big.csv');
    fs.writeFileSync(big, 'date,AAA\n2020-01-02,1\n');
    fs.truncateSync(big, MAX_IMPORT_FILE_BYTES + 1);
    const meta = path.join(dir, 'big-meta.csv');
    fs.writeFileSync(meta, 'ticker,name\nAAA,A\n');
    fs.truncateSync(meta, MAX_META_FILE_BYTES + 1);
    const { db, dir: dbDir } = tempDb();
    try {
      const { preview } = await runImport(db, [big], { universe: 'b', meta }, { dryRun: true });
      expect(preview.problems.filter((p) => p.severity === 'error').map((p) => [p.file, p.code, p.message])).toEqual([
        [big, 'too-large', 'the file is 1 GiB, more than the 1 GiB an import reads'],
        [meta, 'too-large', 'the meta file is 16 MiB, more than the 16 MiB an import reads'],
      ]);
    } finally {
      db.close();
      fs.rmSync(dbDir, { recursive: true, force: true });
    }
  });
});

describe('which files a caller may name', () => {
  let engine: ReturnType<typeof tempEngine>;
  let secret: string;
  beforeAll(() => {
    engine = tempEngine();
    secret = path.join(engine.dir, 'secret.csv');
    fs.writeFileSync(secret, fs.readFileSync(fx('good/wide.csv')));
  });
  afterAll(() => {
    engine.close();
    fs.rmSync(engine.dir, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  const HOST: Caller = { shell: 'host' };
  const call = (channel: string, payload: unknown, caller?: Caller) => dispatch(engine, channel, payload, caller);
  const upload = async () => {
    const r = await call(
      'data.previewImportText',
      { name: 'wide.csv', text: fs.readFileSync(fx('good/wide.csv'), 'utf8'), universe: 'up' },
      HOST,
    );
    if (!r.ok) throw new Error(r.error.message);
    return r.value as ImportPreview & { uploadedPath: string };
  };

  it('the browser is refused any path outside the upload folder, existing or not, before the file system is asked', async () => {
    const touched: string[] = [];
    for (const f of [
      'statSync',
      'lstatSync',
      'openSync',
      'readFileSync',
      'realpathSync',
      'existsSync',
      'createReadStream',
    ] as const) {
      const orig = fs[f] as (...a: unknown[]) => unknown;
      vi.spyOn(fs, f).mockImplementation(((...a: unknown[]) => {
        touched.push(String(a[0]));
        return orig.apply(fs, a);
      }) as never);
    }
    const answers: unknown[] = [];
    for (const p of [
      secret,
      path.join(engine.dir, 'no-such.csv'),
      '/etc/shadow',
      path.join(uploadsDir(engine), '..', 'secret.csv'),
    ]) {
      for (const ch of ['data.previewImport', 'data.commitImport']) {
        const r = await call(ch, { paths: [p], universe: 'x' }, HOST);
        answers.push(r.ok ? r.value : { code: r.error.code, message: r.error.message.replace(p, 'PATH') });
      }
      // a meta file outside, with an uploaded price file
      const r = await call(
        'data.previewImport',
        { paths: [path.join(uploadsDir(engine), 'a', 'b.csv')], meta: p, universe: 'x' },
        HOST,
      );
      answers.push(r.ok ? r.value : { code: r.error.code, message: r.error.message.replace(p, 'PATH') });
    }
    const refusal = { code: 'INVALID_INPUT', message: 'the browser can import only files it uploads (not one: PATH)' };
    expect(answers).toEqual(answers.map(() => refusal));
    expect(touched.filter((t) => t.includes('secret') || t.includes('no-such') || t.includes('shadow'))).toEqual([]);
    expect(engine.jobs.list().filter((j) => j.kind === 'import')).toEqual([]);
  });

  it.runIf(posix)('a link inside the upload folder that leads outside is refused', async () => {
    const up = path.join(uploadsDir(engine), 'linked');
    fs.mkdirSync(up, { recursive: true });
    fs.symlinkSync(secret, path.join(up, 'prices.csv'));
    const r = await call('data.previewImport', { paths: [path.join(up, 'prices.csv')], universe: 'x' }, HOST);
    expect(r.ok ? null : r.error.message).toMatch(/^the browser can import only files it uploads/);
  });

  it('the browser previews and commits what it uploaded', async () => {
    const up = await upload();
    const again = await call('data.previewImport', { paths: [up.uploadedPath], universe: 'up' }, HOST);
    expect(again.ok && (again.value as ImportPreview).bars).toBe(15);
    const job = await call('data.commitImport', { paths: [up.uploadedPath], universe: 'up' }, HOST);
    if (!job.ok) throw new Error(job.error.message);
    const done = await engine.jobs.wait((job.value as { id: string }).id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect((done.result as ImportResult).bars).toBe(15);
  }, 60_000);

  it('the desktop window may name the files its dialog granted and uploads, nothing else', async () => {
    const ipc: Caller = { shell: 'ipc', grantedPaths: new Set([secret]) };
    const granted = await call('data.previewImport', { paths: [secret], universe: 'g' }, ipc);
    // the same three tickers the browser committed above: ok, nothing new to write
    expect(granted.ok && (granted.value as ImportPreview).tickers.length).toBe(3);
    const up = await upload();
    expect((await call('data.previewImport', { paths: [up.uploadedPath], universe: 'g' }, ipc)).ok).toBe(true);
    const other = await call('data.previewImport', { paths: [fx('good/wide.csv')], universe: 'g' }, ipc);
    expect(other.ok ? null : other.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^the desktop window can import only files chosen in its file dialog or uploaded/),
    });
    const meta = await call('data.previewImport', { paths: [secret], meta: fx('good/meta.csv'), universe: 'g' }, ipc);
    expect(meta.ok ? null : meta.error.code).toBe('INVALID_INPUT');
  });

  it('the command line (the local caller) may name any file', async () => {
    const r = await call('data.previewImport', { paths: [secret], meta: fx('good/meta.csv'), universe: 'c' });
    expect(r.ok && (r.value as ImportPreview).tickers.length).toBe(3);
  });
});
