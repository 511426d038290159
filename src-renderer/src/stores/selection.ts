/**
 * What the PM has chosen to look at, kept across views and reloads: the run per universe (the run picker of every
 * view reads and writes it, so a run chosen in Reports is the one Today shows). Persisted in localStorage
 * (stores/persist.ts); a remembered run that no longer exists is simply not found among the listed runs, and the
 * picker falls back to its default.
 */
import { defineStore } from 'pinia';
import { isStringRecord, readStored, writeStored } from './persist';

const RUN_KEY = 'hdrl-selected-run';

export const useSelectionStore = defineStore('selection', {
  state: () => ({
    /** universe id -> run id */
    runByUniverse: readStored<Record<string, string>>(RUN_KEY, {}, isStringRecord),
  }),
  getters: {
    runFor:
      (s) =>
      (universe: string): string | null =>
        s.runByUniverse[universe] ?? null,
  },
  actions: {
    setRun(universe: string, runId: string) {
      if (this.runByUniverse[universe] === runId) return;
      this.runByUniverse = { ...this.runByUniverse, [universe]: runId };
      writeStored(RUN_KEY, this.runByUniverse);
    },
  },
});
