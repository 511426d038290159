import { describe, expect, it } from 'vitest';
import { fuse, maskedSoftmax } from '../../../src-main/strategies/samp/logic/fusion';

const m1 = [true, true, false, false];
const m2 = [false, false, true, true];

describe('maskedSoftmax', () => {
  it('softmax on the mask, exactly 0 off it', () => {
    const w = maskedSoftmax([1, 2, 3, 100], [true, true, true, false]);
    // softmax([1,2,3]) = [0.0900306, 0.2447285, 0.6652410]
    expect(w[0]).toBeCloseTo(0.0900306, 6);
    expect(w[1]).toBeCloseTo(0.2447285, 6);
    expect(w[2]).toBeCloseTo(0.665241, 6);
    expect(w[3]).toBe(0);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });
  it('ignores non-finite logits off the mask and rejects an empty mask', () => {
    const w = maskedSoftmax([Number.NaN, 0, -Infinity, 0], [false, true, false, true]);
    expect(Array.from(w)).toEqual([0, 0.5, 0, 0.5]);
    expect(() => maskedSoftmax([1, 2], [false, false])).toThrow(RangeError);
  });
});

describe('fuse: w = a w0 + (1-a)(c1 w1 + c2 w2)', () => {
  const w0 = [0.5, 0.5, 0, 0];
  const w1 = [0.4, 0.6, 0, 0];
  const w2 = [0, 0, 0.3, 0.7];
  it('matches the hand computation, cash is the remainder', () => {
    const r = fuse(w0, w1, w2, { c1: 0.5, c2: 0.3 }, 0.2, { ordinary: m1, high: m2 });
    const want = [0.26, 0.34, 0.072, 0.168];
    want.forEach((v, i) => expect(r.weights[i]).toBeCloseTo(v, 14));
    expect(r.cash).toBeCloseTo(0.16, 14); // (1 - a) * (1 - c1 - c2)
  });
  it('a = 1 returns the upper agent, a = 0 the groups only', () => {
    expect(Array.from(fuse(w0, w1, w2, { c1: 0.5, c2: 0.5 }, 1).weights)).toEqual(w0);
    const r = fuse(w0, w1, w2, { c1: 0.5, c2: 0.5 }, 0);
    expect(Array.from(r.weights)).toEqual([0.2, 0.3, 0.15, 0.35]);
  });
  it('validates its inputs', () => {
    expect(() => fuse(w0, [0.4, 0.5, 0.1, 0], w2, { c1: 0.5, c2: 0.5 }, 0.5, { ordinary: m1, high: m2 })).toThrow(
      /off its group mask/,
    );
    expect(() =>
      fuse(w0, w1, [0, 0, 0.3, 0.7], { c1: 0.5, c2: 0.5 }, 0.5, { ordinary: m1, high: [false, false, true, false] }),
    ).toThrow(/w2/);
    expect(() => fuse([0.6, 0.6, 0, 0], w1, w2, { c1: 0.5, c2: 0.5 }, 0.5)).toThrow(/sums to/);
    expect(() => fuse([-0.1, 0.5, 0, 0], w1, w2, { c1: 0.5, c2: 0.5 }, 0.5)).toThrow(/< 0/);
    expect(() => fuse(w0, w1, w2, { c1: 0.7, c2: 0.5 }, 0.5)).toThrow(/c1 \+ c2/);
    expect(() => fuse(w0, w1, w2, { c1: 0.5, c2: 0.5 }, 1.2)).toThrow(/fusion coefficient/);
    expect(() => fuse(w0, [0.4, 0.6, 0], w2, { c1: 0.5, c2: 0.5 }, 0.5)).toThrow(/length/);
  });
});
