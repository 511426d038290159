/**
 * The eiie strategy (src-main/strategies/eiie): registered as a learning strategy, its parameters mapped to the
 * config, and a backtest through the simulator whose decisions are holdings-aware (the drifted previous weights
 * reach the network), sum to at most 1, and record an 'eiie' detail the domain schema reads back.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { DecisionDetail } from '../../src-shared/domain/decision';
import { getStrategy, listStrategies, resolveParams } from '../../src-main/strategies/registry';
import { eiieConfigFromParams, eiieTrainingKey, setEiieModelStore } from '../../src-main/strategies/eiie';
import { fileEiieModelStore } from '../../src-main/store/models';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EIIE_PRESETS } from '../../src-main/agents/eiie/config';
import { simulate } from '../../src-main/market/simulate';
import { MarketView } from '../../src-main/market/view';
import type { PriceMatrix } from '../../src-main/market/prices';

function market(days: number, assets: number, seed: string): PriceMatrix {
  const rng = seedrandom(seed);
  const close: Float64Array[] = [];
  let row = Float64Array.from({ length: assets }, () => 50 + 50 * rng());
  for (let d = 0; d < days; d++) {
    row = Float64Array.from(row, (v) => v * Math.exp(0.02 * (rng() - 0.5)));
    close.push(row);
  }
  const dates = Array.from({ length: days }, (_, d) => new Date(Date.UTC(2002, 0, 1 + d)).toISOString().slice(0, 10));
  return { universe: 'test', tickers: Array.from({ length: assets }, (_, i) => `T${i}`), dates, close };
}

describe('eiie strategy', () => {
  it('is registered as a learning strategy with a quick preset', async () => {
    const all = await listStrategies();
    const def = all.find((s) => s.id === 'eiie');
    expect(def?.family).toBe('learning');
    expect(def?.params.find((p) => p.name === 'preset')?.choices).toEqual(['quick', 'standard', 'paper']);
  });

  it('maps its parameters onto the preset (0 and -1 keep the preset value)', async () => {
    const def = await getStrategy('eiie');
    expect(eiieConfigFromParams(resolveParams(def, { preset: 'quick' }))).toEqual(EIIE_PRESETS.quick);
    const c = eiieConfigFromParams(resolveParams(def, { preset: 'quick', updates: 7, validationDays: 0, lr: 0.01 }));
    expect(c).toEqual({ ...EIIE_PRESETS.quick, updates: 7, validationDays: 0, lr: 0.01 });
    expect(() => eiieConfigFromParams(resolveParams(def, { window: 1 }))).toThrow(/window must be an integer >= 2/);
  });

  it('keys training by the prices up to the end of the training window only', () => {
    const m = market(60, 3, 'key');
    const later = { ...m, close: m.close.map((r, d) => (d > 40 ? Float64Array.from(r, (v) => v * 2) : r)) };
    const earlier = { ...m, close: m.close.map((r, d) => (d === 10 ? Float64Array.from(r, (v) => v * 2) : r)) };
    const cfg = EIIE_PRESETS.quick;
    const k = eiieTrainingKey(cfg, 1, m, 0, 40);
    expect(eiieTrainingKey(cfg, 1, later, 0, 40)).toBe(k);
    expect(eiieTrainingKey(cfg, 1, earlier, 0, 40)).not.toBe(k);
    expect(eiieTrainingKey(cfg, 2, m, 0, 40)).not.toBe(k);
  });

  it('backtests with holdings-aware decisions and records its detail', async () => {
    const m = market(160, 4, 'backtest');
    const def = await getStrategy('eiie');
    const params = resolveParams(def, { preset: 'quick', updates: 20 });
    const inst = await def.create({
      prices: m,
      trainStart: 0,
      trainEnd: 119,
      testStart: 120,
      testEnd: 159,
      seed: 3,
      params,
    });
    const sim = simulate(m, inst, { strategyId: 'eiie', testStart: 120, testEnd: 159 });
    for (const w of sim.target) expect(w.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    // a fresh instance asked about day 130 without history starts from cash; after deciding day 129 it holds weights
    const fresh = await def.create({
      prices: m,
      trainStart: 0,
      trainEnd: 119,
      testStart: 120,
      testEnd: 159,
      seed: 3,
      params,
    });
    const cold = fresh.decide(new MarketView(m, 130));
    const warmInst = await def.create({
      prices: m,
      trainStart: 0,
      trainEnd: 119,
      testStart: 120,
      testEnd: 159,
      seed: 3,
      params,
    });
    warmInst.decide(new MarketView(m, 129));
    const warm = warmInst.decide(new MarketView(m, 130));
    const wc = 'weights' in cold ? cold.weights : cold;
    const ww = 'weights' in warm ? warm.weights : warm;
    expect(Array.from(wc)).not.toEqual(Array.from(ww));
    const d = 'detail' in warm ? warm.detail : undefined;
    const parsed = DecisionDetail.parse(d);
    expect(parsed.family).toBe('eiie');
    if (parsed.family === 'eiie') {
      expect(parsed.cash).toBeCloseTo(1 - ww.reduce((a, b) => a + b, 0), 9);
      expect(parsed.model?.trainedTo).toBe(m.dates[119]);
    }
  });

  it('stores a trained model next to the database and a later process loads it instead of training; a damaged file is refused', async () => {
    const m = market(160, 4, 'store');
    const def = await getStrategy('eiie');
    const params = resolveParams(def, { preset: 'quick', updates: 20 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-eiie-'));
    const run = async () => {
      const messages: string[] = [];
      const inst = await def.create({
        prices: m,
        trainStart: 0,
        trainEnd: 119,
        testStart: 120,
        testEnd: 159,
        seed: 5,
        params,
        progress: (p) => messages.push(p.message),
      });
      const sim = simulate(m, inst, { strategyId: 'eiie', testStart: 120, testEnd: 159 });
      return { messages, weights: sim.target.map((w) => Array.from(w)) };
    };
    try {
      // a fresh store each time forgets the models kept in memory, as a new process would
      setEiieModelStore(fileEiieModelStore(dir));
      const first = await run();
      expect(first.messages.some((x) => /updates/.test(x))).toBe(true);
      const key = eiieTrainingKey(eiieConfigFromParams(params), 5, m, 0, 119);
      const file = path.join(dir, `eiie-${key}.json`);
      expect(fs.existsSync(file)).toBe(true);
      setEiieModelStore(fileEiieModelStore(dir));
      const second = await run();
      expect(second.messages).toEqual([`eiie: loaded stored model ${key.slice(0, 12)}`]);
      expect(second.weights).toEqual(first.weights);
      // its name is not one the SAMP listing of the same folder reads as a model (<hex key>.json)
      expect(fs.readdirSync(dir).filter((f) => /^[0-9a-f]+\.json$/.test(f))).toEqual([]);
      // one changed byte in the policy: refused, not used
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { onnx: string };
      const bytes = Buffer.from(stored.onnx, 'base64');
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      fs.writeFileSync(file, JSON.stringify({ ...stored, onnx: bytes.toString('base64') }));
      setEiieModelStore(fileEiieModelStore(dir));
      await expect(run()).rejects.toThrow(/does not match its sha256/);
    } finally {
      setEiieModelStore(null);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
