/**
 * Runs the security suite's cases (cases.ts) from the outside and judges each one: rejected cleanly (as the case
 * defines it), crashed (the host or dispatch process stopped answering or printed a stack trace; the CLI was
 * killed by a signal, hung, or printed a trace; a handler failed with INTERNAL), data lost (a content hash of the
 * stored prices, assets, memberships and universe ranges changed). Used by security.test.ts and by
 * `npm run security` (report.ts), so both judge the same way.
 *
 * Every surface works on its own copy of one template database (the bundled DJIA universe), in a temporary
 * folder: the host and the dispatcher run in child processes, each CLI case gets a fresh copy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openEngine } from '../../src-main/engine';
import { listUniverses } from '../../src-main/store/prices';
import type { DB } from '../../src-main/store/db';
import {
  CLI_CASES,
  CONCURRENT_WRITERS,
  DISPATCH_CASES,
  FILE_CASES,
  HTTP_CASES,
  TRACE,
  caseIds,
  request,
  type FileCase,
  type Fixtures,
  type HostTarget,
  type HttpReply,
  type Surface,
} from './cases';
import { VALID_FILE } from './files';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'hdrl.mjs');
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Bounds on waiting, so that a hang is reported as one (they are not speed requirements). */
const HANG_MS = { http: 20_000, dispatch: 60_000, cli: 90_000, start: 60_000 };
/** CLI processes run at once (the suite must stay friendly to a 2-core machine). */
const CLI_PARALLEL = 2;

export interface Outcome {
  surface: Surface;
  id: string;
  title: string;
  expect: string;
  /** rejected as the case expects */
  clean: boolean;
  crashed: boolean;
  dataLost: boolean;
  /** why the case is not clean, crashed or lost data ('' when clean) */
  detail: string;
}

/** A check of the harness itself (a valid request must succeed), so that refusals are not a broken setup. */
export interface Control {
  what: string;
  ok: boolean;
  detail: string;
}

export interface SuiteResult {
  outcomes: Outcome[];
  controls: Control[];
}

// ---------------------------------------------------------------------------------------------------------
// Stored data

/**
 * A content hash of what an import may change: every bar, asset, universe, membership and import batch, and each
 * universe's common range as the universe list shows it.
 */
export function snapshot(db: DB | Database.Database): string {
  const h = createHash('sha256');
  const queries = [
    'SELECT ticker, date, open, high, low, close, adj_close, volume, filled, batch_id FROM bars ORDER BY ticker, date',
    'SELECT ticker, name, class, sector FROM assets ORDER BY ticker',
    'SELECT id, name, source FROM universes ORDER BY id',
    'SELECT universe_id, ticker, position FROM universe_members ORDER BY universe_id, ticker',
    'SELECT id, universe_id FROM import_batches ORDER BY id',
  ];
  for (const sql of queries) {
    h.update(sql);
    for (const row of (db as Database.Database).prepare(sql).raw(true).iterate()) h.update(JSON.stringify(row));
  }
  h.update(JSON.stringify(listUniverses(db as DB).map((u) => [u.id, u.assetCount, u.from, u.to])));
  return h.digest('hex');
}

function snapshotFile(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return snapshot(db);
  } finally {
    db.close();
  }
}

