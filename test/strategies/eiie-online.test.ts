/**
 * `eiie/online` (strategies/eiie, agents/eiie/online.ts): EIIE that keeps training in the test window. Its
 * registration and parameters (the three offline ids take `online`); a backtest through the simulator whose first
 * decision is the offline network's and whose later ones, on a market whose leader changes at the test start, move
 * to the new leader while the offline network's do not (with the paper's 30 steps a day); the steps taken recorded in each decision's detail; the same
 * seed giving the same decisions; and a model loaded from the store going on to decide exactly as the freshly
 * trained one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { DecisionDetail } from '../../src-shared/domain/decision';
import { EIIE_ONLINE_STEPS } from '../../src-main/agents/eiie/config';
import { simulate } from '../../src-main/market/simulate';
import type { PriceMatrix } from '../../src-main/market/prices';
import {
  EIIE_OFFLINE_PARAMS,
  EIIE_PARAMS,
  eiieOnlineStepsFromParams,
  setEiieModelStore,
} from '../../src-main/strategies/eiie';
import { getStrategy, listStrategies, resolveParams } from '../../src-main/strategies/registry';
import { fileEiieModelStore } from '../../src-main/store/models';

const TRAIN_END = 199;
const TEST_START = 200;
const TEST_END = 259;

/**
 * Three assets: in the training window asset 0 rises 0.4% a day and asset 2 falls as much; from the test start
 * they swap. Noise 1% a day.
 */
function regimeChange(): PriceMatrix {
  const rng = seedrandom('eiie-online-regime');
  const close: Float64Array[] = [];
  let row = Float64Array.of(50, 60, 70);
  for (let d = 0; d <= TEST_END; d++) {
    const drift = d < TEST_START ? [0.004, 0, -0.004] : [-0.004, 0, 0.004];
    row = Float64Array.from(row, (v, i) => v * Math.exp(drift[i]! + 0.01 * (rng() - 0.5) * 2));
    close.push(row);
  }
  const dates = Array.from({ length: close.length }, (_, d) =>
    new Date(Date.UTC(2005, 0, 1 + d)).toISOString().slice(0, 10),
  );
  return { universe: 'test', tickers: ['R0', 'F1', 'S2'], dates, close };
}

async function backtest(id: string, m: PriceMatrix, params: Record<string, unknown>, seed = 3) {
  const def = await getStrategy(id);
  const inst = await def.create({
    prices: m,
    trainStart: 0,
    trainEnd: TRAIN_END,
    testStart: TEST_START,
    testEnd: TEST_END,
    seed,
    params: resolveParams(def, params),
  });
  try {
    const sim = simulate(m, inst, { strategyId: id, testStart: TEST_START, testEnd: TEST_END });
    return {
      weights: sim.target.map((w) => Array.from(w)),
      details: (sim.details ?? []).map((d) => DecisionDetail.parse(d)),
    };
  } finally {
    await inst.dispose?.();
  }
}

/** the quick preset with a 20-day window and a learning rate that moves the small CNN within the test window */
const QUICK = { preset: 'quick', window: 20, lr: 0.01 };
/** the paper's rolling steps */
const STEPS = 30;

afterEach(() => setEiieModelStore(null));

describe('eiie/online', () => {
  it('is registered after the three offline ids; they take `online`, it takes the rest', async () => {
    const all = await listStrategies();
    expect(all.map((s) => s.id).filter((id) => id.startsWith('eiie'))).toEqual([
      'eiie',
      'eiie/rnn',
      'eiie/lstm',
      'eiie/online',
    ]);
    const def = all.find((s) => s.id === 'eiie/online')!;
    expect(def.family).toBe('learning');
    expect(def.hindsight).toBe(false);
    expect(def.params).toBe(EIIE_PARAMS);
    for (const id of ['eiie', 'eiie/rnn', 'eiie/lstm'])
      expect(all.find((s) => s.id === id)!.params).toBe(EIIE_OFFLINE_PARAMS);
    expect(EIIE_OFFLINE_PARAMS.map((p) => p.name)).toEqual([...EIIE_PARAMS.map((p) => p.name), 'online']);
    expect(() => resolveParams(def, { online: true })).toThrow(/unknown parameter "online"/);
    // the preset's steps, or the ones given
    expect(eiieOnlineStepsFromParams(resolveParams(def, { preset: 'quick' }))).toBe(EIIE_ONLINE_STEPS.quick);
    expect(eiieOnlineStepsFromParams(resolveParams(def, {}))).toBe(30);
    expect(eiieOnlineStepsFromParams(resolveParams(def, { onlineSteps: 7 }))).toBe(7);
    expect(() => eiieOnlineStepsFromParams(resolveParams(def, { onlineSteps: 2.5 }))).toThrow(
      /onlineSteps must be an integer, got 2.5/,
    );
  });

  it('starts from the trained network and follows a market whose leader changes at the test start; the offline network does not', async () => {
    const m = regimeChange();
    const offline = await backtest('eiie', m, QUICK);
    const online = await backtest('eiie/online', m, { ...QUICK, onlineSteps: STEPS });
    // the first decision is the trained network's (training engine's forward against the exported ONNX)
    for (let i = 0; i < 3; i++) expect(online.weights[0]![i]).toBeCloseTo(offline.weights[0]![i]!, 5);
    // each decision records the steps taken before it; the offline ones record none
    online.details.forEach((d, k) => expect(d.family === 'eiie' && d.onlineSteps).toBe(k * STEPS));
    for (const d of offline.details) expect(d.family === 'eiie' && d.onlineSteps).toBeUndefined();
    // the offline network, trained on the old regime, never puts a third on the new leader
    for (const w of offline.weights) expect(w[2]!).toBeLessThan(1 / 3);
    // over the last 20 test days online learning has moved most of the portfolio to it
    const late = (w: number[][], i: number) => w.slice(-20).reduce((s, r) => s + r[i]!, 0) / 20;
    expect(late(online.weights, 2)).toBeGreaterThan(0.5);
    expect(late(online.weights, 0)).toBeLessThan(late(offline.weights, 0));
  }, 120_000);

  it('is reproducible by seed, and a stored model goes on learning as the freshly trained one did', async () => {
    const m = regimeChange();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-eiie-online-'));
    try {
      setEiieModelStore(fileEiieModelStore(dir));
      const a = await backtest('eiie/online', m, { ...QUICK, onlineSteps: 2 }, 9);
      // a new store forgets the model kept in memory: this one is loaded from the file
      setEiieModelStore(fileEiieModelStore(dir));
      const b = await backtest('eiie/online', m, { ...QUICK, onlineSteps: 2 }, 9);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('eiie-'))).toHaveLength(1);
      expect(b.weights).toEqual(a.weights);
      // the same network with `online` set on eiie decides the same way
      const c = await backtest('eiie', m, { ...QUICK, onlineSteps: 2, online: true }, 9);
      expect(c.weights).toEqual(a.weights);
      // another seed: another network and other batches
      const d = await backtest('eiie/online', m, { ...QUICK, onlineSteps: 2 }, 10);
      expect(d.weights).not.toEqual(a.weights);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
