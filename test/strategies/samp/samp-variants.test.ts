/**
 * Each ablation changes exactly what it names (SAMP-HDRL step 9), checked on its decisions:
 * upper-only -> w = w0; lower-only -> a = 0; no-utility -> c1 = c2 = 1/2 before the cap; no-rebound -> no cap;
 * no-dc -> one grouping for the whole test; ddpg-flat -> one fully invested softmax over all assets.
 */
import { describe, expect, it } from 'vitest';
import { djiaSubset } from '../../helpers/data';
import { createVariant, decideAll } from './samp-helpers';

const prices = djiaSubset(300, 6);
type Detail = {
  groups: { high: string[]; ordinary: string[] };
  capital: { c1: number; c2: number; cash: number };
  capitalBeforeCap: { c1: number; c2: number; cash: number };
  fusionA: number;
  regrouped: boolean;
  rebound: { enabled: boolean; capped: boolean };
};
const sum = (w: ArrayLike<number>) => Array.from(w).reduce((a, b) => a + b, 0);

describe('SAMP-HDRL ablations', () => {
  it('upper-only: the portfolio is w0, fully invested', async () => {
    const ds = decideAll(await createVariant('samp-hdrl/upper-only', prices), prices, 200, 260);
    for (const d of ds) {
      expect(Array.from(d.weights)).toEqual(Array.from(d.agents!.upper!));
      expect(sum(d.weights)).toBeCloseTo(1, 12);
      expect(d.agents!.lower1).toBeUndefined();
      // effective number of holdings shown to the user: 1 / sum w^2 for weights summing to 1
      const w = Array.from(d.weights);
      const s2 = w.reduce((a, v) => a + v * v, 0);
      expect(d.detail?.family === 'samp' ? d.detail.concentration.upper : undefined).toBeCloseTo(1 / s2, 9);
    }
  });

  it('lower-only: a = 0, w = c1 w1 + c2 w2', async () => {
    const ds = decideAll(await createVariant('samp-hdrl/lower-only', prices), prices, 200, 260);
    for (const d of ds) {
      const det = d.detail as Detail;
      expect(det.fusionA).toBe(0);
      const { lower1, lower2 } = d.agents!;
      for (let i = 0; i < 6; i++)
        expect(d.weights[i]!).toBeCloseTo(det.capital.c1 * lower1![i]! + det.capital.c2 * lower2![i]!, 12);
    }
  });

  it('no-utility: equal split and no cash before the rebound cap', async () => {
    const ds = decideAll(await createVariant('samp-hdrl/no-utility', prices), prices, 200, 260);
    for (const d of ds) expect((d.detail as Detail).capitalBeforeCap).toEqual({ c1: 0.5, c2: 0.5, cash: 0 });
  });

  it('no-rebound: detector off, split never capped', async () => {
    const ds = decideAll(await createVariant('samp-hdrl/no-rebound', prices), prices, 200, 260);
    for (const d of ds) {
      const det = d.detail as Detail;
      expect(det.rebound.enabled).toBe(false);
      expect(det.rebound.capped).toBe(false);
      expect(det.capital).toEqual(det.capitalBeforeCap);
    }
  });

  it('no-dc: one grouping through the whole test, never regrouped', async () => {
    const ds = decideAll(await createVariant('samp-hdrl/no-dc', prices), prices);
    const first = JSON.stringify((ds[0]!.detail as Detail).groups.high);
    for (const d of ds) {
      expect(JSON.stringify((d.detail as Detail).groups.high)).toBe(first);
      expect((d.detail as Detail).regrouped).toBe(false);
    }
    // while the dynamic variant does regroup in the same window (regroupEvery 30)
    const dyn = decideAll(await createVariant('samp-hdrl', prices), prices);
    expect(dyn.some((d) => (d.detail as Detail).regrouped)).toBe(true);
  });

  it('ddpg-flat: fully invested softmax over all assets, no hierarchy', async () => {
    const ds = decideAll(await createVariant('ddpg-flat', prices), prices, 200, 260);
    for (const d of ds) {
      expect(sum(d.weights)).toBeCloseTo(1, 12);
      expect(Array.from(d.weights).every((v) => v > 0)).toBe(true);
      expect(Object.keys(d.agents!)).toEqual(['flat']);
    }
  });
});
