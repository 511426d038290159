/**
 * The `maps` strategy (src-main/strategies/maps): registered as a learning strategy whose quick checks take the quick
 * preset and one episode, its parameters mapped onto the config, the training key, a backtest through the registry
 * whose books are equal weight over the assets the agents prefer Long with a 'maps' detail the domain schema reads
 * back, and the model store: the backtest writes `maps-<key>.json` next to the database, a later process loads it
 * instead of training, and a damaged file is refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionDetail, decisionModel } from '../../src-shared/domain/decision';
import { MAPS_PRESETS } from '../../src-main/agents/maps/config';
import { runBacktest } from '../../src-main/backtest/run';
import { MarketView } from '../../src-main/market/view';
import { openDatabase } from '../../src-main/store/db';
import { fileMapsModelStore } from '../../src-main/store/models';
import { mapsConfigFromParams, mapsTrainingKey, setMapsModelStore } from '../../src-main/strategies/maps';
import { getStrategy, quickCheckParams, resolveParams } from '../../src-main/strategies/registry';
import { djiaSubset } from '../helpers/data';

afterEach(() => setMapsModelStore(null));

const SMALL = { preset: 'quick', episodes: 2, window: 10 };

describe('maps', () => {
  it('is registered as a learning strategy whose quick checks train the quick preset for one episode', async () => {
    const def = await getStrategy('maps');
    expect(def.family).toBe('learning');
    expect(def.hindsight).toBe(false);
    expect(def.params.find((p) => p.name === 'preset')?.choices).toEqual(['quick', 'standard']);
    const quick = quickCheckParams(def);
    expect(quick).toEqual({ preset: 'quick', episodes: 1 });
    expect(mapsConfigFromParams(resolveParams(def, quick))).toEqual({ ...MAPS_PRESETS.quick, episodes: 1 });
  });

  it('maps its parameters onto the preset (0 and -1 keep the preset value)', async () => {
    const def = await getStrategy('maps');
    expect(mapsConfigFromParams(resolveParams(def, {}))).toEqual(MAPS_PRESETS.standard);
    const c = mapsConfigFromParams(
      resolveParams(def, { preset: 'quick', agents: 5, network: 'cnn', gamma: 0.9, diversity: 0, patience: 0 }),
    );
    expect(c).toEqual({ ...MAPS_PRESETS.quick, agents: 5, network: 'cnn', gamma: 0.9, diversity: 0, patience: 0 });
    expect(() => resolveParams(def, { network: 'lstm' })).toThrow(/must be one of mlp, cnn/);
    expect(() => mapsConfigFromParams(resolveParams(def, { network: 'cnn', window: 4, convKernel: 5 }))).toThrow(
      /convKernel 5 must not exceed the window 4/,
    );
  });

  it('keys training by the config, the seed and the prices up to the end of the training window only', () => {
    const m = djiaSubset(80, 3);
    const cfg = MAPS_PRESETS.quick;
    const k = mapsTrainingKey(cfg, 1, m, 0, 50);
    const later = { ...m, close: m.close.map((r, d) => (d > 50 ? Float64Array.from(r, (v) => v * 2) : r)) };
    const earlier = { ...m, close: m.close.map((r, d) => (d === 10 ? Float64Array.from(r, (v) => v * 2) : r)) };
    expect(mapsTrainingKey(cfg, 1, later, 0, 50)).toBe(k);
    expect(mapsTrainingKey(cfg, 1, earlier, 0, 50)).not.toBe(k);
    expect(mapsTrainingKey(cfg, 2, m, 0, 50)).not.toBe(k);
    expect(mapsTrainingKey({ ...cfg, diversity: 0 }, 1, m, 0, 50)).not.toBe(k);
  });

  it('trains on nothing after trainEnd: with the kept models forgotten, other prices after trainEnd train the same agents', async () => {
    const m = djiaSubset(200, 4, 900);
    const later = {
      ...m,
      close: m.close.map((r, d) => (d > 149 ? Float64Array.from(r, (v, i) => v * (1.5 - i / 4)) : r)),
    };
    const def = await getStrategy('maps');
    const policyOf = async (prices: typeof m) => {
      // installing a store forgets the agents kept in memory; this one holds nothing, so the agents are trained
      setMapsModelStore({ get: async () => undefined, put: async () => {} });
      const inst = await def.create({
        prices,
        trainStart: 0,
        trainEnd: 149,
        testStart: 150,
        testEnd: 199,
        seed: 4,
        params: resolveParams(def, SMALL),
      });
      const d = inst.decide(new MarketView(prices, 150));
      if (!('detail' in d) || d.detail?.family !== 'maps') throw new Error('no maps detail');
      return d.detail.model!.sha256;
    };
    expect(await policyOf(later)).toBe(await policyOf(m));
  });

  it('backtests through the registry: equal weight over the assets the agents prefer Long, the rest in cash, with the maps detail', async () => {
    const m = djiaSubset(220, 5, 300);
    const res = await runBacktest(
      null,
      {
        universe: 'x',
        strategies: ['maps'],
        from: m.dates[160],
        lookback: 160,
        seedFirst: 3,
        params: { maps: SMALL },
      },
      { prices: m, store: false },
    );
    const r = res[0]!;
    expect(r.status, r.error).toBe('complete');
    const sim = r.sim!;
    const details = sim.details!;
    expect(details.length).toBe(sim.target.length);
    let longDays = 0;
    sim.target.forEach((w, day) => {
      const d = DecisionDetail.parse(details[day]);
      if (d.family !== 'maps') throw new Error(`detail of family ${d.family}`);
      expect(d.agents).toBe(MAPS_PRESETS.quick.agents);
      expect(d.counts.long + d.counts.hold + d.counts.short).toBe(5);
      expect(d.held.length).toBe(d.counts.long);
      // with 3 agents an asset's class has the support of at least none and at most all of them
      expect(d.agreement).toBeGreaterThanOrEqual(0);
      expect(d.agreement).toBeLessThanOrEqual(1);
      const risky = Array.from(w.subarray(0, 5));
      const want = m.tickers.map((t) => (d.held.includes(t) ? 1 / d.held.length : 0));
      risky.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
      expect(d.cash).toBe(d.held.length === 0 ? 1 : 0);
      expect(w[5]).toBeCloseTo(d.cash, 12);
      expect(decisionModel(d)?.trainedTo).toBe(m.dates[159]);
      if (d.held.length > 0) longDays++;
    });
    // the book is not all cash
    expect(longDays).toBeGreaterThan(0);
  });

  it('is stored next to the database by the backtest and loaded by a later process instead of trained; a damaged file is refused', async () => {
    const m = djiaSubset(200, 4, 900);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-maps-'));
    const db = openDatabase(path.join(dir, 'hdrl.db'));
    const request = {
      universe: 'x',
      strategies: ['maps'],
      from: m.dates[150],
      lookback: 150,
      seedFirst: 2,
      params: { maps: SMALL },
    };
    const def = await getStrategy('maps');
    const ctx = {
      prices: m,
      trainStart: 0,
      trainEnd: 149,
      testStart: 150,
      testEnd: 199,
      seed: 2,
      params: resolveParams(def, SMALL),
    };
    try {
      const first = (await runBacktest(db, request, { prices: m, store: false }))[0]!;
      expect(first.status, first.error).toBe('complete');
      const key = mapsTrainingKey(mapsConfigFromParams(resolveParams(def, SMALL)), 2, m, 0, 149);
      const models = path.join(dir, 'hdrl-data', 'models');
      const file = path.join(models, `maps-${key}.json`);
      expect(fs.existsSync(file)).toBe(true);
      // a new store forgets the models kept in memory, as a new process would: the file is loaded, not retrained
      setMapsModelStore(fileMapsModelStore(models));
      const messages: string[] = [];
      const inst = await def.create({ ...ctx, progress: (p) => messages.push(p.message) });
      expect(messages).toEqual([`maps: loaded stored model ${key.slice(0, 12)}`]);
      for (let t = 150; t < 200; t++) {
        const d = inst.decide(new MarketView(m, t));
        const w = 'weights' in d ? d.weights : d;
        expect(Array.from(w), `day ${t}`).toEqual(Array.from(first.sim!.target[t - 150]!.subarray(0, 4)));
      }
      // its name is not one the SAMP listing of the same folder reads as a model (<hex key>.json)
      expect(fs.readdirSync(models).filter((f) => /^[0-9a-f]+\.json$/.test(f))).toEqual([]);
      // one changed byte in the policy: refused, not used
      const text = fs.readFileSync(file, 'utf8');
      const stored = JSON.parse(text) as { onnx: string };
      const bytes = Buffer.from(stored.onnx, 'base64');
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      fs.writeFileSync(file, JSON.stringify({ ...stored, onnx: bytes.toString('base64') }));
      setMapsModelStore(fileMapsModelStore(models));
      await expect(def.create(ctx)).rejects.toThrow(/does not match its sha256/);
      // a file cut short: refused as not JSON, not trained over
      fs.writeFileSync(file, text.slice(0, text.length / 2));
      setMapsModelStore(fileMapsModelStore(models));
      await expect(def.create(ctx)).rejects.toThrow(/stored MAPS model is not JSON/);
      // another family's file under this name: refused by its format
      fs.writeFileSync(file, JSON.stringify({ ...stored, format: 'lhs-model-v1' }));
      setMapsModelStore(fileMapsModelStore(models));
      await expect(def.create(ctx)).rejects.toThrow(/not a stored MAPS model \(format "lhs-model-v1"\)/);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
