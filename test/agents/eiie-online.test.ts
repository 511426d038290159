/**
 * EIIE's online learning in the test window (agents/eiie/online.ts) on its own: the memory growing by a row per
 * day and nothing else; the batches learned at the close of day t drawn from periods first..t - 1 only (the
 * sampler instrumented, and every read of a close checked against the day); the batch start stream and the
 * updated network a function of the seed; and the network read back from an exported policy being the one
 * exported.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { resolveEiieConfig } from '../../src-main/agents/eiie/config';
import { eiieFeatures, eiieSpecs } from '../../src-main/agents/eiie/network';
import { OnlineOsbl, type OnlineBatch } from '../../src-main/agents/eiie/online';
import { PortfolioVectorMemory } from '../../src-main/agents/eiie/osbl';
import { exportEiieOnnx } from '../../src-main/agents/eiie/policy';
import { readOnnxParams } from '../../src-main/compute/onnx/emitter';
import { initParams } from '../../src-main/compute/params';
import { OnnxEiie } from '../../src-main/compute/train/eiie';
import type { PriceMatrix } from '../../src-main/market/prices';
import { MarketView } from '../../src-main/market/view';

function market(days: number, assets: number, seed: string): PriceMatrix {
  const rng = seedrandom(seed);
  const close: Float64Array[] = [];
  let row = Float64Array.from({ length: assets }, () => 50 + 50 * rng());
  for (let d = 0; d < days; d++) {
    row = Float64Array.from(row, (v) => v * Math.exp(0.03 * (rng() - 0.5)));
    close.push(row);
  }
  const dates = Array.from({ length: days }, (_, d) => new Date(Date.UTC(2004, 0, 1 + d)).toISOString().slice(0, 10));
  return { universe: 'test', tickers: Array.from({ length: assets }, (_, i) => `A${i}`), dates, close };
}

const cfg = resolveEiieConfig('quick', { window: 10, batchSize: 8 });
const N = 3;
const FIRST = cfg.window - 1;

/** An online learner over `m` from the seed's initial network; `read` sees every day a window reads. */
function online(seed: number, steps: number, o: { onBatch?: (b: OnlineBatch) => void; read?: (d: number) => void }) {
  const learner = new OnnxEiie(cfg, N, { lr: 1e-2, weightDecay: cfg.weightDecay, costRate: cfg.costRate }, 1);
  const learning = new OnlineOsbl(learner, cfg, {
    seed,
    id: 'eiie',
    steps,
    first: FIRST,
    features: (rowAt, t) =>
      eiieFeatures(
        (d) => {
          o.read?.(d);
          return rowAt(d);
        },
        t,
        N,
        cfg.window,
      ),
    ...(o.onBatch ? { onBatch: o.onBatch } : {}),
  });
  return { learner, learning };
}

/** Decide and learn on days from..to; gives each day's portfolio (cash first). */
function run(learning: OnlineOsbl, m: PriceMatrix, from: number, to: number, onDay?: (t: number) => void) {
  const out: number[][] = [];
  let held: Float32Array = Float32Array.of(1, 0, 0, 0);
  for (let t = from; t <= to; t++) {
    onDay?.(t);
    const view = new MarketView(m, t);
    const w = learning.portfolio(view, held);
    out.push(Array.from(w));
    learning.learn(view, w);
    held = w;
  }
  return out;
}

describe('portfolio-vector memory growth', () => {
  it('extends by cash rows and keeps the rows it had; refuses to shrink', () => {
    const pvm = new PortfolioVectorMemory(5, 6, 2);
    pvm.write(5, Float32Array.of(0.2, 0.3, 0.5, 0.1, 0.6, 0.3), 2);
    pvm.extend(40);
    expect(pvm.last).toBe(40);
    expect(Array.from(pvm.row(6))).toEqual(Array.from(Float32Array.of(0.1, 0.6, 0.3)));
    expect(Array.from(pvm.row(5))).toEqual(Array.from(Float32Array.of(0.2, 0.3, 0.5)));
    for (const d of [4, 7, 23, 40]) expect(Array.from(pvm.row(d))).toEqual([1, 0, 0]);
    pvm.write(40, Float32Array.of(0, 0.5, 0.5), 1);
    expect(Array.from(pvm.row(40))).toEqual([0, 0.5, 0.5]);
    expect(() => pvm.row(41)).toThrow(/no row for day 41/);
    expect(() => pvm.extend(40)).toThrow(/extends past its last day 40/);
  });
});

