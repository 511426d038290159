/**
 * src-renderer/src/stores/jobList.ts, the jobs store's upsert: a job's reply and its job.update events travel on
 * separate connections and may arrive in either order. The list keeps the copy with the higher version, so a
 * cancel's reply ('running', the job asked to stop) that lands after the event saying 'cancelled' does not bring
 * the job back to life.
 */
import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src-shared/contract';
import { mergeJob, type JobPoint } from '../../src-renderer/src/stores/jobList';

const job = (patch: Partial<JobInfo>): JobInfo => ({
  id: 'j1',
  kind: 'backtest',
  label: 'train + backtest',
  status: 'running',
  startedAt: '2026-11-27T20:00:00.000Z',
  endedAt: null,
  fraction: 0.1,
  message: 'training',
  figures: {},
  error: null,
  version: 1,
  ...patch,
});

/** An empty job list as the store holds it, and its upsert. */
function list() {
  const store = { jobs: [] as JobInfo[], history: {} as Record<string, JobPoint[]> };
  return { store, upsert: (j: JobInfo) => mergeJob(store.jobs, store.history, j) };
}

describe('mergeJob', () => {
  it('keeps the newer copy when an older reply arrives after the event that superseded it', () => {
    const { store, upsert } = list();
    upsert(job({ version: 3 }));
    upsert(job({ status: 'cancelled', message: 'cancelled', endedAt: '2026-11-27T20:00:05.000Z', version: 5 }));
    expect(upsert(job({ message: 'stopping', version: 4 }))).toBe(false); // the cancel's reply, late
    expect(store.jobs).toHaveLength(1);
    expect(store.jobs[0]).toMatchObject({ status: 'cancelled', version: 5 });
  });

  it('takes every newer copy, and a copy of the same version (the same update twice)', () => {
    const { store, upsert } = list();
    upsert(job({ version: 1, fraction: 0.1 }));
    upsert(job({ version: 2, fraction: 0.5, figures: { reward: 1 } }));
    expect(store.jobs[0]!.fraction).toBe(0.5);
    upsert(job({ version: 2, fraction: 0.5, figures: { reward: 1 } }));
    expect(store.jobs).toHaveLength(1);
    expect(store.history.j1).toHaveLength(1);
    upsert(job({ id: 'j2', version: 0 }));
    expect(store.jobs.map((j) => j.id)).toEqual(['j2', 'j1']);
  });

  it('an older copy adds nothing to the live curves either', () => {
    const { store, upsert } = list();
    upsert(job({ version: 4, figures: { reward: 2 } }));
    upsert(job({ version: 3, figures: { reward: 1 } }));
    expect(store.history.j1!.map((h) => h.figures.reward)).toEqual([2]);
  });
});
