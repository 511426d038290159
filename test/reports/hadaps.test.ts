/**
 * HADAPS in the reports, from real quick runs on the DJIA data (its classes are the universe's sectors; one training
 * episode to keep it short) at two action scales, beside equal weight, and from a HADAPS-shaped run written by hand
 * whose classes are not sectors (so grouping by class and by sector differ): the allocation report groups the target
 * weights by the run's classes and states what the inter-class layer decided; runs.classes gives the class
 * allocation over the window the detail recorded; the tear sheet draws each HADAPS run's class allocation and the
 * action scale's effect in HTML and PDF; and models.list lists the HADAPS model files with their training curves,
 * and EIIE and classifier files, whose records say less, with what their runs say.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src-main/cli';
import { runBacktest } from '../../src-main/backtest/run';
import { dispatch } from '../../src-main/services';
import { buildAllocationReport, buildBacktestReport } from '../../src-main/reports';
import {
  fileEiieModelStore,
  fileLhsModelStore,
  fileMapsModelStore,
  filePpnModelStore,
  modelsDir,
} from '../../src-main/store/models';
import { MAPS_PRESETS } from '../../src-main/agents/maps/config';
import { PPN_PRESETS } from '../../src-main/agents/ppn/config';
import { EIIE_PRESETS } from '../../src-main/agents/eiie/config';
import { LHS_PRESETS } from '../../src-main/agents/lhs/config';
import type { ClassAllocation, ModelsListResponse, ReportFile, RunWeights } from '../../src-shared/contract';
import { classWeightStd } from '../../src-shared/charts/classes';
import { hadapsDetail } from '../../src-shared/domain/decision';
import { tempEngine } from '../helpers/engine';
import { testRunConfig } from '../helpers/runData';
import { completeRun, insertRunningRun, newRunId } from '../../src-main/store/runs';
import { loadPriceMatrix } from '../../src-main/store/prices';
import type { HadapsDecisionDetailInput } from '../../src-shared/domain/decision';
import { readPdf } from './pdfText';

let engine: ReturnType<typeof tempEngine>;
let hadapsRun = '';
let betaRun = '';
let crpRun = '';
let handRun = '';
let w: RunWeights;
/** the hand-written run's classes: not sectors, Value kept before Growth although Growth weighs more */
const GROWTH = ['MSFT', 'INTC', 'IBM'];
const HAND_DATES = ['2000-06-01', '2000-06-02'];

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const r = await dispatch(engine, channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value as T;
}
const file = async (req: object) => Buffer.from((await call<ReportFile>('reports.export', req)).base64, 'base64');

beforeAll(async () => {
  engine = tempEngine();
  const res = await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ['hadaps', 'hadaps-beta/1', 'crp'],
    from: '2000-10-02',
    to: '2000-12-29',
    lookback: 500,
    params: {
      hadaps: { preset: 'quick', episodes: 1 },
      'hadaps-beta/1': { preset: 'quick', episodes: 1 },
    },
  });
  expect(res.map((r) => [r.strategy, r.status, r.error])).toEqual([
    ['hadaps', 'complete', undefined],
    ['hadaps-beta/1', 'complete', undefined],
    ['crp', 'complete', undefined],
  ]);
  [hadapsRun, betaRun, crpRun] = res.map((r) => r.runId!) as [string, string, string];
  w = await call<RunWeights>('runs.weights', { id: hadapsRun });

  const tickers = loadPriceMatrix(engine.db, 'djia30', { to: '2000-01-03' }).tickers;
  const value = tickers.filter((t) => !GROWTH.includes(t));
  const detail = (growth: number, cash: number): HadapsDecisionDetailInput => ({
    family: 'hadaps',
    variant: 'hadaps',
    basis: 'class',
    classes: [
      { name: 'Value', weight: 1 - growth - cash, tickers: value, intra: value.map(() => 1 / value.length) },
      { name: 'Growth', weight: growth, tickers: GROWTH, intra: [0.5, 0.3, 0.2] },
      { name: 'Cash', weight: cash, tickers: [], intra: [] },
    ],
    cash,
    actionScale: 3,
    concentration: { inter: 2.5, final: 12 },
  });
  const book = (growth: number, cash: number) =>
    Float64Array.from([
      ...tickers.map((t) =>
        GROWTH.includes(t) ? growth * [0.5, 0.3, 0.2][GROWTH.indexOf(t)]! : (1 - growth - cash) / value.length,
      ),
      cash,
    ]);
  handRun = newRunId();
  insertRunningRun(engine.db, {
    id: handRun,
    universe: 'djia30',
    strategy: 'hadaps',
    config: testRunConfig({ tickers, strategy: 'hadaps', params: { preset: 'quick' }, seed: 3 }),
    seed: 3,
    codeVersion: 'test',
    windowFrom: HAND_DATES[0]!,
    windowTo: HAND_DATES[1]!,
    hindsight: false,
  });
  completeRun(engine.db, handRun, {
    dates: HAND_DATES,
    value: [0.999, 1.002],
    ret: [-0.001, 1.002 / 0.999 - 1],
    turnover: [1, 0.1],
    cost: [0.001, 0.0001],
    weights: { final: [book(0.6, 0.1), book(0.5, 0.2)] },
    metrics: { cumulativeReturn: 0.002 },
    details: [detail(0.6, 0.1), detail(0.5, 0.2)],
    flags: [],
    timings: {},
  });
}, 600_000);
afterAll(() => engine?.close());

