import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  FLAG_CLOSE_TO_EW,
  meanDistanceFromEqualWeight,
  runBacktest,
  type BacktestRunResult,
} from '../../src-main/backtest/run';
import { JobCancelled } from '../../src-main/jobs/context';
import { openDatabase, type DB } from '../../src-main/store/db';
import {
  deleteRun,
  getRun,
  getRunDays,
  getRunMetrics,
  getRunWeightSeries,
  getRunWeightsAt,
  listRuns,
} from '../../src-main/store/runs';
import { listStrategies, quickCheckParams, registerStrategy } from '../../src-main/strategies/registry';
import type { StrategyDef } from '../../src-main/strategies/types';
import { djiaSubset, matrixFromRelatives } from '../helpers/data';
import { testReboundFlag, testSampDetail } from '../helpers/runData';

function freshDb(universe = 'test-u'): DB {
  const db = openDatabase(':memory:');
  db.prepare(`INSERT INTO universes (id, name, created_at) VALUES (?, ?, ?)`).run(
    universe,
    universe,
    new Date().toISOString(),
  );
  return db;
}

/** Random long-only weights from seedrandom(seed): reproducible only through ctx.seed. */
const seeded: StrategyDef = {
  id: 'test-seeded',
  label: 'seeded random (test)',
  description: 'test-only',
  family: 'learning',
  hindsight: false,
  params: [{ name: 'concentration', description: 'power on the uniform draws', default: 1, min: 0.1, max: 10 }],
  create(ctx) {
    const rng = seedrandom(`seed-${ctx.seed}`);
    const p = Number(ctx.params.concentration);
    return {
      decide(view) {
        const w = new Float64Array(view.nAssets);
        let s = 0;
        for (let i = 0; i < w.length; i++) s += w[i] = Math.pow(rng(), p);
        for (let i = 0; i < w.length; i++) w[i] = w[i]! / s;
        return w;
      },
    };
  },
};

/** All in the first asset, with agents and a SAMP-HDRL detail whose grouping changes and that flags rebounds. */
const hierarchical: StrategyDef = {
  id: 'test-hier',
  label: 'first asset (test)',
  description: 'test-only',
  family: 'learning',
  hindsight: false,
  params: [],
  create() {
    return {
      decide(view) {
        const n = view.nAssets;
        const w = new Float64Array(n);
        w[0] = 0.8; // 20 % cash
        const upper = new Float64Array(n).fill(1 / n);
        return {
          weights: w,
          agents: { upper, lower1: Float64Array.from(w, (x) => x / 0.8) },
          detail: testSampDetail({
            capital: { c1: 0, c2: 0.8, cash: 0.2 },
            // the high group changes every 4 days
            groups: {
              high: [view.tickers[Math.floor(view.t / 4) % n]!],
              ordinary: [],
              groupingDate: view.dateAt(view.t - (view.t % 4)),
              degenerate: false,
            },
            rebound: {
              ...testSampDetail().rebound,
              flagsToday:
                view.t % 3 === 0
                  ? [testReboundFlag('high', view.t, view.date), testReboundFlag('ordinary', view.t, view.date)]
                  : [],
            },
          }),
        };
      },
    };
  },
};

const failing: StrategyDef = {
  id: 'test-failing',
  label: 'fails (test)',
  description: 'test-only',
  family: 'classic',
  hindsight: false,
  params: [],
  create: () => ({
    decide: (v) => (v.t > 3 ? Float64Array.from({ length: v.nAssets }, () => Number.NaN) : new Float64Array(v.nAssets)),
  }),
};

