/**
 * The learned Level 1's macro inputs (docs/three-level.md "Macro inputs"; agents/threelevel/strategic-macro.ts,
 * strategies/threelevel/macro.ts): the features at a day read nothing dated after it (by hand, through Level 1's
 * state, and through the registry's strategy), their values by hand, the words of the explanation, the parameters'
 * errors, and a backtest of three-level/learned-strategic and three-level/joint reading a macro universe imported
 * into the same database — their stored models name the series, and their keys follow the series' values up to the
 * training end only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionDetail } from '../../src-shared/domain/decision';
import { classLayout } from '../../src-main/agents/hadaps/classes';
import {
  regimesUpTo,
  STRATEGIC_FEATURE_COUNT,
  strategicFeatures,
} from '../../src-main/agents/threelevel/strategic-env';
import {
  alignMacroSeries,
  macroEntries,
  macroReadings,
  type MacroInputs,
} from '../../src-main/agents/threelevel/strategic-macro';
import { runSeries } from '../../src-main/backtest/models';
import { runBacktest } from '../../src-main/backtest/run';
import { runImport } from '../../src-main/data/importer';
import { simulate } from '../../src-main/market/simulate';
import { threeLevelWords } from '../../src-main/explain/threelevel';
import type { PriceMatrix } from '../../src-main/market/prices';
import { openDatabase, type DB } from '../../src-main/store/db';
import { getStrategy, resolveParams } from '../../src-main/strategies/registry';
import { setThreeLevelModelStore, threeLevelConfigsFromParams } from '../../src-main/strategies/threelevel';
import { resolveRunMacro } from '../../src-main/strategies/threelevel/macro';
import { jointTrainingKey, strategicTrainingKey } from '../../src-main/strategies/threelevel/models';
import { forgetTrainedModels } from '../../src-main/strategies/trained';
import type { StrategyContext } from '../../src-main/strategies/types';
import { djiaSubset } from '../helpers/data';
import { tempDir } from '../helpers/engine';

afterEach(() => setThreeLevelModelStore(null));

const ID = 'three-level/learned-strategic';
const SMALL = { preset: 'quick', episodes: 2 };

/** A matrix of named series on given dates (one row of values a date). */
function seriesMatrix(universe: string, names: string[], rows: [string, ...number[]][]): PriceMatrix {
  return {
    universe,
    tickers: names,
    dates: rows.map((r) => r[0]),
    close: rows.map((r) => Float64Array.from(r.slice(1) as number[])),
  };
}

const DATES = ['2000-01-03', '2000-01-04', '2000-01-05', '2000-01-06', '2000-01-07', '2000-01-10'];

