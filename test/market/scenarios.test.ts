/**
 * src-main/market/scenarios.ts: the HADAPS paper's sector scenarios, chosen from a window's training days only, on a
 * hand-built universe whose sector volatilities are known by construction.
 */
import { describe, expect, it } from 'vitest';
import { chooseScenario, restrictPrices, trainingVolatilities, universeSectors } from '../../src-main/market/scenarios';
import type { PriceMatrix } from '../../src-main/market/prices';
import { handBuiltSectors, TRAIN } from './scenario-universe';

/** A copy of `m` with every close after day `after` multiplied by a random factor (per day and asset). */
function scrambledAfter(m: PriceMatrix, after: number, seed: number): PriceMatrix {
  // a small linear congruential generator: the same factors for the same seed
  let state = seed;
  const rnd = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return {
    ...m,
    close: m.close.map((row, t) => (t <= after ? row : Float64Array.from(row, (v) => v * Math.exp(3 * (rnd() - 0.5))))),
  };
}

describe('sector scenarios', () => {
  it('volatile-sectors takes the two most volatile sectors and the five most volatile stocks of a larger one', () => {
    const m = handBuiltSectors();
    const c = chooseScenario(m, 'volatile-sectors', TRAIN);
    expect(c.sectors.map((s) => s.sector)).toEqual(['Tech', 'Mining']);
    expect(c.sectors[0]!.members).toBe(6);
    expect(c.sectors[0]!.tickers).toEqual(['T2', 'T1', 'T5', 'T3', 'T4']); // T6, Tech's calmest, left out
    expect(c.sectors[1]!.tickers).toEqual(['M3', 'M5', 'M1', 'M4', 'M2']);
    // the tickers in the universe's column order
    expect(c.tickers).toEqual(m.tickers.filter((t) => t !== 'T6' && /^[TM]/.test(t)));
    // the sector's volatility is the mean of all its members' (T6 included)
    const vol = trainingVolatilities(m, TRAIN);
    const tech = m.tickers.flatMap((t, i) => (t.startsWith('T') ? [vol[i]!] : []));
    expect(c.sectors[0]!.volatility).toBeCloseTo(tech.reduce((a, b) => a + b, 0) / tech.length, 12);
    expect(c.sectors[0]!.volatility).toBeGreaterThan(c.sectors[1]!.volatility);
  });

  it('calm-sectors takes the two least volatile; a sector with fewer than five members gives all it has', () => {
    const c = chooseScenario(handBuiltSectors(), 'calm-sectors', TRAIN);
    expect(c.sectors.map((s) => [s.sector, s.members, s.tickers])).toEqual([
      ['Rates', 2, ['R1', 'R2']],
      ['Utilities', 3, ['U3', 'U1', 'U2']],
    ]);
    expect(c.tickers).toHaveLength(5);
  });

  it('reads the training days only: prices after trainEnd do not change the choice, prices inside it do', () => {
    const m = handBuiltSectors();
    for (const name of ['volatile-sectors', 'calm-sectors'] as const) {
      const base = chooseScenario(m, name, TRAIN);
      for (const seed of [1, 2, 3])
        expect(chooseScenario(scrambledAfter(m, TRAIN.trainEnd, seed), name, TRAIN)).toEqual(base);
      // the same scrambling one day earlier reaches the training window and moves the choice
      expect(chooseScenario(scrambledAfter(m, TRAIN.trainEnd - 40, 1), name, TRAIN)).not.toEqual(base);
    }
    // and nothing before trainStart counts either
    const later = { ...TRAIN, trainStart: 50 };
    const early = {
      ...m,
      close: m.close.map((row, t) =>
        t < 50 ? Float64Array.from(row, (v, i) => v * (1 + ((t * 7 + i) % 5) / 10)) : row,
      ),
    };
    expect(chooseScenario(early, 'calm-sectors', later)).toEqual(chooseScenario(m, 'calm-sectors', later));
  });

  it('refuses a universe without sectors, naming it, and one where some members lack a sector, naming them', () => {
    const m = handBuiltSectors();
    const { assets: _a, ...bare } = m;
    expect(() => chooseScenario(bare, 'volatile-sectors', TRAIN)).toThrow(/universe "hand" has no sectors/);
    const blank = { ...m, assets: m.assets!.map((a) => ({ ...a, sector: '' })) };
    expect(() => chooseScenario(blank, 'calm-sectors', TRAIN)).toThrow(/universe "hand" has no sectors/);
    const partial = {
      ...m,
      assets: m.assets!.map((a) => (a.ticker === 'U2' || a.ticker === 'T4' ? { ...a, sector: ' ' } : a)),
    };
    expect(() => universeSectors(partial)).toThrow(/universe "hand": 2 of 16 members have no sector \(U2, T4\)/);
    const one = { ...m, assets: m.assets!.map((a) => ({ ...a, sector: 'All' })) };
    expect(() => universeSectors(one)).toThrow(/universe "hand" has 1 sector \(All\); a sector scenario takes 2/);
  });

  it('refuses a window with too few training days to measure a volatility', () => {
    expect(() =>
      chooseScenario(handBuiltSectors(), 'volatile-sectors', { trainStart: 0, trainEnd: 1, label: '2020-01-03..x' }),
    ).toThrow(/window 2020-01-03..x has 2 \(at least 3 needed\)/);
    expect(() => chooseScenario(handBuiltSectors(), 'volatile-sectors', { trainStart: 0, trainEnd: -1 })).toThrow(
      /has 0 \(at least 3 needed\)/,
    );
  });

  it('restrictPrices keeps the chosen columns, in the universe order, with their sectors', () => {
    const m = handBuiltSectors();
    const r = restrictPrices(m, ['R2', 'T1']);
    const cols = ['R2', 'T1'].map((t) => m.tickers.indexOf(t)).sort((a, b) => a - b);
    expect(r.tickers).toEqual(cols.map((c) => m.tickers[c]));
    expect(r.dates).toBe(m.dates);
    expect(r.close.map((row) => Array.from(row))).toEqual(m.close.map((row) => cols.map((c) => row[c])));
    expect(r.assets!.map((a) => a.ticker)).toEqual(r.tickers);
    expect(() => restrictPrices(m, ['T1', 'ZZ'])).toThrow(/not members of universe "hand": ZZ/);
  });
});
