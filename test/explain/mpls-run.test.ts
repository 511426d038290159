/**
 * Explanations of a real stored MPLS run (issue 19; the bundled DJIA data, quick preset, no news so the sentiment
 * module is off and says why), through explain/mpls.ts, explain/runExplain.ts, the explain.get channel, `hdrl explain`
 * and the allocation report: the decision reopened from the model file gives back what the strategy recorded (module
 * weights, sector weights, weights inside every sector), the strategy's daily rule replayed from cash gives the run's
 * stored weights (the background's held weights come from that replay), every agent's attributions add up to its
 * output minus the typical value, the served explanation meets the contract and its words and sector split match the
 * stored book, the run's fusion summary is its decisions' weights, the report carries the MPLS section, and a run
 * whose model file is gone is refused with a clear message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src-main/cli';
import {
  EMBEDDINGS_PLAYER,
  FUSED_PLAYER,
  HELD_INSIDE_PLAYER,
  openMplsDecision,
  proposalPlayer,
  featuresPlayer,
  replayMpls,
  returnsPlayer,
  SECTORS_HELD_PLAYER,
} from '../../src-main/explain/mpls';
import { explainRun } from '../../src-main/explain/runExplain';
import { buildAllocationReport } from '../../src-main/reports';
import { renderAllocationHtml } from '../../src-main/reports/render/html';
import { renderAllocationPdf } from '../../src-main/reports/render/pdf';
import { dispatch } from '../../src-main/services';
import { fileMplsModelStore, modelsDir } from '../../src-main/store/models';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { getRun, getRunDetails, getRunWeightSeries, getRunWeightsAt } from '../../src-main/store/runs';
import { MplsStates } from '../../src-main/agents/mpls/env';
import { MplsPolicy } from '../../src-main/agents/mpls/policy';
import { layoutOf } from '../../src-main/strategies/hadaps';
import { conservativeRule, rebuildModules, shapeOf } from '../../src-main/strategies/mpls';
import { RunExplanation } from '../../src-shared/contract/explain';
import { decisionModel, MPLS_MODULES, mplsDetail } from '../../src-shared/domain/decision';
import { tempEngine } from '../helpers/engine';
import { MPLS_JUNE_2000, storeRuns } from '../helpers/runs';

let engine: ReturnType<typeof tempEngine>;
let runId = '';
let crpId = '';

beforeAll(async () => {
  engine = tempEngine();
  const ids = await storeRuns(engine, MPLS_JUNE_2000);
  runId = ids['mpls']!;
  crpId = ids['crp']!;
}, 600_000);
afterAll(() => engine?.close());

describe('a stored MPLS decision reopened for explanation', () => {
  it('gives back the module weights, the sector weights and the weights inside each sector it recorded', async () => {
    const at = getRunWeightsAt(engine.db, runId)!;
    const d = mplsDetail(at.detail)!;
    const ex = await openMplsDecision(engine.db, runId, at.date);
    try {
      expect(ex.tickers).toEqual(getRun(engine.db, runId)!.config.tickers);
      expect(ex.agents.map((a) => `${a.agent}:${a.sector ?? ''}`)).toEqual([
        'fusion:',
        'high:',
        ...d.sectors.filter((s) => s.tickers.length > 1).map((s) => `low:${s.name}`),
      ]);
      const [fusion, high, ...low] = ex.agents;
      // the modules on: volatility and graph (no news: sentiment off)
      expect(fusion!.outputs).toEqual(['volatility', 'graph']);
      fusion!
        .evaluate([fusion!.x])[0]!
        .forEach((w, k) => expect(w).toBeCloseTo(d.modules.find((m) => m.name === fusion!.outputs[k])!.weight, 6));
      high!.evaluate([high!.x])[0]!.forEach((w, c) => expect(w).toBeCloseTo(d.sectors[c]!.weight, 6));
      for (const l of low) {
        const s = d.sectors.find((x) => x.name === l.sector)!;
        expect(l.outputs).toEqual(s.tickers);
        l.evaluate([l.x])[0]!.forEach((w, k) => expect(w).toBeCloseTo(s.intra[k]!, 6));
      }
      for (const a of ex.agents) expect(a.background.length).toBeGreaterThan(1);
      expect(ex.backgroundDates.every((t) => t <= decisionModel(at.detail)!.trainedTo)).toBe(true);
    } finally {
      await ex.close();
    }
  });

  it("replays the strategy's daily rule from cash to the run's stored weights", async () => {
    const run = getRun(engine.db, runId)!;
    const key = decisionModel(getRunWeightsAt(engine.db, runId)!.detail)!.key;
    const m = (await fileMplsModelStore(modelsDir(engine.db)!).get(key))!;
    const prices = loadPriceMatrix(engine.db, run.universe);
    const stored = getRunWeightSeries(engine.db, runId);
    const from = prices.dates.indexOf(stored[0]!.date);
    const to = prices.dates.indexOf(stored[stored.length - 1]!.date);
    const layout = layoutOf(m, m.tickers);
    const mods = rebuildModules(m, prices, layout, null);
    const sh = shapeOf(m.cfg, layout, m.modules, mods.on);
    const closes = (t: number) => prices.close[t]!;
    const policy = await MplsPolicy.open(m.onnx, sh);
    try {
      const states = new MplsStates(sh, closes, mods.on, m.cfg);
      const rule = conservativeRule(m.cfg, mods.vol, m.modules.volatility);
      const replay = replayMpls(states, policy.agents(), rule, closes, from, to, m.cfg);
      expect(replay).toHaveLength(stored.length);
      replay.forEach((r, k) => r.weights.forEach((w, i) => expect(w).toBeCloseTo(stored[k]!.weights[i]!, 12)));
    } finally {
      await policy.dispose();
      for (const mod of Object.values(mods.on)) (mod as { dispose?: () => void }).dispose?.();
    }
  });
});

describe('explainRun on an MPLS run', () => {
  it(
    'explains every agent apart; the attributions add up and land on the recorded weights',
    { timeout: 180_000 },
    async () => {
      const at = getRunWeightsAt(engine.db, runId)!;
      const d = mplsDetail(at.detail)!;
      const r = await explainRun(engine.db, runId, at.date, { nSamples: 128 });
      expect(r.agents).toEqual([]);
      const e = r.mpls!;
      expect(e.reproduced).toBe(true);
      expect(e.variant).toBe('mpls');
      expect(e.backgroundDates.length).toBeGreaterThan(1);
      // efficiency: each output's attributions sum to the output minus its typical value
      for (const a of [e.fusion!, e.high, ...e.low])
        for (const o of a.outputs) {
          expect(o.efficiencyGap).toBeLessThan(1e-9);
          expect(Math.abs(o.values.reduce((s, v) => s + v.value, 0) - (o.fx - o.baseValue))).toBeLessThan(1e-9);
        }
      // the players: what each agent reads
      expect(e.fusion!.outputs[0]!.values.map((v) => v.player)).toEqual([
        proposalPlayer('volatility'),
        proposalPlayer('graph'),
        featuresPlayer('volatility'),
        featuresPlayer('graph'),
        SECTORS_HELD_PLAYER,
      ]);
      expect(e.high.outputs.map((o) => o.output)).toEqual(d.sectors.map((s) => s.name));
      expect(e.high.outputs[0]!.values.map((v) => v.player)).toEqual([
        FUSED_PLAYER,
        ...d.sectors.map((s) => returnsPlayer(s.name)),
        SECTORS_HELD_PLAYER,
      ]);
      for (const l of e.low) {
        const s = d.sectors.find((x) => x.name === l.sector)!;
        expect(l.outputs[0]!.values.map((v) => v.player)).toEqual([
          ...s.tickers,
          EMBEDDINGS_PLAYER,
          HELD_INSIDE_PLAYER,
        ]);
      }
      // the figures the decision recorded
      expect(e.modules.map((m) => [m.name, m.on, m.weight])).toEqual(d.modules.map((m) => [m.name, m.on, m.weight]));
      expect(e.modules.find((m) => m.name === 'sentiment')!.reason).toMatch(/no news imported for djia30/);
      expect(e.conservative).toMatchObject({
        uncertainty: d.volatility!.uncertainty,
        threshold: d.volatility!.threshold,
        fired: d.volatility!.conservative,
      });
      expect(e.sectors.map((s) => s.fused)).toEqual(d.fused);
      // the words: no method names, no broken numbers, each agent said
      const words = [...e.words.fusion, ...e.words.high, ...e.words.low].join(' ');
      expect(words).not.toMatch(/SHAP|efficiency|NaN|undefined|Infinity/);
      expect(e.words.fusion[0]).toMatch(
        /^The fusion agent weighs the (volatility|graph) module \d+\.\d%.*; the sentiment module is off \(no news imported for djia30/,
      );
      expect(words).toContain("The volatility module's own proposal puts the most in ");
      expect(words).toMatch(/the volatility forecast's uncertainty \(\d\.\d{3}\) was (not )?above its threshold/i);
      expect(e.words.high[0]).toMatch(/^The high-level agent (departs from|keeps) the fused allocation/);
      expect(e.words.low[0]).toMatch(/^Inside .+ \(\d+\.\d% of the book\) the low-level agent gives /);
    },
  );

  it('summarises the fusion weights over the run from its decisions', async () => {
    const r = await explainRun(engine.db, runId, undefined, { nSamples: 128 });
    const days = getRunDetails(engine.db, runId).map((x) => mplsDetail(x.detail)!);
    const run = r.mpls!.run;
    expect(run.dates).toHaveLength(days.length);
    MPLS_MODULES.forEach((name, k) => {
      const m = run.modules[k]!;
      expect(m.name).toBe(name);
      expect(m.weights).toEqual(days.map((d) => d.modules.find((x) => x.name === name)!.weight));
      expect(m.mean).toBeCloseTo(m.weights.reduce((a, b) => a + b, 0) / days.length, 12);
    });
    const led = (name: string) =>
      days.filter((d) => {
        const on = d.modules.filter((x) => x.on);
        return on.reduce((a, b) => (b.weight > a.weight ? b : a)).name === name;
      }).length / days.length;
    for (const m of run.modules) expect(m.led).toBeCloseTo(m.on ? led(m.name) : 0, 12);
    expect(run.modules.reduce((a, m) => a + m.led, 0)).toBeCloseTo(1, 12);
    expect(run.conservative).toBeCloseTo(days.filter((d) => d.volatility!.conservative).length / days.length, 12);
    expect(r.mpls!.words.fusion.join(' ')).toContain(`Over the run's ${days.length} decisions`);
  });

  it(
    "is served by explain.get in the contract's shape: words on the largest holding, the book split into sectors",
    { timeout: 180_000 },
    async () => {
      const at = getRunWeightsAt(engine.db, runId)!;
      const d = mplsDetail(at.detail)!;
      const tickers = getRun(engine.db, runId)!.config.tickers;
      await explainRun(engine.db, runId, at.date, { nSamples: 128 });
      const res = await dispatch(engine, 'explain.get', { runId, date: at.date });
      if (!res.ok) throw new Error(res.error.message);
      const e = RunExplanation.parse(res.value);
      expect(e.mpls?.high.outputs.length).toBe(d.sectors.length);
      const final = at.agents.final!;
      const risky = Array.from(final.subarray(0, tickers.length));
      const top = tickers[risky.indexOf(Math.max(...risky))]!;
      expect(e.subject).toBe(top);
      const sector = d.sectors.find((s) => s.tickers.includes(top))!;
      expect(e.words.asset[0]).toMatch(
        new RegExp(`^${top}'s \\d+\\.\\d% is ${sector.name}'?s? \\d+\\.\\d% of the book`),
      );
      expect(e.words.asset.join(' ')).toMatch(/The high-level agent gives .+ in the fused allocation/);
      expect(e.words.portfolio[0]).toBe(e.mpls!.words.fusion[0]);
      expect(e.words.asset.join(' ')).not.toMatch(/SHAP|efficiency|NaN|undefined/);
      // the sector split: each sector's part is its weight; with the band and the cash, the whole book
      expect(e.portfolio.agents.filter((g) => g.agent !== 'no-trade band').map((g) => g.agent)).toEqual(
        d.sectors.map((s) => s.name),
      );
      for (const a of e.portfolio.assets)
        expect(a.parts.reduce((s, p) => s + p.contribution, 0)).toBeCloseTo(final[tickers.indexOf(a.ticker)]!, 12);
      expect(e.portfolio.agents.reduce((s, g) => s + g.share, 0) + e.portfolio.cash).toBeCloseTo(1, 9);
    },
  );

  it('prints each agent in plain text with `hdrl explain`', { timeout: 180_000 }, async () => {
    const at = getRunWeightsAt(engine.db, runId)!;
    let text = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((x) => ((text += String(x)), true));
    try {
      expect(await main(['--db', engine.dbPath, 'explain', '--run', runId, '--date', at.date, '--top', '3'])).toBe(0);
    } finally {
      o.mockRestore();
    }
    expect(text).toMatch(/Kernel SHAP on each agent apart, against the mean of \d+ training days/);
    for (const h of ['Fusion agent:', 'High-level agent:', 'Low-level agents:']) expect(text).toContain(`\n${h}\n`);
    expect(text).toMatch(/\nfusion: module weight of volatility \d+\.\d\d% \(typical \d+\.\d\d%\) \(exact\)/);
    expect(text).toMatch(/\nhigh: sector weight of \S+/);
    expect(text).toMatch(/\nlow \(.+\): weight inside of [A-Z]+ /);
    expect(text).not.toContain('note: the agents re-run');
  });

  it('puts the modules, their fusion weights and the fused and final sectors in the allocation report', async () => {
    const at = getRunWeightsAt(engine.db, runId)!;
    const d = mplsDetail(at.detail)!;
    const data = await buildAllocationReport(engine.db, runId);
    const mp = data.mpls!;
    expect(mp.modules.map((m) => [m.name, m.on, m.weight])).toEqual(d.modules.map((m) => [m.name, m.on, m.weight]));
    expect(mp.modules.find((m) => m.name === 'sentiment')!.reason).toMatch(/no news imported/);
    expect(mp.sectors).toEqual(d.sectors.map((s, k) => ({ name: s.name, fused: d.fused[k], weight: s.weight })));
    expect(mp.days).toBe(getRunDetails(engine.db, runId).length);
    expect(mp.conservative).toMatch(/^uncertainty \d\.\d{3} against a threshold of \d\.\d{3}: /);
    const html = renderAllocationHtml(data);
    expect(html).toContain('data-section="mpls"');
    expect(html).toContain('<h3>MPLS modules and sectors</h3>');
    const pdf = await renderAllocationPdf(data);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await buildAllocationReport(engine.db, crpId)).mpls).toBeUndefined();
  });

  it('refuses a run whose model file is gone, saying so', { timeout: 60_000 }, async () => {
    const at = getRunWeightsAt(engine.db, runId)!;
    const key = decisionModel(at.detail)!.key;
    const file = path.join(modelsDir(engine.db)!, `mpls-${key}.json`);
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
