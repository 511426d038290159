/**
 * A month of the PM's daily loop on a learned model: a tiny SAMP-HDRL trained by a stored backtest run whose
 * training ends 1999-12-31 (test window 2000-01-03, the 90 trading days before it), deployed as a book on the
 * bundled DJIA data cut at 2000-01-03 and fed one January 2000 day at a time through the import: decide, approve /
 * adjust / reject, next day. Checked:
 * - every decision is the model's answer from the book's drifted holdings (the previous approved target drifted
 *   with the prices since), and is stored unadjusted beside its answer;
 * - the realised track record equals a backtest (market/simulate.ts) of the approved weights to 1e-12, and the
 *   proposed one a backtest of the proposals;
 * - the stale-model flag stays off through January with the default setting and is raised once the book's
 *   setting is below the days since the training end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { simulate } from '../../src-main/market/simulate';
import { MarketView } from '../../src-main/market/view';
import { loadModelArtifacts } from '../../src-main/store/models';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { loadSampPolicy, setSampModelStore } from '../../src-main/strategies/samp';
import type { BookDecision } from '../../src-shared/contract/books';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';
import { cutEngine, djiaDates, drift, replay } from './helpers';

let e: Awaited<ReturnType<typeof cutEngine>>;
let runId: string;
const BOOK = 'learned';
const VALUE = 1_000_000;
const FIRST = '2000-01-03';
/** every trading day of January 2000 */
const month = [FIRST, ...djiaDates(FIRST, '2000-01-31')];
const REJECT = '2000-01-07';
const ADJUST = '2000-01-12';
/** the day the stale-model setting is lowered: 18 calendar days after the training end */
const STALE_DAY = '2000-01-18';
const DEFAULT_STALE_DAYS = 92;

