/**
 * Messages between the job runner (parent) and a job process (child).
 *
 * A job may run jobs of its own (a backtest trains its models in parallel `pretrain` jobs): it asks the parent with
 * `sub-start`, and the parent's runner starts them like any job — counted against the same cap, listed, cancelled
 * with their parent — and answers `sub-ended` with the final JobInfo. So only the runner in the shell's process ever
 * starts processes (no job process needs to find the worker or to be able to start one).
 */
import type { JobInfo } from '../../src-shared/contract';

export type ParentMessage =
  | { type: 'start'; kind: string; params: unknown }
  | { type: 'cancel' }
  | { type: 'sub-ended'; ref: string; job: JobInfo };
export type ChildMessage =
  | { type: 'progress'; fraction: number | null; message: string; figures?: Record<string, number> }
  | { type: 'done'; result: unknown }
  | { type: 'error'; message: string; cancelled: boolean }
  | { type: 'sub-start'; ref: string; kind: string; params: unknown; label: string }
  | { type: 'sub-cancel'; ref: string };
