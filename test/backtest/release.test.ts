/**
 * Strategy instances release what they hold, and MPLS's news reach it through the run's context:
 * - usingInstance (market/decision.ts): dispose after use, on success and on failure, without hiding either error;
 * - the backtest (backtest/run.ts) and a book's classic proposal (books/decide.ts) dispose every instance they
 *   created, whether the run completed, failed or was cancelled (a test strategy that counts);
 * - the ONNX Runtime sessions every learned family opens (its policies; MPLS's volatility and graph modules too) are
 *   all released after a run that completed, failed or was cancelled, on the smallest settings of each: counted by
 *   wrapping the two places sessions open and close (compute/onnx/runtime.ts OnnxModel, compute/train/session.ts
 *   TrainSession); and a create cancelled after it opened some (MPLS while fitting its graph module, three-level
 *   while training Level 2) releases them itself;
 * - each backtest reads its own database's news (two engines at once in one process), and a universe the database
 *   does not hold reads as no news: MPLS then runs with the sentiment module off, saying why, instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DecisionDetail, mplsDetail } from '../../src-shared/domain/decision';
import type { SentimentInput } from '../../src-main/agents/mpls/sentiment';
import { runNews } from '../../src-main/backtest/models';
import { runBacktest, type BacktestRequest, type BacktestRunResult } from '../../src-main/backtest/run';
import { propose } from '../../src-main/books/decide';
import { OnnxModel } from '../../src-main/compute/onnx/runtime';
import { TrainSession } from '../../src-main/compute/train/session';
import { runNewsImport } from '../../src-main/data/news';
import { JobCancelled } from '../../src-main/jobs/context';
import { usingInstance, type StrategyInstance } from '../../src-main/market/decision';
import type { PriceMatrix } from '../../src-main/market/prices';
import type { BookRow } from '../../src-main/store/books';
import { registerStrategy, quickCheckParams, getStrategy } from '../../src-main/strategies/registry';
import type { StrategyContext, StrategyDef } from '../../src-main/strategies/types';
import { djiaSubset } from '../helpers/data';
import { tempDir, tempEngine } from '../helpers/engine';

type Engine = ReturnType<typeof tempEngine>;

describe('usingInstance', () => {
  const instance = (events: string[], disposeError?: Error): StrategyInstance => ({
    decide: () => new Float64Array(1),
    dispose: async () => {
      events.push('dispose');
      if (disposeError) throw disposeError;
    },
  });

  it('gives what the use gave, then disposes', async () => {
    const events: string[] = [];
    const r = await usingInstance(instance(events), () => (events.push('use'), 42));
    expect(r).toBe(42);
    expect(events).toEqual(['use', 'dispose']);
  });

  it('disposes when the use throws, and the use error is the one that propagates', async () => {
    const events: string[] = [];
    await expect(
      usingInstance(instance(events, new Error('release failed')), () => {
        throw new Error('decide failed');
      }),
    ).rejects.toThrow('decide failed');
    expect(events).toEqual(['dispose']);
  });

  it('fails a use that succeeded when the release fails (a leak is never silent)', async () => {
    await expect(usingInstance(instance([], new Error('release failed')), () => 1)).rejects.toThrow('release failed');
  });

  it('takes instances without dispose', async () => {
    await expect(usingInstance({ decide: () => new Float64Array(1) }, () => 'ok')).resolves.toBe('ok');
  });
});

/** 300 DJIA days of 6 stocks in two sectors, a universe no database holds. */
function sectorPrices(): PriceMatrix {
  const m = djiaSubset(300, 6, 1200);
  return {
    ...m,
    assets: m.tickers.map((t, i) => ({ ticker: t, name: t, class: 'Equity', sector: i < 3 ? 'First' : 'Second' })),
  };
}

/** Train on days 0..149, test days 150..229: more than 64 test days, so the simulation reports progress mid-way. */
function windowOf(m: PriceMatrix): Pick<BacktestRequest, 'from' | 'to' | 'lookback'> {
  return { from: m.dates[150]!, to: m.dates[229]!, lookback: 150 };
}