/** Size and modification time of a database file and its write-ahead log: any committed write changes them. */
function fileState(dbPath: string): string {
  return ['', '-wal']
    .map((suffix) => {
      try {
        const st = fs.statSync(dbPath + suffix, { bigint: true });
        return `${st.size}:${st.mtimeNs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

/**
 * Watches one database that several cases share, so that each case is judged on what it changed itself (a case
 * that wrote is not blamed on the cases after it). Hashing every bar takes a while, so the hash is computed
 * again only when the files were written since the last look (a read never writes them).
 */
class DataWatch {
  private state: string;
  private hash: string;
  constructor(
    private readonly dbPath: string,
    baseline: string,
  ) {
    this.state = fileState(dbPath);
    this.hash = baseline;
  }

  /** Did the stored data change since the last call (or since the baseline)? */
  changed(): boolean {
    const now = fileState(this.dbPath);
    if (now === this.state) return false;
    this.state = now;
    const before = this.hash;
    this.hash = snapshotFile(this.dbPath);
    return this.hash !== before;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Setup

interface World {
  tmp: string;
  template: string;
  baseline: string;
  fixtures: Omit<Fixtures, 'uploads' | 'uploaded' | 'uploadLink'>;
}

/** A CSV that would import, whose ticker is the marker: no answer may ever contain it. */
function secretFile(file: string): string {
  const marker = `ZQSECRET${randomBytes(6).toString('hex').toUpperCase()}`;
  fs.writeFileSync(file, `date,${marker}\n2021-01-04,10\n2021-01-05,10.5\n`);
  return marker;
}

function makeWorld(): World {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-security-'));
  const template = path.join(tmp, 'template', 'hdrl.db');
  fs.mkdirSync(path.dirname(template));
  openEngine({ dbPath: template, shell: 'headless', seedDefaultData: true }).close();
  const baseline = snapshotFile(template);
  const secret = path.join(tmp, 'outside.csv');
  const secretMarker = secretFile(secret);
  const fifo = path.join(tmp, 'pipe.csv');
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status !== 0) throw new Error(`mkfifo failed: ${mk.stderr}`);
  fs.symlinkSync(fifo, path.join(tmp, 'link-to-fifo.csv'));
  const dir = path.join(tmp, 'a-directory');
  fs.mkdirSync(dir);
  const valid = path.join(tmp, VALID_FILE.name);
  fs.writeFileSync(valid, VALID_FILE.content());
  return { tmp, template, baseline, fixtures: { tmp, secret, secretMarker, fifo, dir, valid } };
}

/** A copy of the template database in a folder of its own (the engine keeps its data folder beside it). */
function dbCopy(w: World, name: string): string {
  const dir = path.join(w.tmp, 'db', name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'hdrl.db');
  fs.copyFileSync(w.template, file);
  return file;
}

/** Collects a child's output; `since(mark)` gives what arrived after a mark. */
class Output {
  text = '';
  constructor(stream: NodeJS.ReadableStream | null) {
    stream?.on('data', (b: Buffer) => {
      if (this.text.length < 4_000_000) this.text += b.toString('utf8');
    });
  }
  since(mark: number): string {
    return this.text.slice(mark);
  }
}

function tsxChild(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(HERE, script), ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: cleanEnv(),
  });
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.HDRL_DEBUG;
  delete env.HDRL_DB;
  return env;
}

/** The first stdout line of a child, parsed; throws when it exits or stays silent. */
function firstLine<T>(child: ChildProcess, err: Output, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${err.text.slice(-2000)}`)), HANG_MS.start);
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      clearTimeout(timer);
      rl.close();
      resolve(JSON.parse(l) as T);
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${sig ?? code}) before it started: ${err.text.slice(-2000)}`));
    });
  });
}

/** First line of a text, shortened, with the temporary folder and secrets replaced, for the report. */
function brief(s: string, w: World, secrets: string[] = []): string {
  let t = s.split(w.tmp).join('$TMP');
  for (const x of secrets) if (x) t = t.split(x).join('<secret>');
  const line = t.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

// ---------------------------------------------------------------------------------------------------------
// The host over raw sockets

/**
 * Send bytes to 127.0.0.1:port and read the answer until the host closes the connection (the requests ask for
 * `connection: close`; the socket is never half-closed, as a browser never does).
 */
export function sendRaw(port: number, chunks: (string | Buffer)[]): Promise<HttpReply> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    let error: string | undefined;
    const sock = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      error = `no answer and no close within ${HANG_MS.http / 1000} s`;
      sock.destroy();
    }, HANG_MS.http);
    sock.on('data', (b) => got.push(b));
    sock.on('error', (e) => (error ??= (e as NodeJS.ErrnoException).code ?? e.message));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(parseReply(Buffer.concat(got), error));
    });
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (sock.destroyed) return;
        if (!sock.write(c)) await new Promise((r) => sock.once('drain', r).once('close', r));
      }
    });
  });
}

function parseReply(buf: Buffer, error?: string): HttpReply {
  const raw = buf.toString('latin1');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  if (!m)
    return {
      status: null,
      headers: {},
      body: '',
      raw,
      error: error ?? (raw ? `not HTTP: ${raw.slice(0, 40)}` : undefined),
    };
  const split = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const l of raw
    .slice(0, split < 0 ? raw.length : split)
    .split('\r\n')
    .slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = split < 0 ? '' : buf.subarray(Buffer.byteLength(raw.slice(0, split + 4), 'latin1')).toString('utf8');
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    let out = '';
    let rest = body;
    for (;;) {
      const nl = rest.indexOf('\r\n');
      const n = parseInt(rest.slice(0, nl), 16);
      if (nl < 0 || !n) break;
      out += rest.slice(nl + 2, nl + 2 + n);
      rest = rest.slice(nl + 2 + n + 2);
    }
    body = out;
  }
  return { status: Number(m[1]), headers, body, raw, error };
}

class HostProcess {
  child!: ChildProcess;
  err!: Output;
  target!: HostTarget;
  constructor(
    private readonly dbPath: string,
    private readonly rendererDir: string,
    private readonly secretMarker: string,
  ) {}

  async start(): Promise<void> {
    this.child = tsxChild('host-process.ts', [this.dbPath, this.rendererDir]);
    this.err = new Output(this.child.stderr);
    const { port, token } = await firstLine<{ port: number; token: string }>(this.child, this.err, 'the host');
    this.target = { port, token, secretMarker: this.secretMarker };
  }

  /** Does the host still answer a valid call? */
  async alive(): Promise<boolean> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return false;
    const r = await sendRaw(this.target.port, [request(this.target, 'POST', '/api/jobs.list', { body: '{}' })]);
    return r.status === 200;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

async function runHost(w: World, outcomes: Outcome[], controls: Control[]): Promise<void> {
  const dbPath = dbCopy(w, 'host');
  const site = path.join(w.tmp, 'site');
  const rendererDir = path.join(site, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><html><head><title>desk</title></head><body>desk</body></html>',
  );
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("desk")');
  const marker = secretFile(path.join(site, 'secret.txt'));
  const host = new HostProcess(dbPath, rendererDir, marker);
  const data = new DataWatch(dbPath, w.baseline);
  await host.start();
  controls.push({ what: 'the host answers a valid API call with the token', ok: await host.alive(), detail: '' });
  try {
    for (const c of HTTP_CASES) {
      const mark = host.err.text.length;
      const sent = c.send(host.target);
      const reply = await sendRaw(host.target.port, sent.chunks);
      const why = c.judge(reply, host.target);
      const alive = await host.alive();
      const logged = host.err.since(mark);
      const crashed = !alive || TRACE.test(logged);
      const lost = data.changed();
      const secrets = [host.target.token, marker];
      const detail = [
        why ? `${why}${reply.status !== null ? ` (answer: ${brief(reply.body, w, secrets) || 'empty'})` : ''}` : '',
        !alive ? 'the host stopped answering' : '',
        TRACE.test(logged) ? `the host printed a stack trace: ${brief(logged, w, secrets)}` : '',
        lost ? 'the stored data changed' : '',
      ].filter(Boolean);
      outcomes.push(outcome(c, !why, crashed, lost, detail.join('; ')));
      if (!alive) {
        host.stop();
        await host.start();
      }
    }
  } finally {
    host.stop();
  }
}

function outcome(
  c: { surface: Surface; id: string; title: string; expect: string },
  clean: boolean,
  crashed: boolean,
  dataLost: boolean,
  detail: string,
): Outcome {
  return {
    surface: c.surface,
    id: c.id,
    title: c.title,
    expect: c.expect,
    clean: clean && !crashed && !dataLost,
    crashed,
    dataLost,
    detail,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The dispatcher as the browser, in a child process

interface ApiReply {
  result: { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
  job?: { ok: true; value: { status: string } } | { ok: false; error: { code: string; message: string } };
}

class DispatchProcess {
  child!: ChildProcess;
  err!: Output;
  private lines!: AsyncIterator<string>;
  dataDir = '';
  constructor(private readonly dbPath: string) {}

  async start(): Promise<void> {
    this.child = tsxChild('dispatch-process.ts', [this.dbPath]);
    this.err = new Output(this.child.stderr);
    this.lines = readline.createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
    const first = await Promise.race([
      this.lines.next(),
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`the dispatcher did not start: ${this.err.text.slice(-2000)}`)),
          HANG_MS.start,
        ),
      ),
    ]);
    if (first.done) throw new Error(`the dispatcher exited before it started: ${this.err.text.slice(-2000)}`);
    this.dataDir = (JSON.parse(first.value) as { dataDir: string }).dataDir;
  }

  /** One call; null when the process died or did not answer within the bound. */
  async call(channel: string, payload: unknown): Promise<ApiReply | null> {
    this.child.stdin!.write(JSON.stringify({ channel, payload }) + '\n');
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      this.lines.next(),
      new Promise<null>((r) => (timer = setTimeout(() => r(null), HANG_MS.dispatch))),
    ]);
    clearTimeout(timer);
    if (!next || next.done) return null;
    return JSON.parse(next.value) as ApiReply;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Why an API reply is not a clean refusal (null when it is one). */
function refusal(r: ApiReply): string | null {
  if (r.result.ok)
    return r.job
      ? `accepted: a job was started and ended ${r.job.ok ? r.job.value.status : r.job.error.code}`
      : 'accepted';
  if (r.result.error.code === 'INTERNAL') return `INTERNAL: ${r.result.error.message}`;
  if (!r.result.error.message.trim()) return `${r.result.error.code} without a message`;
  return null;
}

/** Why a file's upload preview is not a clean rejection: it must fail with an error problem placed as `at` says. */
function fileRefusal(r: ApiReply, at: FileCase['at']): string | null {
  if (!r.result.ok) return refusal(r);
  const p = r.result.value as {
    ok: boolean;
    errors: number;
    problems: { severity: string; code: string; line: number | null; message: string }[];
  };
  if (p.ok || p.errors === 0) return 'the preview has no error: a commit would write it';
  const errors = p.problems.filter((x) => x.severity === 'error' && x.code && x.message);
  if (!errors.length) return 'no error problem with a code and a message';
  if (at === 'row' && !errors.some((x) => x.line !== null)) return `no error names a line (${errors[0]!.code})`;
  if (typeof at === 'number' && !errors.some((x) => x.line === at))
    return `no error on line ${at} (first: ${errors[0]!.code} on line ${errors[0]!.line})`;
  return null;
}

async function runDispatch(w: World, outcomes: Outcome[], controls: Control[]): Promise<void> {
  const dbPath = dbCopy(w, 'dispatch');
  const proc = new DispatchProcess(dbPath);
  const data = new DataWatch(dbPath, w.baseline);
  await proc.start();
  try {
    // control: a genuine upload previews, and its path may then be named
    const up = await proc.call('data.previewImportText', {
      name: VALID_FILE.name,
      text: VALID_FILE.content().toString('utf8'),
      universe: 'control',
    });
    const uploaded = up?.result.ok ? (up.result.value as { uploadedPath: string; ok: boolean }) : null;
    controls.push({
      what: 'the browser can upload and preview a valid file',
      ok: uploaded?.ok === true,
      detail: up ? JSON.stringify(up.result).slice(0, 300) : 'no answer',
    });
    const byPath = uploaded
      ? await proc.call('data.previewImport', { paths: [uploaded.uploadedPath], universe: 'control' })
      : null;
    controls.push({
      what: 'the browser can name the file it uploaded',
      ok: byPath?.result.ok === true,
      detail: byPath ? JSON.stringify(byPath.result).slice(0, 300) : 'no answer',
    });
    const uploads = path.join(proc.dataDir, 'uploads');
    const uploadLink = path.join(uploads, 'planted', 'link.csv');
    fs.mkdirSync(path.dirname(uploadLink), { recursive: true });
    fs.symlinkSync(w.fixtures.secret, uploadLink);
    const fixtures: Fixtures = {
      ...w.fixtures,
      uploads,
      uploaded: uploaded?.uploadedPath ?? path.join(uploads, 'missing.csv'),
      uploadLink,
    };
    const secrets = [w.fixtures.secretMarker];

    const runOne = async (
      c: { surface: Surface; id: string; title: string; expect: string },
      channel: string,
      payload: unknown,
      judge: (r: ApiReply) => string | null,
    ) => {
      const mark = proc.err.text.length;
      const r = await proc.call(channel, payload);
      const logged = proc.err.since(mark);
      const why = r ? judge(r) : null;
      const leak =
        r && JSON.stringify(r).includes(w.fixtures.secretMarker)
          ? 'the answer carries the file outside the uploads'
          : '';
      const crashed = !r || TRACE.test(logged) || (!r.result.ok && r.result.error.code === 'INTERNAL');
      const lost = data.changed();
      const detail = [
        !r
          ? `no answer within ${HANG_MS.dispatch / 1000} s or the process died${logged ? `: ${brief(logged, w, secrets)}` : ''}`
          : '',
        why ? brief(why, w, secrets) : '',
        leak,
        r && TRACE.test(logged) ? `a stack trace was printed: ${brief(logged, w, secrets)}` : '',
        lost ? 'the stored data changed' : '',
      ].filter(Boolean);
      outcomes.push(outcome(c, !!r && !why && !leak, crashed, lost, detail.join('; ')));
      if (!r) {
        proc.stop();
        await proc.start();
      }
    };

    for (const c of DISPATCH_CASES) await runOne(c, c.channel, c.payload(fixtures), refusal);
    for (const f of FILE_CASES) {
      const text = f.content().toString('utf8');
      const payload = {
        name: f.name,
        text,
        universe: f.universe ?? 'hostile',
        ...(f.meta ? { metaFile: { name: f.meta.name, text: f.meta.content } } : {}),
      };
      await runOne(
        { surface: 'dispatch', id: `file:${f.id}`, title: `upload: ${f.title}`, expect: expectOfFile(f) },
        'data.previewImportText',
        payload,
        (r) => fileRefusal(r, f.at),
      );
    }
  } finally {
    proc.stop();
  }
}

function expectOfFile(f: FileCase): string {
  return typeof f.at === 'number'
    ? `rejected with an error on line ${f.at}`
    : f.at === 'row'
      ? 'rejected with an error that names a line'
      : 'rejected with an error';
}

// ---------------------------------------------------------------------------------------------------------
// The command line

interface CliRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

function runCli(dbPath: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--db', dbPath, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv(),
    });
    const out = new Output(child.stdout);
    const err = new Output(child.stderr);
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS.cli);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out.text, stderr: err.text, hung });
    });
  });
}

/** Why a CLI run is not a clean refusal whose message matches `message` (null when it is one). */
function cliRefusal(r: CliRun, message: RegExp): string | null {
  if (r.hung || r.signal) return null; // a crash, reported as such
  if (r.code === 0) return 'exit status 0: accepted';
  if (!r.stderr.trim()) return `exit status ${r.code} without a message`;
  if (!message.test(r.stderr)) return `the message does not say why (${message})`;
  return null;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The problem line `hdrl import` must print for a file case (file:line[:col]: error: ...). */
function problemLine(files: string[], at: FileCase['at']): RegExp {
  const file = `(?:${files.map(escapeRe).join('|')})`;
  if (typeof at === 'number') return new RegExp(`^${file}:${at}(?::\\d+)?: error: .+`, 'm');
  if (at === 'row') return new RegExp(`^${file}:\\d+(?::\\d+)?: error: .+`, 'm');
  return /(^|: )error: .+/m;
}

async function pool<T>(items: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

async function runCliSurface(w: World, outcomes: Outcome[], controls: Control[]): Promise<void> {
  const jobs: {
    c: { surface: Surface; id: string; title: string; expect: string };
    args: (db: string) => string[];
    message: RegExp;
  }[] = [];
  for (const c of CLI_CASES)
    jobs.push({
      c,
      args: () => c.args({ ...w.fixtures, uploads: '', uploaded: '', uploadLink: '' }),
      message: c.stderr,
    });
  for (const f of FILE_CASES.filter((x) => x.cli)) {
    const dir = path.join(w.tmp, 'files', f.id);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, f.name);
    fs.writeFileSync(file, f.content());
    const meta = f.meta ? path.join(dir, f.meta.name) : null;
    if (meta) fs.writeFileSync(meta, f.meta!.content);
    const args = ['import', file, '--universe', f.universe ?? 'hostile', ...(meta ? ['--meta', meta] : [])];
    jobs.push({
      c: { surface: 'cli', id: `file:${f.id}`, title: `import: ${f.title}`, expect: expectOfFile(f) },
      args: () => args,
      message: problemLine(meta ? [file, meta] : [file], f.at),
    });
  }
  const results = new Map<string, Outcome>();
  const control = async () => {
    const db = dbCopy(w, 'control');
    const r = await runCli(db, ['import', w.fixtures.valid, '--universe', 'control']);
    const changed = snapshotFile(db) !== w.baseline;
    controls.push({
      what: '`hdrl import` writes a valid file',
      ok: r.code === 0 && changed,
      detail: `exit ${r.code}; ${brief(r.stderr, w)}`,
    });
  };
  await pool(
    [
      control,
      ...jobs.map((j) => async () => {
        const db = dbCopy(w, j.c.id.replace(/[^a-z0-9-]/gi, '_'));
        const data = new DataWatch(db, w.baseline);
        const r = await runCli(db, j.args(db));
        const why = cliRefusal(r, j.message);
        const crashed = r.hung || r.signal !== null || TRACE.test(r.stderr);
        const lost = data.changed();
        const secrets = [w.fixtures.secretMarker];
        const detail = [
          r.hung ? `hung: killed after ${HANG_MS.cli / 1000} s` : '',
          r.signal && !r.hung ? `killed by ${r.signal}` : '',
          why ? `${why}; stderr: ${brief(r.stderr, w, secrets) || '(empty)'}` : '',
          TRACE.test(r.stderr)
            ? `a stack trace was printed: ${brief(r.stderr.slice(r.stderr.search(TRACE)), w, secrets)}`
            : '',
          lost ? 'the stored data changed' : '',
        ].filter(Boolean);
        results.set(j.c.id, outcome(j.c, !why, crashed, lost, detail.join('; ')));
      }),
      () => concurrentWriters(w).then((o) => void results.set(o.id, o)),
    ],
    CLI_PARALLEL,
    (f) => f(),
  );
  for (const id of caseIds().cli) outcomes.push(results.get(id)!);
}

/** Two imports of valid files into two new universes, started together on one database. */
async function concurrentWriters(w: World): Promise<Outcome> {
  const db = dbCopy(w, 'concurrent');
  const files = [0, 1].map((i) => {
    const f = path.join(w.tmp, `concurrent-${i}.csv`);
    fs.writeFileSync(f, VALID_FILE.content().toString('utf8').replace(/ZQA/g, `ZC${i}A`).replace(/ZQB/g, `ZC${i}B`));
    return f;
  });
  const runs = await Promise.all(files.map((f, i) => runCli(db, ['import', f, '--universe', `concurrent${i}`])));
  const check = new Database(db, { readonly: true });
  const universes = new Set((check.prepare('SELECT id FROM universes').all() as { id: string }[]).map((r) => r.id));
  const djia = snapshotOf(check, 'djia30');
  check.close();
  const template = new Database(w.template, { readonly: true });
  const djiaBefore = snapshotOf(template, 'djia30');
  template.close();
  const problems: string[] = [];
  let crashed = false;
  runs.forEach((r, i) => {
    if (r.hung || r.signal || TRACE.test(r.stderr)) {
      crashed = true;
      problems.push(
        `import ${i} ${r.hung ? 'hung' : r.signal ? `was killed by ${r.signal}` : `printed a stack trace: ${brief(r.stderr.slice(r.stderr.search(TRACE)), w)}`}`,
      );
    } else if (r.code === 0 && !universes.has(`concurrent${i}`))
      problems.push(`import ${i} said it was written, but its universe is missing`);
    else if (r.code !== 0 && !r.stderr.trim()) problems.push(`import ${i} failed (exit ${r.code}) without a message`);
    else if (r.code !== 0 && universes.has(`concurrent${i}`))
      problems.push(`import ${i} failed (exit ${r.code}) but its universe was written`);
  });
  const lost = djia !== djiaBefore || problems.some((p) => p.includes('missing'));
  if (djia !== djiaBefore) problems.push('the stored DJIA data changed');
  return outcome({ surface: 'cli', ...CONCURRENT_WRITERS }, problems.length === 0, crashed, lost, problems.join('; '));
}

/** A hash of one universe's bars and members. */
function snapshotOf(db: Database.Database, universe: string): string {
  const h = createHash('sha256');
  for (const row of db
    .prepare(
      'SELECT b.ticker, b.date, b.close, b.adj_close FROM bars b JOIN universe_members m ON m.ticker = b.ticker AND m.universe_id = ? ORDER BY b.ticker, b.date',
    )
    .raw(true)
    .iterate(universe))
    h.update(JSON.stringify(row));
  return h.digest('hex');
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Run every case on every surface. Takes nothing; gives each case's outcome (in the order of cases.ts, per
 * surface) and the harness controls. The temporary folder is removed at the end.
 */
export async function runSecuritySuite(): Promise<SuiteResult> {
  const w = makeWorld();
  const outcomes = { host: [] as Outcome[], dispatch: [] as Outcome[], cli: [] as Outcome[] };
  const controls: Control[] = [];
  try {
    // the CLI processes run beside the host and dispatch cases, which wait on sockets most of the time
    await Promise.all([
      runCliSurface(w, outcomes.cli, controls),
      (async () => {
        await runHost(w, outcomes.host, controls);
        await runDispatch(w, outcomes.dispatch, controls);
      })(),
    ]);
  } finally {
    fs.rmSync(w.tmp, { recursive: true, force: true });
  }
  return { outcomes: [...outcomes.host, ...outcomes.dispatch, ...outcomes.cli], controls };
}
