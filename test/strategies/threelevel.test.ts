/**
 * The three-level strategies through the registry and the backtest (src-main/strategies/threelevel): each level acts
 * only on its own timescale (strategic every 252 trading days, tactical every 21, trades every day), the tilts in
 * the decisions stay within their bound, the same seed gives the same decisions, and `runBacktest` runs them with and
 * without the spread-and-impact model, stores each level's model next to the database and loads it again; the same
 * for the hierarchy with its learned Level 1 and for the flat ablation, the flat SAC agent under its own id.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionDetail, type ThreeLevelDecisionDetail } from '../../src-shared/domain/decision';
import { runBacktest } from '../../src-main/backtest/run';
import { simulate } from '../../src-main/market/simulate';
import type { PriceMatrix } from '../../src-main/market/prices';
import { openDatabase } from '../../src-main/store/db';
import { fileThreeLevelModelStore } from '../../src-main/store/models';
import { getStrategy, listStrategies, resolveParams } from '../../src-main/strategies/registry';
import { setThreeLevelModelStore } from '../../src-main/strategies/threelevel';
import type { ThreeLevelArtifacts } from '../../src-main/agents/threelevel/artifacts';
import { forgetTrainedModels } from '../../src-main/strategies/trained';
import { djiaSubset } from '../helpers/data';

afterEach(() => setThreeLevelModelStore(null));

const SMALL = { preset: 'quick', episodes: 2 };
const IDS = [
  'three-level',
  'three-level/learned-strategic',
  'three-level/no-tactical',
  'three-level/trade-at-once',
  'three-level/linear',
  'three-level/two-levels',
];

/** `assets` DJIA stocks from day `from`, in made-up sectors of two. */
function withSectors(days: number, assets: number, from: number): PriceMatrix {
  const m = djiaSubset(days, assets, from);
  m.assets = m.tickers.map((ticker, i) => ({ ticker, name: ticker, class: 'Equity', sector: `S${Math.floor(i / 2)}` }));
  return m;
}

