/** src-renderer/src/format.ts: the desk's number formats, and no sign on a figure that rounds to zero. */
import { describe, expect, it } from 'vitest';
import { bps, int, num, pct, pp, signedPct } from '../../src-renderer/src/format';

describe('desk number formats', () => {
  it('never writes -0.00%: a tiny negative figure rounds to an unsigned zero', () => {
    expect(pct(-0.00000001)).toBe('0.00%');
    expect(pct(-0.00004, 1)).toBe('0.0%');
    expect(pct(-0)).toBe('0.00%');
    expect(pct(-0.0001)).toBe('-0.01%');
    expect(pct(0.1234)).toBe('12.34%');
    expect(pct(null)).toBe('—');
    expect(pct(Number.NaN)).toBe('—');
  });

  it('signed figures carry + only when they are not zero at the digits shown', () => {
    expect(signedPct(0.0123)).toBe('+1.23%');
    expect(signedPct(0.00000001)).toBe('0.00%');
    expect(signedPct(-0.00000001)).toBe('0.00%');
    expect(signedPct(-0.004)).toBe('-0.40%');
    expect(pp(0.0123)).toBe('+1.2 pp');
    expect(pp(-0.00001)).toBe('0.0 pp');
    expect(pp(-0.02)).toBe('-2.0 pp');
  });

  it('basis points, plain numbers and integers have no negative zero either', () => {
    expect(bps(0.000979)).toBe('10 bp');
    expect(bps(0.000979, 1)).toBe('9.8 bp');
    expect(bps(-0.00000001)).toBe('0 bp');
    expect(num(-0.0001)).toBe('0.00');
    expect(num(1234.5, 1)).toBe('1,234.5');
    expect(int(-0.2)).toBe('0');
  });
});