describe('every instance a run creates is disposed of', () => {
  const events: string[] = [];
  let failOn = -1;
  const counting: StrategyDef = {
    id: 'test-counting-release',
    label: 'counts its decisions and its release (test only)',
    description: 'test-only: equal weight, recording every decide and dispose',
    family: 'classic',
    hindsight: false,
    params: [],
    create: () => ({
      decide(view) {
        events.push(`decide ${view.t}`);
        if (view.t === failOn) throw new Error(`refused to decide on day ${view.t}`);
        return new Float64Array(view.nAssets).fill(1 / view.nAssets);
      },
      dispose() {
        events.push('dispose');
      },
    }),
  };
  const m = sectorPrices();
  let unregister: () => void;
  beforeAll(() => (unregister = registerStrategy(counting)));
  afterAll(() => unregister());
  afterEach(() => {
    events.length = 0;
    failOn = -1;
  });
  const req = { universe: m.universe, strategies: [counting.id], ...windowOf(m) };

  it('after a completed run, once, after its last decision', async () => {
    const [r] = await runBacktest(null, req, { prices: m, store: false });
    expect(r!.status).toBe('complete');
    expect(events.filter((e) => e === 'dispose')).toHaveLength(1);
    expect(events.at(-1)).toBe('dispose');
    expect(events.at(-2)).toBe('decide 229');
  });

  it('after a run whose strategy failed', async () => {
    failOn = 160;
    const [r] = await runBacktest(null, req, { prices: m, store: false });
    expect(r!.status).toBe('failed');
    expect(r!.error).toMatch(/refused to decide on day 160/);
    expect(events.slice(-2)).toEqual(['decide 160', 'dispose']);
  });

  it('after a cancelled run', async () => {
    const ac = new AbortController();
    await expect(
      runBacktest(null, req, {
        prices: m,
        store: false,
        signal: ac.signal,
        progress: (_f, msg) => {
          if (/simulating/.test(msg)) ac.abort();
        },
      }),
    ).rejects.toThrow(JobCancelled);
    expect(events.at(-1)).toBe('dispose');
    expect(events.filter((e) => e === 'dispose')).toHaveLength(1);
  });

  it("after a book's proposal", async () => {
    const engine = tempEngine();
    try {
      const book = { strategy: counting.id, params: {}, openingDate: m.dates[200]!, modelKey: null } as BookRow;
      const p = await propose(engine.db, book, m);
      expect(p.target).toHaveLength(m.tickers.length + 1);
      expect(events.at(-1)).toBe('dispose');
      expect(events.filter((e) => e === 'dispose')).toHaveLength(1);
    } finally {
      engine.close();
    }
  });
});

/**
 * Every ONNX Runtime session open right now (training's and decisions'): the two classes that open them are wrapped
 * so that each open adds the session and each dispose removes it.
 */
interface Sessions {
  live: Set<object>;
  opened: () => number;
  /** called after each inference session (an OnnxModel: a policy) opens */
  onModel?: () => void;
  restore: () => void;
}
function trackSessions(): Sessions {
  const live = new Set<object>();
  let opened = 0;
  const create = OnnxModel.create.bind(OnnxModel);
  const modelDispose = OnnxModel.prototype.dispose;
  const open = TrainSession.open.bind(TrainSession);
  const sessionDispose = TrainSession.prototype.dispose;
  const spies = [
    vi.spyOn(OnnxModel, 'create').mockImplementation(async (bytes) => {
      const model = await create(bytes);
      live.add(model);
      opened++;
      tracked.onModel?.();
      return model;
    }),
    vi.spyOn(OnnxModel.prototype, 'dispose').mockImplementation(function (this: OnnxModel) {
      live.delete(this);
      return modelDispose.call(this);
    }),
    vi.spyOn(TrainSession, 'open').mockImplementation((...args) => {
      const s = open(...args);
      live.add(s);
      opened++;
      return s;
    }),
    vi.spyOn(TrainSession.prototype, 'dispose').mockImplementation(function (this: TrainSession) {
      live.delete(this);
      sessionDispose.call(this);
    }),
  ];
  const tracked: Sessions = { live, opened: () => opened, restore: () => spies.forEach((s) => s.mockRestore()) };
  return tracked;
}

