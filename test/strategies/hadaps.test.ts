/**
 * HADAPS as a strategy (strategies/hadaps, agents/hadaps): where the classes come from, the two states checked by
 * hand, training that learns an obvious best class, decisions and their detail (class x intra), reproducibility by
 * seed, and models stored next to the database and reused. Look-ahead is the registry-wide test's
 * (test/strategies/lookahead.test.ts runs every hadaps id).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { DecisionDetail } from '../../src-shared/domain/decision';
import { classLayout } from '../../src-main/agents/hadaps/classes';
import { resolveHadapsConfig, type HadapsConfig } from '../../src-main/agents/hadaps/config';
import { firstStateDay, hadapsStates, priceNorm } from '../../src-main/agents/hadaps/features';
import { policyInferSpecs, type HadapsShape } from '../../src-main/agents/hadaps/network';
import { exportHadapsOnnx, HadapsPolicy } from '../../src-main/agents/hadaps/policy';
import { trainHadaps } from '../../src-main/agents/hadaps/trainer';
import { PortfolioEnv } from '../../src-main/agents/samp/env';
import { driftWeights } from '../../src-main/agents/samp/trading';
import { initParams } from '../../src-main/compute/params';
import type { PriceMatrix } from '../../src-main/market/prices';
import { simulate } from '../../src-main/market/simulate';
import { MarketView } from '../../src-main/market/view';
import { fileHadapsModelStore } from '../../src-main/store/models';
import { parseHadapsArtifacts } from '../../src-main/agents/hadaps/artifacts';
import { protocolWindows, type WalkWindow } from '../../src-main/market/walkforward';
import { hadapsStrategies, previousWindow, setHadapsModelStore } from '../../src-main/strategies/hadaps';
import { resolveParams } from '../../src-main/strategies/registry';
import type { StrategyDef } from '../../src-main/strategies/types';
import { matrixFromRelatives } from '../helpers/data';

const meta = (tickers: string[], cls: (t: string) => string, sector: (t: string) => string) =>
  tickers.map((t) => ({ ticker: t, name: t, class: cls(t), sector: sector(t) }));

describe('HADAPS asset classes', () => {
  const tickers = ['x1', 'y1', 'x2', 'z1'];
  it("'auto' takes the class field when it names two or more classes, else the sectors, else one class", () => {
    const byClass = classLayout(
      tickers,
      meta(
        tickers,
        (t) => (t[0] === 'x' ? 'Stock' : 'Crypto'),
        () => 'S',
      ),
      'auto',
    );
    expect(byClass.basis).toBe('class');
    expect(byClass.classes).toEqual([
      { name: 'Crypto', members: [1, 3] },
      { name: 'Stock', members: [0, 2] },
    ]);
    expect(byClass.classOf).toEqual([1, 0, 1, 0]);
    const bySector = classLayout(
      tickers,
      meta(
        tickers,
        () => 'Equity',
        (t) => t[0]!.toUpperCase(),
      ),
      'auto',
    );
    expect(bySector.basis).toBe('sector');
    expect(bySector.classes.map((c) => c.name)).toEqual(['X', 'Y', 'Z']);
    const single = classLayout(tickers, undefined, 'auto');
    expect(single.basis).toBe('single');
    expect(single.classes).toEqual([{ name: 'Risky assets', members: [0, 1, 2, 3] }]);
  });

  it('refuses a forced basis the meta does not name for every asset, and a class called Cash', () => {
    const partial = meta(
      tickers,
      (t) => (t === 'z1' ? '' : 'Stock'),
      () => 'S',
    );
    expect(() => classLayout(tickers, partial, 'class')).toThrow(/1 asset\(s\) have no class.*z1/);
    expect(() =>
      classLayout(
        tickers,
        meta(
          tickers,
          () => 'Cash',
          () => '',
        ),
        'class',
      ),
    ).toThrow(/may not be called "Cash"/);
  });
});

describe('HADAPS states', () => {
  // one asset, closes 10, 11, 12, 11, 13, 14 (k = 2: states from day 3)
  const closes = [10, 11, 12, 11, 13, 14].map((c) => Float64Array.of(c));
  const norm = priceNorm((d) => closes[d]!, 0, 3, 1);

  it('normalises with the mean and standard deviation of the training days only', () => {
    expect(norm.mean[0]).toBeCloseTo(11, 12);
    expect(norm.std[0]).toBeCloseTo(Math.sqrt(0.5), 12);
  });

  it('gives the last k normalised prices and their signed rolling standard deviation', () => {
    expect(firstStateDay(2)).toBe(3);
    const s = 1 / Math.sqrt(0.5);
    const st = hadapsStates((d) => closes[d]!, 4, 1, 2, norm);
    // p at days 3, 4: (11 - 11) / sd, (13 - 11) / sd
    expect(Array.from(st.p)).toEqual([0, Math.fround(2 * s)]);
    // v at day 3: sd of (p2, p3) = |12 - 11| / 2 x s, falling (-); day 4: sd of (p3, p4) = |13 - 11| / 2 x s, rising
    expect(st.v[0]).toBeCloseTo(-0.5 * s, 6);
    expect(st.v[1]).toBeCloseTo(1 * s, 6);
    expect(() => hadapsStates((d) => closes[d]!, 2, 1, 2, norm)).toThrow(/4 days of history/);
  });
});

/** Class A (assets 0, 2, 4) rises about 0.4% a day, class B (1, 3) falls as much, C (5) is flat; small noise. */
function trendMarket(days: number): PriceMatrix {
  const rng = seedrandom('trend');
  const drift = [0.004, -0.004, 0.004, -0.004, 0.004, 0];
  const rel = Array.from({ length: days - 1 }, () => drift.map((d) => 1 + d + (rng() - 0.5) * 0.01));
  const m = matrixFromRelatives(rel, ['a1', 'b1', 'a2', 'b2', 'a3', 'c1']);
  return {
    ...m,
    assets: meta(
      m.tickers,
      (t) => t[0]!.toUpperCase(),
      () => '',
    ),
  };
}

