/**
 * A holdings-aware policy in the backtest (issue 15), on a tiny trained ddpg-flat and samp-hdrl with a no-trade
 * band of 2%:
 *   - the strategy's own view of its holdings is the simulator's drifted weights: the network's input at every day
 *     is exactly what the simulator held before that day's trade (checked by re-running the exported network on
 *     the simulator's weights);
 *   - the no-trade band is the same in the strategy and in the training environment: fed the same raw targets,
 *     PortfolioEnv trades to the very weights the strategy decided, day after day; no trade below the band is made.
 */
import { describe, expect, it } from 'vitest';
import { MarketView } from '../../../src-main/market/view';
import { simulate } from '../../../src-main/market/simulate';
import { PortfolioEnv } from '../../../src-main/agents/samp/env';
import { viewFeatures } from '../../../src-main/agents/samp/features';
import { applyNoTradeBand, driftWeights, oneWayTurnover, partialTrade } from '../../../src-main/agents/samp/trading';
import { matrixFromRelatives } from '../../helpers/data';
import {
  loadSampPolicy,
  sampStrategies,
  setSampModelStore,
  type SampArtifacts,
} from '../../../src-main/strategies/samp';
import type { StrategyDecision } from '../../../src-main/strategies/types';
import { djiaSubset } from '../../helpers/data';
import { CTX, TINY_OVERRIDES } from './samp-helpers';

const BAND = 0.02;

describe('the trade rate (trading.ts partialTrade)', () => {
  it('closes that share of the gap to the target, and all of it at rate 1', () => {
    const w = partialTrade([0.6, 0.2], [0.2, 0.4], 0.25);
    expect(w[0]).toBeCloseTo(0.3, 15);
    expect(w[1]).toBeCloseTo(0.35, 15);
    expect(Array.from(partialTrade([0.6, 0.2], [0.2, 0.4], 1))).toEqual([0.6, 0.2]);
    expect(() => partialTrade([1], [0], 0)).toThrow(/trade rate/);
    expect(() => partialTrade([1], [0], 1.5)).toThrow(/trade rate/);
  });

  it('is what the training environment trades: the band decides which assets trade, the rate how far', () => {
    const m = matrixFromRelatives([
      [1, 1],
      [1.1, 0.9],
    ]);
    const env = new PortfolioEnv(new MarketView(m, 2), {
      firstDay: 0,
      lastDay: 2,
      costRate: 0.001,
      tradeRate: 0.25,
      noTradeBand: 0.02,
    });
    // held [0.5, 0.5], target [0.9, 0.06]: a quarter of the gap gives [0.6, 0.39]; both trades exceed the band
    const step = env.step(0, [0.9, 0.06], [0.5, 0.5]);
    expect(step.executed[0]).toBeCloseTo(0.6, 12);
    expect(step.executed[1]).toBeCloseTo(0.39, 12);
    expect(step.cost).toBeCloseTo(0.001 * (0.1 + 0.11), 12);
    // gaps below the band: nothing trades; gaps above it: a quarter of them, even when that is below the band
    const quiet = env.step(0, [0.51, 0.49], [0.5, 0.5]);
    expect(Array.from(quiet.executed)).toEqual([0.5, 0.5]);
    const small = env.step(0, [0.56, 0.44], [0.5, 0.5]);
    expect(small.executed[0]).toBeCloseTo(0.515, 12);
    expect(small.executed[1]).toBeCloseTo(0.485, 12);
  });
});

describe('the no-trade band (trading.ts)', () => {
  it('keeps each asset whose trade is below the band, trades the rest, and never exceeds a full book', () => {
    expect(Array.from(applyNoTradeBand([0.305, 0.32, 0.3099], [0.3, 0.3, 0.3], 0.01))).toEqual([0.3, 0.32, 0.3]);
    expect(Array.from(applyNoTradeBand([0.305, 0.32], [0.3, 0.3], 0))).toEqual([0.305, 0.32]);
    // kept weights above their targets would overfill the book: the traded asset gives up the excess
    const w = applyNoTradeBand([0.495, 0.505], [0.5, 0.45], 0.01);
    expect(w[0]).toBe(0.5);
    expect(w[1]).toBeCloseTo(0.5, 15);
    expect(w[0]! + w[1]!).toBeLessThanOrEqual(1 + 1e-15);
    // scaling the traded assets down can shrink a trade below the band: that asset is kept too
    const v = applyNoTradeBand([0.3, 0.315, 0.4], [0.33, 0.3, 0.3], 0.01);
    // asset 0 kept (0.03 < band? no: 0.03 >= 0.01, traded); sum 1.015 > 1 -> all three traded, scaled by 1/1.015
    expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    const u = applyNoTradeBand([0.2, 0.311, 0.5], [0.205, 0.3, 0.49], 0.01);
    // asset 0 kept at 0.205; 0.205 + 0.311 + 0.5 > 1 -> traded scaled by 0.795 / 0.811: asset 1 -> 0.3049 (a trade of
    // 0.0049 < band: kept at 0.3), then asset 2 -> 1 - 0.205 - 0.3 = 0.495 (a trade of 0.005 < band: kept at 0.49)
    expect(Array.from(u)).toEqual([0.205, 0.3, 0.49]);
    // nothing traded: the drifted weights themselves
    expect(Array.from(applyNoTradeBand([0.2, 0.3], [0.205, 0.295], 0.01))).toEqual([0.205, 0.295]);
    expect(oneWayTurnover([0.5, 0.3], [0.2, 0.2])).toBeCloseTo(0.4, 15);
    expect(Array.from(driftWeights([0.5, 0.3], [1.1, 0.9]))).toEqual([0.55 / 1.02, 0.27 / 1.02]);
  });
});