/** One id of every learned family that decides through ONNX Runtime. */
const LEARNED = ['samp-hdrl', 'ddpg-flat', 'eiie', 'ppn', 'mlp-lhs', 'maps', 'hadaps', 'three-level', 'mpls'];

describe.each(LEARNED)('the ONNX Runtime sessions of %s', (id) => {
  const m = sectorPrices();
  let engine: Engine;
  let sessions: Sessions;
  let req: BacktestRequest;
  beforeAll(async () => {
    engine = tempEngine();
    sessions = trackSessions();
    const def = await getStrategy(id);
    req = { universe: m.universe, strategies: [id], ...windowOf(m), params: { [id]: quickCheckParams(def) } };
  });
  afterAll(() => {
    sessions?.restore();
    engine?.close();
  });

  it('are all released after a completed run (training and decisions)', async () => {
    const [r] = await runBacktest(engine.db, req, { prices: m, store: false });
    expect(r!.status, r!.error).toBe('complete');
    expect(sessions.opened()).toBeGreaterThan(0);
    expect(sessions.live.size).toBe(0);
  }, 600_000);

  it('are all released after a failed run (the model reused, only the decisions open sessions)', async () => {
    const before = sessions.opened();
    const [r] = await runBacktest(engine.db, req, {
      prices: m,
      store: false,
      progress: (_f, msg) => {
        if (/simulating/.test(msg)) throw new Error('the simulation broke');
      },
    });
    expect(r!.status).toBe('failed');
    expect(r!.error).toMatch(/the simulation broke/);
    expect(sessions.opened()).toBeGreaterThan(before);
    expect(sessions.live.size).toBe(0);
  }, 300_000);

  it('are all released after a cancelled run', async () => {
    const before = sessions.opened();
    const ac = new AbortController();
    await expect(
      runBacktest(engine.db, req, {
        prices: m,
        store: false,
        signal: ac.signal,
        progress: (_f, msg) => {
          if (/simulating/.test(msg)) ac.abort();
        },
      }),
    ).rejects.toThrow(JobCancelled);
    expect(sessions.opened()).toBeGreaterThan(before);
    expect(sessions.live.size).toBe(0);
  }, 300_000);
});

describe('a create cancelled after it opened sessions releases them itself', () => {
  const m = sectorPrices();
  let engine: Engine;
  let sessions: Sessions;
  beforeAll(() => {
    engine = tempEngine();
    sessions = trackSessions();
  });
  afterAll(() => {
    sessions?.restore();
    engine?.close();
  });
  afterEach(() => delete sessions.onModel);

  /** Run `id` with a seed no other test trains (so its models are trained here), cancelled by `cancel`. */
  async function cancelled(id: string, cancel: (ac: AbortController, progress: string) => void): Promise<void> {
    const def = await getStrategy(id);
    const ac = new AbortController();
    const req = { universe: m.universe, strategies: [id], ...windowOf(m), seedFirst: 91 };
    await expect(
      runBacktest(
        engine.db,
        { ...req, params: { [id]: quickCheckParams(def) } },
        { prices: m, store: false, signal: ac.signal, progress: (_f, msg) => cancel(ac, msg) },
      ),
    ).rejects.toThrow(JobCancelled);
  }

  it('mpls, cancelled while fitting its graph module (the volatility module fitted before it)', async () => {
    const before = sessions.opened();
    await cancelled('mpls', (ac, msg) => {
      if (/fitting the graph module/.test(msg)) ac.abort();
    });
    expect(sessions.opened()).toBeGreaterThan(before);
    expect(sessions.live.size).toBe(0);
  }, 300_000);

  it('three-level, cancelled as soon as its execution policy opened (before Level 2 trains with it)', async () => {
    const before = sessions.opened();
    let ac: AbortController | undefined;
    sessions.onModel = () => ac?.abort();
    await cancelled('three-level', (c) => (ac = c));
    expect(sessions.opened()).toBeGreaterThan(before);
    expect(sessions.live.size).toBe(0);
  }, 300_000);
});

