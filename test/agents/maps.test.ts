/**
 * MAPS's pieces (src-main/agents/maps): the rewards and Q-targets by hand (with and without the bootstrap term), the
 * periods and samples of a training window and that no reward reads a close after trainEnd, the agents' combined
 * decision and book, refused settings, the exported ONNX policy against the training engine's forward (1e-5), a
 * short training on a market where one asset trends up (the agents prefer Long on it, the book holds it), training
 * reproducible by seed, and the kept checkpoint being the best validation episode.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { HOLD, LONG, SHORT } from '../../src-main/agents/lhs/classes';
import { lhsFeatures } from '../../src-main/agents/lhs/samples';
import { checkMapsConfig, MAPS_PRESETS, resolveMapsConfig, type MapsConfig } from '../../src-main/agents/maps/config';
import { mapsParamName, mapsSpecs, type MapsShape } from '../../src-main/agents/maps/network';
import { exportMapsOnnx, MapsPolicy } from '../../src-main/agents/maps/policy';
import { combineAgents, mapsBook, nextReturn, qTargets } from '../../src-main/agents/maps/rules';
import { mapsPeriods, mapsSamples } from '../../src-main/agents/maps/samples';
import { mapsValidationSharpe, trainMaps } from '../../src-main/agents/maps/trainer';
import { initParams } from '../../src-main/compute/params';
import { OnnxMaps } from '../../src-main/compute/train/maps';
import { LookAheadError, MarketView } from '../../src-main/market/view';
import type { PriceMatrix } from '../../src-main/market/prices';
import { matrixFromRelatives } from '../helpers/data';

/** A one-asset matrix of the given closes. */
function series(closes: number[]): PriceMatrix {
  const dates = closes.map((_, d) => new Date(Date.UTC(2020, 0, 1 + d)).toISOString().slice(0, 10));
  return { universe: 't', tickers: ['A'], dates, close: closes.map((c) => Float64Array.of(c)) };
}

describe('rewards and Q-targets', () => {
  it("reward Long +R, Hold 0, Short -R with R the next return in percent; gamma adds the target networks' best next value", () => {
    expect(nextReturn(100, 102)).toBeCloseTo(2, 12);
    expect(nextReturn(50, 49)).toBeCloseTo(-2, 12);
    expect(() => nextReturn(0, 1)).toThrow(/positive prices/);
    // two samples, two agents
    const R = [2, -1];
    expect(Array.from(qTargets(R, 2, 2, 0, null))).toEqual([2, 0, -2, 2, 0, -2, -1, 0, 1, -1, 0, 1]);
    // next Q [sample][agent][action]: the max per agent is 3, 0.5, -1 and 4
    const nextQ = [1, 3, 2, 0.5, -2, 0, -1, -3, -2, 4, 0, 0];
    const y = Array.from(qTargets(R, 2, 2, 0.5, nextQ));
    const want = [2 + 1.5, 1.5, -2 + 1.5, 2 + 0.25, 0.25, -2 + 0.25, -1 - 0.5, -0.5, 1 - 0.5, -1 + 2, 2, 1 + 2];
    y.forEach((v, i) => expect(v, `target ${i}`).toBeCloseTo(want[i]!, 6));
    expect(() => qTargets(R, 2, 2, 0.5, null)).toThrow(/need the next Q-values/);
  });
});

describe('periods and samples', () => {
  it('reward each day with the next close; the last rewarded day is trainEnd - 1, and later rewards are refused', () => {
    //            day: 0    1    2    3    4      5    6   7
    const m = series([100, 101, 103, 100, 100.5, 102, 99, 120]);
    const cfg = { window: 2, validationDays: 2 };
    const per = mapsPeriods(cfg, 0, 6);
    // first = 0 + 2, last rewarded = 6 - 1 = 5, validation days 4 and 5, training days end the day before
    expect(per).toEqual({ first: 2, trainLast: 3, validationStart: 4, validationLast: 5, validationDays: 2 });
    const view = new MarketView(m, 6);
    const s = mapsSamples(view, per.first, per.validationLast, 2, true);
    expect(s.count).toBe(4);
    const want = [100 / 103 - 1, 100.5 / 100 - 1, 102 / 100.5 - 1, 99 / 102 - 1].map((r) => 100 * r);
    Array.from(s.R).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    // state at day 2: returns of days 1 and 2 in percent; next state: those of days 2 and 3
    expect(s.x[0]).toBeCloseTo(1, 4);
    expect(s.x[1]).toBeCloseTo((100 * 2) / 101, 4);
    expect(s.xNext[0]).toBeCloseTo(s.x[1]!, 6);
    expect(s.xNext[1]).toBeCloseTo(100 * (100 / 103 - 1), 4);
    // day 6's reward would read day 7, past the view's end
    expect(() => mapsSamples(view, 6, 6, 2, false)).toThrow(LookAheadError);
    // a window too short for a single rewarded day is refused with the numbers
    expect(() => mapsPeriods({ window: 5, validationDays: 0 }, 0, 5)).toThrow(/at least 7 training days/);
  });
});

