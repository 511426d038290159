/**
 * Entry point of a job process: opens its own database connection, runs one job kind, reports back, exits.
 *
 * The parent is the job runner, reached through Node's IPC channel (child_process.fork) or, in the desktop app,
 * Electron's utilityProcess port (process.parentPort). When the parent goes away — the host killed, the window
 * closed — the channel closes: the job is aborted exactly as if it had been cancelled (its partial writes end the
 * way a cancelled job's do, never as complete), nothing more is sent, and the process exits with code 0. A send
 * that races the parent's death (EPIPE, ERR_IPC_CHANNEL_CLOSED) is the same news, not a crash.
 */
import type { JobInfo } from '../../src-shared/contract';
import { openDatabase } from '../store/db';
import { JobCancelled, type SubJobs } from './context';
import { jobKinds } from './kinds';
import type { ChildMessage, ParentMessage } from './protocol';

interface ParentPort {
  on(event: 'message', listener: (e: { data: ParentMessage }) => void): void;
  postMessage(message: ChildMessage): void;
}

const abort = new AbortController();
let parentGone = false;
/** Sub-jobs this job asked the parent for, by ref, until their final JobInfo arrives. */
const subWaits = new Map<string, { resolve: (j: JobInfo) => void; gone: () => JobInfo }>();
const subEnds = new Map<string, Promise<JobInfo>>();
let nextRef = 0;

/** The parent went away: stop the job; nobody is left to tell. */
function onParentGone(): void {
  if (parentGone) return;
  parentGone = true;
  abort.abort();
  for (const w of subWaits.values()) w.resolve(w.gone());
  subWaits.clear();
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;

/** Send to the parent; resolves once the message is handed over, or at once when the parent is gone. Never throws. */
function send(m: ChildMessage): Promise<void> {
  if (parentGone) return Promise.resolve();
  if (port) {
    port.postMessage(m);
    return Promise.resolve();
  }
  if (!process.send || !process.connected) {
    onParentGone();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    process.send!(m, undefined, undefined, (err: Error | null) => {
      if (err) onParentGone();
      resolve();
    });
  });
}

function onMessage(msg: ParentMessage): void {
  if (msg.type === 'cancel') abort.abort();
  // begin on a later turn: the start message may be delivered while Node is still flushing the channel's queue
  else if (msg.type === 'start') setImmediate(() => void run(msg.kind, msg.params));
  else if (msg.type === 'sub-ended') {
    const w = subWaits.get(msg.ref);
    subWaits.delete(msg.ref);
    w?.resolve(msg.job);
  }
}

if (port) port.on('message', (e) => onMessage(e.data));
else {
  process.on('message', onMessage);
  process.on('disconnect', onParentGone);
  // a write to a parent that just died fails asynchronously on the process object
  process.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_IPC_CHANNEL_CLOSED' || e.code === 'ECONNRESET') onParentGone();
    else throw e;
  });
}

/** ctx.jobs: jobs of this job, started and capped by the parent's runner (protocol.ts). */
const subJobs: SubJobs = {
  start(kind, params, label) {
    const ref = `sub-${++nextRef}`;
    const now = new Date().toISOString();
    const info: JobInfo = {
      id: ref,
      kind,
      label,
      status: 'queued',
      startedAt: now,
      endedAt: null,
      fraction: 0,
      message: 'waiting for a free job slot',
      figures: {},
      error: null,
      version: 0,
    };
    const gone = (): JobInfo => ({
      ...info,
      status: 'cancelled',
      endedAt: new Date().toISOString(),
      message: 'cancelled: the job runner went away',
    });
    if (parentGone) subEnds.set(ref, Promise.resolve(gone()));
    else {
      subEnds.set(ref, new Promise((resolve) => subWaits.set(ref, { resolve, gone })));
      void send({ type: 'sub-start', ref, kind, params, label });
    }
    return info;
  },
  wait(id) {
    const end = subEnds.get(id);
    if (!end) return Promise.reject(new Error(`no job ${id}`));
    return end.then((j) => (subEnds.delete(id), j));
  },
  cancel(id) {
    if (subWaits.has(id)) void send({ type: 'sub-cancel', ref: id });
  },
};

async function run(kind: string, params: unknown): Promise<void> {
  const dbPath = process.env.HDRL_DB!;
  let db: ReturnType<typeof openDatabase> | undefined;
  let last = 0;
  let final: ChildMessage;
  try {
    db = openDatabase(dbPath, { nativeBinding: process.env.HDRL_SQLITE_BINDING || undefined });
    const job = jobKinds[kind];
    if (!job) throw new Error(`unknown job kind ${kind}`);
    const result = await job(params, {
      db,
      dbPath,
      signal: abort.signal,
      jobs: subJobs,
      progress(fraction, message, figures) {
        const now = Date.now();
        if (now - last < 50 && fraction !== 1) return; // at most ~20 events a second
        last = now;
        void send({ type: 'progress', fraction, message, figures });
      },
    });
    final = { type: 'done', result };
  } catch (e) {
    const cancelled = e instanceof JobCancelled || abort.signal.aborted;
    final = { type: 'error', message: e instanceof Error ? e.message : String(e), cancelled };
  } finally {
    db?.close();
  }
  await send(final);
  // with fork, closing the channel lets the process end by itself; a utility process is ended by its launcher
  // once the final message is in (electron/jobLauncher.ts)
  if (!port && process.connected) process.disconnect();
}
