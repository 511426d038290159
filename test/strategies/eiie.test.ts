/**
 * The EIIE strategies (src-main/strategies/eiie): eiie (CNN), eiie/rnn and eiie/lstm registered as learning
 * strategies with one set of parameters mapped to the config with each one's evaluator; the training key (the
 * evaluator in it, a CNN's key as before the variants came); for each, a backtest through the simulator whose
 * decisions are holdings-aware (the drifted previous weights reach the network), sum to at most 1, and record an
 * 'eiie' detail with the evaluator that the domain schema reads back; and the model file written next to the
 * database, loaded by a later instance that decides exactly as the trained one did, a damaged file refused and a
 * CNN file written before the variants read as a CNN.
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
import { EIIE_PRESETS, type EiieEvaluator } from '../../src-main/agents/eiie/config';
import { trainingKey } from '../../src-main/strategies/trained';
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
  it('registers eiie, eiie/rnn and eiie/lstm, in that order, as learning strategies with one set of parameters', async () => {
    const all = await listStrategies();
    // eiie/online, the CNN that keeps learning, is registered after them (test/strategies/eiie-online.test.ts)
    const ids = all.map((s) => s.id).filter((id) => id.startsWith('eiie') && id !== 'eiie/online');
    expect(ids).toEqual(['eiie', 'eiie/rnn', 'eiie/lstm']);
    const defs = ids.map((id) => all.find((s) => s.id === id)!);
    for (const def of defs) {
      expect(def.family).toBe('learning');
      expect(def.hindsight).toBe(false);
      expect(def.params).toBe(defs[0]!.params);
      expect(def.params.find((p) => p.name === 'preset')?.choices).toEqual(['quick', 'standard', 'paper']);
    }
    expect(defs.map((d) => d.label)).toEqual([
      'EIIE (CNN ensemble of identical independent evaluators)',
      'EIIE (RNN evaluators)',
      'EIIE (LSTM evaluators)',
    ]);
  });

  it('maps its parameters onto the preset (0 and -1 keep the preset value)', async () => {
    const def = await getStrategy('eiie');
    expect(eiieConfigFromParams(resolveParams(def, { preset: 'quick' }))).toEqual(EIIE_PRESETS.quick);
    const c = eiieConfigFromParams(resolveParams(def, { preset: 'quick', updates: 7, validationDays: 0, lr: 0.01 }));
    expect(c).toEqual({ ...EIIE_PRESETS.quick, updates: 7, validationDays: 0, lr: 0.01 });
    expect(() => eiieConfigFromParams(resolveParams(def, { window: 1 }))).toThrow(/window must be an integer >= 2/);
    expect(eiieConfigFromParams(resolveParams(def, { preset: 'quick' }), 'lstm')).toEqual({
      ...EIIE_PRESETS.quick,
      evaluator: 'lstm',
    });
    expect(() => eiieConfigFromParams({}, 'gru' as EiieEvaluator)).toThrow(
      /EIIE evaluator must be one of cnn, rnn, lstm, got "gru"/,
    );
  });

  it("keys each evaluator's training apart, a CNN's as it was keyed before the variants came", () => {
    const m = market(60, 3, 'key');
    const cfg = EIIE_PRESETS.quick;
    const keys = (['cnn', 'rnn', 'lstm'] as const).map((evaluator) =>
      eiieTrainingKey({ ...cfg, evaluator }, 1, m, 0, 40),
    );
    expect(new Set(keys).size).toBe(3);
    // the quick preset's config as it was written before it had an evaluator (same fields, same order)
    const before = {
      window: 30,
      convMaps: 2,
      convKernel: 3,
      features: 20,
      batchSize: 50,
      updates: 300,
      lr: 1e-3,
      weightDecay: 1e-8,
      sampleBias: 1e-3,
      costRate: 0.001,
      validationDays: 40,
      evalEvery: 50,
      patience: 3,
    };
    expect(keys[0]).toBe(
      trainingKey(
        { family: 'eiie', revision: 1, config: before, seed: 1, tickers: m.tickers, trainStart: 0, trainEnd: 40 },
        m,
        40,
      ),
    );
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

  it.each([
    ['eiie', 'cnn'],
    ['eiie/rnn', 'rnn'],
    ['eiie/lstm', 'lstm'],
  ] as const)('%s backtests with holdings-aware decisions and records its detail', async (id, evaluator) => {
    const m = market(160, 4, 'backtest');
    const def = await getStrategy(id);
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
    const sim = simulate(m, inst, { strategyId: id, testStart: 120, testEnd: 159 });
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
      expect(parsed.evaluator).toBe(evaluator);
      expect(parsed.cash).toBeCloseTo(1 - ww.reduce((a, b) => a + b, 0), 9);
      expect(parsed.model?.trainedTo).toBe(m.dates[119]);
    }
  });

  it.each([
    ['eiie', 'cnn'],
    ['eiie/rnn', 'rnn'],
    ['eiie/lstm', 'lstm'],
  ] as const)(
    '%s stores a trained model next to the database and a later process loads it instead of training; a damaged file is refused',
    async (id, evaluator) => {
      const m = market(160, 4, 'store');
      const def = await getStrategy(id);
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
        const sim = simulate(m, inst, { strategyId: id, testStart: 120, testEnd: 159 });
        return { messages, weights: sim.target.map((w) => Array.from(w)) };
      };
      try {
        // a fresh store each time forgets the models kept in memory, as a new process would
        setEiieModelStore(fileEiieModelStore(dir));
        const first = await run();
        expect(first.messages.some((x) => x.startsWith(`${id}: `) && /updates/.test(x))).toBe(true);
        const key = eiieTrainingKey(eiieConfigFromParams(params, evaluator), 5, m, 0, 119);
        const file = path.join(dir, `eiie-${key}.json`);
        expect(fs.existsSync(file)).toBe(true);
        setEiieModelStore(fileEiieModelStore(dir));
        const second = await run();
        expect(second.messages).toEqual([`${id}: loaded stored model ${key.slice(0, 12)}`]);
        expect(second.weights).toEqual(first.weights);
        // its name is not one the SAMP listing of the same folder reads as a model (<hex key>.json)
        expect(fs.readdirSync(dir).filter((f) => /^[0-9a-f]+\.json$/.test(f))).toEqual([]);
        const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { onnx: string; cfg: Record<string, unknown> };
        expect(stored.cfg.evaluator).toBe(evaluator);
        if (evaluator === 'cnn') {
          // a CNN file written before the variants came has no evaluator: it is read, as the CNN it is
          const { evaluator: _, ...old } = stored.cfg;
          fs.writeFileSync(file, JSON.stringify({ ...stored, cfg: old }));
          setEiieModelStore(fileEiieModelStore(dir));
          const third = await run();
          expect(third.messages).toEqual([`eiie: loaded stored model ${key.slice(0, 12)}`]);
          expect(third.weights).toEqual(first.weights);
        }
        // one changed byte in the policy: refused, not used
        const bytes = Buffer.from(stored.onnx, 'base64');
        bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
        fs.writeFileSync(file, JSON.stringify({ ...stored, onnx: bytes.toString('base64') }));
        setEiieModelStore(fileEiieModelStore(dir));
        await expect(run()).rejects.toThrow(/does not match its sha256/);
      } finally {
        setEiieModelStore(null);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
