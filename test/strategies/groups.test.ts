/**
 * The desk's strategy picker lists the learned strategies in groups (src-shared/domain/strategyGroups.ts): every
 * learned strategy of the registry names one, the others none, and the listing the desk reads carries it.
 */
import { describe, expect, it } from 'vitest';
import { listStrategies } from '../../src-main/strategies/registry';
import { LEARNED_GROUPS } from '../../src-shared/domain';

describe('learned strategy groups', () => {
  it('every learned strategy names a group, no other strategy does, and each group has members', async () => {
    const all = (await listStrategies()).filter((s) => !s.id.startsWith('test-'));
    for (const s of all) {
      if (s.family === 'learning') expect(LEARNED_GROUPS, s.id).toContain(s.group);
      else expect(s.group, s.id).toBeUndefined();
    }
    for (const g of LEARNED_GROUPS)
      expect(
        all.some((s) => s.group === g),
        g,
      ).toBe(true);
    const group = (id: string) => all.find((s) => s.id === id)?.group;
    expect(['samp-hdrl', 'samp-hdrl/ensemble', 'samp-hdrl/upper-only'].map(group)).toEqual([
      'samp-hdrl',
      'samp-hdrl',
      'samp-hdrl',
    ]);
    expect(['ddpg-flat', 'sac-flat', 'ddpg-flat/ensemble', 'eiie', 'eiie/online', 'ppn'].map(group)).toEqual(
      new Array(6).fill('drl-baselines'),
    );
    expect(['hadaps', 'mlp-lhs', 'cnn-lhs', 'maps'].map(group)).toEqual(new Array(4).fill('hadaps'));
    expect(group('mpls/no-graph')).toBe('mpls');
    // the flat ablation of the hierarchy is sac-flat's definition under its own id, listed with the hierarchy
    expect(['three-level', 'three-level/flat'].map(group)).toEqual(['three-level', 'three-level']);
  });
});