describe('the allocation report of a HADAPS run', () => {
  it("groups by the run's classes, not by sector, in the order the run keeps them", async () => {
    const data = await buildAllocationReport(engine.db, handRun);
    expect(data.header.date).toBe('2000-06-02');
    expect(data.groups.map((g) => g.name)).toEqual(['Value', 'Growth']);
    const growth = data.groups[1]!;
    expect(growth.rows.map((r) => r.ticker)).toEqual(GROWTH);
    expect(growth.total).toBeCloseTo(0.5, 12);
    expect(data.groups[0]!.total).toBeCloseTo(0.3, 12);
    expect(data.cashWeight).toBeCloseTo(0.2, 12);
    expect(data.classes).toEqual({
      basis: "classes from the universe's asset-class field",
      actionScale: 3,
      layer: [
        { name: 'Value', weight: expect.closeTo(0.3, 12) as unknown as number },
        { name: 'Growth', weight: 0.5 },
        { name: 'Cash', weight: 0.2 },
      ],
    });
    // the tear sheet's last weights are grouped the same way, and its class allocation is the recorded one
    const sheet = await buildBacktestReport(engine.db, [handRun]);
    expect(sheet.lastWeights![0]!.groups.map((g) => g.name)).toEqual(['Value', 'Growth']);
    expect(sheet.classes![0]!.allocation.classes.map((c) => [c.name, c.values])).toEqual([
      ['Value', [expect.closeTo(0.3, 12), expect.closeTo(0.3, 12)]],
      ['Growth', [0.6, 0.5]],
      ['Cash', [0.1, 0.2]],
    ]);
    expect(sheet.actionScale).toBeUndefined(); // one action scale: no effect to show
  });

  it("groups the target weights by the run's classes, in its order, and states the inter-class layer's weights", async () => {
    const d = hadapsDetail(w.detail)!;
    expect(d.basis).toBe('sector');
    const risky = d.classes.filter((c) => c.name !== 'Cash');
    const data = await buildAllocationReport(engine.db, hadapsRun);
    expect(data.groups.map((g) => g.name)).toEqual(risky.map((c) => c.name));
    for (const g of data.groups) {
      const c = risky.find((x) => x.name === g.name)!;
      expect(g.rows.map((r) => r.ticker).sort()).toEqual([...c.tickers].sort());
      const book = c.tickers.reduce((s, t) => s + w.final.weights[w.tickers.indexOf(t)]!, 0);
      expect(g.total).toBeCloseTo(book, 12);
    }
    expect(data.cashWeight).toBeCloseTo(w.final.cash, 12);
    expect(data.classes).toEqual({
      basis: "classes from the universe's sectors",
      actionScale: d.actionScale,
      layer: d.classes.map((c) => ({ name: c.name, weight: c.weight })),
    });
    // an equal-weight run keeps its sector groups and has no classes
    const ew = await buildAllocationReport(engine.db, crpRun);
    expect(ew.classes).toBeUndefined();
  });

  it('writes the class as the group of every CSV weight line, and the classes card in HTML', async () => {
    const d = hadapsDetail(w.detail)!;
    const rows = parse(
      (await file({ kind: 'allocation', runId: hadapsRun, format: 'csv', csvKind: 'weights' })).toString('utf8'),
      { columns: true },
    ) as Record<string, string>[];
    for (const t of w.tickers)
      expect(rows.find((r) => r.ticker === t)!.group, t).toBe(d.classes.find((c) => c.tickers.includes(t))!.name);
    const html = (await file({ kind: 'allocation', runId: hadapsRun, format: 'html' })).toString('utf8');
    expect(html).toContain('data-section="classes"');
    expect(html).toContain(`action scale \u03b2 = ${d.actionScale}`);
  });
});