/** Train on the trend market (260 days, all training) and score the deterministic policy before and after. */
async function trainOnTrend(over: Partial<HadapsConfig>) {
  const prices = trendMarket(260);
  const cfg = resolveHadapsConfig('quick', {
    ...over,
    window: 5,
    hidden: [32, 16],
    optimizer: 'adam',
    lr: 1e-3,
    updates: 1500,
    maxEpisodes: 20,
    warmup: 64,
    validationDays: 0,
    patience: 0,
  });
  const layout = classLayout(prices.tickers, prices.assets, 'auto');
  const sh: HadapsShape = { n: 6, layout, cfg };
  const view = new MarketView(prices, 259);
  const norm = priceNorm((d) => view.closes(d), 0, 259, 6);
  const env = new PortfolioEnv(view, {
    firstDay: firstStateDay(5),
    lastDay: 259,
    costRate: 0.001,
    reward: 'simple-gross',
  });
  const sample = (_e: PortfolioEnv, t: number, wprev: Float32Array) => ({
    ...hadapsStates((d) => view.closes(d), t, 6, 5, norm),
    wprev,
  });
  const res = await trainHadaps({ sh, cfg, env, sample, seed: 3 });
  // the deterministic policy before and after, over the training days
  const before = exportHadapsOnnx(sh, initParams(policyInferSpecs(sh), 3));
  const after = exportHadapsOnnx(sh, res.actor);
  const score = async (onnx: Uint8Array) => {
    const pol = await HadapsPolicy.open(onnx, sh);
    let sum = 0;
    let classA = 0;
    let wprev = new Float32Array(6);
    for (let t = env.opts.firstDay; t < env.opts.lastDay; t++) {
      const st = hadapsStates((d) => view.closes(d), t, 6, 5, norm);
      const out = pol.run(st.p, st.v, wprev);
      const step = env.step(t, out.weights, wprev);
      sum += step.reward;
      classA += out.classes[0]!;
      wprev = Float32Array.from(step.drifted);
    }
    await pol.dispose();
    const days = env.opts.lastDay - env.opts.firstDay;
    return { reward: sum / days, classA: classA / days };
  };
  return { updates: res.updates, before: await score(before), after: await score(after) };
}

describe('HADAPS training', () => {
  it('learns to give the rising class the largest weight (better mean reward than before training)', async () => {
    const { updates, before: b, after: a } = await trainOnTrend({});
    expect(updates).toBeGreaterThan(1000);
    expect(a.reward).toBeGreaterThan(b.reward);
    expect(a.classA).toBeGreaterThan(0.5);
    expect(a.classA).toBeGreaterThan(b.classA);
  }, 120_000);

  it('does not learn it with batch norm in the critics (config.ts criticNorm: why the default is layer norm)', async () => {
    const { after } = await trainOnTrend({ criticNorm: 'batch' });
    expect(after.classA).toBeLessThan(0.5);
  }, 120_000);
});

const hadaps = hadapsStrategies.find((s) => s.id === 'hadaps')!;

/** The HADAPS detail a simulation recorded on test day k. */
function hadapsDetailAt(sim: { details?: unknown[] }, k: number) {
  const d = DecisionDetail.parse(JSON.parse(JSON.stringify(sim.details![k])));
  if (d.family !== 'hadaps') throw new Error('not a hadaps detail');
  return d;
}