async function run(id: string, m: PriceMatrix, testStart: number, seed = 1) {
  const def = await getStrategy(id);
  const inst = await def.create({
    prices: m,
    trainStart: 0,
    trainEnd: testStart - 1,
    testStart,
    testEnd: m.dates.length - 1,
    seed,
    params: resolveParams(def, SMALL),
  });
  const sim = simulate(m, inst, { strategyId: id, testStart, testEnd: m.dates.length - 1 });
  const details = sim.details!.map((d) => {
    const p = DecisionDetail.parse(d);
    if (p.family !== 'three-level') throw new Error(`detail of family ${p.family}`);
    return p;
  });
  return { sim, details };
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const strategicOf = (d: ThreeLevelDecisionDetail) => d.classes.map((c) => c.strategic);
const targetOf = (d: ThreeLevelDecisionDetail) => d.classes.map((c) => c.target);

describe('three-level strategies', () => {
  it('are registered as learning strategies with a quick preset and an episodes parameter', async () => {
    const all = await listStrategies();
    for (const id of IDS) {
      const def = all.find((s) => s.id === id);
      expect(def?.family, id).toBe('learning');
      expect(def?.params.find((p) => p.name === 'preset')?.choices).toContain('quick');
      expect(def?.params.some((p) => p.name === 'episodes')).toBe(true);
    }
    // the flat ablation is the flat SAC agent under its own id, with that agent's parameters
    const flat = all.find((s) => s.id === 'three-level/flat');
    const sac = all.find((s) => s.id === 'sac-flat');
    expect(flat?.family).toBe('learning');
    expect(flat?.params).toEqual(sac?.params);
  });

  it('the learned Level 1 decides on strategic days only, and its decisions name its model', async () => {
    const m = withSectors(620, 6, 300);
    const { details } = await run('three-level/learned-strategic', m, 300);
    const first = details[0]!;
    expect(first.variant).toBe('three-level/learned-strategic');
    const model = first.levels.strategic;
    expect('key' in model && model.key).toMatch(/^[0-9a-f]{16,}$/);
    expect(first.model).toEqual(model);
    // the same Level 2 and Level 3 as three-level's: learned, with their own models
    expect('key' in first.levels.tactical).toBe(true);
    expect('key' in first.levels.execution).toBe(true);
    details.forEach((d, k) => {
      const s = strategicOf(d);
      expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (const c of d.classes) expect(Math.abs(c.tilt)).toBeLessThanOrEqual(0.05 + 1e-12);
      if (k > 0 && k % 252 !== 0) expect(s, `day ${k}`).toEqual(strategicOf(details[k - 1]!));
    });
    expect(same(strategicOf(details[252]!), strategicOf(details[251]!))).toBe(false);
  }, 120_000);

  it('act on their own timescales: strategic every 252 days, tactical every 21, trades every day', async () => {
    const m = withSectors(620, 6, 300);
    const testStart = 300;
    const { sim, details } = await run('three-level', m, testStart);
    expect(details[0]!.classes.map((c) => c.name)).toEqual(['S0', 'S1', 'S2', 'Cash']);
    let tacticalChanges = 0;
    details.forEach((d, k) => {
      // the bound, in the recorded decision
      for (const c of d.classes) {
        expect(Math.abs(c.tilt)).toBeLessThanOrEqual(0.05 + 1e-12);
        expect(c.target).toBeCloseTo(c.strategic + c.tilt, 12);
      }
      expect(d.nextTacticalIn).toBe(21 - (k % 21));
      expect(d.nextStrategicIn).toBe(252 - (k % 252));
      if (k === 0) return;
      const prev = details[k - 1]!;
      if (k % 252 !== 0) expect(strategicOf(d), `day ${k}`).toEqual(strategicOf(prev));
      if (k % 21 !== 0) expect(targetOf(d), `day ${k}`).toEqual(targetOf(prev));
      else if (!same(targetOf(d), targetOf(prev))) tacticalChanges++;
      // the execution level trades every day
      expect(sim.turnover[k], `day ${k}`).toBeGreaterThan(0);
      // on a period's last day the whole rest is traded
      if (k % 21 === 20) expect(d.fractions.every((f) => f === 1)).toBe(true);
    });
    // the strategic target moved at the year's turn, the tactical one at most months
    expect(same(strategicOf(details[252]!), strategicOf(details[251]!))).toBe(false);
    expect(tacticalChanges).toBeGreaterThan(10);
  }, 120_000);

  it('two-levels executes each strategic target once a year and then lets the book drift', async () => {
    const m = withSectors(620, 6, 300);
    const { sim, details } = await run('three-level/two-levels', m, 300);
    details.forEach((d, k) => {
      expect(d.nextTacticalIn).toBeNull();
      for (const c of d.classes) expect(c.tilt).toBe(0);
      if (k > 0 && k % 252 !== 0) expect(targetOf(d)).toEqual(targetOf(details[k - 1]!));
      // nothing traded but the rounding between the strategy's and the simulator's drift
      if (k % 252 >= 21) expect(sim.turnover[k], `day ${k}`).toBeLessThan(1e-12);
      else expect(sim.turnover[k], `day ${k}`).toBeGreaterThan(0);
    });
  }, 120_000);

  it('give the same decisions for the same seed and others for another seed', async () => {
    const m = withSectors(330, 4, 1000);
    const target = async (seed: number) => {
      forgetTrainedModels();
      return (await run('three-level', m, 200, seed)).sim.target.map((w) => Array.from(w));
    };
    const [a, b, c] = [await target(3), await target(3), await target(4)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  }, 120_000);

  it('run through runBacktest with and without --impact, store each level next to the database and load it again', async () => {
    const m = withSectors(360, 4, 1500);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-threelevel-'));
    const db = openDatabase(path.join(dir, 'hdrl.db'));
    const request = (impact: boolean) => ({
      universe: 'x',
      strategies: ['three-level', 'three-level/linear'],
      from: m.dates[250],
      lookback: 250,
      seedFirst: 2,
      params: { 'three-level': SMALL, 'three-level/linear': SMALL },
      ...(impact ? { impact: {} } : {}),
    });
    try {
      const plain = await runBacktest(db, request(false), { prices: m, store: false });
      const messages: string[] = [];
      const priced = await runBacktest(db, request(true), {
        prices: m,
        store: false,
        progress: (_f, msg) => messages.push(msg),
      });
      for (const r of [...plain, ...priced]) expect(r.status, r.error).toBe('complete');
      for (const r of plain) {
        expect(r.sim!.costSpread.every((x) => x === 0)).toBe(true);
        expect(r.sim!.costImpact.every((x) => x === 0)).toBe(true);
      }
      for (const r of priced) {
        expect(r.sim!.costSpread.some((x) => x > 0)).toBe(true);
        expect(r.sim!.costImpact.some((x) => x > 0)).toBe(true);
        // the same decisions: the costs change what the book is worth, not what the levels decide
        const other = plain.find((p) => p.strategy === r.strategy)!;
        expect(r.sim!.target.map((w) => Array.from(w))).toEqual(other.sim!.target.map((w) => Array.from(w)));
      }
      // one Level 3 (three-level's; linear has none) and one Level 2 per execution it trained with
      const models = path.join(dir, 'hdrl-data', 'models');
      const files = fs.readdirSync(models).filter((f) => f.startsWith('threelevel-'));
      expect(files).toHaveLength(3);
      // a new store forgets the models in memory, as a new process would: both levels are loaded, not trained
      setThreeLevelModelStore(fileThreeLevelModelStore(models));
      const again: string[] = [];
      const def = await getStrategy('three-level');
      await def.create({
        prices: m,
        trainStart: 0,
        trainEnd: 249,
        testStart: 250,
        testEnd: 359,
        seed: 2,
        params: resolveParams(def, SMALL),
        progress: (p) => again.push(p.message),
      });
      expect(again).toHaveLength(2);
      expect(again.every((x) => /loaded stored model/.test(x))).toBe(true);
      // damaged: one changed byte in a stored policy is refused
      const file = path.join(models, files[0]!);
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { onnx: string };
      const bytes = Buffer.from(stored.onnx, 'base64');
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      fs.writeFileSync(file, JSON.stringify({ ...stored, onnx: bytes.toString('base64') }));
      await expect(fileThreeLevelModelStore(models).get(files[0]!.slice('threelevel-'.length, -5))).rejects.toThrow(
        /sha256/,
      );
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('run the learned Level 1 and the flat ablation through runBacktest with and without --impact', async () => {
    const m = withSectors(360, 4, 1500);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-threelevel-'));
    const db = openDatabase(path.join(dir, 'hdrl.db'));
    const ids = ['three-level/learned-strategic', 'three-level/flat'];
    const request = (impact: boolean) => ({
      universe: 'x',
      strategies: ids,
      from: m.dates[250],
      lookback: 250,
      seedFirst: 2,
      params: { 'three-level/learned-strategic': SMALL, 'three-level/flat': { preset: 'quick', episodes: 1 } },
      ...(impact ? { impact: {} } : {}),
    });
    try {
      const plain = await runBacktest(db, request(false), { prices: m, store: false });
      const priced = await runBacktest(db, request(true), { prices: m, store: false });
      for (const r of [...plain, ...priced]) expect(r.status, r.error).toBe('complete');
      for (const r of priced)
        expect(
          r.sim!.costImpact.some((x) => x > 0),
          r.strategy,
        ).toBe(true);
      const flat = plain.find((r) => r.strategy === 'three-level/flat')!;
      expect(DecisionDetail.parse(flat.sim!.details![0]).family).not.toBe('three-level');
      expect(flat.sim!.turnover.filter((x) => x > 0).length).toBeGreaterThan(50);
      // Level 1, 2 and 3 of the learned-strategic id stored; a new store loads all three instead of training
      const models = path.join(dir, 'hdrl-data', 'models');
      const files = fs.readdirSync(models).filter((f) => f.startsWith('threelevel-'));
      const levels = files.map(
        (f) => (JSON.parse(fs.readFileSync(path.join(models, f), 'utf8')) as { level: string }).level,
      );
      expect(levels.sort()).toEqual(['execution', 'strategic', 'tactical']);
      setThreeLevelModelStore(fileThreeLevelModelStore(models));
      const again: string[] = [];
      const def = await getStrategy('three-level/learned-strategic');
      const inst = await def.create({
        prices: m,
        trainStart: 0,
        trainEnd: 249,
        testStart: 250,
        testEnd: 359,
        seed: 2,
        params: resolveParams(def, SMALL),
        progress: (p) => again.push(p.message),
      });
      await inst.dispose?.();
      expect(again).toHaveLength(3);
      expect(again.every((x) => /loaded stored model/.test(x))).toBe(true);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the three-level model store', () => {
  it("refuses a stored model of another level under a level's key", async () => {
    const m = withSectors(320, 6, 1000);
    const strategic = { level: 'strategic' } as unknown as ThreeLevelArtifacts;
    forgetTrainedModels();
    setThreeLevelModelStore({ get: async () => strategic, put: async () => {} });
    const def = await getStrategy('three-level');
    const create = def.create({
      prices: m,
      trainStart: 0,
      trainEnd: 259,
      testStart: 260,
      testEnd: 319,
      seed: 1,
      params: resolveParams(def, SMALL),
    });
    await expect(create).rejects.toThrow(/three-level: model [0-9a-f]{12} is not an execution model/);
  });
});
