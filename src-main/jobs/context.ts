/**
 * What a job kind receives and how it stops: the context a job process hands to the kind it runs (its own database
 * connection, the cancel signal, sub-jobs and progress) and the error that ends a cancelled job. Below the kinds
 * (kinds.ts) and the code they call (data/job.ts), so both can name it.
 */
import type { JobInfo } from '../../src-shared/contract';
import type { DB } from '../store/db';

/**
 * Jobs a job starts (a backtest's parallel trainings). The job runner of the shell runs them under the same cap as
 * every job (runner.ts); a job only waits for them, and while it does, its slot is theirs.
 */
export interface SubJobs {
  start(kind: string, params: unknown, label: string): JobInfo;
  wait(id: string): Promise<JobInfo>;
  cancel(id: string): void;
}

export interface JobContext {
  db: DB;
  dbPath: string;
  signal: AbortSignal;
  jobs: SubJobs;
  progress(fraction: number | null, message: string, figures?: Record<string, number>): void;
}

export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelled();
}

export type JobKind = (params: unknown, ctx: JobContext) => Promise<unknown>;
