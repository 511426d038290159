import { defineStore } from 'pinia';
import type { JobInfo } from '@shared/contract';
import { api } from '../api/client';

/** Every job of this session, kept current by the engine's job.update events. */
export const useJobsStore = defineStore('jobs', {
  state: () => ({ jobs: [] as JobInfo[], subscribed: false, history: {} as Record<string, { at: number; fraction: number | null; figures: Record<string, number> }[]> }),
  getters: {
    running: (s) => s.jobs.filter((j) => j.status === 'running' || j.status === 'queued'),
  },
  actions: {
    upsert(job: JobInfo) {
      // keep every progress event's figures (reward, losses...) for live curves while the desk is open
      if (Object.keys(job.figures).length) {
        const h = (this.history[job.id] ??= []);
        const last = h[h.length - 1];
        if (!last || JSON.stringify(last.figures) !== JSON.stringify(job.figures)) h.push({ at: Date.now(), fraction: job.fraction, figures: { ...job.figures } });
      }
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