let seenFuture: { length: number; first: number; ok: boolean } | null = null;
const peek: StrategyDef = {
  id: 'test-hindsight',
  label: 'hindsight (test)',
  description: 'test-only',
  family: 'benchmark',
  hindsight: true,
  params: [],
  create(ctx) {
    const f = ctx.future!;
    const m = ctx.prices;
    let ok = f.length === ctx.testEnd - ctx.testStart;
    f.forEach((x, k) => {
      const t = ctx.testStart + 1 + k;
      for (let i = 0; i < x.length; i++) if (x[i] !== m.close[t]![i]! / m.close[t - 1]![i]!) ok = false;
    });
    seenFuture = { length: f.length, first: f[0]![0]!, ok };
    return { decide: (v) => new Float64Array(v.nAssets).fill(1 / v.nAssets) };
  },
};

const unregister: (() => void)[] = [];
beforeAll(() => {
  for (const d of [seeded, hierarchical, failing, peek]) unregister.push(registerStrategy(d));
});
afterAll(() => unregister.forEach((f) => f()));

const prices = djiaSubset(160, 5);

describe('runBacktest stores complete runs', () => {
  it('one run per strategy x seed x window, with every row written and read back exactly', async () => {
    const db = freshDb();
    const printed: string[] = [];
    const res = await runBacktest(
      db,
      {
        universe: 'test-u',
        strategies: ['test-seeded', 'test-hier'],
        from: prices.dates[100],
        seeds: 2,
        seedFirst: 5,
        lookback: 50,
        cost: 0.002,
      },
      { prices, onRun: (r) => printed.push(r.runId!) },
    );
    expect(res.map((r) => [r.strategy, r.seed])).toEqual([
      ['test-seeded', 5],
      ['test-seeded', 6],
      ['test-hier', 5],
      ['test-hier', 6],
    ]);
    expect(printed).toEqual(res.map((r) => r.runId));
    const r0 = res[0]!;
    const row = getRun(db, r0.runId!)!;
    expect(row).toMatchObject({
      status: 'complete',
      strategy: 'test-seeded',
      seed: 5,
      universe: 'test-u',
      windowFrom: prices.dates[100],
      windowTo: prices.dates[159],
    });
    expect(row.trainFrom).toBe(prices.dates[50]);
    expect(row.trainTo).toBe(prices.dates[99]);
    expect(row.pid).toBe(process.pid);
    expect(row.codeVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(row.config).toMatchObject({
      cost: 0.002,
      rebalance: 'daily',
      tickers: prices.tickers,
      params: { concentration: 1 },
      seed: 5,
      lookback: 50,
    });
    // run_days = the simulation
    const days = getRunDays(db, r0.runId!);
    expect(days.dates).toEqual(prices.dates.slice(100));
    expect(days.value).toEqual(Array.from(r0.sim!.value));
    expect(days.ret[0]).toBeCloseTo(-0.002, 15); // initial purchase: 100 % from cash at 0.2 %
    // run_weights = target weights with cash last, bit for bit
    const w = getRunWeightSeries(db, r0.runId!);
    expect(w.length).toBe(60);
    w.forEach((x, k) => expect(Array.from(x.weights)).toEqual(Array.from(r0.sim!.target[k]!)));
    // metrics incl. the extra figures
    const m = getRunMetrics(db, r0.runId!);
    expect(m.sharpe).toBe(r0.metrics!.sharpe);
    expect(m.finalValue).toBe(r0.sim!.value[59]);
    expect(Object.keys(m)).toEqual(
      expect.arrayContaining(['cumulativeReturn', 'sortino', 'maxDrawdownDays', 'var95', 'ewDistance', 'costTotal']),
    );
  });

  it('agents, details, groupings and rebound flags are stored; weights at a date come with the previous decision', async () => {
    const db = freshDb();
    const [r] = await runBacktest(
      db,
      { universe: 'test-u', strategies: ['test-hier'], from: prices.dates[150], lookback: 10 },
      { prices },
    );
    const id = r!.runId!;
    const at = getRunWeightsAt(db, id, prices.dates[150])!;
    expect(Object.keys(at.agents).sort()).toEqual(['final', 'lower1', 'upper']);
    expect(Array.from(at.agents.final!)).toEqual([0.8, 0, 0, 0, 0, expect.closeTo(0.2, 15)]);
    expect(Array.from(at.agents.upper!)).toEqual([0.2, 0.2, 0.2, 0.2, 0.2, 0]);
    expect(at.previous).toBeNull();
    expect(at.detail).toMatchObject({ family: 'samp', capital: { c1: 0, c2: 0.8, cash: 0.2 } });
    // groupings: a timeline row on the first day and on each change: days 150 (first), 152, 156 (t/4 changes)
    const g = db.prepare(`SELECT date, grouping FROM groupings WHERE run_id = ? ORDER BY date`).all(id) as {
      date: string;
      grouping: string;
    }[];
    expect(g.map((x) => x.date)).toEqual([prices.dates[150], prices.dates[152], prices.dates[156]]);
    const second = { high: [prices.tickers[38 % 5]], ordinary: [], groupingDate: prices.dates[152], degenerate: false };
    expect(JSON.parse(g[1]!.grouping)).toEqual(second);
    // the grouping in force at a day without a row is the last one before it
    expect(getRunWeightsAt(db, id, prices.dates[155])!.grouping).toEqual(second);
    const flags = db.prepare(`SELECT date, grp FROM rebound_flags WHERE run_id = ? ORDER BY date, grp`).all(id) as {
      date: string;
      grp: string;
    }[];
    const flagDays = [...Array(10).keys()].filter((k) => (150 + k) % 3 === 0).map((k) => prices.dates[150 + k]);
    expect(flags).toEqual(
      flagDays.flatMap((d) => [
        { date: d, grp: 'high' },
        { date: d, grp: 'ordinary' },
      ]),
    );
    const last = getRunWeightsAt(db, id)!; // default: the last date
    expect(last.date).toBe(prices.dates[159]);
    expect(last.previous!.date).toBe(prices.dates[158]);
  });

  it('the SAMP-HDRL detail (groups, rebound.flagsToday) fills the groupings and rebound_flags tables', async () => {
    const flag = testReboundFlag('market', 157, prices.dates[157]!);
    const samp: StrategyDef = {
      ...seeded,
      id: 'test-samp-detail',
      create: () => ({
        decide: (v) => ({
          weights: new Float64Array(v.nAssets).fill(1 / v.nAssets),
          detail: testSampDetail({
            groups: {
              high: v.t < 155 ? ['A'] : ['B'],
              ordinary: ['C'],
              groupingDate: prices.dates[v.t < 155 ? 150 : 155]!,
              degenerate: false,
            },
            rebound: { ...testSampDetail().rebound, flagsToday: v.t === 157 ? [flag] : [] },
          }),
        }),
      }),
    };
    const off = registerStrategy(samp);
    try {
      const db = freshDb();
      const [r] = await runBacktest(
        db,
        { universe: 'test-u', strategies: ['test-samp-detail'], from: prices.dates[150] },
        { prices },
      );
      const g = db.prepare(`SELECT date FROM groupings WHERE run_id = ? ORDER BY date`).all(r!.runId) as {
        date: string;
      }[];
      expect(g.map((x) => x.date)).toEqual([prices.dates[150], prices.dates[155]]);
      const f = db.prepare(`SELECT date, grp, detail FROM rebound_flags WHERE run_id = ?`).all(r!.runId) as {
        date: string;
        grp: string;
        detail: string;
      }[];
      expect(f).toEqual([{ date: prices.dates[157], grp: 'market', detail: JSON.stringify(flag) }]);
    } finally {
      off();
    }
  });

  it('a failing strategy fails its own run only, with the error kept', async () => {
    const db = freshDb();
    const res = await runBacktest(
      db,
      { universe: 'test-u', strategies: ['test-failing', 'test-seeded'], from: prices.dates[150] },
      { prices },
    );
    expect(res.map((r) => r.status)).toEqual(['failed', 'complete']);
    const bad = getRun(db, res[0]!.runId!)!;
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/strategy "test-failing" returned invalid weights/);
    expect(getRunDays(db, bad.id).dates).toEqual([]); // nothing partial
  });

  it('cancel: the current run is stored as cancelled with no rows, and the backtest stops', async () => {
    const db = freshDb();
    const ac = new AbortController();
    const slow: StrategyDef = {
      ...seeded,
      id: 'test-abort',
      create: (ctx) => {
        const inner = seeded.create(ctx) as { decide: (v: never) => Float64Array };
        return { decide: (v) => (v.t === 155 && ac.abort(), inner.decide(v as never)) };
      },
    };
    const off = registerStrategy(slow);
    try {
      await expect(
        runBacktest(
          db,
          { universe: 'test-u', strategies: ['test-abort', 'test-seeded'], from: prices.dates[150] },
          { prices, signal: ac.signal },
        ),
      ).rejects.toBeInstanceOf(JobCancelled);
    } finally {
      off();
    }
    const runs = listRuns(db);
    expect(runs.map((r) => [r.strategy, r.status])).toEqual([['test-abort', 'cancelled']]);
    expect((db.prepare(`SELECT COUNT(*) AS c FROM run_days`).get() as { c: number }).c).toBe(0);
  });

  it('hindsight strategies get the relatives of days testStart+1..testEnd in ctx.future', async () => {
    seenFuture = null;
    await runBacktest(
      null,
      { universe: 'x', strategies: ['test-hindsight'], from: prices.dates[140], to: prices.dates[149] },
      { prices, store: false },
    );
    expect(seenFuture).toEqual({ length: 9, first: prices.close[141]![0]! / prices.close[140]![0]!, ok: true });
  });

  it('rejects bad requests before any run starts', async () => {
    const db = freshDb();
    await expect(runBacktest(db, { universe: 'test-u', strategies: ['nope'] }, { prices })).rejects.toThrow(
      /unknown strategy "nope"/,
    );
    await expect(
      runBacktest(
        db,
        { universe: 'test-u', strategies: ['test-seeded'], params: { 'test-seeded': { concentration: 99 } } },
        { prices },
      ),
    ).rejects.toThrow(/<= 10/);
    await expect(
      runBacktest(
        db,
        { universe: 'test-u', strategies: ['test-seeded'], params: { 'test-seeded': { bogus: 1 } } },
        { prices },
      ),
    ).rejects.toThrow(/unknown parameter/);
    await expect(
      runBacktest(db, { universe: 'test-u', strategies: ['test-seeded'], rebalance: 'monthly' }, { prices }),
    ).rejects.toThrow(/rebalance/);
    await expect(runBacktest(db, { universe: 'no-such-universe', strategies: ['test-seeded'] })).rejects.toThrow(
      /unknown universe "no-such-universe"/,
    );
    await expect(runBacktest(db, { universe: 'test-u', strategies: ['test-seeded'] })).rejects.toThrow(
      /fewer than 2 dates/,
    ); // no members, no bars
    expect(listRuns(db)).toEqual([]);
  });

  it('delete removes the run and everything under it', async () => {
    const db = freshDb();
    const [r] = await runBacktest(
      db,
      { universe: 'test-u', strategies: ['test-hier'], from: prices.dates[150] },
      { prices },
    );
    expect(deleteRun(db, r!.runId!)).toBe(true);
    for (const t of ['run_weights', 'run_days', 'run_metrics', 'run_details', 'groupings', 'rebound_flags'])
      expect((db.prepare(`SELECT COUNT(*) AS c FROM ${t}`).get() as { c: number }).c).toBe(0);
    expect(deleteRun(db, r!.runId!)).toBe(false);
  });
});

