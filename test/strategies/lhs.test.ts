/**
 * The mlp-lhs and cnn-lhs strategies (src-main/strategies/lhs): registered as learning strategies with their
 * parameters mapped onto the config, the training key, a backtest through the registry and the backtest engine whose
 * books are equal weight over the assets predicted Long with an 'lhs' detail the domain schema reads back, and the
 * model store: the backtest writes `lhs-<key>.json` next to the database, a later process loads it instead of
 * training, and a damaged file is refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionDetail, decisionModel } from '../../src-shared/domain/decision';
import { LHS_PRESETS } from '../../src-main/agents/lhs/config';
import { runBacktest } from '../../src-main/backtest/run';
import { MarketView } from '../../src-main/market/view';
import { openDatabase } from '../../src-main/store/db';
import { fileLhsModelStore } from '../../src-main/store/models';
import { lhsConfigFromParams, lhsTrainingKey, setLhsModelStore } from '../../src-main/strategies/lhs';
import { getStrategy, listStrategies, resolveParams } from '../../src-main/strategies/registry';
import { djiaSubset } from '../helpers/data';

afterEach(() => setLhsModelStore(null));

const SMALL = { preset: 'quick', epochs: 2, window: 10 };

describe('mlp-lhs and cnn-lhs', () => {
  it('are registered as learning strategies; only the CNN takes convolution settings', async () => {
    const all = await listStrategies();
    const mlp = all.find((s) => s.id === 'mlp-lhs');
    const cnn = all.find((s) => s.id === 'cnn-lhs');
    expect(mlp?.family).toBe('learning');
    expect(cnn?.family).toBe('learning');
    expect(mlp?.params.find((p) => p.name === 'preset')?.choices).toEqual(['quick', 'standard']);
    expect(mlp?.params.some((p) => p.name === 'convKernel')).toBe(false);
    expect(cnn?.params.some((p) => p.name === 'convKernel')).toBe(true);
  });

  it('map their parameters onto the preset (0 and -1 keep the preset value)', async () => {
    const def = await getStrategy('cnn-lhs');
    expect(lhsConfigFromParams('cnn', resolveParams(def, { preset: 'quick' }))).toEqual({
      model: 'cnn',
      ...LHS_PRESETS.quick,
    });
    const c = lhsConfigFromParams(
      'cnn',
      resolveParams(def, { preset: 'quick', epochs: 7, validationDays: 0, balanceClasses: false, horizon: 10 }),
    );
    expect(c).toEqual({
      model: 'cnn',
      ...LHS_PRESETS.quick,
      epochs: 7,
      validationDays: 0,
      balanceClasses: false,
      horizon: 10,
    });
    expect(() => lhsConfigFromParams('cnn', resolveParams(def, { window: 4, convKernel: 5 }))).toThrow(
      /convKernel 5 must not exceed the window 4/,
    );
    expect(() => resolveParams(def, { balanceClasses: 1 })).toThrow(/must be a boolean/);
  });

  it('key training by the classifier, the seed and the prices up to the end of the training window only', () => {
    const m = djiaSubset(80, 3);
    const cfg = { model: 'mlp' as const, ...LHS_PRESETS.quick };
    const k = lhsTrainingKey(cfg, 1, m, 0, 50);
    const later = { ...m, close: m.close.map((r, d) => (d > 50 ? Float64Array.from(r, (v) => v * 2) : r)) };
    const earlier = { ...m, close: m.close.map((r, d) => (d === 10 ? Float64Array.from(r, (v) => v * 2) : r)) };
    expect(lhsTrainingKey(cfg, 1, later, 0, 50)).toBe(k);
    expect(lhsTrainingKey(cfg, 1, earlier, 0, 50)).not.toBe(k);
    expect(lhsTrainingKey(cfg, 2, m, 0, 50)).not.toBe(k);
    expect(lhsTrainingKey({ ...cfg, model: 'cnn' }, 1, m, 0, 50)).not.toBe(k);
  });

  it('backtest through the registry: equal weight over the assets predicted Long, the rest in cash, with the lhs detail', async () => {
    const m = djiaSubset(220, 5, 300);
    const res = await runBacktest(
      null,
      {
        universe: 'x',
        strategies: ['mlp-lhs', 'cnn-lhs'],
        from: m.dates[160],
        lookback: 160,
        seedFirst: 3,
        params: { 'mlp-lhs': SMALL, 'cnn-lhs': SMALL },
      },
      { prices: m, store: false },
    );
    expect(res.map((r) => r.strategy)).toEqual(['mlp-lhs', 'cnn-lhs']);
    let longDays = 0;
    for (const r of res) {
      expect(r.status, r.error).toBe('complete');
      const sim = r.sim!;
      const details = sim.details!;
      expect(details.length).toBe(sim.target.length);
      sim.target.forEach((w, day) => {
        const d = DecisionDetail.parse(details[day]);
        if (d.family !== 'lhs') throw new Error(`detail of family ${d.family}`);
        expect(d.classifier).toBe(r.strategy === 'mlp-lhs' ? 'mlp' : 'cnn');
        expect(d.counts.long + d.counts.hold + d.counts.short).toBe(5);
        expect(d.held.length).toBe(d.counts.long);
        const risky = Array.from(w.subarray(0, 5));
        const want = m.tickers.map((t) => (d.held.includes(t) ? 1 / d.held.length : 0));
        risky.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
        expect(d.cash).toBe(d.held.length === 0 ? 1 : 0);
        expect(w[5]).toBeCloseTo(d.cash, 12);
        expect(decisionModel(d)?.trainedTo).toBe(m.dates[159]);
        if (d.held.length > 0) longDays++;
      });
    }
    // the books are not all cash: the check above saw assets held
    expect(longDays).toBeGreaterThan(0);
  });

  it('are stored next to the database by the backtest and loaded by a later process instead of trained; a damaged file is refused', async () => {
    const m = djiaSubset(200, 4, 900);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-lhs-'));
    const db = openDatabase(path.join(dir, 'hdrl.db'));
    const request = {
      universe: 'x',
      strategies: ['cnn-lhs'],
      from: m.dates[150],
      lookback: 150,
      seedFirst: 2,
      params: { 'cnn-lhs': SMALL },
    };
    const run = async () => (await runBacktest(db, request, { prices: m, store: false }))[0]!;
    try {
      const first = await run();
      expect(first.status, first.error).toBe('complete');
      const def = await getStrategy('cnn-lhs');
      const key = lhsTrainingKey(lhsConfigFromParams('cnn', resolveParams(def, SMALL)), 2, m, 0, 149);
      const models = path.join(dir, 'hdrl-data', 'models');
      const file = path.join(models, `lhs-${key}.json`);
      expect(fs.existsSync(file)).toBe(true);
      // a new store forgets the models kept in memory, as a new process would: the file is loaded, not retrained
      setLhsModelStore(fileLhsModelStore(models));
      const messages: string[] = [];
      const inst = await def.create({
        prices: m,
        trainStart: 0,
        trainEnd: 149,
        testStart: 150,
        testEnd: 199,
        seed: 2,
        params: resolveParams(def, SMALL),
        progress: (p) => messages.push(p.message),
      });
      expect(messages).toEqual([`cnn-lhs: loaded stored model ${key.slice(0, 12)}`]);
      for (let t = 150; t < 200; t++) {
        const d = inst.decide(new MarketView(m, t));
        const w = 'weights' in d ? d.weights : d;
        expect(Array.from(w), `day ${t}`).toEqual(Array.from(first.sim!.target[t - 150]!.subarray(0, 4)));
      }
      // its name is not one the SAMP listing of the same folder reads as a model (<hex key>.json)
      expect(fs.readdirSync(models).filter((f) => /^[0-9a-f]+\.json$/.test(f))).toEqual([]);
      // one changed byte in the policy: refused, not used
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { onnx: string };
      const bytes = Buffer.from(stored.onnx, 'base64');
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      fs.writeFileSync(file, JSON.stringify({ ...stored, onnx: bytes.toString('base64') }));
      setLhsModelStore(fileLhsModelStore(models));
      await expect(
        def.create({
          prices: m,
          trainStart: 0,
          trainEnd: 149,
          testStart: 150,
          testEnd: 199,
          seed: 2,
          params: resolveParams(def, SMALL),
        }),
      ).rejects.toThrow(/does not match its sha256/);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
