// The pieces every learned family's explanation shares (strategies/storedDecision.ts): the background picks over a
// replay, and the replay's drift of the weights from one day to the next.
import { describe, expect, it } from 'vitest';
import { BACKGROUND_WINDOWS } from '../../src-main/strategies/samp/explainable';
import { backgroundPicks, replayFromCash } from '../../src-main/strategies/storedDecision';

describe('backgroundPicks', () => {
  it('spreads BACKGROUND_WINDOWS picks evenly, first and last included', () => {
    expect(BACKGROUND_WINDOWS).toBe(8);
    expect(backgroundPicks(15)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(backgroundPicks(100)).toEqual([0, 14, 28, 42, 57, 71, 85, 99]);
  });

  it('takes each day once when the replay is shorter than the picks', () => {
    expect(backgroundPicks(3)).toEqual([0, 1, 2]);
    expect(backgroundPicks(1)).toEqual([0]);
  });
});

describe('replayFromCash', () => {
  // two stocks; stock 0 doubles on day 2, stock 1 halves on day 3
  const closes = [
    [10, 10],
    [10, 10],
    [20, 10],
    [20, 5],
  ];
  it('starts from cash, then holds the previous decision drifted by the day’s price relatives (cash unchanged)', () => {
    const seen: number[][] = [];
    const days = replayFromCash(
      2,
      (d) => closes[d]!,
      1,
      3,
      (t, held) => {
        seen.push([t, ...held]);
        return Float64Array.of(0.25, 0.25);
      },
    );
    expect(days.map((d) => d.day)).toEqual([1, 2, 3]);
    expect(Array.from(days[0]!.held)).toEqual([0, 0]);
    // day 2: 0.25 doubles to 0.5, 0.25 stays, cash 0.5: book 1.25
    expect(Array.from(days[1]!.held)).toEqual([0.5 / 1.25, 0.25 / 1.25]);
    // day 3: 0.25 stays, 0.25 halves to 0.125, cash 0.5: book 0.875
    expect(Array.from(days[2]!.held)).toEqual([0.25 / 0.875, 0.125 / 0.875]);
    expect(seen).toEqual(days.map((d) => [d.day, ...d.held]));
    expect(days.every((d) => d.weights[0] === 0.25 && d.weights[1] === 0.25)).toBe(true);
  });
});
