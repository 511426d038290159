/**
 * Runs long work (import, training, backtests, SHAP) in child processes — TensorFlow.js fails in a second
 * worker thread (tfjs issue 8388), and a process can be killed cleanly. Each job reports progress events,
 * can be cancelled (cooperatively, then SIGKILL after a grace period) and ends with a final status.
 *
 * At most `maxProcesses` jobs run at once (default: maxJobProcesses()); the others wait with status 'queued',
 * start in the order they came when a slot frees, and can be cancelled while they wait. A job may start jobs of its
 * own through its process (protocol.ts `sub-start`, e.g. a backtest's parallel trainings): those are this runner's
 * jobs too, listed with their parentId, started before other queued jobs, and cancelled with their parent. While a
 * job has sub-jobs queued or running it only waits for them, so it lends its slot to them — otherwise a backtest
 * holding the only slot would wait forever for trainings that need one.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { JobInfo } from '../../src-shared/contract';
import { forkLauncher, type JobLauncher, type JobProcess } from './launch';
import type { ChildMessage } from './protocol';

export { workerEntry } from './launch';

/** Environment variable that sets the number of job processes that may run at once (a whole number, 1..1024). */
export const MAX_JOBS_ENV = 'HDRL_MAX_JOBS';

/** The job process cap: $HDRL_MAX_JOBS when set, else the number of cores the OS gives this process. */
export function maxJobProcesses(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_JOBS_ENV];
  if (raw === undefined || raw === '') return os.availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new RangeError(`${MAX_JOBS_ENV} must be a whole number from 1 to 1024, got "${raw}"`);
  return n;
}

export interface JobRunnerOptions {
  dbPath: string;
  onUpdate: (job: JobInfo) => void;
  /** grace period after a cancel request before the process is killed, ms */
  killAfterMs?: number;
  /** how many job processes may run at once (default maxJobProcesses()) */
  maxProcesses?: number;
  /** how to start a job process (default: fork the worker, launch.ts) */
  launch?: JobLauncher;
}

interface Entry {
  info: JobInfo;
  kind: string;
  params: unknown;
  proc?: JobProcess;
  cancelRequested: boolean;
  /** the job that asked for this one, and its name for it in that job's process */
  parent?: { entry: Entry; ref: string };
  /** sub-jobs not ended yet */
  open: Set<Entry>;
  done: Promise<JobInfo>;
  settle: (j: JobInfo) => void;
}

export class JobRunner {
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private readonly launch: JobLauncher;
  readonly maxProcesses: number;

