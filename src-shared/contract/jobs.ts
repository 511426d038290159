import { z } from 'zod';
import { Empty, Id, method } from './define';

/** 'queued': waiting for a free job slot (the engine runs a capped number of job processes at once). */
export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export const JobInfo = z.object({
  id: Id,
  kind: z.string(),
  label: z.string(),
  status: JobStatus,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** 0..1 when known */
  fraction: z.number().min(0).max(1).nullable(),
  message: z.string(),
  /** free-form progress figures (episode, reward, loss...) from the last progress event */
  figures: z.record(z.string(), z.number()),
  result: z.unknown().optional(),
  error: z.string().nullable(),
  /** the job that started this one (a backtest's parallel trainings); absent for a job started by a user */
  parentId: Id.optional(),
  /**
   * counts the engine's updates of this job, from 0: of two copies of one job the one with the higher version is
   * the newer. A reply (jobs.cancel, runs.start) and a job.update event travel separately and may arrive in either
   * order, so a view keeps the copy with the higher version.
   */
  version: z.number().int().min(0),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const JobEvent = z.object({ job: JobInfo });
export type JobEvent = z.infer<typeof JobEvent>;

export const jobMethods = {
  'jobs.list': method('Jobs of this session, newest first', Empty, z.array(JobInfo)),
  'jobs.get': method('One job', z.object({ id: Id }).strict(), JobInfo),
  'jobs.cancel': method(
    'Ask a running job to stop, or drop a queued one; it ends with status cancelled',
    z.object({ id: Id }).strict(),
    JobInfo,
  ),
  'jobs.demo': method(
    'A short job that counts to n with progress events (for checking the job plumbing end to end); local callers only, refused to the headless host and the Electron app',
    z.object({ steps: z.number().int().min(1).max(1000), delayMs: z.number().int().min(0).max(1000) }).strict(),
    JobInfo,
  ),
};