describe.each(['ddpg-flat', 'samp-hdrl'] as const)(
  '%s decides from what it holds, through the band the environment applies',
  (variant) => {
    it("network input = the simulator's drifted weights; env and strategy trade alike; no trade below the band", async () => {
      const prices = djiaSubset(300, 6);
      const n = 6;
      let stored: SampArtifacts | undefined;
      setSampModelStore({ get: async () => undefined, put: async (_k, a) => void (stored = a) });
      try {
        const def = sampStrategies.find((d) => d.id === variant)!;
        const overrides = JSON.stringify({ ...(JSON.parse(TINY_OVERRIDES) as object), noTradeBand: BAND });
        const inst = await def.create({
          prices,
          ...CTX,
          params: { overrides, ...(variant === 'samp-hdrl' ? { regroupEvery: 30 } : {}) },
        });
        const sim = simulate(prices, inst, {
          strategyId: variant,
          testStart: CTX.testStart,
          testEnd: CTX.testEnd,
          settings: { cost: 0.001 },
        });
        const T = sim.target.length;
        const policy = await loadSampPolicy(stored!);
        try {
          expect(policy.readsHoldings).toBe(true);
          let kept = 0;
          for (let k = 0; k < T; k++) {
            const held = sim.drifted[k]!.subarray(0, n);
            const target = sim.target[k]!.subarray(0, n);
            // no asset is traded by less than the band
            for (let i = 0; i < n; i++) {
              const dw = Math.abs(target[i]! - held[i]!);
              expect(dw < 1e-12 || dw >= BAND - 1e-12, `day ${k} asset ${i}: trade ${dw}`).toBe(true);
              if (k > 0 && dw < 1e-12) kept++;
            }
            if (variant === 'ddpg-flat') {
              // the network saw the simulator's holdings: the same output from them
              const out = policy.runBatch(
                viewFeatures(new MarketView(prices, CTX.testStart + k), policy.artifacts.config),
                1,
                undefined,
                undefined,
                Float32Array.from(held),
              );
              const raw = sim.agents!.flat![k]!;
              for (let i = 0; i < n; i++) expect(Math.abs(out.w![i]! - raw[i]!), `day ${k}`).toBeLessThan(1e-6);
            }
          }
          expect(kept).toBeGreaterThan(0); // the band did hold some positions
          if (variant === 'ddpg-flat') {
            // the training environment, fed the strategy's raw targets, trades to the strategy's weights
            const env = new PortfolioEnv(new MarketView(prices, CTX.testEnd), {
              firstDay: CTX.testStart,
              lastDay: CTX.testEnd,
              features: stored!.config,
              costRate: 0.001,
              noTradeBand: BAND,
            });
            let wprev: Float64Array = new Float64Array(n);
            for (let k = 0; k < T - 1; k++) {
              const r = env.step(CTX.testStart + k, sim.agents!.flat![k]!, wprev);
              // (the same trades; the two drift with prices in their own float order, so kept weights agree to rounding)
              for (let i = 0; i < n; i++)
                expect(Math.abs(r.executed[i]! - sim.target[k]![i]!), `day ${k}`).toBeLessThan(1e-12);
              for (let i = 0; i < n; i++) expect(r.drifted[i]!).toBeCloseTo(sim.drifted[k + 1]![i]!, 12);
              wprev = r.drifted;
            }
          }
        } finally {
          await policy.dispose();
        }
        // deciding the same days in order from a fresh instance gives the same decisions (it holds nothing else)
        const again = await def.create({
          prices,
          ...CTX,
          params: { overrides, ...(variant === 'samp-hdrl' ? { regroupEvery: 30 } : {}) },
        });
        const d0 = again.decide(new MarketView(prices, CTX.testStart)) as StrategyDecision;
        expect(Array.from(d0.weights)).toEqual(Array.from(sim.target[0]!.subarray(0, n)));
      } finally {
        setSampModelStore(null);
      }
    });
  },
);
