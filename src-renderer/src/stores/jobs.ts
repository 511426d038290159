import { defineStore } from 'pinia';
import type { JobInfo } from '@shared/contract';
import { api } from '../api/client';

/** Every job of this session, kept current by the engine's job.update events. */
export const useJobsStore = defineStore('jobs', {
  state: () => ({ jobs: [] as JobInfo[], subscribed: false }),
  getters: {
    running: (s) => s.jobs.filter((j) => j.status === 'running' || j.status === 'queued'),
  },
  actions: {
    upsert(job: JobInfo) {
      const i = this.jobs.findIndex((j) => j.id === job.id);
      if (i >= 0) this.jobs.splice(i, 1, job);
      else this.jobs.unshift(job);
    },
    async init() {
      if (this.subscribed) return;
      this.subscribed = true;
      api.on('job.update', (e) => this.upsert(e.job));
      try {
        for (const j of (await api.call('jobs.list', {})).reverse()) this.upsert(j);
      } catch {
        /* shown by the views that need jobs */
      }
    },
    async cancel(id: string) {
      this.upsert(await api.call('jobs.cancel', { id }));
    },
  },
});
