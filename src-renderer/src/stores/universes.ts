import { defineStore } from 'pinia';
import type { UniverseSummary } from '@shared/contract/data';
import { api } from '../api/client';

/** The universes in the store and the one the desk is looking at (shared by every view). */
export const useUniversesStore = defineStore('universes', {
  state: () => ({
    list: [] as UniverseSummary[],
    selected: (typeof localStorage !== 'undefined' && localStorage.getItem('hdrl-universe')) || 'djia30',
    loading: false,
    error: null as string | null,
  }),
  getters: {
    current: (s) => s.list.find((u) => u.id === s.selected) ?? null,
  },
  actions: {
    async load() {
      this.loading = true;
      try {
        this.list = await api.call('data.universes', {});
        if (!this.list.some((u) => u.id === this.selected) && this.list.length) this.selected = this.list[0]!.id;
        this.error = null;
      } catch (e) {
        this.error = (e as Error).message;
      } finally {
        this.loading = false;
      }
    },
    select(id: string) {
      this.selected = id;
      localStorage.setItem('hdrl-universe', id);
    },
  },
});