  constructor(private readonly opts: JobRunnerOptions) {
    this.maxProcesses = opts.maxProcesses ?? maxJobProcesses();
    if (!Number.isInteger(this.maxProcesses) || this.maxProcesses < 1)
      throw new RangeError(`maxProcesses must be a positive whole number, got ${this.maxProcesses}`);
    this.launch = opts.launch ?? forkLauncher();
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => j.info).reverse();
  }

  get(id: string): JobInfo | undefined {
    return this.jobs.get(id)?.info;
  }

  /** Resolves with the final JobInfo once the job has ended. */
  wait(id: string): Promise<JobInfo> {
    const j = this.jobs.get(id);
    if (!j) return Promise.reject(new Error(`no job ${id}`));
    return j.done;
  }

  /** Start a job now if a slot is free, else queue it; returns its JobInfo ('running' or 'queued'). */
  start(kind: string, params: unknown, label: string): JobInfo {
    return this.submit(kind, params, label).info;
  }

  private submit(kind: string, params: unknown, label: string, parent?: Entry['parent']): Entry {
    const id = randomUUID();
    let settle!: (j: JobInfo) => void;
    const done = new Promise<JobInfo>((r) => (settle = r));
    const entry: Entry = {
      info: {
        id,
        kind,
        label,
        status: 'queued',
        startedAt: new Date().toISOString(),
        endedAt: null,
        fraction: 0,
        message: 'waiting for a free job slot',
        figures: {},
        error: null,
        version: 0,
        ...(parent ? { parentId: parent.entry.info.id } : {}),
      },
      kind,
      params,
      cancelRequested: false,
      open: new Set(),
      done,
      settle,
      ...(parent ? { parent } : {}),
    };
    this.jobs.set(id, entry);
    if (parent) parent.entry.open.add(entry);
    this.queue.push(entry);
    this.opts.onUpdate(entry.info);
    this.pump();
    return entry;
  }

  /** Slots taken: job processes alive, except those only waiting for their sub-jobs. */
  private busy(): number {
    let n = 0;
    for (const e of this.jobs.values()) if (e.proc && e.open.size === 0) n++;
    return n;
  }

  /** Start queued jobs while slots are free: sub-jobs of running jobs first, then the rest, each in order. */
  private pump(): void {
    while (this.queue.length && this.busy() < this.maxProcesses) {
      const i = Math.max(
        0,
        this.queue.findIndex((e) => e.parent),
      );
      const [entry] = this.queue.splice(i, 1);
      this.run(entry!);
    }
  }

  private update(entry: Entry, patch: Partial<JobInfo>): void {
    entry.info = { ...entry.info, ...patch, version: entry.info.version + 1 };
    this.opts.onUpdate(entry.info);
  }

  /** The job has its final status: settle it, tell its parent, cancel its sub-jobs, free its slot. */
  private finish(entry: Entry, patch: Partial<JobInfo>): void {
    if (entry.info.endedAt === null) this.update(entry, { ...patch, endedAt: new Date().toISOString() });
    for (const sub of [...entry.open]) this.cancel(sub.info.id);
    if (entry.parent) {
      entry.parent.entry.open.delete(entry);
      entry.parent.entry.proc?.send({ type: 'sub-ended', ref: entry.parent.ref, job: entry.info });
    }
    entry.settle(entry.info);
    this.pump();
  }

  private run(entry: Entry): void {
    this.update(entry, { status: 'running', startedAt: new Date().toISOString(), message: 'starting' });
    let proc: JobProcess;
    try {
      proc = this.launch({ ...process.env, HDRL_DB: this.opts.dbPath });
    } catch (e) {
      this.finish(entry, {
        status: 'failed',
        message: 'failed',
        error: `could not start the job process: ${(e as Error).message}`,
      });
      return;
    }
    entry.proc = proc;
    const subs = new Map<string, Entry>();
    proc.onMessage((m: ChildMessage) => {
      if (entry.info.endedAt !== null) return;
      const now = new Date().toISOString();
      if (m.type === 'progress')
        this.update(entry, { fraction: m.fraction, message: m.message, figures: m.figures ?? entry.info.figures });
      else if (m.type === 'done')
        this.update(entry, { status: 'succeeded', fraction: 1, message: 'done', result: m.result, endedAt: now });
      else if (m.type === 'error')
        this.update(entry, {
          status: m.cancelled ? 'cancelled' : 'failed',
          message: m.cancelled ? 'cancelled' : 'failed',
          error: m.cancelled ? null : m.message,
          endedAt: now,
        });
      else if (m.type === 'sub-start') {
        if (entry.cancelRequested) {
          // a job being cancelled gets no new work: its sub-job ends before it starts
          const refused: JobInfo = {
            id: randomUUID(),
            kind: m.kind,
            label: m.label,
            status: 'cancelled',
            startedAt: now,
            endedAt: now,
            fraction: 0,
            message: 'cancelled',
            figures: {},
            error: null,
            parentId: entry.info.id,
            version: 0,
          };
          proc.send({ type: 'sub-ended', ref: m.ref, job: refused });
        } else subs.set(m.ref, this.submit(m.kind, m.params, m.label, { entry, ref: m.ref }));
      } else if (m.type === 'sub-cancel') {
        const sub = subs.get(m.ref);
        if (sub) this.cancel(sub.info.id);
      }
    });
    proc.onExit((code, signal) => {
      entry.proc = undefined;
      if (entry.info.status === 'running') {
        this.finish(entry, {
          status: entry.cancelRequested ? 'cancelled' : 'failed',
          message: entry.cancelRequested ? 'cancelled' : 'failed',
          error: entry.cancelRequested ? null : `job process exited (${signal ?? code}) before reporting a result`,
        });
      } else this.finish(entry, {});
    });
    proc.send({ type: 'start', kind: entry.kind, params: entry.params });
  }

  /** Cancel a job: a queued one ends at once, a running one is asked to stop (and killed after the grace period). */
  cancel(id: string): JobInfo | undefined {
    const entry = this.jobs.get(id);
    if (!entry) return undefined;
    if (entry.info.status === 'queued') {
      this.queue.splice(this.queue.indexOf(entry), 1);
      this.finish(entry, { status: 'cancelled', message: 'cancelled before it started' });
      return entry.info;
    }
    if (entry.info.status !== 'running' || !entry.proc || entry.cancelRequested) return entry.info;
    entry.cancelRequested = true;
    const proc = entry.proc;
    proc.send({ type: 'cancel' });
    for (const sub of [...entry.open]) this.cancel(sub.info.id);
    const timer = setTimeout(() => proc.kill(), this.opts.killAfterMs ?? 3000);
    void entry.done.then(() => clearTimeout(timer));
    return entry.info;
  }

  cancelAll(): void {
    for (const id of [...this.jobs.keys()].reverse()) this.cancel(id);
  }
}