describe('close-to-equal-weight flag', () => {
  it('mean daily L1 distance from 1/n (cash counted)', () => {
    const rows = [Float64Array.from([0.5, 0.5, 0]), Float64Array.from([1, 0, 0]), Float64Array.from([0.25, 0.25, 0.5])];
    // distances 0; |1-0.5| + |0-0.5| = 1; |0.25-0.5| x 2 + cash 0.5 = 1 -> mean 2/3
    expect(meanDistanceFromEqualWeight(rows, 2)).toBeCloseTo(2 / 3, 15);
  });
  it('flags a near-1/n policy, not a concentrated one, nor a rotation that only averages to 1/n', async () => {
    const near: StrategyDef = {
      ...seeded,
      id: 'test-near-ew',
      create: () => ({
        decide: (v) => Float64Array.from({ length: v.nAssets }, (_, i) => (i === 0 ? 0.22 : 0.78 / 4)),
      }),
    };
    const rotate: StrategyDef = {
      ...seeded,
      id: 'test-rotate',
      create: () => ({
        decide: (v) => Float64Array.from({ length: v.nAssets }, (_, i) => (i === v.t % v.nAssets ? 1 : 0)),
      }),
    };
    const offs = [registerStrategy(near), registerStrategy(rotate)];
    try {
      const res = await runBacktest(
        null,
        { universe: 'x', strategies: ['test-near-ew', 'test-hier', 'test-rotate'], from: prices.dates[100] },
        { prices, store: false },
      );
      // near: |0.22-0.2| + 4 x |0.195-0.2| = 0.04 < 0.1
      expect(res[0]!.ewDistance).toBeCloseTo(0.04, 12);
      expect(res[0]!.flags).toContain(FLAG_CLOSE_TO_EW);
      expect(res[1]!.flags).not.toContain(FLAG_CLOSE_TO_EW);
      // rotation: 0.8 + 4 x 0.2 = 1.6 every day, though its average weights are exactly 1/n over 5-day cycles
      expect(res[2]!.ewDistance).toBeCloseTo(1.6, 12);
      expect(res[2]!.flags).not.toContain(FLAG_CLOSE_TO_EW);
    } finally {
      offs.forEach((f) => f());
    }
  });
});

