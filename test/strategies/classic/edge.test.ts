import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { classicStrategies } from '../../../src-main/strategies/classic';
import { isOnSimplex } from '../../../src-main/strategies/classic/simplex';
import { matrixFromRelatives } from '../../helpers/data';
import { drive } from './drive';

/** Degenerate markets every baseline must survive with valid weights: a constant (cash-like) asset, a single asset, flat days. */
describe('degenerate markets', () => {
  const rng = seedrandom('edge');
  const withCash = matrixFromRelatives(
    Array.from({ length: 80 }, (_, d) =>
      d % 10 === 3 ? [1, 1, 1] : [1, Math.exp(0.04 * (rng() - 0.5)), Math.exp(0.04 * (rng() - 0.5))],
    ),
  );
  const single = matrixFromRelatives(Array.from({ length: 40 }, () => [Math.exp(0.02 * (rng() - 0.5))]));
  const flat = matrixFromRelatives(Array.from({ length: 40 }, () => [1, 1]));

  it.each(classicStrategies.map((s) => [s.id, s] as const))('%s', async (_id, def) => {
    for (const m of [withCash, single, flat]) {
      const ws = await drive(def, m, { params: def.id === 'anticor' ? { window: 5 } : {} });
      for (const w of ws)
        expect(isOnSimplex(w), `${def.id} on ${m.tickers.length} assets: ${Array.from(w).join(',')}`).toBe(true);
    }
  });
});
