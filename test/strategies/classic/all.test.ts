import { describe, expect, it } from 'vitest';
import { classicStrategies } from '../../../src-main/strategies/classic';
import { readParams } from '../../../src-main/strategies/classic/params';
import { isOnSimplex } from '../../../src-main/strategies/classic/simplex';
import { djiaSubset } from '../../helpers/data';
import { drive } from './drive';

const IDS = [
  'ubah',
  'crp',
  'bcrp',
  'beststock',
  'momentum',
  'meanvar',
  'minvar',
  'maxsharpe',
  'riskparity',
  'up',
  'eg',
  'ons',
  'anticor',
  'pamr',
  'cwmr',
  'olmar',
  'rmr',
  'corn',
  'ftl',
  'ftrl',
];

describe('classic strategy definitions', () => {
  it('exports exactly the baseline ids, hindsight only for bcrp and beststock', () => {
    expect(classicStrategies.map((s) => s.id).sort()).toEqual([...IDS].sort());
    expect(
      classicStrategies
        .filter((s) => s.hindsight)
        .map((s) => s.id)
        .sort(),
    ).toEqual(['bcrp', 'beststock']);
  });

  it.each(classicStrategies.map((s) => [s.id, s] as const))(
    '%s: documented, with valid parameter defaults',
    (_id, def) => {
      expect(def.description.length).toBeGreaterThan(100);
      expect(def.description).toMatch(/(19|20)\d\d/); // cites its paper's year
      for (const p of def.params) {
        expect(p.description.length).toBeGreaterThan(10);
        if (typeof p.default === 'number') {
          if (p.min !== undefined) expect(p.default).toBeGreaterThanOrEqual(p.min);
          if (p.max !== undefined) expect(p.default).toBeLessThanOrEqual(p.max);
        }
        if (p.choices) expect(p.choices).toContain(String(p.default));
      }
      expect(() => readParams(def.params, { nope: 1 }, def.id)).toThrow(/unknown/);
    },
  );
});

describe('every classic strategy on DJIA (400 days x 10 assets)', () => {
  const m = djiaSubset(400, 10);
  it.each(classicStrategies.map((s) => [s.id, s] as const))(
    '%s: valid weights every day, from day 0 and after a history',
    async (_id, def) => {
      for (const testStart of [0, 250]) {
        const ws = await drive(def, m, { testStart, testEnd: 399 });
        expect(ws.length).toBe(399 - testStart);
        ws.forEach((w, k) => {
          expect(w.length, `day ${testStart + k}`).toBe(10);
          expect(isOnSimplex(w, 1e-9), `${def.id} day ${testStart + k}: ${Array.from(w).join(',')}`).toBe(true);
        });
      }
    },
  );

  it('up is reproducible for a seed and changes with it', async () => {
    const up = classicStrategies.find((s) => s.id === 'up')!;
    const a = await drive(up, m, { testEnd: 60, seed: 1 });
    const b = await drive(up, m, { testEnd: 60, seed: 1 });
    const c = await drive(up, m, { testEnd: 60, seed: 2 });
    expect(a.map((w) => Array.from(w))).toEqual(b.map((w) => Array.from(w)));
    expect(a[59]![0]).not.toBe(c[59]![0]);
  });
});
