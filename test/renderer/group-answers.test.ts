/**
 * src-renderer/src/components/groupAnswers.ts, behind the Backtests view's MPLS and three-level panels: each
 * group's first run is asked once, only the groups whose run answered are offered, the one shown is the PM's pick,
 * else the preferred group, else the first that answered; a failed request is said and a later selection retries.
 */
import { describe, expect, it } from 'vitest';
import { nextTick, reactive } from 'vue';
import { useGroupAnswers } from '../../src-renderer/src/components/groupAnswers';

const group = (key: string, ...ids: string[]) => ({ key, name: key.toUpperCase(), runs: ids.map((id) => ({ id })) });
const settle = async () => {
  for (let i = 0; i < 5; i++) await nextTick();
};

describe('useGroupAnswers', () => {
  it('offers the groups whose first run answers, and shows the pick, else the preferred, else the first', async () => {
    const asked: string[] = [];
    const props = reactive({ groups: [group('a', 'r1', 'r2'), group('b', 'r3'), group('c', 'r4')], preferred: 'c' });
    const g = useGroupAnswers(props, async (id) => {
      asked.push(id);
      return id === 'r2' || id === 'r3' ? null : { id };
    });
    await settle();
    expect(asked).toEqual(['r1', 'r3', 'r4']);
    expect(g.answered.value.map((x) => x.key)).toEqual(['a', 'c']);
    expect(g.shown.value?.key).toBe('c');
    expect(g.answer.value).toEqual({ id: 'r4' });
    g.pick('a');
    expect(g.shown.value?.key).toBe('a');
    expect(g.answer.value).toEqual({ id: 'r1' });
    g.pick('b'); // not an answering group: the preferred one stays
    expect(g.shown.value?.key).toBe('c');
    props.preferred = 'z';
    expect(g.shown.value?.key).toBe('a');

    // a new selection asks only for the runs not asked yet
    props.groups = [group('b', 'r3'), group('d', 'r5')];
    await settle();
    expect(asked).toEqual(['r1', 'r3', 'r4', 'r5']);
    expect(g.answered.value.map((x) => x.key)).toEqual(['d']);
    expect(g.shown.value?.key).toBe('d');
  });

  it('says why when the engine fails, shows nothing, and asks again on the next selection', async () => {
    let fail = true;
    const props = reactive({ groups: [group('a', 'r1')] });
    const g = useGroupAnswers(props, async (id) => {
      if (fail) throw new Error('engine gone');
      return { id };
    });
    await settle();
    expect(g.error.value).toBe('engine gone');
    expect(g.shown.value).toBeUndefined();
    expect(g.answer.value).toBeNull();
    fail = false;
    props.groups = [group('a', 'r1'), group('b', 'r2')];
    await settle();
    expect(g.error.value).toBeNull();
    expect(g.answered.value.map((x) => x.key)).toEqual(['a', 'b']);
  });
});