describe('reproducibility: same seed and config give identical weights', () => {
  const weightsOf = (db: DB, r: BacktestRunResult) =>
    getRunWeightSeries(db, r.runId!).map((x) => Buffer.from(x.weights.buffer).toString('hex'));
  it('seeded test strategy: identical across two backtests, different across seeds', async () => {
    const db = freshDb();
    const req = { universe: 'test-u', strategies: ['test-seeded'], from: prices.dates[120], seeds: 2, seedFirst: 3 };
    const a = await runBacktest(db, req, { prices });
    const b = await runBacktest(db, req, { prices });
    expect(weightsOf(db, a[0]!)).toEqual(weightsOf(db, b[0]!));
    expect(weightsOf(db, a[1]!)).toEqual(weightsOf(db, b[1]!));
    expect(weightsOf(db, a[0]!)).not.toEqual(weightsOf(db, a[1]!));
    expect(Array.from(a[0]!.sim!.value)).toEqual(Array.from(b[0]!.sim!.value));
  });
  it('every registered non-learning strategy (hindsight included) is reproducible on 140 days x 5 assets', async () => {
    const all = (await listStrategies()).filter((s) => s.family !== 'learning' && !s.id.startsWith('test-'));
    const small = djiaSubset(140, 5, 500);
    const run = () =>
      runBacktest(
        null,
        { universe: 'x', strategies: all.map((s) => s.id), from: small.dates[80], lookback: 80, seedFirst: 11 },
        { prices: small, store: false },
      );
    const a = await run();
    const b = await run();
    for (let i = 0; i < a.length; i++) {
      expect(a[i]!.status, `${a[i]!.strategy}: ${a[i]!.error}`).toBe('complete');
      expect(
        a[i]!.sim!.target.map((w) => Array.from(w)),
        a[i]!.strategy,
      ).toEqual(b[i]!.sim!.target.map((w) => Array.from(w)));
    }
  });

  it('every registered learning strategy (smallest preset, one episode) is reproducible on 200 days x 5 assets', async () => {
    const learners = (await listStrategies()).filter((s) => s.family === 'learning' && !s.id.startsWith('test-'));
    const small = djiaSubset(200, 5, 700);
    const params = Object.fromEntries(learners.map((s) => [s.id, quickCheckParams(s)]));
    const run = () =>
      runBacktest(
        null,
        {
          universe: 'x',
          strategies: learners.map((s) => s.id),
          from: small.dates[150],
          lookback: 150,
          seedFirst: 4,
          params,
        },
        { prices: small, store: false },
      );
    const a = await run();
    const b = await run();
    for (let i = 0; i < a.length; i++) {
      expect(a[i]!.status, `${a[i]!.strategy}: ${a[i]!.error}`).toBe('complete');
      expect(
        a[i]!.sim!.target.map((w) => Array.from(w)),
        a[i]!.strategy,
      ).toEqual(b[i]!.sim!.target.map((w) => Array.from(w)));
    }
  }, 300_000); // trains every learned strategy twice: a minute on two free cores, more when they are shared
});

