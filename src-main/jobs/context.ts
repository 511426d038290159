/**
 * What a job kind receives and how it stops: the context a job process hands to the kind it runs (its own database
 * connection, the cancel signal, sub-jobs and progress), how a kind reads its params, and the error that ends
 * cancelled work. Below the kinds (kinds.ts) and the code they call (data/, backtest/), so all of them can name it.
 *
 * Cancellation has one error class, JobCancelled: a backtest, an import or a job kind whose signal aborts throws it,
 * and the job process (worker.ts) reports the job as cancelled. Below this layer the code speaks only AbortSignal
 * (the simulator and the trainers throw the signal's reason, an AbortError by default); the first layer that knows
 * jobs turns that into JobCancelled. A run's or a job's status 'cancelled' is data, not this error.
 */
import type { z } from 'zod';
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

/** This work was cancelled: its signal aborted. `what` names the work in the message ("backtest cancelled"). */
export class JobCancelled extends Error {
  constructor(what = 'job') {
    super(`${what} cancelled`);
    this.name = 'JobCancelled';
  }
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelled();
}

/** How many of a schema's complaints a refused params object lists. */
const MAX_LISTED_ISSUES = 5;

/**
 * A job kind's params, checked against its schema before the kind does anything. They come from a service, the CLI
 * or another job, across a process boundary, so the kind trusts nothing about them; a mismatch throws an error
 * naming the kind and each bad field, e.g. `job "pretrain": bad params: request.strategies: Invalid input: ...`.
 */
export function parseJobParams<S extends z.ZodType>(kind: string, schema: S, params: unknown): z.output<S> {
  const r = schema.safeParse(params);
  if (r.success) return r.data;
  const issues = r.error.issues;
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`);
  if (issues.length > MAX_LISTED_ISSUES) listed.push(`and ${issues.length - MAX_LISTED_ISSUES} more`);
  throw new TypeError(`job "${kind}": bad params: ${listed.join('; ')}`);
}

export type JobKind = (params: unknown, ctx: JobContext) => Promise<unknown>;
