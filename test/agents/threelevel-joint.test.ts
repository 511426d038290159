/**
 * The three-level hierarchy trained jointly (agents/threelevel/joint-trainer.ts, strategy `three-level/joint`):
 * each level acts, records its transitions and updates only on its own timescale (Level 1 once a year, Level 2 once
 * a month per class, Level 3 once a decision day per asset); the same seed trains bit-identical models and another
 * seed others; the stored models, loaded in a new process's way, decide exactly as the ones just trained; and
 * `hdrl backtest --strategy three-level/joint` runs on the bundled Dow data with and without `--impact`, its
 * decisions within the tilt bound.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DecisionDetail } from '../../src-shared/domain/decision';
import { classLayout, type ClassLayout } from '../../src-main/agents/hadaps/classes';
import {
  serializeThreeLevelArtifacts,
  type ThreeLevelArtifacts,
  type ThreeLevelModelStore,
} from '../../src-main/agents/threelevel/artifacts';
import { baselinePolicy } from '../../src-main/agents/threelevel/baselines';
import { resolveExecutionConfig } from '../../src-main/agents/threelevel/config';
import { ExecutionEnv } from '../../src-main/agents/threelevel/env';
import { resolveJointConfig } from '../../src-main/agents/threelevel/joint-config';
import {
  trainJointHierarchy,
  type JointTraceEvent,
  type JointTrainOptions,
} from '../../src-main/agents/threelevel/joint-trainer';
import { resolveStrategicConfig } from '../../src-main/agents/threelevel/strategic-config';
import { resolveTacticalConfig } from '../../src-main/agents/threelevel/tactical-config';
import { TacticalEnv } from '../../src-main/agents/threelevel/tactical-env';
import { assetWeights } from '../../src-main/agents/threelevel/tilts';
import { main } from '../../src-main/cli';
import { OnnxPpo } from '../../src-main/compute/train/ppo';
import { OnnxSac } from '../../src-main/compute/train/sac';
import { ExecutionCosts, IMPACT_DEFAULTS } from '../../src-main/market/costs';
import type { PriceMatrix } from '../../src-main/market/prices';
import { simulate } from '../../src-main/market/simulate';
import { openDatabase } from '../../src-main/store/db';
import { fileThreeLevelModelStore } from '../../src-main/store/models';
import { getRunDetails, getRunMetrics } from '../../src-main/store/runs';
import { getStrategy, resolveParams } from '../../src-main/strategies/registry';
import { setThreeLevelModelStore } from '../../src-main/strategies/threelevel';
import { forgetTrainedModels } from '../../src-main/strategies/trained';
import { matrixFromRelatives } from '../helpers/data';

afterEach(() => setThreeLevelModelStore(null));

const DAYS = 420;
const ASSETS = 6;
const H = 21;

/** Six assets in three sectors of two: seeded daily relatives, each sector with its own drift and volatility. */
function market(): PriceMatrix {
  const rng = seedrandom('joint-market');
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const relatives = Array.from({ length: DAYS - 1 }, () => {
    const common = 0.008 * normal();
    return Array.from({ length: ASSETS }, (_, i) => {
      const s = Math.floor(i / 2);
      return Math.exp(0.0003 * (s - 1) + common + (0.006 + 0.004 * s) * normal());
    });
  });
  const m = matrixFromRelatives(relatives);
  m.assets = m.tickers.map((ticker, i) => ({ ticker, name: ticker, class: 'Equity', sector: `S${Math.floor(i / 2)}` }));
  return m;
}

/** The quick presets with warm-ups small enough that every level learns within a few episodes. */
function options(m: PriceMatrix, layout: ClassLayout, seed: number, episodes: number): JointTrainOptions {
  return {
    m,
    layout,
    costs: new ExecutionCosts(m, 0.001, IMPACT_DEFAULTS),
    exec: resolveExecutionConfig('quick', { warmup: 200, batchSize: 64 }),
    tactical: resolveTacticalConfig('quick', { warmup: 16, batchSize: 16, updatesPerMonth: 2 }),
    strategic: resolveStrategicConfig('quick'),
    joint: resolveJointConfig('quick', { episodes, strategicBatch: 2, episodesPerValidation: 2 }),
    first: 0,
    seed,
  };
}

