import type { JobInfo } from '@shared/contract';

/** One progress event's figures (reward, losses...), kept for a job's live curves while the desk is open. */
export interface JobPoint {
  at: number;
  fraction: number | null;
  figures: Record<string, number>;
}

/**
 * Put a copy of a job into the list (newest job first) and its new figures into its live curve. A job's reply
 * (runs.start, jobs.cancel) and its job.update events travel separately and may arrive in either order, so a copy
 * older than the one held (a lower version) is dropped: a cancel's late reply saying 'running' must not bring back a
 * job already shown as cancelled. Returns whether the copy was taken.
 */
export function mergeJob(
  jobs: JobInfo[],
  history: Record<string, JobPoint[]>,
  job: JobInfo,
  now = Date.now(),
): boolean {
  const i = jobs.findIndex((j) => j.id === job.id);
  if (i >= 0 && jobs[i]!.version > job.version) return false;
  if (Object.keys(job.figures).length) {
    const h = (history[job.id] ??= []);
    const last = h[h.length - 1];
    if (!last || JSON.stringify(last.figures) !== JSON.stringify(job.figures))
      h.push({ at: now, fraction: job.fraction, figures: { ...job.figures } });
  }
  if (i >= 0) jobs.splice(i, 1, job);
  else jobs.unshift(job);
  return true;
}