describe('runs.classes', () => {
  it('gives the class weights every decision recorded, cash last, and null for a run without classes', async () => {
    const a = (await call<ClassAllocation | null>('runs.classes', { id: hadapsRun }))!;
    const series = await call<{ dates: string[] }>('runs.series', { id: hadapsRun });
    expect(a.dates).toEqual(series.dates);
    const d = hadapsDetail(w.detail)!;
    expect(a.classes.map((c) => c.name)).toEqual(d.classes.map((c) => c.name));
    expect(a.classes.at(-1)!.name).toBe('Cash');
    // the last day's values are the last decision's class weights (stored as JSON, read back exactly)
    expect(a.classes.map((c) => c.values.at(-1))).toEqual(d.classes.map((c) => c.weight));
    expect(await call('runs.classes', { id: crpRun })).toBeNull();
    const missing = await dispatch(engine, 'runs.classes', { id: 'r-00000000000000000000' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.code).toBe('NOT_FOUND');
  });
});

describe('the tear sheet of HADAPS runs', () => {
  it("carries each HADAPS run's class allocation and the action scale's effect over the two scales", async () => {
    const data = await buildBacktestReport(engine.db, [hadapsRun, betaRun, crpRun]);
    expect(data.classes!.map((c) => c.allocation.actionScale).sort((a, b) => a - b)).toEqual([1, 5]);
    const mine = data.classes!.find((c) => c.allocation.actionScale === 5)!;
    expect(mine.allocation).toEqual(await call('runs.classes', { id: hadapsRun }));
    expect(mine.std).toBe(classWeightStd(mine.allocation));
    const stored = await call<{ id: string; metrics: Record<string, number> }[]>('runs.list', { universe: 'djia30' });
    const cum = (id: string) => stored.find((r) => r.id === id)!.metrics.cumulativeReturn;
    const beta = data.classes!.find((c) => c.allocation.actionScale === 1)!;
    expect(data.actionScale).toEqual([
      { actionScale: 1, runs: 1, classStd: beta.std, cumulativeReturn: cum(betaRun) },
      { actionScale: 5, runs: 1, classStd: mine.std, cumulativeReturn: cum(hadapsRun) },
    ]);
    // equal weight alone: no class section
    const ew = await buildBacktestReport(engine.db, [crpRun]);
    expect(ew.classes).toBeUndefined();
    expect(ew.actionScale).toBeUndefined();
  });

  it('draws them in the HTML (inline SVG) and the PDF', async () => {
    const html = (await file({ kind: 'backtest', runIds: [hadapsRun, betaRun, crpRun], format: 'html' })).toString(
      'utf8',
    );
    expect(html).toContain('<h2>Asset classes (HADAPS)</h2>');
    const sections = html.split('data-section="class-allocation"').slice(1);
    expect(sections).toHaveLength(2);
    for (const s of sections)
      expect(s.slice(0, s.indexOf('</figure>'))).toMatch(/<svg role="img"[^>]*Class allocation/);
    expect(html).toContain('data-section="action-scale"');
    const pdf = (
      await readPdf(await file({ kind: 'backtest', runIds: [hadapsRun, betaRun, crpRun], format: 'pdf' }))
    ).lines.join('\n');
    expect(pdf).toMatch(/Asset classes \(HADAPS\)/);
    expect(pdf).toMatch(/Class allocation of/);
    expect(pdf).toMatch(/action scale's effect/);
  });
});

describe('models.list beyond SAMP-HDRL', () => {
  it('lists the HADAPS models with their strategy, seed, preset and training curve', async () => {
    const list = await call<ModelsListResponse>('models.list', {});
    expect(list.unreadable).toEqual([]);
    const files = fs.readdirSync(modelsDir(engine.db)!).filter((f) => f.startsWith('hadaps-'));
    expect(files).toHaveLength(2);
    for (const f of files) {
      const key = f.slice('hadaps-'.length, -'.json'.length);
      const m = list.models.find((x) => x.key === key)!;
      const stored = JSON.parse(fs.readFileSync(path.join(modelsDir(engine.db)!, f), 'utf8')) as {
        tickers: string[];
        model: { backend: string; trainedFrom: string; trainedTo: string };
        training: { episodes: number; updates: number; elapsedMs: number; validation: unknown[] };
      };
      expect(m.runs).toHaveLength(1);
      const run = m.runs[0]!;
      expect([hadapsRun, betaRun]).toContain(run.id);
      expect(m).toMatchObject({
        variant: run.strategy,
        kind: 'hierarchical',
        seed: run.seed,
        preset: 'quick',
        assets: stored.tickers.length,
        trainFrom: stored.model.trainedFrom,
        trainTo: stored.model.trainedTo,
        backend: stored.model.backend,
        trainingMs: stored.training.elapsedMs,
        trainingError: null,
      });
      expect(m.training).toMatchObject({
        validationDays: null,
        episodes: stored.training.episodes,
        updates: stored.training.updates,
      });
      expect(m.training!.trainDays).toBeUndefined();
      expect(m.training!.stages).toHaveLength(1);
      expect(m.training!.stages[0]!.stage).toBe('hadaps');
      expect(m.training!.stages[0]!.validation).toEqual(stored.training.validation);
    }
  });

  it('lists EIIE and classifier files with what they record, and names a prefixed file of the wrong format', async () => {
    const dir = modelsDir(engine.db)!;
    const model = (key: string) => ({
      key,
      sha256: '0'.repeat(64),
      backend: 'onnxruntime-cpu',
      trainedFrom: '1998-01-02',
      trainedTo: '1999-12-31',
    });
    const keys = {
      eiie: 'a1'.repeat(32),
      lhs: 'b2'.repeat(32),
      wrong: 'c3'.repeat(32),
      ppn: 'd4'.repeat(32),
      maps: 'e5'.repeat(32),
    };
    await fileEiieModelStore(dir).put(keys.eiie, {
      cfg: EIIE_PRESETS.quick,
      onnx: new Uint8Array([1, 2, 3]),
      model: model(keys.eiie),
    });
    await fileLhsModelStore(dir).put(keys.lhs, {
      cfg: { ...LHS_PRESETS.quick, model: 'cnn' },
      onnx: new Uint8Array([4, 5]),
      model: model(keys.lhs),
    });
    await filePpnModelStore(dir).put(keys.ppn, {
      cfg: PPN_PRESETS.quick,
      nAssets: 7,
      onnx: new Uint8Array([6]),
      model: model(keys.ppn),
    });
    await fileMapsModelStore(dir).put(keys.maps, {
      cfg: MAPS_PRESETS.quick,
      onnx: new Uint8Array([7]),
      model: model(keys.maps),
    });
    // an EIIE file under the HADAPS prefix
    fs.copyFileSync(path.join(dir, `eiie-${keys.eiie}.json`), path.join(dir, `hadaps-${keys.wrong}.json`));
    try {
      const list = await call<ModelsListResponse>('models.list', {});
      const get = (k: string) => list.models.find((m) => m.key === k);
      expect(get(keys.eiie)).toMatchObject({
        variant: 'eiie',
        kind: 'eiie',
        seed: null,
        preset: 'unknown',
        assets: null,
        trainFrom: '1998-01-02',
        trainTo: '1999-12-31',
        training: null,
        trainingError: null,
        runs: [],
      });
      expect(get(keys.lhs)).toMatchObject({ variant: 'cnn-lhs', kind: 'cnn classifier', seed: null, training: null });
      expect(get(keys.ppn)).toMatchObject({ variant: 'ppn', kind: 'ppn', assets: 7, trainTo: '1999-12-31' });
      expect(get(keys.maps)).toMatchObject({
        variant: 'maps',
        kind: `${MAPS_PRESETS.quick.agents} ${MAPS_PRESETS.quick.network} Q-agents`,
        seed: null,
      });
      expect(get(keys.wrong)).toBeUndefined();
      expect(list.unreadable).toEqual([
        { file: `hadaps-${keys.wrong}.json`, reason: 'unknown format "eiie-model-v1" for a hadaps- file' },
      ]);
    } finally {
      for (const f of [
        `eiie-${keys.eiie}.json`,
        `lhs-${keys.lhs}.json`,
        `hadaps-${keys.wrong}.json`,
        `ppn-${keys.ppn}.json`,
        `maps-${keys.maps}.json`,
      ])
        fs.rmSync(path.join(dir, f));
    }
  });
});

describe('hdrl weights on a HADAPS run', () => {
  it("names each asset's class as its group and says where the classes came from and what the layer set", async () => {
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    try {
      expect(await main(['--db', path.join(engine.dir, 'hdrl.db'), 'weights', '--run', hadapsRun])).toBe(0);
    } finally {
      o.mockRestore();
    }
    const d = hadapsDetail(w.detail)!;
    const it = d.classes.find((c) => c.tickers.includes('MSFT'))!;
    expect(out).toMatch(new RegExp(`^MSFT\\s+${it.name}\\s`, 'm'));
    expect(out).toContain(
      `classes from the universe's sectors; action scale ${d.actionScale}; the inter-class layer set`,
    );
  });
});