describe('macro features', () => {
  it('align a series by date: the last value dated on or before each day, none before the first', () => {
    // A has a value on a weekend (2000-01-08) and none on 01-04; B begins on 01-06
    const s = seriesMatrix(
      'macro',
      ['A', 'B'],
      [
        ['2000-01-03', 10, 1],
        ['2000-01-05', 12, 1],
        ['2000-01-06', 9, 4],
        ['2000-01-08', 11, 5],
      ],
    );
    const b = seriesMatrix(
      'late',
      ['B'],
      [
        ['2000-01-06', 4],
        ['2000-01-08', 5],
      ],
    );
    const a = alignMacroSeries(s, ['A'], DATES);
    expect(Array.from(a.values[0]!)).toEqual([10, 10, 12, 9, 9, 11]);
    expect(a.valueDates[0]).toEqual([
      '2000-01-03',
      '2000-01-03',
      '2000-01-05',
      '2000-01-06',
      '2000-01-06',
      '2000-01-08',
    ]);
    const late = alignMacroSeries(b, ['B'], DATES);
    expect(Array.from(late.values[0]!.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expect(() => alignMacroSeries(s, ['C'], DATES)).toThrow(/universe macro holds no series C/);
  });

  it('at day t equal a hand computation: log change and z-score over the trailing window', () => {
    const s = seriesMatrix(
      'macro',
      ['A'],
      [
        ['2000-01-03', 10],
        ['2000-01-05', 12],
        ['2000-01-06', 9],
      ],
    );
    const a = alignMacroSeries(s, ['A'], DATES);
    // aligned: 10, 10, 12, 9, 9, 9; at t = 4 with a window of 3, the change runs from day 1 (10) to day 4 (9) and
    // the z-score is over days 2..4 = 12, 9, 9: mean 10, sample sd sqrt((4 + 1 + 1) / 2) = sqrt(3)
    const [r] = macroReadings(a, 4, 3);
    expect(r!.value).toBe(9);
    expect(r!.date).toBe('2000-01-06');
    expect(r!.change).toBeCloseTo(Math.log(0.9), 12);
    expect(r!.z).toBeCloseTo(-1 / Math.sqrt(3), 12);
    expect(macroEntries([r!])[0]).toBeCloseTo(3 * Math.log(0.9), 12);
    // a window reaching before the series' first value is shortened to where it begins: at t = 1, 10 -> 10
    expect(macroReadings(a, 1, 3)[0]).toMatchObject({ change: 0, z: 0 });
    // no value yet at t: zeros, and no date
    const late = alignMacroSeries(seriesMatrix('late', ['B'], [['2000-01-06', 4]]), ['B'], DATES);
    expect(macroReadings(late, 2, 3)[0]).toEqual({ name: 'B', date: null, value: null, change: 0, z: 0 });
    // the first day with a value: nothing to compare with yet
    expect(macroReadings(late, 3, 3)[0]).toMatchObject({ value: 4, change: 0, z: 0 });
    // a far move is clipped in the state: 3 x ln(100) = 13.8 enters as 5
    const jump = alignMacroSeries(
      seriesMatrix(
        'j',
        ['J'],
        [
          ['2000-01-03', 0.01],
          ['2000-01-04', 1],
        ],
      ),
      ['J'],
      DATES,
    );
    expect(macroEntries(macroReadings(jump, 1, 3))[0]).toBe(5);
  });

  it('at day t do not change when the series changes after t (causality)', () => {
    const rows: [string, number][] = DATES.map((d, k) => [d, 10 + k]);
    const before = alignMacroSeries(seriesMatrix('macro', ['A'], rows), ['A'], DATES);
    // every value dated after day 2 multiplied by 7
    const changed = rows.map(([d, v], k): [string, number] => [d, k > 2 ? v * 7 : v]);
    const after = alignMacroSeries(seriesMatrix('macro', ['A'], changed), ['A'], DATES);
    for (let t = 0; t <= 2; t++) expect(macroReadings(after, t, 3)).toEqual(macroReadings(before, t, 3));
    // the check can fail: on day 3 the change shows
    expect(macroReadings(after, 3, 3)).not.toEqual(macroReadings(before, 3, 3));

    // and through Level 1's whole state, on real closes
    const m = djiaSubset(300, 4, 1500);
    m.assets = m.tickers.map((ticker, i) => ({ ticker, name: ticker, class: 'Equity', sector: `S${i % 2}` }));
    const layout = classLayout(m.tickers, m.assets, 'sector');
    const closes = (d: number) => m.close[d]!;
    const series = (factor: number): MacroInputs =>
      alignMacroSeries(
        seriesMatrix(
          'macro',
          ['X', 'Y'],
          m.dates.map((d, k): [string, number, number] => [d, (5 + Math.sin(k / 9)) * (k > 200 ? factor : 1), 50 + k]),
        ),
        ['X', 'Y'],
        m.dates,
      );
    const cfg = { signalWindow: 252, macro: { universe: 'macro', series: ['X', 'Y'] } };
    const held = [0.5, 0.5, 0];
    const state = (macro: MacroInputs, t: number) =>
      strategicFeatures(closes, t, layout, regimesUpTo(closes, t, m.dates), held, cfg, macro);
    const x = state(series(1), 200);
    expect(x).toHaveLength(3 * (STRATEGIC_FEATURE_COUNT + 4));
    expect(state(series(3), 200)).toEqual(x);
    expect(state(series(3), 201)).not.toEqual(state(series(1), 201));
    // the macro entries close every row, the same in each
    const F = STRATEGIC_FEATURE_COUNT + 4;
    const tail = (k: number) => Array.from(x.subarray(k * F + STRATEGIC_FEATURE_COUNT, (k + 1) * F));
    expect(tail(0)).toEqual(tail(2));
    expect(tail(0)).toEqual(Array.from(Float32Array.from(macroEntries(macroReadings(series(1), 200, 252)))));
    // a state without the series the config names is refused
    expect(() => strategicFeatures(closes, 200, layout, regimesUpTo(closes, 200, m.dates), held, cfg)).toThrow(
      /reads the macro series \[X, Y\], the inputs hold \[\]/,
    );
  });

  it('are off by default: the strategic config has no macro entry, so earlier keys stand', () => {
    const c = threeLevelConfigsFromParams(ID, {});
    expect(c.macro).toBeNull();
    expect('macro' in c.strategic).toBe(false);
    expect(threeLevelConfigsFromParams(ID, { macroUniverse: 'm', macroSeries: ' A, B ' }).macro).toEqual({
      universe: 'm',
      series: ['A', 'B'],
    });
    expect(() => threeLevelConfigsFromParams(ID, { macroSeries: 'A' })).toThrow(/set macroUniverse/);
    expect(() => threeLevelConfigsFromParams(ID, { macroUniverse: 'm', macroSeries: 'A,A' })).toThrow(
      /names A more than once/,
    );
  });

  it('are named in the explanation of Level 1', () => {
    const words = threeLevelWords(
      {
        variant: ID,
        strategic: {
          date: '2000-01-10',
          daysAgo: 0,
          nextIn: 252,
          decider: { kind: 'model', key: 'k'.repeat(64), trainedFrom: '1999-01-04', trainedTo: '1999-12-31' },
          window: 252,
          classes: [{ name: 'S0', weight: 1, volatility: null }],
        },
        tactical: null,
        execution: {
          decider: { kind: 'rule', rule: 'linear' },
          horizon: 21,
          daysLeft: null,
          assets: [],
          gapBefore: 0,
          gapAfter: 0,
          traded: 0,
        },
      },
      {
        universe: 'macro',
        series: [
          { name: 'VIX', date: '2000-01-07', value: 21.5, change: -0.1234, z: 0.5 },
          { name: 'SPREAD', date: null, value: null, change: 0, z: 0 },
        ],
      },
    );
    expect(words.strategic.join(' ')).toContain(
      'It also read 2 macro series of universe macro, each as it stood on or before that day: VIX at 21.50 on 2000-01-07 (−0.123 in log terms over the trailing year, z-score +0.50 against it) and SPREAD (no value yet, read as 0).',
    );
  });
});

/** A temporary database holding a macro universe of two series, imported with the price import. */
async function withMacroDb(m: PriceMatrix): Promise<{ db: DB; dir: string }> {
  const dir = tempDir('hdrl-macro-');
  const db = openDatabase(path.join(dir, 'hdrl.db'));
  // RATE: a level between 3 and 7; VIX: a wave; both on the strategy's dates and a year before them
  const lines = ['date,RATE,VIX'];
  const start = Date.parse(m.dates[0]!) - 400 * 86_400_000;
  for (let k = 0, d = start; d <= Date.parse(m.dates.at(-1)!); k++, d += 86_400_000) {
    const day = new Date(d);
    if (day.getUTCDay() === 0 || day.getUTCDay() === 6) continue;
    lines.push(
      `${day.toISOString().slice(0, 10)},${(5 + 2 * Math.sin(k / 60)).toFixed(4)},${(20 + 8 * Math.sin(k / 13)).toFixed(4)}`,
    );
  }
  fs.writeFileSync(path.join(dir, 'macro.csv'), lines.join('\n') + '\n');
  const imp = await runImport(db, [path.join(dir, 'macro.csv')], { universe: 'macro' });
  if (!imp.result) throw new Error(`the macro import failed: ${JSON.stringify(imp.preview.problems)}`);
  return { db, dir };
}

function withSectors(days: number, assets: number, from: number): PriceMatrix {
  const m = djiaSubset(days, assets, from);
  m.assets = m.tickers.map((ticker, i) => ({ ticker, name: ticker, class: 'Equity', sector: `S${Math.floor(i / 2)}` }));
  return m;
}

describe('three-level/learned-strategic with macro inputs', () => {
  it('refuses an unknown universe, an unknown series and a run without a database, naming what there is', async () => {
    const m = withSectors(360, 4, 1500);
    const { db, dir } = await withMacroDb(m);
    try {
      const request = (params: Record<string, unknown>) => ({
        universe: 'x',
        strategies: [ID],
        from: m.dates[250],
        lookback: 250,
        params: { [ID]: { ...SMALL, ...params } },
      });
      const [unknown] = await runBacktest(db, request({ macroUniverse: 'rates' }), { prices: m, store: false });
      expect(unknown!.status).toBe('failed');
      expect(unknown!.error).toMatch(
        /macroUniverse "rates" is not a universe of this database \(its universes: .*macro/,
      );
      const [series] = await runBacktest(db, request({ macroUniverse: 'macro', macroSeries: 'VIX,CPI' }), {
        prices: m,
        store: false,
      });
      expect(series!.error).toMatch(
        /macroSeries names CPI, which universe "macro" does not hold \(its series: RATE, VIX\)/,
      );
      const def = await getStrategy(ID);
      await expect(
        def.create({
          prices: m,
          trainStart: 0,
          trainEnd: 249,
          testStart: 250,
          testEnd: 359,
          seed: 1,
          params: resolveParams(def, { ...SMALL, macroUniverse: 'macro' }),
        }),
      ).rejects.toThrow(/no database to read them from/);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decides through the registry without reading a series value dated after the day (trained anew each time)', async () => {
    const m = withSectors(360, 4, 1500);
    const { db, dir } = await withMacroDb(m);
    try {
      const stored = runSeries(db).read('macro')!;
      // every value dated after the first test day multiplied by a factor (1: unchanged)
      const after = (date: string, factor: number): PriceMatrix => ({
        ...stored,
        close: stored.close.map((row, d) =>
          stored.dates[d]! > date ? Float64Array.from(row, (v) => v * factor) : row,
        ),
      });
      const def = await getStrategy(ID);
      const decide = async (macro: PriceMatrix) => {
        forgetTrainedModels();
        const inst = await def.create({
          prices: m,
          trainStart: 0,
          trainEnd: 249,
          testStart: 250,
          testEnd: 359,
          seed: 3,
          params: resolveParams(def, { ...SMALL, macroUniverse: 'macro' }),
          series: { read: (u) => (u === 'macro' ? macro : undefined), universes: () => ['macro'] },
        });
        const sim = simulate(m, inst, { strategyId: ID, testStart: 250, testEnd: 359 });
        return { target: sim.target.map((w) => Array.from(w)), details: sim.details };
      };
      const base = await decide(after(m.dates[250]!, 1));
      expect(await decide(after(m.dates[250]!, 1.5))).toEqual(base);
      // the check can fail: values changed from the day before the first decision on are read
      expect((await decide(after(m.dates[249]!, 1.5))).details).not.toEqual(base.details);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('runs through runBacktest reading a macro universe of the same database; the model and its key name the series', async () => {
    const m = withSectors(360, 4, 1500);
    const { db, dir } = await withMacroDb(m);
    try {
      const macroParams = { macroUniverse: 'macro', macroSeries: 'VIX,RATE' };
      const runs = await runBacktest(
        db,
        {
          universe: 'x',
          strategies: [ID, 'three-level/joint'],
          from: m.dates[250],
          lookback: 250,
          seedFirst: 2,
          params: {
            [ID]: { ...SMALL, ...macroParams },
            'three-level/joint': { preset: 'quick', episodes: 1, ...macroParams },
          },
        },
        { prices: m, store: false },
      );
      for (const r of runs) {
        expect(r.status, r.error).toBe('complete');
        // every decision records what Level 1 read at the decision in force: both series, dated on or before it
        const first = DecisionDetail.parse(r.sim!.details![0]);
        if (first.family !== 'three-level') throw new Error(first.family);
        expect(first.macro?.universe).toBe('macro');
        expect(first.macro?.series.map((s) => s.name)).toEqual(['VIX', 'RATE']);
        for (const s of first.macro!.series) {
          expect(s.date! <= m.dates[250]!).toBe(true);
          expect(s.value).toBeGreaterThan(0);
        }
      }

      // the stored Level 1 names the series in its config, and its key is the one computed from them
      const models = path.join(dir, 'hdrl-data', 'models');
      const strategic = fs
        .readdirSync(models)
        .map((f) => JSON.parse(fs.readFileSync(path.join(models, f), 'utf8')) as Record<string, unknown>)
        .filter((a) => a.level === 'strategic') as { cfg: { macro?: unknown }; model: { key: string } }[];
      // the bottom-up Level 1 and the joint training's
      expect(strategic).toHaveLength(2);
      for (const a of strategic) expect(a.cfg.macro).toEqual({ universe: 'macro', series: ['VIX', 'RATE'] });
      const ctx: StrategyContext = {
        prices: m,
        trainStart: 0,
        trainEnd: 249,
        testStart: 250,
        testEnd: 359,
        seed: 2,
        params: {},
        series: runSeries(db),
      };
      const cfgs = threeLevelConfigsFromParams(ID, { ...SMALL, macroUniverse: 'macro', macroSeries: 'VIX,RATE' });
      const macro = resolveRunMacro(ctx, ID, cfgs.macro!);
      const cfg = { ...cfgs.strategic, macro: macro.config };
      const layout = classLayout(m.tickers, m.assets, cfgs.classing);
      const key = (mm: PriceMatrix) => strategicTrainingKey(ctx, cfg, layout, { ...macro, matrix: mm });
      const stored = strategic.find((a) => a.model.key === key(macro.matrix));
      if (!stored) throw new Error('no stored Level 1 has the key computed from the series');
      // one value of one series changed before the training end: another key; after it: the same
      const changedOn = (date: string) => {
        const k = macro.matrix.dates.indexOf(date);
        expect(k).toBeGreaterThanOrEqual(0);
        const close = macro.matrix.close.map((row, d) => (d === k ? Float64Array.from(row, (v) => v * 1.01) : row));
        return { ...macro.matrix, close };
      };
      expect(key(changedOn(m.dates[100]!))).not.toBe(stored.model.key);
      expect(key(changedOn(m.dates[300]!))).toBe(stored.model.key);
      // the same for the joint training's key (its Level 1's here)
      const jointCfgs = threeLevelConfigsFromParams('three-level/joint', {
        preset: 'quick',
        episodes: 1,
        ...macroParams,
      });
      const jointKey = (mm: PriceMatrix) =>
        jointTrainingKey(
          ctx,
          { ...jointCfgs, strategic: { ...jointCfgs.strategic, macro: macro.config } },
          layout,
          'strategic',
          {
            ...macro,
            matrix: mm,
          },
        );
      expect(strategic.map((a) => a.model.key)).toContain(jointKey(macro.matrix));
      expect(jointKey(changedOn(m.dates[100]!))).not.toBe(jointKey(macro.matrix));
      expect(jointKey(changedOn(m.dates[300]!))).toBe(jointKey(macro.matrix));
      // without the series, the key is another one: the macro inputs are part of it
      expect(strategicTrainingKey(ctx, cfgs.strategic, layout)).not.toBe(stored.model.key);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
