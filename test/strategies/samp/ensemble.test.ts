/**
 * Seed ensembles (issue 15): which seeds a run averages, the average of hand-made decisions (weights, agents,
 * detail), that an average of valid portfolios is a valid portfolio, and end to end on a tiny config with two
 * members: the ensemble reuses the stored models of its seeds and its weights are the mean of theirs, day by day.
 */
import { afterEach, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { averageDecisions, ENSEMBLE_PARAMS, memberSeeds } from '../../../src-main/strategies/samp/ensemble';
import { effectiveHoldings } from '../../../src-main/strategies/samp/model';
import { sampStrategies, setSampModelStore, type SampArtifacts } from '../../../src-main/strategies/samp';
import { quickCheckParams } from '../../../src-main/strategies/registry';
import { simulate } from '../../../src-main/market/simulate';
import type { StrategyDecision } from '../../../src-main/strategies/types';
import { DecisionDetail, type DecisionDetailInput } from '../../../src-shared/domain/decision';
import { djiaSubset } from '../../helpers/data';
import { CTX, TINY_OVERRIDES, decideAll } from './samp-helpers';

afterEach(() => setSampModelStore(null));

const f = (...v: number[]) => Float64Array.from(v);

describe('memberSeeds', () => {
  it('seed s averages the block (s - 1) k + 1 .. s k: seed 1 the single-seed runs 1..k, other seeds disjoint blocks', () => {
    expect(memberSeeds(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(memberSeeds(2, 5)).toEqual([6, 7, 8, 9, 10]);
    expect(memberSeeds(3, 2)).toEqual([5, 6]);
    expect(() => memberSeeds(1.5, 2)).toThrow(/whole number/);
    expect(() => memberSeeds(1, 0)).toThrow(/ensembleSeeds/);
  });

  it('the ensembles take every parameter of their strategy plus ensembleSeeds (at least 2; the quick checks use 2)', () => {
    for (const [id, of] of [
      ['samp-hdrl/ensemble', 'samp-hdrl'],
      ['ddpg-flat/ensemble', 'ddpg-flat'],
    ] as const) {
      const def = sampStrategies.find((d) => d.id === id)!;
      const base = sampStrategies.find((d) => d.id === of)!;
      expect(def.family).toBe('learning');
      expect(def.params.map((p) => p.name)).toEqual([...base.params.map((p) => p.name), 'ensembleSeeds']);
      expect(quickCheckParams(def).ensembleSeeds).toBe(2);
    }
    expect(ENSEMBLE_PARAMS[0]).toMatchObject({ name: 'ensembleSeeds', default: 5, min: 2 });
  });
});

describe('averageDecisions', () => {
  const model = (key: string) => ({
    key,
    sha256: `sha-${key}`,
    backend: 'onnx-cpu',
    trainedFrom: '1995-01-03',
    trainedTo: '1997-12-31',
  });
  const sampDetail = (key: string, cash: number): DecisionDetailInput => ({
    family: 'samp',
    variant: 'samp-hdrl',
    groups: { high: ['A'], ordinary: ['B', 'C'], groupingDate: '1998-01-02', degenerate: false },
    regrouped: false,
    capital: { c1: 0.4, c2: 0.4, cash: 0.2 },
    capitalBeforeCap: { c1: 0.4, c2: 0.4, cash: 0.2 },
    utility: {
      ordinary: {
        mean: 0.1,
        variance: 0.04,
        utility: 0.02,
        momentumReturn: 0.01,
        momentumStrength: 0.5,
        tilt: 0.01,
        adjusted: 0.03,
      },
      high: {
        mean: 0.2,
        variance: 0.04,
        utility: 0.12,
        momentumReturn: 0.02,
        momentumStrength: 1,
        tilt: 0.02,
        adjusted: 0.14,
      },
    },
    fusionA: 0.3,
    rebound: {
      enabled: true,
      capped: false,
      reasons: [],
      flagsToday: [],
      thresholds: { drawdownThreshold: 0.1, riseThreshold: 0.05, minDays: 5, downtrendCap: 0.5 },
    },
    cash,
    concentration: { upper: 1, lower1: 1, lower2: 1, final: 1 },
    model: model(key),
  });
  const a: StrategyDecision = {
    weights: f(0.5, 0.3, 0.1),
    agents: { upper: f(0.2, 0.3, 0.5), lower1: f(0, 0.5, 0.5), lower2: f(1, 0, 0) },
    detail: sampDetail('k1', 0.1),
  };
  const b: StrategyDecision = {
    weights: f(0.1, 0.3, 0.2),
    agents: { upper: f(0.6, 0.3, 0.1), lower1: f(0, 1, 0), lower2: f(1, 0, 0) },
    detail: sampDetail('k2', 0.4),
  };

  it('weights and agents are the members means; each member is kept as agent seed<N>', () => {
    const d = averageDecisions([a, b], [3, 4], 'samp-hdrl');
    expect(Array.from(d.weights).map((v) => +v.toFixed(12))).toEqual([0.3, 0.3, 0.15]);
    expect(Array.from(d.agents!.upper!).map((v) => +v.toFixed(12))).toEqual([0.4, 0.3, 0.3]);
    expect(Array.from(d.agents!.lower1!)).toEqual([0, 0.75, 0.25]);
    expect(d.agents!.seed3).toBe(a.weights);
    expect(d.agents!.seed4).toBe(b.weights);
  });

  it('the detail is the first member with the averaged concentration and cash, names the members and drops the single model', () => {
    const d = averageDecisions([a, b], [3, 4], 'samp-hdrl');
    const det = DecisionDetail.parse(d.detail);
    if (det.family !== 'samp') throw new Error('expected a samp detail');
    expect(det.model).toBeUndefined();
    expect(det.cash).toBeCloseTo(0.25, 12);
    expect(det.concentration.final).toBeCloseTo(effectiveHoldings(d.weights), 12);
    expect(det.concentration.upper).toBeCloseTo(effectiveHoldings(f(0.4, 0.3, 0.3)), 12);
    expect(det.groups).toEqual((a.detail as { groups: unknown }).groups);
    // distance of a from the mean: 1/2 (0.2 + 0 + 0.05 + |0.1 - 0.25|) = 0.2; of b: 1/2 (0.2 + 0 + 0.05 + |0.4 - 0.25|) = 0.2
    expect(det.ensemble).toEqual({
      of: 'samp-hdrl',
      members: [
        { seed: 3, model: model('k1') },
        { seed: 4, model: model('k2') },
      ],
      disagreement: expect.closeTo(0.2, 12),
    });
  });

  it('refuses mismatched members', () => {
    expect(() => averageDecisions([a], [1, 2], 'samp-hdrl')).toThrow(/1 member decisions for 2 seeds/);
    expect(() => averageDecisions([a, { weights: f(0.5, 0.5) }], [1, 2], 'samp-hdrl')).toThrow(/number of assets/);
    expect(() => averageDecisions([{ weights: f(1), detail: { family: 'classic' } }], [1], 'samp-hdrl')).toThrow(
      /must be learned/,
    );
  });

  it('the average of valid portfolios (long-only, sum <= 1) is valid', () => {
    const rng = seedrandom('ensemble-valid');
    for (let trial = 0; trial < 500; trial++) {
      const k = 2 + Math.floor(rng() * 6);
      const n = 1 + Math.floor(rng() * 12);
      const members = Array.from({ length: k }, () => {
        // some members fully invested, some partly in cash, some with exact zeros
        const w = Float64Array.from({ length: n }, () => (rng() < 0.2 ? 0 : rng()));
        const s = w.reduce((x, y) => x + y, 0) || 1;
        const invested = rng() < 0.5 ? 1 : rng();
        return w.map((v) => (v / s) * invested);
      });
      const d = averageDecisions(
        members,
        Array.from({ length: k }, (_, i) => i + 1),
        'ddpg-flat',
      );
      let s = 0;
      for (const v of d.weights) {
        expect(v).toBeGreaterThanOrEqual(0);
        s += v;
      }
      expect(s).toBeLessThanOrEqual(1 + 1e-12);
    }
  });
});

describe('samp-hdrl/ensemble end to end (tiny config, 2 members)', () => {
  it('reuses the stored models of its seeds and decides the mean of their weights', async () => {
    const prices = djiaSubset(300, 6);
    const store = new Map<string, SampArtifacts>();
    setSampModelStore({ get: async (k) => store.get(k), put: async (k, v) => void store.set(k, v) });
    const params = { overrides: TINY_OVERRIDES, regroupEvery: 30 };
    const single = sampStrategies.find((d) => d.id === 'samp-hdrl')!;
    const ens = sampStrategies.find((d) => d.id === 'samp-hdrl/ensemble')!;
    // the run with seed 2 and 2 members averages seeds 3 and 4
    const members: StrategyDecision[][] = [];
    for (const seed of [3, 4]) members.push(decideAll(await single.create({ prices, ...CTX, seed, params }), prices));
    expect(store.size).toBe(2);
    const messages: string[] = [];
    const inst = await ens.create({
      prices,
      ...CTX,
      seed: 2,
      params: { ...params, ensembleSeeds: 2 },
      progress: (p) => messages.push(p.message),
    });
    expect(store.size).toBe(2); // nothing trained again
    expect(messages).toEqual([
      expect.stringMatching(/^samp-hdrl\/ensemble member 1\/2 \(seed 3\): samp-hdrl: reused trained model/),
      expect.stringMatching(/member 2\/2 \(seed 4\): .*reused/),
    ]);
    const ds = decideAll(inst, prices);
    ds.forEach((d, k) => {
      const [m1, m2] = [members[0]![k]!, members[1]![k]!];
      for (let i = 0; i < 6; i++) expect(d.weights[i]).toBeCloseTo((m1.weights[i]! + m2.weights[i]!) / 2, 15);
      const det = DecisionDetail.parse(d.detail);
      if (det.family !== 'samp') throw new Error('expected a samp detail');
      expect(det.ensemble!.members).toEqual([
        { seed: 3, model: (m1.detail as { model: unknown }).model },
        { seed: 4, model: (m2.detail as { model: unknown }).model },
      ]);
      expect(det.model).toBeUndefined();
    });
    // the two members differ (else the mean proves nothing) and the engine accepts every averaged decision
    expect(members[0]!.some((d, k) => d.weights.some((v, i) => v !== members[1]![k]!.weights[i]))).toBe(true);
    const again = await ens.create({ prices, ...CTX, seed: 2, params: { ...params, ensembleSeeds: 2 } });
    const sim = simulate(prices, again, {
      strategyId: 'samp-hdrl/ensemble',
      testStart: CTX.testStart,
      testEnd: CTX.testEnd,
    });
    expect(sim.target.map((w) => Array.from(w.subarray(0, 6)))).toEqual(ds.map((d) => Array.from(d.weights)));
  });

  it('trains the members it does not find, through the single-seed path', async () => {
    const prices = djiaSubset(300, 6);
    const store = new Map<string, SampArtifacts>();
    setSampModelStore({ get: async (k) => store.get(k), put: async (k, v) => void store.set(k, v) });
    const ens = sampStrategies.find((d) => d.id === 'ddpg-flat/ensemble')!;
    const inst = await ens.create({ prices, ...CTX, seed: 1, params: { overrides: TINY_OVERRIDES, ensembleSeeds: 2 } });
    expect([...store.values()].map((a) => [a.variant, a.seed])).toEqual([
      ['ddpg-flat', 1],
      ['ddpg-flat', 2],
    ]);
    const d = decideAll(inst, prices, CTX.testStart, CTX.testStart + 5);
    for (const x of d) {
      const det = DecisionDetail.parse(x.detail);
      expect(det.family).toBe('ddpg-flat');
      if (det.family === 'ddpg-flat') expect(det.ensemble!.members.map((m) => m.seed)).toEqual([1, 2]);
      expect(Object.keys(x.agents!).sort()).toEqual(['flat', 'seed1', 'seed2']);
    }
  });
});