async function runStrategy(def: StrategyDef, prices: PriceMatrix, seed: number, params: Record<string, unknown> = {}) {
  const inst = await def.create({
    prices,
    trainStart: 0,
    trainEnd: 179,
    testStart: 180,
    testEnd: 219,
    seed,
    params: resolveParams(def, { preset: 'quick', episodes: 1, ...params }),
  });
  return simulate(prices, inst, { strategyId: def.id, testStart: 180, testEnd: 219 });
}

describe('the hadaps strategy', () => {
  let dir: string | null = null;
  afterEach(() => {
    setHadapsModelStore(null);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('records per decision its classes, their weights and the weights inside them (final = class x inside)', async () => {
    const prices = trendMarket(220);
    const sim = await runStrategy(hadaps, prices, 1, { noTradeBand: 0, tradeRate: 1 });
    const d = sim.details![5];
    const detail = DecisionDetail.parse(JSON.parse(JSON.stringify(d)));
    if (detail.family !== 'hadaps') throw new Error('not a hadaps detail');
    expect(detail.variant).toBe('hadaps');
    expect(detail.basis).toBe('class');
    expect(detail.classes.map((c) => c.name)).toEqual(['A', 'B', 'C', 'Cash']);
    expect(detail.classes.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(1, 5);
    const w = sim.target[5]!;
    for (const c of detail.classes.slice(0, 3)) {
      expect(c.intra.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
      c.tickers.forEach((t, j) => expect(w[prices.tickers.indexOf(t)]).toBeCloseTo(c.weight * c.intra[j]!, 5));
    }
    expect(detail.cash).toBeCloseTo(detail.classes[3]!.weight, 5);
    expect(detail.actionScale).toBe(5);
    expect(detail.model?.trainedTo).toBe(prices.dates[179]);
  }, 60_000);

  it("trades its trade rate's share of the gap to the policy's target each day, as it trained", async () => {
    const prices = trendMarket(220);
    const full = await runStrategy(hadaps, prices, 1, { noTradeBand: 0, tradeRate: 1 });
    const part = await runStrategy(hadaps, prices, 1, { noTradeBand: 0, tradeRate: 0.25 });
    // day 0 from cash: a quarter of the target; later days: held (drifted) + 0.25 (target - held)
    const n = prices.tickers.length;
    for (let i = 0; i < n; i++) expect(part.target[0]![i]).toBeCloseTo(0.25 * full.target[0]![i]!, 6);
    const held = part.held[0]!;
    const x = prices.close[181]!.map((p, i) => p / prices.close[180]![i]!);
    const drifted = driftWeights(held.subarray(0, n), x);
    const policy = hadapsDetailAt(part, 1);
    for (let i = 0; i < n; i++) {
      const c = policy.classes.find((k) => k.tickers.includes(prices.tickers[i]!))!;
      const target = c.weight * c.intra[c.tickers.indexOf(prices.tickers[i]!)]!;
      expect(part.target[1]![i]).toBeCloseTo(drifted[i]! + 0.25 * (target - drifted[i]!), 5);
    }
  }, 60_000);

  it('decides the same for the same seed and differently for another', async () => {
    const prices = trendMarket(220);
    const a = await runStrategy(hadaps, prices, 4);
    const b = await runStrategy(hadaps, prices, 4);
    const c = await runStrategy(hadaps, prices, 5);
    expect(a.target.map((w) => Array.from(w))).toEqual(b.target.map((w) => Array.from(w)));
    expect(a.target.map((w) => Array.from(w))).not.toEqual(c.target.map((w) => Array.from(w)));
  }, 60_000);

  it('stores its model next to the database, reloads it without training, and refuses a damaged file', async () => {
    const prices = trendMarket(220);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadaps-models-'));
    setHadapsModelStore(fileHadapsModelStore(dir));
    const first = await runStrategy(hadaps, prices, 7);
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('hadaps-'));
    expect(files).toHaveLength(1);
    // a fresh store (as a new process has) loads the file: same decisions, no training progress reported
    setHadapsModelStore(null);
    setHadapsModelStore(fileHadapsModelStore(dir));
    const messages: string[] = [];
    const inst = await hadaps.create({
      prices,
      trainStart: 0,
      trainEnd: 179,
      testStart: 180,
      testEnd: 219,
      seed: 7,
      params: resolveParams(hadaps, { preset: 'quick', episodes: 1 }),
      progress: (p) => messages.push(p.message),
    });
    const again = simulate(prices, inst, { strategyId: 'hadaps', testStart: 180, testEnd: 219 });
    expect(messages.some((m) => /loaded stored model/.test(m))).toBe(true);
    expect(again.target.map((w) => Array.from(w))).toEqual(first.target.map((w) => Array.from(w)));
    // damage the policy: the sha256 no longer matches
    const f = path.join(dir, files[0]!);
    const o = JSON.parse(fs.readFileSync(f, 'utf8'));
    o.onnx = Buffer.from('not a model').toString('base64');
    fs.writeFileSync(f, JSON.stringify(o));
    setHadapsModelStore(null);
    setHadapsModelStore(fileHadapsModelStore(dir));
    await expect(runStrategy(hadaps, prices, 7)).rejects.toThrow(/does not match its sha256/);
  }, 60_000);
});

describe('monthly retraining warm-started (warmStart)', () => {
  // about 27 months of daily closes from 2020-01-01: the hadaps protocol tests 2022-01 and 2022-02
  const prices = trendMarket(800);
  let dir: string | null = null;
  afterEach(() => {
    setHadapsModelStore(null);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('a learner given a warm start begins exactly at those networks (no update made)', async () => {
    const m = trendMarket(260);
    const cfg = resolveHadapsConfig('quick', {
      window: 5,
      hidden: [8],
      maxEpisodes: 1,
      warmup: 10_000,
      validationDays: 0,
    });
    const sh: HadapsShape = { n: 6, layout: classLayout(m.tickers, m.assets, 'auto'), cfg };
    const view = new MarketView(m, 259);
    const norm = priceNorm((d) => view.closes(d), 0, 259, 6);
    const env = new PortfolioEnv(view, { firstDay: firstStateDay(5), lastDay: 259, costRate: 0.001 });
    const sample = (_e: PortfolioEnv, t: number, wprev: Float32Array) => ({
      ...hadapsStates((d) => view.closes(d), t, 6, 5, norm),
      wprev,
    });
    const first = await trainHadaps({ sh, cfg, env, sample, seed: 1 });
    const second = await trainHadaps({ sh, cfg, env, sample, seed: 2, init: first.warm });
    expect(second.updates).toBe(0);
    for (const part of ['actor', 'stats', 'critic1', 'critic2'] as const)
      for (const [k, v] of first.warm[part]) expect(second.warm[part].get(k)!.data).toEqual(v.data);
    // without it the other seed draws other networks
    const third = await trainHadaps({ sh, cfg, env, sample, seed: 2 });
    expect(third.warm.actor.get('inter/l0/W')!.data).not.toEqual(first.warm.actor.get('inter/l0/W')!.data);
  });

  it('starts each month from the previous one within a test year, cold in its first month and outside the protocol', () => {
    const windows = protocolWindows(prices.dates, 'hadaps');
    expect(windows.map((w) => w.label)).toEqual(['2022-01', '2022-02']);
    const [jan, feb] = windows as [WalkWindow, WalkWindow];
    expect(previousWindow(prices, feb.trainStart, feb.trainEnd)).toEqual(jan);
    expect(previousWindow(prices, jan.trainStart, jan.trainEnd)).toBeNull();
    expect(previousWindow(prices, 0, 400)).toBeUndefined();
  });

  it("stores the networks it ends with and trains February from January's", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadaps-warm-'));
    setHadapsModelStore(fileHadapsModelStore(dir));
    const [, feb] = protocolWindows(prices.dates, 'hadaps') as [WalkWindow, WalkWindow];
    const params = resolveParams(hadaps, { preset: 'quick', updates: 20, warmStart: true });
    await hadaps.create({ prices, ...feb, seed: 2, params });
    const stored = fs.readdirSync(dir).map((f) => parseHadapsArtifacts(fs.readFileSync(path.join(dir!, f), 'utf8')));
    // January trained first (cold), then February from it
    expect(stored).toHaveLength(2);
    const janModel = stored.find((m) => !m.warmFrom)!;
    const febModel = stored.find((m) => m.warmFrom)!;
    expect(febModel.warmFrom).toBe(janModel.model.key);
    expect(febModel.model.trainedTo > janModel.model.trainedTo).toBe(true);
    for (const m of stored) expect(m.warm?.actor.size).toBeGreaterThan(0);
    // February trained on from January's networks (20 updates)
    const name = 'inter/l0/W';
    expect(febModel.warm!.actor.get(name)!.data).not.toEqual(janModel.warm!.actor.get(name)!.data);
    // a cold config trains February alone and keeps no warm-start state
    setHadapsModelStore(null);
    const coldDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadaps-cold-'));
    try {
      setHadapsModelStore(fileHadapsModelStore(coldDir));
      await hadaps.create({ prices, ...feb, seed: 2, params: resolveParams(hadaps, { preset: 'quick', updates: 20 }) });
      const cold = fs
        .readdirSync(coldDir)
        .map((x) => parseHadapsArtifacts(fs.readFileSync(path.join(coldDir, x), 'utf8')));
      expect(cold).toHaveLength(1);
      expect(cold[0]!.warm).toBeUndefined();
      expect(cold[0]!.warmFrom).toBeUndefined();
    } finally {
      fs.rmSync(coldDir, { recursive: true, force: true });
    }
  }, 120_000);
});