describe('combined decision and book', () => {
  it("take the class of the averaged Q-values (never Long on a tie), the agents' agreement, and equal weight over Long", () => {
    // 3 assets x 2 agents x (Long, Hold, Short)
    const q = [
      // asset 0: both agents prefer Long
      2, 0, -2, 1, 0, -1,
      // asset 1: agent 0 Long (3), agent 1 Short (4): averages 0.5, 0, 1.5 -> Short, one agent of two agrees
      3, 0, -3, -2, 0, 4,
      // asset 2: averages Long 1, Hold 1, Short 0 -> a tie between Long and Hold goes to Hold
      2, 0, 0, 0, 2, 0,
    ];
    const c = combineAgents(q, 3, 2);
    expect(Array.from(c.classes)).toEqual([LONG, SHORT, HOLD]);
    expect(Array.from(c.agreement)).toEqual([1, 0.5, 0.5]);
    const book = mapsBook(q, 3, 2);
    expect(Array.from(book.weights)).toEqual([1, 0, 0]);
    expect(book.cash).toBe(0);
    // nobody Long: all cash
    expect(mapsBook([0, 0, 1, 0, 1, 0], 1, 2).cash).toBe(1);
    expect(() => combineAgents(q, 3, 3)).toThrow(/18 Q-values for 3 assets x 3 agents/);
  });

  it("name each agent's parameters apart and refuse settings out of range, naming them", () => {
    const names = mapsSpecs({ ...MAPS_PRESETS.quick, agents: 2 }).map((s) => s.name);
    expect(names).toContain('maps/agent0/mlp/d1/W');
    expect(names).toContain('maps/agent1/mlp/out/b');
    expect(new Set(names).size).toBe(names.length);
    expect(mapsParamName(3, 'lhs/cnn/conv/W')).toBe('maps/agent3/cnn/conv/W');
    const ok = resolveMapsConfig('quick');
    expect(() => checkMapsConfig({ ...ok, agents: 0 })).toThrow(/MAPS agents must be an integer >= 1, got 0/);
    expect(() => checkMapsConfig({ ...ok, gamma: 1 })).toThrow(/MAPS gamma must be in \[0, 1\), got 1/);
    expect(() => checkMapsConfig({ ...ok, diversity: -0.1 })).toThrow(/MAPS diversity/);
    expect(() => checkMapsConfig({ ...ok, network: 'cnn', window: 4, convKernel: 5 })).toThrow(
      /convKernel 5 must not exceed the window 4/,
    );
    expect(() => resolveMapsConfig('huge' as 'quick')).toThrow(/unknown MAPS preset "huge"/);
  });
});

describe('exported policy', () => {
  for (const network of ['mlp', 'cnn'] as const)
    it(`${network}: ONNX Runtime on the exported agents agrees with the training engine's forward to 1e-5`, async () => {
      const shape: MapsShape = { network, agents: 3, window: 12, hidden: 8, convMaps: 4, convKernel: 5 };
      const params = initParams(mapsSpecs(shape), 3);
      for (const [k, v] of params) if (k.endsWith('/b')) v.data.forEach((_, i) => (v.data[i] = 0.1 * Math.sin(i + 1)));
      const rng = seedrandom(`maps-export-${network}`);
      const rows = 7;
      const x = Float32Array.from({ length: rows * shape.window }, () => 6 * (rng() - 0.5));
      const engine = new OnnxMaps(shape, 1e-3, 0.5, 1, { init: params });
      const want = engine.q(x, rows);
      engine.dispose();
      const policy = await MapsPolicy.open(exportMapsOnnx(shape, params), shape);
      const got = policy.run(x, rows);
      await policy.dispose();
      expect(got.length).toBe(rows * 3 * 3);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      expect(worst).toBeLessThan(1e-5);
      // the agents differ: agent 0's values are not agent 1's
      expect(Array.from(got.subarray(0, 3))).not.toEqual(Array.from(got.subarray(3, 6)));
    });
});

