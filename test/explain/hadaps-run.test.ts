/**
 * Explanations of a real stored HADAPS run (the bundled DJIA data, a sector scenario of ten stocks in two classes,
 * quick preset, one episode), through explain/runExplain.ts and the explain.get channel: the decision reopened from
 * the model file reproduces what the strategy recorded (class weights and the weights inside each class), the
 * strategy's daily rule replayed from cash reproduces the run's stored weights (the background's held weights come
 * from that replay), every layer's attributions add up, the served explanation meets the contract and its words and
 * class split match the stored book, and a run whose model file is gone is refused with a clear message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { explainRun } from '../../src-main/explain/runExplain';
import { HELD_PLAYER } from '../../src-main/explain/hadaps';
import { dispatch } from '../../src-main/services';
import { fileHadapsModelStore, modelsDir } from '../../src-main/store/models';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { getRun, getRunWeightSeries, getRunWeightsAt } from '../../src-main/store/runs';
import { restrictPrices } from '../../src-main/market/scenarios';
import { HadapsPolicy } from '../../src-main/agents/hadaps/policy';
import { layoutOf } from '../../src-main/strategies/hadaps';
import { hadapsExplainable, replayHadaps } from '../../src-main/strategies/hadaps/explainable';
import { RunExplanation } from '../../src-shared/contract/explain';
import { decisionModel, hadapsDetail } from '../../src-shared/domain/decision';
import { tempEngine } from '../helpers/engine';

let engine: ReturnType<typeof tempEngine>;
let runId = '';

beforeAll(async () => {
  engine = tempEngine();
  const [r] = await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ['hadaps'],
    from: '2000-06-01',
    to: '2000-06-30',
    lookback: 340,
    scenario: 'volatile-sectors',
    params: { hadaps: { preset: 'quick', episodes: 1 } },
  });
  if (r?.status !== 'complete') throw new Error(`the HADAPS run did not complete: ${JSON.stringify(r?.error)}`);
  runId = r.runId!;
}, 300_000);
afterAll(() => engine?.close());

describe('a stored HADAPS decision reopened for explanation', () => {
  it('gives back the class weights and the weights inside each class the decision recorded', async () => {
    const at = getRunWeightsAt(engine.db, runId)!;
    const d = hadapsDetail(at.detail)!;
    const ex = await hadapsExplainable(engine.db, runId, at.date);
    try {
      expect(ex.tickers).toEqual(getRun(engine.db, runId)!.config.tickers);
      expect(ex.tickers.length).toBeLessThan(30);
      expect(ex.classNames).toEqual(d.classes.map((c) => c.name));
      const out = ex.evaluate([ex.x]);
      d.classes.forEach((c, ci) => {
        expect(out.classes[0]![ci]).toBeCloseTo(c.weight, 6);
        c.tickers.forEach((t, j) => {
          const i = ex.tickers.indexOf(t);
          expect(out.weights[0]![i]! / out.classes[0]![ci]!).toBeCloseTo(c.intra[j]!, 6);
        });
      });
      // the weights held: the previous stored decision drifted to this close
      expect(ex.held.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.5);
      expect(ex.background.length).toBeGreaterThan(1);
      expect(ex.backgroundDates.every((t) => t <= decisionModel(at.detail)!.trainedTo)).toBe(true);
    } finally {
      await ex.close();
    }
  });

  it("replays the strategy's daily rule from cash to the run's stored weights", async () => {
    const run = getRun(engine.db, runId)!;
    const key = decisionModel(getRunWeightsAt(engine.db, runId)!.detail)!.key;
    const m = (await fileHadapsModelStore(modelsDir(engine.db)!).get(key))!;
    const prices = restrictPrices(loadPriceMatrix(engine.db, run.universe), m.tickers);
    const stored = getRunWeightSeries(engine.db, runId);
    const from = prices.dates.indexOf(stored[0]!.date);
    const to = prices.dates.indexOf(stored[stored.length - 1]!.date);
    const n = m.tickers.length;
    const policy = await HadapsPolicy.open(m.onnx, { n, layout: layoutOf(m, m.tickers), cfg: m.cfg });
    try {
      const replay = replayHadaps(policy, (t) => prices.close[t]!, from, to, m.cfg, m.norm);
      expect(replay).toHaveLength(stored.length);
      replay.forEach((r, k) => r.weights.forEach((w, i) => expect(w).toBeCloseTo(stored[k]!.weights[i]!, 12)));
    } finally {
      await policy.dispose();
    }
  });
});

describe('explainRun on a HADAPS run', () => {
  it(
    'explains every layer apart; the attributions add up and land on the recorded weights',
    { timeout: 120_000 },
    async () => {
      const at = getRunWeightsAt(engine.db, runId)!;
      const d = hadapsDetail(at.detail)!;
      const r = await explainRun(engine.db, runId, at.date, { nSamples: 128 });
      expect(r.agents).toEqual([]);
      const h = r.hadaps!;
      const risky = d.classes.filter((c) => c.tickers.length > 1);
      // the inter-class layer and each intra-class layer, each per asset and per time block
      expect(h.layers.map((l) => `${l.layer}:${l.className ?? ''}:${l.players}`)).toEqual([
        'inter::assets',
        'inter::time blocks',
        ...risky.flatMap((c) => [`intra:${c.name}:assets`, `intra:${c.name}:time blocks`]),
      ]);
      for (const l of h.layers)
        for (const o of l.outputs) {
          expect(o.efficiencyGap).toBeLessThan(1e-6);
          expect(Math.abs(o.values.reduce((s, v) => s + v.value, 0) - (o.fx - o.baseValue))).toBeLessThan(1e-6);
        }
      const inter = h.layers[0]!;
      expect(inter.outputs.map((o) => o.output)).toEqual(d.classes.map((c) => c.name));
      inter.outputs.forEach((o, c) => expect(o.fx).toBeCloseTo(d.classes[c]!.weight, 6));
      expect(inter.outputs[0]!.values.map((v) => v.player)).toEqual([
        ...getRun(engine.db, runId)!.config.tickers,
        HELD_PLAYER,
      ]);
      for (const c of risky) {
        const intra = h.layers.find((l) => l.className === c.name && l.players === 'assets')!;
        expect(intra.outputs.map((o) => o.output)).toEqual(c.tickers);
        intra.outputs.forEach((o, j) => expect(o.fx).toBeCloseTo(c.intra[j]!, 6));
        expect(intra.outputs[0]!.values.map((v) => v.player)).toEqual([...c.tickers, HELD_PLAYER]);
      }
    },
  );

  it(
    "is served by explain.get in the contract's shape: words on the largest holding, the book split into classes",
    { timeout: 120_000 },
    async () => {
      const at = getRunWeightsAt(engine.db, runId)!;
      const d = hadapsDetail(at.detail)!;
      const tickers = getRun(engine.db, runId)!.config.tickers;
      const res = await dispatch(engine, 'explain.get', { runId, date: at.date });
      if (!res.ok) throw new Error(res.error.message);
      const e = RunExplanation.parse(res.value);
      expect(e.hadaps?.layers.length).toBeGreaterThan(0);
      const final = at.agents.final!;
      const top =
        tickers[Array.from(final.subarray(0, tickers.length)).indexOf(Math.max(...final.subarray(0, tickers.length)))]!;
      expect(e.subject).toBe(top);
      const cls = d.classes.find((c) => c.tickers.includes(top))!;
      expect(e.words.asset[0]).toMatch(new RegExp(`^${top}'s \\d+\\.\\d% is ${cls.name}'?s? \\d+\\.\\d% of the book`));
      expect(e.words.portfolio[0]).toMatch(/^The book is /);
      expect(e.words.asset.join(' ')).not.toMatch(/SHAP|efficiency|NaN|undefined/);
      // the class split: each risky class's part is its class weight; with the band and the cash, the whole book
      expect(e.portfolio.agents.filter((g) => g.agent !== 'no-trade band').map((g) => g.agent)).toEqual(
        d.classes.filter((c) => c.tickers.length > 0).map((c) => c.name),
      );
      for (const a of e.portfolio.assets)
        expect(a.parts.reduce((s, p) => s + p.contribution, 0)).toBeCloseTo(final[tickers.indexOf(a.ticker)]!, 12);
      expect(e.portfolio.agents.reduce((s, g) => s + g.share, 0) + e.portfolio.cash).toBeCloseTo(1, 9);

      // the PM asks about an asset of the other class: the words then start with it
      const other = d.classes.find((c) => c.tickers.length > 0 && !c.tickers.includes(top))!.tickers[0]!;
      await explainRun(engine.db, runId, at.date, { nSamples: 128, ticker: other }, { recompute: true });
      const again = await dispatch(engine, 'explain.get', { runId, date: at.date });
      if (!again.ok) throw new Error(again.error.message);
      expect((again.value as RunExplanation).words.asset[0]).toMatch(new RegExp(`^${other}'s`));
    },
  );

  it('refuses a run whose model file is gone, saying so', { timeout: 60_000 }, async () => {
    const at = getRunWeightsAt(engine.db, runId)!;
    const key = decisionModel(at.detail)!.key;
    const file = path.join(modelsDir(engine.db)!, `hadaps-${key}.json`);
    fs.renameSync(file, `${file}.away`);
    try {
      await expect(explainRun(engine.db, runId, at.date, { nSamples: 128 }, { recompute: true })).rejects.toThrow(
        `the model of run ${runId} is no longer stored next to the database (key ${key.slice(0, 12)})`,
      );
    } finally {
      fs.renameSync(`${file}.away`, file);
    }
  });
});
