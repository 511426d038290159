/**
 * Runs long work (import, training, backtests, SHAP) in child processes — TensorFlow.js fails in a second
 * worker thread (tfjs issue 8388), and a process can be killed cleanly. Each job reports progress events,
 * can be cancelled (cooperatively, then SIGKILL after a grace period) and ends with a final status.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobInfo } from '../../src-shared/contract';
import type { ChildMessage, ParentMessage } from './protocol';

export interface JobRunnerOptions {
  dbPath: string;
  onUpdate: (job: JobInfo) => void;
  /** grace period after a cancel request before the process is killed, ms */
  killAfterMs?: number;
}

/**
 * How to start a job process: the built worker (out/main/worker.js — this code may sit in the bundle beside it
 * or in a shared chunk one folder down, out/main/chunks/), or else the TypeScript source through tsx.
 */
export function workerEntry(here = path.dirname(fileURLToPath(import.meta.url))): { file: string; execArgv: string[] } {
  for (const dir of [here, path.dirname(here)]) {
    for (const name of ['worker.js', 'jobs-worker.js']) {
      const built = path.join(dir, name);
      if (fs.existsSync(built)) return { file: built, execArgv: [] };
    }
  }
  return { file: path.join(here, 'worker.ts'), execArgv: ['--import', 'tsx'] };
}

export class JobRunner {
  private readonly jobs = new Map<string, { info: JobInfo; child?: ChildProcess; done: Promise<JobInfo> }>();
  constructor(private readonly opts: JobRunnerOptions) {}

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

  start(kind: string, params: unknown, label: string): JobInfo {
    const id = randomUUID();
    const info: JobInfo = {
      id,
      kind,
      label,
      status: 'running',
      startedAt: new Date().toISOString(),
      endedAt: null,
      fraction: 0,
      message: 'starting',
      figures: {},
      error: null,
    };
    const { file, execArgv } = workerEntry();
    const env: NodeJS.ProcessEnv = { ...process.env, HDRL_DB: this.opts.dbPath };
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
    const child = fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settle!: (j: JobInfo) => void;
    const done = new Promise<JobInfo>((r) => (settle = r));
    const entry: { info: JobInfo; child?: ChildProcess; done: Promise<JobInfo> } = { info, child, done };
    this.jobs.set(id, entry);
    const update = (patch: Partial<JobInfo>) => {
      entry.info = { ...entry.info, ...patch };
      this.opts.onUpdate(entry.info);
    };
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') update({ fraction: m.fraction, message: m.message, figures: m.figures ?? entry.info.figures });
      else if (m.type === 'done') update({ status: 'succeeded', fraction: 1, message: 'done', result: m.result, endedAt: new Date().toISOString() });
      else if (m.type === 'error')
        update({ status: m.cancelled ? 'cancelled' : 'failed', message: m.cancelled ? 'cancelled' : 'failed', error: m.cancelled ? null : m.message, endedAt: new Date().toISOString() });
    });
    child.on('exit', (code, signal) => {
      if (entry.info.status === 'running') {
        const cancelled = (entry as { cancelRequested?: boolean }).cancelRequested === true;
        update({
          status: cancelled ? 'cancelled' : 'failed',
          message: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? null : `job process exited (${signal ?? code}) before reporting a result`,
          endedAt: new Date().toISOString(),
        });
      }
      entry.child = undefined;
      settle(entry.info);
    });
    child.send({ type: 'start', kind, params } satisfies ParentMessage);
    this.opts.onUpdate(info);
    return info;
  }

  cancel(id: string): JobInfo | undefined {
    const entry = this.jobs.get(id) as ({ info: JobInfo; child?: ChildProcess; cancelRequested?: boolean } | undefined);
    if (!entry) return undefined;
    if (entry.info.status !== 'running' || !entry.child) return entry.info;
    entry.cancelRequested = true;
    const child = entry.child;
    child.send({ type: 'cancel' } satisfies ParentMessage);
    const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.killAfterMs ?? 3000);
    child.once('exit', () => clearTimeout(timer));
    return entry.info;
  }

  cancelAll(): void {
    for (const id of this.jobs.keys()) this.cancel(id);
  }
}
