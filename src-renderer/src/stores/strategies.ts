import { defineStore } from 'pinia';
import type { StrategyInfo } from '@shared/contract/runs';
import { api } from '../api/client';

/**
 * The engine's strategy registry as the desk sees it (strategies.list), loaded once. Which strategies learn is the
 * registry's word (`family === 'learning'`), never guessed from an id's spelling, so a new learned family (td3-flat,
 * sac-flat, ...) shows wherever learned runs are listed without a change here.
 */
export const useStrategiesStore = defineStore('strategies', {
  state: () => ({
    list: [] as StrategyInfo[],
    loaded: false,
  }),
  getters: {
    learnedIds: (s): ReadonlySet<string> => new Set(s.list.filter((x) => x.family === 'learning').map((x) => x.id)),
  },
  actions: {
    /** the registry, fetched on the first call only */
    async load(): Promise<StrategyInfo[]> {
      if (!this.loaded) {
        this.list = await api.call('strategies.list', {});
        this.loaded = true;
      }
      return this.list;
    },
    isLearned(id: string): boolean {
      return this.learnedIds.has(id);
    },
  },
});
