/** src-renderer/src/latest.ts: a loader writes its answer only while no later load of the same loader has begun. */
import { describe, expect, it } from 'vitest';
import { latestOnly } from '../../src-renderer/src/latest';

/** A loader as the views write it, over answers that resolve when the test says. */
function loader() {
  const ticket = latestOnly();
  const shown: string[] = [];
  const pending = new Map<string, (v: string) => void>();
  const load = async (key: string) => {
    const current = ticket();
    const answer = await new Promise<string>((resolve) => pending.set(key, resolve));
    if (current()) shown.push(answer);
  };
  const answer = (key: string) => pending.get(key)!(`answer for ${key}`);
  return { load, answer, shown };
}

describe('latestOnly', () => {
  it('drops the answer of an earlier load that comes back after a later one', async () => {
    const { load, answer, shown } = loader();
    const a = load('run A');
    const b = load('run B');
    answer('run B');
    await b;
    answer('run A'); // slow: the PM has moved on to B
    await a;
    expect(shown).toEqual(['answer for run B']);
  });

  it('takes the answer of the newest load, in whatever order the answers come', async () => {
    const { load, answer, shown } = loader();
    const a = load('run A');
    const b = load('run B');
    answer('run A');
    answer('run B');
    await Promise.all([a, b]);
    expect(shown).toEqual(['answer for run B']);
  });

  it('keeps loaders apart: a load of one does not outdate another', async () => {
    const one = loader();
    const two = loader();
    const a = one.load('run A');
    const d = two.load('2000-12-29');
    one.answer('run A');
    two.answer('2000-12-29');
    await Promise.all([a, d]);
    expect(one.shown).toEqual(['answer for run A']);
    expect(two.shown).toEqual(['answer for 2000-12-29']);
  });
});
