import { defineStore } from 'pinia';
import type { JobInfo } from '@shared/contract';
import { api } from '../api/client';
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
    history: {} as Record<string, { at: number; fraction: number | null; figures: Record<string, number> }[]>,
    trayCollapsed: readStored(COLLAPSED_KEY, false, isBoolean),
    dismissed: readStored<string[]>(DISMISSED_KEY, [], isStringList),
  }),
  getters: {
    running: (s) => s.jobs.filter((j) => j.status === 'running' || j.status === 'queued'),
  },
  actions: {
    /** Keep the newer copy of a job: a reply may arrive after the event that superseded it. */
    upsert(job: JobInfo) {
      const i = this.jobs.findIndex((j) => j.id === job.id);
      if (i >= 0 && this.jobs[i]!.version > job.version) return;
      // keep every progress event's figures (reward, losses...) for live curves while the desk is open
      if (Object.keys(job.figures).length) {
        const h = (this.history[job.id] ??= []);
        const last = h[h.length - 1];
        if (!last || JSON.stringify(last.figures) !== JSON.stringify(job.figures))
          h.push({ at: Date.now(), fraction: job.fraction, figures: { ...job.figures } });
      }
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
