import { defineStore } from 'pinia';
import type { AppInfo } from '@shared/contract';
import { api } from '../api/client';

export type Theme = 'light' | 'dark';

export const useAppStore = defineStore('app', {
  state: () => ({
    info: null as AppInfo | null,
    infoError: null as string | null,
    theme: ((typeof localStorage !== 'undefined' && localStorage.getItem('hdrl-theme')) as Theme) || 'light',
  }),
  actions: {
    async loadInfo() {
      try {
        this.info = await api.call('app.info', {});
        this.infoError = null;
      } catch (e) {
        this.infoError = (e as Error).message;
      }
    },
    setTheme(t: Theme) {
      this.theme = t;
      localStorage.setItem('hdrl-theme', t);
      document.documentElement.dataset.theme = t;
    },
  },
});
