/**
 * A book on a learned model: a tiny SAMP-HDRL trained by a stored backtest run (window December 1999, trained on
 * the 90 trading days before it) decides through ONNX Runtime without retraining. The model is holdings-aware (it
 * reads the weights it holds), so a book decides as the run did only when it holds what the run held: a book whose
 * positions are the run's holdings before its decision of 1999-12-31 (the weights of 1999-12-30 drifted to that
 * close) takes the run's targets of that day, and a new, all-cash book takes what the model decides from cash.
 * The book warns with the model's verdict against equal weight in that evaluation, and is flagged stale, with the
 * request that retrains it, once the data date is further from its training end than the book allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { getRunWeightsAt } from '../../src-main/store/runs';
import { loadModelArtifacts } from '../../src-main/store/models';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { MarketView } from '../../src-main/market/view';
import { driftWeights } from '../../src-main/agents/samp/trading';
import { loadSampPolicy, setSampModelStore } from '../../src-main/strategies/samp';
import { BacktestStartRequest } from '../../src-shared/contract/runs';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';
import { getBook } from '../../src-main/store/books';
import { staleModelWarning } from '../../src-main/books/decide';
import { cutEngine, djiaDates } from './helpers';

let e: Awaited<ReturnType<typeof cutEngine>>;
let runId: string;

/** Same length, and every entry within `tol`. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number) {
  expect(actual.length).toBe(expected.length);
  const off = Array.from(actual, (a, i) => Math.abs(a - expected[i]!)).filter((d) => !(d <= tol));
  expect(off, `entries further apart than ${tol}`).toEqual([]);
}

beforeAll(async () => {
  e = await cutEngine('1999-12-31');
  const results = await runBacktest(e.db, {
    universe: 'djia30',
    strategies: ['crp', 'samp-hdrl'],
    from: '1999-12-01',
    to: '1999-12-31',
    lookback: 90,
    params: { 'samp-hdrl': { overrides: TINY_OVERRIDES, regroupEvery: 30 } },
  });
  expect(results.map((r) => r.status)).toEqual(['complete', 'complete']);
  runId = results[1]!.runId!;
}, 300_000);
afterAll(() => {
  setSampModelStore(null);
  e.close();
});

describe('books: a learned model', () => {
  it("decides through the run's stored model, with its verdict, and flags it stale past the book's setting", async () => {
    const b = await e.call('books.create', {
      name: 'deep',
      universe: 'djia30',
      value: 2e6,
      strategy: { kind: 'model', runId },
      settings: { staleModelDays: 40 },
    });
    expect(b.strategy).toMatchObject({ kind: 'model', id: 'samp-hdrl', modelRunId: runId, trainedTo: '1999-11-30' });

    const d = await e.call('books.today', { name: 'deep' });
    expect(d.date).toBe('1999-12-31');
    expect((d.detail as { model: { key: string } }).model.key).toBe(d.modelKey);

    // a new book is all cash: it takes what the model decides holding nothing, asked directly
    const m = loadPriceMatrix(e.db, 'djia30');
    const t = m.dates.length - 1;
    expect(m.dates[t]).toBe('1999-12-31');
    const policy = await loadSampPolicy((await loadModelArtifacts(e.db, d.modelKey!))!);
    try {
      expectClose(d.target.weights, policy.instance().decide(new MarketView(m, t)).weights, 1e-9);
    } finally {
      await policy.dispose();
    }

    // a book that holds what the run held before its decision of 1999-12-31 (its weights of 1999-12-30, drifted
    // with the prices to that close) takes the run's targets of that day
    const stored = getRunWeightsAt(e.db, runId, '1999-12-31')!;
    expect(stored.previous?.date).toBe('1999-12-30');
    const ratio = Float64Array.from(m.close[t]!, (c, i) => c / m.close[t - 1]![i]!);
    const held = driftWeights(stored.previous!.weights.subarray(0, 30), ratio);
    await e.call('books.create', {
      name: 'like-the-run',
      universe: 'djia30',
      value: 2e6,
      strategy: { kind: 'model', runId },
    });
    await e.call('books.setPositions', {
      name: 'like-the-run',
      unit: 'weights',
      entries: m.tickers.map((ticker, i) => ({ ticker, amount: held[i]! })),
    });
    const asRun = await e.call('books.today', { name: 'like-the-run' });
    expect(asRun.date).toBe('1999-12-31');
    expectClose(asRun.current.weights, held, 1e-12);
    expectClose(asRun.target.weights, stored.agents.final!.subarray(0, 30), 1e-9);
    // what it holds matters: from cash the same model on the same day decides otherwise
    expect(Math.max(...asRun.target.weights.map((w, i) => Math.abs(w - d.target.weights[i]!)))).toBeGreaterThan(1e-3);
    // in December 1999 this model beat crp on both Sharpe and cumulative return: no verdict warning
    const fig = (s: string, k: string) =>
      (
        e.db
          .prepare(
            'SELECT m.value FROM run_metrics m JOIN runs r ON r.id = m.run_id WHERE r.strategy = ? AND m.name = ?',
          )
          .get(s, k) as { value: number }
      ).value;
    expect(fig('samp-hdrl', 'sharpe')).toBeGreaterThan(fig('crp', 'sharpe'));
    expect(fig('samp-hdrl', 'cumulativeReturn')).toBeGreaterThan(fig('crp', 'cumulativeReturn'));
    expect(d.warnings.map((w) => w.code)).toEqual(['turnover']);
    // had equal weight done better in that evaluation, the decision would say so
    e.db
      .prepare(
        `UPDATE run_metrics SET value = 9 WHERE name = 'sharpe' AND run_id IN (SELECT id FROM runs WHERE strategy = 'crp')`,
      )
      .run();
    const worse = await e.call('books.today', { name: 'deep', refresh: true });
    expect(worse.warnings.find((w) => w.code === 'verdict')?.message).toMatch(
      /the model does not beat equal weight in its evaluation \(1999-12-01 – 1999-12-31\): Sharpe \d\.\d\d vs 9\.00/,
    );
    expect(worse.target.weights).toEqual(d.target.weights);
    // and without an equal-weight run it cannot be compared
    e.db.prepare(`DELETE FROM runs WHERE strategy = 'crp'`).run();
    const alone = await e.call('books.today', { name: 'deep', refresh: true });
    expect(alone.warnings.find((w) => w.code === 'verdict')?.message).toMatch(
      /has no equal-weight run to compare with/,
    );
    expect(d.warnings.some((w) => w.code === 'stale-model')).toBe(false); // 31 days <= 40
    await e.call('books.answer', { name: 'deep', action: 'approve', note: 'first' });

    // 2000-01-10 is 41 days after the training end
    for (const day of djiaDates('1999-12-31', '2000-01-10')) await e.append(day);
    const later = await e.call('books.today', { name: 'deep' });
    expect(later.date).toBe('2000-01-10');
    const stale = later.warnings.find((w) => w.code === 'stale-model')!;
    expect(stale.message).toMatch(/trained on data up to 1999-11-30, 41 days before 2000-01-10 \(the book allows 40\)/);
    // the tiny test config is longer than a desk request may carry: the warning says how to retrain instead
    expect(stale.retrain).toBeUndefined();
    expect(stale.message).toMatch(/use hdrl backtest with the same --param values/);
    // a model of ordinary parameters gets the one action: the backtest request the desk starts as it is (runs.start)
    const book = getBook(e.db, 'deep')!;
    const plain = staleModelWarning(
      e.db,
      { ...book, modelRun: null },
      {
        target: new Float64Array(31),
        detail: null,
        modelKey: book.modelKey,
        trainedTo: '1999-11-30',
        train: { days: 90, seed: 1 },
      },
      '2000-01-10',
    )!;
    expect(BacktestStartRequest.parse(plain.retrain)).toEqual({
      universe: 'djia30',
      strategies: ['samp-hdrl'],
      from: '2000-01-10',
      to: '2000-01-10',
      lookback: 90,
      seeds: 1,
      seedFirst: 1,
      params: { 'samp-hdrl': {} },
    });

    // raising the setting clears the flag on a recomputed decision
    await e.call('books.update', { name: 'deep', settings: { staleModelDays: 60 } });
    const again = await e.call('books.today', { name: 'deep', refresh: true });
    expect(again.warnings.some((w) => w.code === 'stale-model')).toBe(false);
    expect(again.target.weights).toEqual(later.target.weights);
  });
});