describe('online learning', () => {
  it('learns at the close of day t from periods first..t - 1 only, and reads no close after t', () => {
    const m = market(140, N, 'causal');
    const batches: OnlineBatch[] = [];
    let today = -1;
    let latestRead = -1;
    const { learning } = online(7, 3, {
      onBatch: (b) => batches.push(b),
      read: (d) => (latestRead = Math.max(latestRead, d - today)),
    });
    try {
      run(learning, m, 60, 130, (t) => (today = t));
      expect(batches).toHaveLength(3 * 71);
      for (const b of batches) {
        expect(b.batch).toBe(cfg.batchSize);
        expect(b.start).toBeGreaterThanOrEqual(FIRST);
        // the batch's last period is start + batch - 1, whose next-day relative is the close of start + batch
        expect(b.start + b.batch).toBeLessThanOrEqual(b.day);
      }
      // the latest period known (t - 1) is drawn: the bound above is the tight one
      expect(batches.some((b) => b.start + b.batch === b.day)).toBe(true);
      // windows read the day itself at most
      expect(latestRead).toBe(0);
      expect(learning.steps).toBe(3 * 71);
    } finally {
      learning.dispose();
    }
  });

  it('keeps a row per day and nothing else grows; a day can be learned on once, in order', () => {
    const m = market(90, N, 'rows');
    const { learning } = online(1, 1, {});
    try {
      expect(learning.memoryDays).toBe(0);
      run(learning, m, 30, 50);
      // rows first - 1 .. 50
      expect(learning.memoryDays).toBe(50 - FIRST + 2);
      const view = new MarketView(m, 50);
      expect(() => learning.learn(view, Float32Array.of(1, 0, 0, 0))).toThrow(/went back to day 50 after day 50/);
      expect(() => learning.learn(new MarketView(m, 51), Float32Array.of(1, 0, 0))).toThrow(/3 weights decided/);
    } finally {
      learning.dispose();
    }
  });

  it('with few periods learns on smaller batches, and none before a period is known', () => {
    const m = market(40, N, 'few');
    const batches: OnlineBatch[] = [];
    const { learning } = online(1, 2, { onBatch: (b) => batches.push(b) });
    try {
      run(learning, m, FIRST, FIRST + 12);
      // day FIRST has no period yet; day FIRST + 1 has one (FIRST), which fixes the batch size at 1
      expect(batches[0]).toEqual({ start: FIRST, batch: 1, day: FIRST + 1 });
      for (const b of batches) expect(b.start + b.batch).toBeLessThanOrEqual(b.day);
      expect(learning.steps).toBe(2 * 12);
    } finally {
      learning.dispose();
    }
  });

  it('is a function of the seed: same seed, same portfolios; another seed, other batches', () => {
    const m = market(120, N, 'seed');
    const go = (seed: number) => {
      const starts: number[] = [];
      const { learner, learning } = online(seed, 2, { onBatch: (b) => starts.push(b.start) });
      try {
        const out = run(learning, m, 70, 110);
        return { out, starts, params: learner.vector() };
      } finally {
        learning.dispose();
      }
    };
    const a = go(4);
    const b = go(4);
    const c = go(5);
    expect(b.out).toEqual(a.out);
    expect(Array.from(b.params)).toEqual(Array.from(a.params));
    expect(c.starts).not.toEqual(a.starts);
    // and the steps changed the network: without them it decides otherwise
    const { learning } = online(4, 0, {});
    try {
      expect(run(learning, m, 70, 110)).not.toEqual(a.out);
    } finally {
      learning.dispose();
    }
  });

  it('reads back the parameters an exported policy holds, exactly', () => {
    const p = initParams(eiieSpecs(cfg), 3);
    const back = readOnnxParams(
      exportEiieOnnx(cfg, N, p),
      eiieSpecs(cfg).map((s) => s.name),
    );
    expect([...back.keys()]).toEqual([...p.keys()]);
    for (const [name, v] of p) {
      expect(back.get(name)!.shape).toEqual(v.shape);
      expect(Array.from(back.get(name)!.data)).toEqual(Array.from(v.data));
    }
    expect(() => readOnnxParams(exportEiieOnnx(cfg, N, p), ['eiie/none'])).toThrow(/no float32 initializer eiie\/none/);
  });
});