/** 3 assets: A0 rises about 1% a day with little noise, A1 and A2 swing about 3.5% a day without drift. */
function trending(days: number, seed: string): PriceMatrix {
  const rng = seedrandom(seed);
  return matrixFromRelatives(
    Array.from({ length: days - 1 }, () => [
      1.01 + 0.004 * (rng() - 0.5),
      1 + 0.07 * (rng() - 0.5),
      1 + 0.07 * (rng() - 0.5),
    ]),
  );
}

const cfg = (over: Partial<MapsConfig> = {}): MapsConfig =>
  resolveMapsConfig('quick', {
    window: 10,
    hidden: 16,
    batchSize: 32,
    episodes: 8,
    lr: 3e-3,
    validationDays: 30,
    patience: 0,
    ...over,
  });

describe('training', () => {
  it('on a market where one asset trends up, every agent prefers Long on it and the book holds it every test day', async () => {
    const m = trending(260, 'maps-trend');
    const trainEnd = 199;
    const c = cfg();
    const res = trainMaps(new MarketView(m, trainEnd), 0, c, 1);
    expect(res.episodes.length).toBe(c.episodes);
    // the squared TD error falls from the first episode to the last
    expect(res.episodes[res.episodes.length - 1]!.td).toBeLessThan(res.episodes[0]!.td);
    const policy = await MapsPolicy.open(exportMapsOnnx(c, res.params), c);
    let heldA0 = 0;
    let agentsLongA0 = 0;
    const testDays = m.dates.length - trainEnd - 1;
    for (let t = trainEnd + 1; t < m.dates.length; t++) {
      const q = policy.run(
        lhsFeatures((d) => m.close[d]!, t, 3, c.window),
        3,
      );
      const book = mapsBook(q, 3, c.agents);
      if (book.weights[0]! > 0) heldA0++;
      for (let k = 0; k < c.agents; k++)
        if (q[k * 3 + LONG]! > Math.max(q[k * 3 + HOLD]!, q[k * 3 + SHORT]!)) agentsLongA0++;
    }
    await policy.dispose();
    expect(heldA0).toBe(testDays);
    expect(agentsLongA0).toBe(testDays * c.agents);
  });

  it('is reproducible by seed, with the bootstrap term too: the same seed trains the same weights, another seed other ones', () => {
    const m = trending(160, 'maps-seed');
    const c = cfg({ episodes: 2, validationDays: 20, gamma: 0.5, targetEvery: 3 });
    const run = (seed: number) => trainMaps(new MarketView(m, 139), 0, c, seed);
    const a = run(5);
    const b = run(5);
    const other = run(6);
    for (const [k, v] of a.params) expect(Array.from(b.params.get(k)!.data), k).toEqual(Array.from(v.data));
    expect(a.episodes).toEqual(b.episodes);
    const w = 'maps/agent0/mlp/out/W';
    expect(Array.from(other.params.get(w)!.data)).not.toEqual(Array.from(a.params.get(w)!.data));
  });

  it('keeps the agents of the episode with the best validation Sharpe', () => {
    const m = trending(200, 'maps-chosen');
    const c = cfg({ episodes: 4 });
    const view = new MarketView(m, 179);
    const res = trainMaps(view, 0, c, 2);
    const best = Math.max(...res.episodes.map((e) => e.validationSharpe));
    expect(res.chosen?.score).toBe(best);
    expect(res.episodes.find((e) => e.episode === res.chosen?.episode)?.validationSharpe).toBe(best);
    // not the last episode's agents: the returned ones trade the validation days to the chosen score
    expect(res.chosen?.episode).toBeLessThan(c.episodes);
    const kept = new OnnxMaps(c, c.lr, c.diversity, 1, { init: res.params });
    const per = mapsPeriods(c, 0, 179);
    const val = mapsSamples(view, per.validationStart, per.validationLast, c.window, false);
    expect(mapsValidationSharpe(kept, view, per, val, c)).toBeCloseTo(best, 6);
    kept.dispose();
  });
});
