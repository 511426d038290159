/**
 * The ppn strategy (src-main/strategies/ppn): registered as a learning strategy with a quick preset, its parameters
 * mapped to the config, its training key, a backtest through the registry and the simulator whose decisions are
 * holdings-aware and record a 'ppn' detail the domain schema reads back, and the model file the backtest's store
 * writes, loaded by a later instance without training, a damaged one refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { DecisionDetail } from '../../src-shared/domain/decision';
import { getStrategy, listStrategies, quickCheckParams, resolveParams } from '../../src-main/strategies/registry';
import { ppnConfigFromParams, ppnTrainingKey, setPpnModelStore } from '../../src-main/strategies/ppn';
import { filePpnModelStore } from '../../src-main/store/models';
import { PPN_PRESETS } from '../../src-main/agents/ppn/config';
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
  const dates = Array.from({ length: days }, (_, d) => new Date(Date.UTC(2004, 0, 1 + d)).toISOString().slice(0, 10));
  return { universe: 'test', tickers: Array.from({ length: assets }, (_, i) => `Q${i}`), dates, close };
}

const ctx = (m: PriceMatrix, seed: number, params: Record<string, number | string | boolean>) => ({
  prices: m,
  trainStart: 0,
  trainEnd: 119,
  testStart: 120,
  testEnd: 159,
  seed,
  params,
});

describe('ppn strategy', () => {
  it('is registered as a learning strategy whose smallest preset is quick', async () => {
    const def = (await listStrategies()).find((s) => s.id === 'ppn');
    expect(def?.family).toBe('learning');
    expect(def?.hindsight).toBe(false);
    expect(def?.params.find((p) => p.name === 'preset')?.choices).toEqual(['quick', 'standard']);
    expect(quickCheckParams(def!).preset).toBe('quick');
  });

  it('maps its parameters onto the preset (0 and -1 keep the preset value)', async () => {
    const def = await getStrategy('ppn');
    expect(ppnConfigFromParams(resolveParams(def, { preset: 'quick' }))).toEqual(PPN_PRESETS.quick);
    const c = ppnConfigFromParams(
      resolveParams(def, { preset: 'quick', updates: 7, riskWeight: 0, turnoverWeight: 0.01, lr: 0.01 }),
    );
    expect(c).toEqual({ ...PPN_PRESETS.quick, updates: 7, riskWeight: 0, turnoverWeight: 0.01, lr: 0.01 });
    expect(() => ppnConfigFromParams(resolveParams(def, { window: 1 }))).toThrow(/window must be an integer >= 2/);
    expect(() => resolveParams(def, { riskWeight: -2 })).toThrow(/riskWeight/);
  });

  it('keys training by the prices up to the end of the training window only', () => {
    const m = market(60, 3, 'key');
    const later = { ...m, close: m.close.map((r, d) => (d > 40 ? Float64Array.from(r, (v) => v * 2) : r)) };
    const earlier = { ...m, close: m.close.map((r, d) => (d === 10 ? Float64Array.from(r, (v) => v * 2) : r)) };
    const cfg = PPN_PRESETS.quick;
    const k = ppnTrainingKey(cfg, 1, m, 0, 40);
    expect(ppnTrainingKey(cfg, 1, later, 0, 40)).toBe(k);
    expect(ppnTrainingKey(cfg, 1, earlier, 0, 40)).not.toBe(k);
    expect(ppnTrainingKey(cfg, 2, m, 0, 40)).not.toBe(k);
    expect(ppnTrainingKey({ ...cfg, riskWeight: 0.5 }, 1, m, 0, 40)).not.toBe(k);
  });

  it('backtests through the registry with holdings-aware decisions and records its detail', async () => {
    const m = market(160, 4, 'backtest');
    const def = await getStrategy('ppn');
    const params = resolveParams(def, { preset: 'quick', updates: 20 });
    const inst = await def.create(ctx(m, 3, params));
    const sim = simulate(m, inst, { strategyId: 'ppn', testStart: 120, testEnd: 159 });
    expect(sim.target.length).toBe(40);
    for (const w of sim.target) {
      expect(w.every((v) => v >= 0)).toBe(true);
      expect(w.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
    // a fresh instance asked about day 130 without history starts from cash; after deciding day 129 it holds weights
    const cold = (await def.create(ctx(m, 3, params))).decide(new MarketView(m, 130));
    const warmInst = await def.create(ctx(m, 3, params));
    warmInst.decide(new MarketView(m, 129));
    const warm = warmInst.decide(new MarketView(m, 130));
    const wc = 'weights' in cold ? cold.weights : cold;
    const ww = 'weights' in warm ? warm.weights : warm;
    expect(Array.from(wc)).not.toEqual(Array.from(ww));
    const parsed = DecisionDetail.parse('detail' in warm ? warm.detail : undefined);
    expect(parsed.family).toBe('ppn');
    if (parsed.family === 'ppn') {
      expect(parsed.cash).toBeCloseTo(1 - ww.reduce((a, b) => a + b, 0), 9);
      expect(parsed.model?.trainedTo).toBe(m.dates[119]);
    }
  });

  it('stores a trained model next to the database and a later process loads it instead of training; a damaged file is refused', async () => {
    const m = market(160, 4, 'store');
    const def = await getStrategy('ppn');
    const params = resolveParams(def, { preset: 'quick', updates: 20 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-ppn-'));
    const run = async () => {
      const messages: string[] = [];
      const inst = await def.create({ ...ctx(m, 5, params), progress: (p) => messages.push(p.message) });
      const sim = simulate(m, inst, { strategyId: 'ppn', testStart: 120, testEnd: 159 });
      return { messages, weights: sim.target.map((w) => Array.from(w)) };
    };
    try {
      // a fresh store each time forgets the models kept in memory, as a new process would
      setPpnModelStore(filePpnModelStore(dir));
      const first = await run();
      expect(first.messages.some((x) => /^ppn: \d+ updates/.test(x))).toBe(true);
      const key = ppnTrainingKey(ppnConfigFromParams(params), 5, m, 0, 119);
      const file = path.join(dir, `ppn-${key}.json`);
      expect(fs.existsSync(file)).toBe(true);
      setPpnModelStore(filePpnModelStore(dir));
      const second = await run();
      expect(second.messages).toEqual([`ppn: loaded stored model ${key.slice(0, 12)}`]);
      expect(second.weights).toEqual(first.weights);
      // its name is not one the SAMP listing of the same folder reads as a model (<hex key>.json)
      expect(fs.readdirSync(dir).filter((f) => /^[0-9a-f]+\.json$/.test(f))).toEqual([]);
      // a file claiming another asset count: refused with the reason
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.replace('"nAssets":4', '"nAssets":3'));
      setPpnModelStore(filePpnModelStore(dir));
      await expect(run()).rejects.toThrow(/built for 3 assets, the universe has 4/);
      fs.writeFileSync(file, text);
      // one changed byte in the policy: refused, not used
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { onnx: string };
      const bytes = Buffer.from(stored.onnx, 'base64');
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      fs.writeFileSync(file, JSON.stringify({ ...stored, onnx: bytes.toString('base64') }));
      setPpnModelStore(filePpnModelStore(dir));
      await expect(run()).rejects.toThrow(/does not match its sha256/);
    } finally {
      setPpnModelStore(null);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