describe('protocol windows through runBacktest', () => {
  it('samp on a 4-year synthetic matrix runs one window per test year (train-truncated flagged)', async () => {
    const rng = seedrandom('p');
    const m = matrixFromRelatives(
      Array.from({ length: 1100 }, () => [1 + 0.02 * (rng() - 0.5), 1 + 0.02 * (rng() - 0.5)]),
    );
    // matrixFromRelatives uses calendar days from 2020-01-01: 1101 days = 2020-01-01 .. 2023-01-05
    const res = await runBacktest(
      null,
      { universe: 'x', strategies: ['test-seeded'], protocol: 'samp' },
      { prices: m, store: false },
    );
    expect(res.map((r) => r.window.label)).toEqual(['2020', '2021', '2022']);
    expect(res[0]!.window.from).toBe('2020-01-01');
    expect(res[0]!.window.trainFrom).toBeNull();
    expect(res[0]!.flags).toContain('train-truncated');
    expect(res[2]!.window).toMatchObject({
      from: '2022-01-01',
      to: '2022-12-31',
      trainFrom: '2020-01-01',
      trainTo: '2021-12-31',
    });
  });
});

describe('a killed backtest leaves only a running row, which markOrphanedRuns turns into killed', () => {
  it('SIGKILL while the second run decides', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-kill-'));
    const dbPath = path.join(dir, 'k.db');
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'fixtures', 'kill-child.ts'), dbPath],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never got stuck: ${out} ${err}`)), 30_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('STUCK')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => (clearTimeout(timer), reject(new Error(`child exited early: ${out} ${err}`))));
    });
    const db = openDatabase(dbPath);
    const before = listRuns(db).map((r) => [r.strategy, r.status]);
    expect(before.sort()).toEqual([
      ['test-kill-ok', 'complete'],
      ['test-kill-stuck', 'running'],
    ]);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    const { markOrphanedRuns } = await import('../../src-main/store/runs');
    const killed = markOrphanedRuns(db);
    const stuck = listRuns(db).find((r) => r.strategy === 'test-kill-stuck')!;
    expect(killed).toEqual([stuck.id]);
    expect(stuck.status).toBe('killed');
    for (const t of ['run_weights', 'run_days', 'run_metrics'])
      expect((db.prepare(`SELECT COUNT(*) AS c FROM ${t} WHERE run_id = ?`).get(stuck.id) as { c: number }).c).toBe(0);
    const ok = listRuns(db).find((r) => r.strategy === 'test-kill-ok')!;
    expect(getRunDays(db, ok.id).dates.length).toBe(30);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