describe('joint training', () => {
  it('has each level act, record and update only on its own timescale', async () => {
    const m = market();
    const layout = classLayout(m.tickers, m.assets, 'auto');
    const K = layout.classes.length + 1;
    const events: JointTraceEvent[] = [];
    // the learners' own calls, counted apart from what the trainer reports
    const sacExplore = vi.spyOn(OnnxSac.prototype, 'explore');
    const sacUpdate = vi.spyOn(OnnxSac.prototype, 'update');
    const ppoSample = vi.spyOn(OnnxPpo.prototype, 'sample');
    const ppoUpdate = vi.spyOn(OnnxPpo.prototype, 'update');
    let res: Awaited<ReturnType<typeof trainJointHierarchy>>;
    const byLearner = (contexts: unknown[]) => {
      const calls = new Map<unknown, number>();
      for (const c of contexts) calls.set(c, (calls.get(c) ?? 0) + 1);
      return [...calls.values()].sort((a, b) => a - b);
    };
    let explores: number[];
    let sacUpdates: number[];
    try {
      res = await trainJointHierarchy({ ...options(m, layout, 1, 3), trace: (e) => events.push(e) });
      explores = byLearner(sacExplore.mock.contexts);
      sacUpdates = byLearner(sacUpdate.mock.contexts);
      expect(ppoSample).toHaveBeenCalledTimes(3);
      expect(ppoUpdate).toHaveBeenCalledTimes(res.updates.strategic);
    } finally {
      vi.restoreAllMocks();
    }
    // the window: days 0..209 train, 210..419 validate; a strategic episode of 140 days holds 6 months
    const months = res.months;
    expect(months).toBe(6);
    const E = res.episodes;
    expect(E).toBe(3);

    // walk the events episode by episode: an episode starts where Level 1 acts
    let t0 = -1;
    const starts: number[] = [];
    const count = { strategic: 0, tactical: 0, execution: 0 };
    const acted = { strategic: 0, tactical: 0, execution: 0 };
    const updates = { strategic: 0, tactical: 0, execution: 0 };
    for (const e of events) {
      if (e.level === 'strategic' && e.kind === 'act') {
        t0 = e.day;
        starts.push(t0);
      }
      const d = e.day - t0;
      expect(d, `${e.level} ${e.kind} before the year`).toBeGreaterThanOrEqual(0);
      expect(d, `${e.level} ${e.kind} after the year`).toBeLessThanOrEqual(months * H);
      if (e.kind === 'act') acted[e.level] += e.count;
      if (e.kind === 'record') count[e.level] += e.count;
      if (e.kind === 'update') updates[e.level] += e.count;
      if (e.level === 'strategic') {
        // once a year: its decision at the start, its transition and its updates at the year's end
        expect(e.count, 'one strategic decision or transition').toBe(e.kind === 'update' ? e.count : 1);
        expect(d).toBe(e.kind === 'act' ? 0 : months * H);
      } else if (e.level === 'tactical') {
        // once a month: tilts at its first close, the transition and the updates at its last
        expect(d % H, `tactical ${e.kind} on day ${d} of the year`).toBe(0);
        if (e.kind === 'act') expect(d).toBeLessThan(months * H);
        else expect(d).toBeGreaterThan(0);
        if (e.kind !== 'update') expect(e.count).toBe(K);
      } else {
        // every day: a fraction per asset on each decision day, never on a month's last day (the forced trade)
        if (e.kind === 'act') {
          expect(d % H, `execution acts on day ${d}`).not.toBe(H - 1);
          expect(e.count).toBe(ASSETS);
        }
        if (e.kind === 'record') {
          expect(d % H, `execution records on day ${d}`).not.toBe(0);
          expect(e.count).toBe(ASSETS);
        }
        expect(d, 'execution inside the months').toBeLessThan(months * H);
      }
    }
    expect(starts).toHaveLength(E);
    for (const s of starts) expect(s % 5, 'a start on Level 1 stride').toBe(0);
    expect(acted).toEqual({ strategic: E, tactical: K * months * E, execution: ASSETS * (H - 1) * months * E });
    // Level 2's and Level 3's SAC learners sampled exactly that often, and made the updates reported
    expect(explores).toEqual([K * months * E, ASSETS * (H - 1) * months * E]);
    expect(sacUpdates).toEqual([res.updates.tactical, res.updates.execution].sort((a, b) => a - b));
    // one transition per year, per class and month, per asset and decision day
    expect(count).toEqual({ strategic: E, tactical: K * months * E, execution: ASSETS * (H - 1) * months * E });
    expect(res.transitions).toEqual(count);
    // every level learned; Level 1 after its second year and after the last (a rollout of 2)
    expect(updates).toEqual(res.updates);
    for (const level of ['strategic', 'tactical', 'execution'] as const) expect(updates[level]).toBeGreaterThan(0);
    const l1 = events.filter((e) => e.level === 'strategic' && e.kind === 'update').map((e) => e.day);
    expect(l1).toEqual([starts[1]! + months * H, starts[2]! + months * H]);
    // validated after the second and the third episode, and a checkpoint chosen
    expect(res.history.map((p) => p.episodes)).toEqual([2, 3]);
    expect(res.chosen).not.toBeNull();
  }, 60_000);

  it("reads Level 1's year from the months' daily growth: the book's value after every day's costs", () => {
    const m = market();
    const layout = classLayout(m.tickers, m.assets, 'auto');
    const o = options(m, layout, 1, 1);
    const env = new TacticalEnv(m, layout, o.costs, o.exec, baselinePolicy('linear'), o.tactical);
    const strategic = [0.3, 0.3, 0.3, 0.1];
    const holdings = new Float64Array(ASSETS + 1).fill(0);
    holdings[ASSETS] = 1;
    const month = env.month(100, holdings, strategic, [1, -1, 0.5, 0]);
    expect(month.growth).toHaveLength(H);
    // the same month stepped by hand in Level 3's environment: each day's value after its trade's costs and the drift
    const exec = new ExecutionEnv(m, o.costs, o.exec);
    const s = exec.start(100, holdings, assetWeights(layout, month.combined));
    let before = 1;
    for (let d = 0; d < H; d++) {
      exec.step(s, new Float64Array(ASSETS).fill(1 / exec.daysLeft(s)));
      expect(month.growth[d], `day ${d}`).toBe(s.value / before);
      before = s.value;
    }
    // the days multiply to the month: what a year of months multiplies to is the book after every cost paid
    expect(month.growth.reduce((a, g) => a * g, 1)).toBeCloseTo(s.value, 14);
    expect(month.costsBp.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('refuses a window too short for one month of a strategic episode', async () => {
    const m = market();
    const layout = classLayout(m.tickers, m.assets, 'auto');
    await expect(trainJointHierarchy({ ...options(m, layout, 1, 1), first: DAYS - 30 })).rejects.toThrow(
      /too few for a joint episode/,
    );
  });
});

/** An in-memory store that keeps what was put. */
function memoryStore(): ThreeLevelModelStore & { files: Map<string, ThreeLevelArtifacts> } {
  const files = new Map<string, ThreeLevelArtifacts>();
  return {
    files,
    get: (key) => Promise.resolve(files.get(key)),
    put: (key, a) => {
      files.set(key, a);
      return Promise.resolve();
    },
  };
}

const SMALL = { preset: 'quick', episodes: 2 };
const TEST_START = 300;

async function create(m: PriceMatrix, seed: number, progress?: string[]) {
  const def = await getStrategy('three-level/joint');
  return def.create({
    prices: m,
    trainStart: 0,
    trainEnd: TEST_START - 1,
    testStart: TEST_START,
    testEnd: m.dates.length - 1,
    seed,
    params: resolveParams(def, SMALL),
    ...(progress ? { progress: (p: { message: string }) => progress.push(p.message) } : {}),
  });
}

/** A stored artifact without its training time (the one thing two trainings may differ in). */
const content = (a: ThreeLevelArtifacts) =>
  serializeThreeLevelArtifacts({ ...a, training: { ...a.training, elapsedMs: 0 } });

describe('three-level/joint', () => {
  it('stores three models, bit-identical for the same seed and others for another seed', async () => {
    const m = market();
    const trained = async (seed: number) => {
      const store = memoryStore();
      setThreeLevelModelStore(store);
      forgetTrainedModels();
      const inst = await create(m, seed);
      await inst.dispose?.();
      return store.files;
    };
    const [a, b, c] = [await trained(3), await trained(3), await trained(4)];
    expect([...a.values()].map((x) => x.level).sort()).toEqual(['execution', 'strategic', 'tactical']);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [key, x] of a) expect(content(b.get(key)!), x.level).toBe(content(x));
    const levels = (f: Map<string, ThreeLevelArtifacts>) =>
      Object.fromEntries([...f.values()].map((x) => [x.level, Buffer.from(x.onnx).toString('base64')]));
    const [la, lc] = [levels(a), levels(c)];
    for (const level of ['strategic', 'tactical', 'execution']) expect(lc[level], level).not.toBe(la[level]);
  }, 60_000);

  it('decides from its stored files exactly as right after training, and records the three models', async () => {
    const m = market();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-joint-'));
    const run = async () => {
      const progress: string[] = [];
      const inst = await create(m, 2, progress);
      const sim = simulate(m, inst, { strategyId: 'three-level/joint', testStart: TEST_START, testEnd: DAYS - 1 });
      await inst.dispose?.();
      return { sim, progress };
    };
    try {
      setThreeLevelModelStore(fileThreeLevelModelStore(dir));
      const first = await run();
      expect(first.progress.some((x) => /joint training, episode 2/.test(x))).toBe(true);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('threelevel-'))).toHaveLength(3);
      // a new store forgets the models in memory, as a new process would: all three are read from their files
      setThreeLevelModelStore(fileThreeLevelModelStore(dir));
      const again = await run();
      expect(again.progress).toHaveLength(3);
      expect(again.progress.every((x) => /loaded stored model/.test(x))).toBe(true);
      expect(again.sim.target.map((w) => Array.from(w))).toEqual(first.sim.target.map((w) => Array.from(w)));
      expect(again.sim.details).toEqual(first.sim.details);

      // the decision detail: the learned-strategic id's, naming the three jointly trained models
      const details = first.sim.details!.map((d) => DecisionDetail.parse(d));
      const d0 = details[0]!;
      if (d0.family !== 'three-level') throw new Error(`detail of family ${d0.family}`);
      expect(d0.variant).toBe('three-level/joint');
      const keys = [d0.levels.strategic, d0.levels.tactical, d0.levels.execution].map((x) => ('key' in x ? x.key : ''));
      expect(new Set(keys).size).toBe(3);
      for (const key of keys) expect(fs.existsSync(path.join(dir, `threelevel-${key}.json`))).toBe(true);
      expect(d0.model).toEqual(d0.levels.strategic);
      details.forEach((d, k) => {
        if (d.family !== 'three-level') throw new Error('family');
        for (const c of d.classes) expect(Math.abs(c.tilt)).toBeLessThanOrEqual(0.05 + 1e-12);
        expect(d.nextTacticalIn).toBe(H - (k % H));
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('hdrl backtest --strategy three-level/joint', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-joint-cli-'));
    db = path.join(dir, 'j.db');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function hdrl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      const code = await main(['--db', db, ...args]);
      return { code, out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('runs on the bundled Dow data with and without --impact, within the tilt bound', async () => {
    const window = [
      'backtest',
      '--universe',
      'djia30',
      '--strategy',
      'three-level/joint',
      '--from',
      '2000-01-03',
      '--to',
      '2000-03-31',
      '--lookback',
      '400',
      '--preset',
      'quick',
      '--param',
      'three-level/joint.episodes=1',
      '--quiet',
    ];
    const plain = await hdrl(...window, '--json', path.join(dir, 'plain.json'));
    expect(plain.code, plain.err).toBe(0);
    const priced = await hdrl(...window, '--impact', '--json', path.join(dir, 'priced.json'));
    expect(priced.code, priced.err).toBe(0);
    const runId = (file: string) => {
      const r = (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { results: { runId: string }[] }).results;
      expect(r).toHaveLength(1);
      return r[0]!.runId;
    };
    const store = openDatabase(db);
    try {
      for (const [file, impact] of [
        ['plain.json', false],
        ['priced.json', true],
      ] as const) {
        const id = runId(file);
        const details = getRunDetails(store, id).map((r) => r.detail);
        expect(details.length).toBeGreaterThan(50);
        for (const d of details) {
          if (d.family !== 'three-level') throw new Error(`detail of family ${d.family}`);
          expect(d.variant).toBe('three-level/joint');
          // nine sectors and cash, every tilt within ±5% and the target the strategic weight plus it
          expect(d.classes).toHaveLength(10);
          for (const c of d.classes) {
            expect(Math.abs(c.tilt)).toBeLessThanOrEqual(0.05 + 1e-12);
            expect(c.target).toBeCloseTo(c.strategic + c.tilt, 12);
          }
        }
        const metrics = getRunMetrics(store, id);
        if (impact) expect(metrics.costImpact).toBeGreaterThan(0);
        else expect(metrics.costImpact ?? 0).toBe(0);
      }
    } finally {
      store.close();
    }
  }, 120_000);
});