/** Same length, and every entry within `tol`. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  expect(actual.length, what).toBe(expected.length);
  const off = Array.from(actual, (a, i) => Math.abs(a - expected[i]!)).filter((d) => !(d <= tol));
  expect(off, `${what}: entries further apart than ${tol}`).toEqual([]);
}

const both = (w: { weights: number[]; cash: number }) => Float64Array.from([...w.weights, w.cash]);
const staleFlag = (d: BookDecision) => d.warnings.find((w) => w.code === 'stale-model');

beforeAll(async () => {
  e = await cutEngine(FIRST);
  const results = await runBacktest(e.db, {
    universe: 'djia30',
    strategies: ['samp-hdrl'],
    from: FIRST,
    to: FIRST,
    lookback: 90,
    params: { 'samp-hdrl': { overrides: TINY_OVERRIDES, regroupEvery: 30 } },
  });
  expect(results.map((r) => r.status)).toEqual(['complete']);
  runId = results[0]!.runId!;
}, 300_000);
afterAll(() => {
  setSampModelStore(null);
  e.close();
});

describe('books: a month of the daily loop on a learned model', () => {
  it('runs January 2000 day by day from the drifted holdings; the track record equals simulate() to 1e-12', async () => {
    expect(month).toHaveLength(20);
    const b = await e.call('books.create', {
      name: BOOK,
      universe: 'djia30',
      value: VALUE,
      strategy: { kind: 'model', runId },
    });
    expect(b.openingDate).toBe(FIRST);
    expect(b.settings.staleModelDays).toBe(DEFAULT_STALE_DAYS);
    expect(b.strategy).toMatchObject({ kind: 'model', id: 'samp-hdrl', modelRunId: runId, trainedTo: '1999-12-31' });

    /** approved targets (n + cash) by date, as the answers stored them */
    const approved = new Map<string, Float64Array>();
    const decisions: BookDecision[] = [];
    // what the book holds after the previous close, drifted to today's close here (all cash before the first trade)
    let held: Float64Array | null = null;
    for (let k = 0; k < month.length; k++) {
      const date = month[k]!;
      if (k > 0) await e.append(date);
      const m = loadPriceMatrix(e.db, 'djia30');
      const t = m.dates.length - 1;
      expect(m.dates[t]).toBe(date);
      if (held) held = drift(held, new MarketView(m, t).relatives());

      if (date === STALE_DAY) {
        // 18 days since the training end: a setting of 18 allows it, 17 does not
        await e.call('books.update', { name: BOOK, settings: { staleModelDays: 18 } });
        const allowed = await e.call('books.today', { name: BOOK });
        expect(staleFlag(allowed)).toBeUndefined();
        await e.call('books.update', { name: BOOK, settings: { staleModelDays: 17 } });
        const flagged = await e.call('books.today', { name: BOOK, refresh: true });
        expect(staleFlag(flagged)?.message).toMatch(
          /trained on data up to 1999-12-31, 18 days before 2000-01-18 \(the book allows 17\): retrain it on the 90 trading days before 2000-01-18/,
        );
        // the flag warns; the model decides the same
        expect(flagged.target).toEqual(allowed.target);
        await e.call('books.update', { name: BOOK, settings: { staleModelDays: DEFAULT_STALE_DAYS } });
      }
      const d = await e.call('books.today', { name: BOOK, refresh: date === STALE_DAY });
      expect(d.date).toBe(date);
      expect(d.open).toBe(true);
      expect(d.modelKey).toBeTruthy();
      // with the default setting a model trained to 1999-12-31 is not stale in January
      expect(staleFlag(d), date).toBeUndefined();
      // the decision saw what the book holds: the last approved target drifted with the prices since
      if (held) expectClose(both(d.current), held, 1e-12, `current weights on ${date}`);
      else expect(both(d.current)).toEqual(Float64Array.from([...new Array<number>(30).fill(0), 1]));
      decisions.push(d);

      if (date === REJECT) {
        const r = await e.call('books.answer', { name: BOOK, action: 'reject', note: 'skip a day' });
        expect(r.outcome).toMatchObject({ status: 'rejected', weights: null, cash: null });
        continue;
      }
      if (date === ADJUST) {
        // an edit that breaks a rule is refused and stores nothing
        const over = await e.refused('books.answer', {
          name: BOOK,
          action: 'approve',
          note: 'too much',
          edits: [
            { ticker: d.tickers[0]!, weight: 0.6 },
            { ticker: d.tickers[1]!, weight: 0.6 },
          ],
        });
        expect(over.message).toMatch(/more than 100%/);
        expect((await e.call('books.decision', { name: BOOK })).outcome).toBeNull();
        // trim the largest proposed weight halfway back to what the book holds: less trading than proposed
        const i = d.target.weights.indexOf(Math.max(...d.target.weights));
        const trimmed = (d.target.weights[i]! + d.current.weights[i]!) / 2;
        const a = await e.call('books.answer', {
          name: BOOK,
          action: 'approve',
          note: `trim ${d.tickers[i]}`,
          edits: [{ ticker: d.tickers[i]!, weight: trimmed }],
        });
        expect(a.outcome!.status).toBe('adjusted');
        const w = a.outcome!.weights!;
        expect(w[i]).toBe(trimmed);
        w.forEach((x, j) => j !== i && expect(x, d.tickers[j]).toBe(d.target.weights[j]));
        expect(a.outcome!.cash).toBeCloseTo(1 - w.reduce((s, x) => s + x, 0), 15);
        // the proposal stays as the model made it
        expect(a.target).toEqual(d.target);
        approved.set(date, Float64Array.from([...w, a.outcome!.cash!]));
        held = approved.get(date)!;
        continue;
      }
      const a = await e.call('books.answer', { name: BOOK, action: 'approve', note: `as proposed ${date}` });
      expect(a.outcome!.status).toBe('approved');
      expect(a.outcome!.weights).toEqual(d.target.weights);
      expect(a.outcome!.cash).toBe(d.target.cash);
      approved.set(date, both(d.target));
      held = approved.get(date)!;
    }

    // each stored decision is the model's unadjusted answer from the book's holdings, on the prices up to its date
    const artifacts = (await loadModelArtifacts(e.db, decisions[0]!.modelKey!))!;
    expect(artifacts.train.endDate).toBe('1999-12-31');
    const policy = await loadSampPolicy(artifacts);
    try {
      for (const d of decisions) {
        const stored = await e.call('books.decision', { name: BOOK, date: d.date });
        expect(stored.target).toEqual(d.target);
        expect(stored.current).toEqual(d.current);
        const m = loadPriceMatrix(e.db, 'djia30', { to: d.date });
        const own = policy.instance({ holdings: d.current.weights }).decide(new MarketView(m, m.dates.length - 1));
        expectClose(d.target.weights, own.weights, 1e-9, `the model's decision on ${d.date}`);
      }
    } finally {
      await policy.dispose();
    }

    const tr = await e.call('books.trackRecord', { name: BOOK });
    expect(tr.from).toBe(FIRST);
    expect(tr.answers).toEqual({ approved: month.length - 2, adjusted: 1, rejected: 1 });
    const m = loadPriceMatrix(e.db, 'djia30');
    const window = { testStart: m.dates.indexOf(FIRST), testEnd: m.dates.length - 1, settings: { cost: 0.001 } };
    const sim = simulate(m, replay(approved), { strategyId: 'approved', ...window });
    expect(tr.dates).toEqual(sim.dates);
    expect(tr.dates).toEqual(month);
    for (let k = 0; k < sim.dates.length; k++) {
      expect(Math.abs(tr.realised.values[k]! / VALUE - sim.value[k]!), sim.dates[k]).toBeLessThan(1e-12);
      expect(Math.abs(tr.realised.returns[k]! - sim.ret[k]!), sim.dates[k]).toBeLessThan(1e-12);
    }
    // the proposals, every one followed unadjusted (the rejected and adjusted days too), from the same cash
    const proposals = new Map(decisions.map((d) => [d.date, both(d.target)]));
    const simP = simulate(m, replay(proposals), { strategyId: 'proposed', ...window });
    for (let k = 0; k < simP.dates.length; k++)
      expect(Math.abs(tr.proposed.values[k]! / VALUE - simP.value[k]!), simP.dates[k]).toBeLessThan(1e-12);
    // the adjustment and the rejection made the realised record differ from the proposed one
    expect(Math.abs(tr.realised.values.at(-1)! - tr.proposed.values.at(-1)!)).toBeGreaterThan(1e-6);
  });
});