describe('the news a run reads come through its context, from its own database', () => {
  const seen = new Map<string, (SentimentInput | null)[]>();
  const reader: StrategyDef = {
    id: 'test-news-reader',
    label: 'reads the news of its run (test only)',
    description: 'test-only: equal weight, recording the news its context gives',
    family: 'classic',
    hindsight: false,
    params: [{ name: 'engine', description: 'which engine ran it', default: 'a', choices: ['a', 'b'] }],
    create: (ctx: StrategyContext) => {
      const list = seen.get(String(ctx.params.engine)) ?? [];
      seen.set(String(ctx.params.engine), list);
      list.push(ctx.news ? ctx.news() : null);
      return { decide: (view) => new Float64Array(view.nAssets).fill(1 / view.nAssets) };
    },
  };
  let a: Engine;
  let b: Engine;
  let unregister: () => void;
  beforeAll(async () => {
    unregister = registerStrategy(reader);
    a = tempEngine();
    b = tempEngine();
    const file = path.join(tempDir(), 'news.csv');
    fs.writeFileSync(
      file,
      'date,ticker,source,text,positive,neutral,negative\n' +
        '1999-03-01,IBM,news,IBM beats,0.8,0.1,0.1\n' +
        '1999-03-02,MSFT,news,MSFT misses,0.1,0.1,0.8\n' +
        '1999-03-03,IBM,news,IBM unscored,,,\n',
    );
    const imp = await runNewsImport(a.db, file, 'djia30');
    if (!imp.result) throw new Error(`the news import failed: ${JSON.stringify(imp.preview)}`);
  }, 120_000);
  afterAll(() => {
    unregister?.();
    a?.close();
    b?.close();
  });

  it('two engines in one process, running at once, each read their own', async () => {
    const run = (e: Engine, name: string) =>
      runBacktest(e.db, {
        universe: 'djia30',
        strategies: [reader.id],
        protocol: 'samp',
        params: { [reader.id]: { engine: name } },
      });
    const [ra, rb] = await Promise.all([run(a, 'a'), run(b, 'b')]);
    expect([...ra, ...rb].every((r) => r.status === 'complete')).toBe(true);
    const na = seen.get('a')!;
    const nb = seen.get('b')!;
    expect(na).toHaveLength(ra.length);
    expect(nb).toHaveLength(rb.length);
    for (const n of na) expect(n).toMatchObject({ universe: 'djia30', total: 3, unscored: 1 });
    for (const n of na) expect(n!.items.map((i) => i.ticker)).toEqual(['IBM', 'MSFT']);
    for (const n of nb) expect(n).toEqual({ universe: 'djia30', total: 0, unscored: 0, items: [] });
  }, 120_000);

  it('a universe the database does not hold reads as no news, not as an error', () => {
    expect(runNews(a.db, 'nowhere')()).toEqual({ universe: 'nowhere', total: 0, unscored: 0, items: [] });
  });

  it('a run without a database is given no news', async () => {
    const m = sectorPrices();
    await runBacktest(
      null,
      { universe: m.universe, strategies: [reader.id], ...windowOf(m), params: { [reader.id]: { engine: 'b' } } },
      { prices: m, store: false },
    );
    expect(seen.get('b')!.at(-1)).toBeNull();
  });
});

describe('mpls over prices of a universe the database does not hold', () => {
  let engine: Engine;
  beforeAll(() => (engine = tempEngine()));
  afterAll(() => engine?.close());

  const sentimentReason = (r: BacktestRunResult | undefined) => {
    expect(r!.status, r!.error).toBe('complete');
    const detail = mplsDetail(DecisionDetail.parse(r!.sim!.details!.at(-1)));
    return detail!.modules.find((x) => x.name === 'sentiment')!;
  };

  it('runs with the sentiment module off: no news imported', async () => {
    const m = sectorPrices();
    const def = await getStrategy('mpls/sentiment-only');
    const [r] = await runBacktest(
      engine.db,
      {
        universe: m.universe,
        strategies: [def.id],
        ...windowOf(m),
        params: { [def.id]: quickCheckParams(def) },
      },
      { prices: m, store: false },
    );
    const s = sentimentReason(r);
    expect(s.on).toBe(false);
    expect(s.reason).toMatch(/^no news imported for djia30-subset/);
  }, 600_000);
});
