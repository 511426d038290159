/**
 * src-renderer/src/prefer.ts: what the desk opens on when the PM has not chosen — the hierarchical strategy, then
 * its variants, then another learned strategy, then any tradable run; a hindsight reference never.
 */
import { describe, expect, it } from 'vitest';
import { preferLearned } from '../../src-renderer/src/prefer';

const item = (strategy: string, hindsight = false, id = strategy) => ({ id, strategy, hindsight });
const learned = (s: string) => s.startsWith('samp-hdrl') || s === 'ddpg-flat';

describe('preferLearned', () => {
  it('opens on the hierarchical strategy wherever it stands in the list (the Backtests heatmap groups sort by id)', () => {
    const groups = [item('bcrp', true), item('best', true), item('crp'), item('ddpg-flat'), item('samp-hdrl')];
    expect(preferLearned(groups, learned)?.strategy).toBe('samp-hdrl');
    expect(preferLearned(groups)?.strategy).toBe('samp-hdrl');
  });

  it('takes the first of equals: on a newest-first list, the newest run of the strategy', () => {
    const runs = [item('ddpg-flat', false, 'f2'), item('samp-hdrl', false, 's2'), item('samp-hdrl', false, 's1')];
    expect(preferLearned(runs, learned)?.id).toBe('s2');
  });

  it('then a variant of the method, then another learned strategy, then the first tradable item', () => {
    expect(preferLearned([item('crp'), item('ddpg-flat'), item('samp-hdrl/no-dc')], learned)?.strategy).toBe(
      'samp-hdrl/no-dc',
    );
    expect(preferLearned([item('bcrp', true), item('crp'), item('ddpg-flat')], learned)?.strategy).toBe('ddpg-flat');
    expect(preferLearned([item('bcrp', true), item('crp'), item('ddpg-flat')])?.strategy).toBe('crp');
    expect(preferLearned([item('best', true), item('ubah'), item('crp')], learned)?.strategy).toBe('ubah');
  });

  it('never a hindsight reference, even one named like the method; nothing when only those are there', () => {
    expect(preferLearned([item('samp-hdrl', true), item('crp')], learned)?.strategy).toBe('crp');
    expect(preferLearned([item('bcrp', true), item('best', true)], learned)).toBeUndefined();
    expect(preferLearned([], learned)).toBeUndefined();
  });
});
