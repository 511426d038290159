import { defineStore } from 'pinia';
import type { JobInfo } from '@shared/contract';
import { api } from '../api/client';
import { mergeJob, type JobPoint } from './jobList';
import { isBoolean, isStringList, readStored, writeStored } from './persist';

const COLLAPSED_KEY = 'hdrl-tray-collapsed';
const DISMISSED_KEY = 'hdrl-tray-dismissed';
/** Dismissed job ids remembered (the engine's job list of a session is far shorter). */
const MAX_DISMISSED = 500;

/**
 * Every job of this session, kept current by the engine's job.update events; and the job tray's state, which
 * survives a reload: whether it is collapsed, and which finished jobs the PM dismissed.
 */
export const useJobsStore = defineStore('jobs', {
  state: () => ({
    jobs: [] as JobInfo[],
    subscribed: false,
    history: {} as Record<string, JobPoint[]>,
    trayCollapsed: readStored(COLLAPSED_KEY, false, isBoolean),
    dismissed: readStored<string[]>(DISMISSED_KEY, [], isStringList),
  }),
  getters: {
    running: (s) => s.jobs.filter((j) => j.status === 'running' || j.status === 'queued'),
  },
  actions: {
    upsert(job: JobInfo) {
      mergeJob(this.jobs, this.history, job);
    },
    async init() {
      if (this.subscribed) return;
      this.subscribed = true;
      api.on('job.update', (e) => this.upsert(e.job));
      // the updates sent while the event stream was cut are lost: ask for every job again (newer copies win)
      api.onReconnect(() => void this.refresh());
      await this.refresh();
    },
    async refresh() {
      try {
        for (const j of (await api.call('jobs.list', {})).reverse()) this.upsert(j);
      } catch {
        /* shown by the views that need jobs */
      }
    },
    setTrayCollapsed(collapsed: boolean) {
      this.trayCollapsed = collapsed;
      writeStored(COLLAPSED_KEY, collapsed);
    },
    dismiss(id: string) {
      if (this.dismissed.includes(id)) return;
      this.dismissed = [...this.dismissed, id].slice(-MAX_DISMISSED);
      writeStored(DISMISSED_KEY, this.dismissed);
    },
    async cancel(id: string) {
      this.upsert(await api.call('jobs.cancel', { id }));
    },
  },
});
