/**
 * MPLS as a strategy (strategies/mpls) over the real modules: a quick backtest of every id on the bundled universe
 * (no news: the sentiment module off and saying why; the decision's detail, final = sector x inside), the same on an
 * imported universe with pre-scored news (sentiment on), a stored model that decides exactly as after training, and
 * the mpls protocol's validation days used for checkpoint selection. Look-ahead is the registry-wide test's
 * (test/strategies/lookahead.test.ts runs every mpls id); the agents alone are test/agents/mpls/agents.test.ts's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { MPLS_VARIANTS, mplsDetail, type MplsDecisionDetail } from '../../src-shared/domain/decision';
import { runBacktest, type BacktestRunResult } from '../../src-main/backtest/run';
import { runImport } from '../../src-main/data/importer';
import { runNewsImport } from '../../src-main/data/news';
import { heldOutValidation, protocolWindows } from '../../src-main/market/walkforward';
import { getRunDetails, getRunWeightSeries } from '../../src-main/store/runs';
import { modelsDir } from '../../src-main/store/models';
import { forgetTrainedModels } from '../../src-main/strategies/trained';
import { mplsPeriods, mplsConfigFromParams } from '../../src-main/strategies/mpls';
import { tempDir, tempEngine } from '../helpers/engine';

type Engine = ReturnType<typeof tempEngine>;

const QUICK = { preset: 'quick' };
const WINDOW = { from: '2000-06-01', to: '2000-06-30', lookback: 340 };

function details(engine: Engine, r: BacktestRunResult): { date: string; d: MplsDecisionDetail; w: number[] }[] {
  if (r.status !== 'complete') throw new Error(`${r.strategy} did not complete: ${JSON.stringify(r.error)}`);
  const weights = new Map(getRunWeightSeries(engine.db, r.runId!).map((row) => [row.date, Array.from(row.weights)]));
  return getRunDetails(engine.db, r.runId!).map((row) => ({
    date: row.date,
    d: mplsDetail(row.detail)!,
    w: weights.get(row.date)!,
  }));
}

describe('mpls on the bundled universe, without news', () => {
  let engine: Engine;
  let runs: BacktestRunResult[];
  beforeAll(async () => {
    engine = tempEngine();
    runs = await runBacktest(engine.db, {
      universe: 'djia30',
      strategies: [...MPLS_VARIANTS],
      ...WINDOW,
      params: Object.fromEntries(MPLS_VARIANTS.map((id) => [id, QUICK])),
    });
  }, 600_000);
  afterAll(() => engine?.close());

  it('runs every id and records its modules, their fusion weights, the fused allocation and the sectors', () => {
    expect(runs.map((r) => r.strategy)).toEqual([...MPLS_VARIANTS]);
    for (const r of runs) {
      const rows = details(engine, r);
      expect(rows.length).toBeGreaterThan(15);
      for (const { d } of rows) {
        expect(d.variant).toBe(r.strategy);
        expect(d.basis).toBe('sector');
        const sent = d.modules.find((m) => m.name === 'sentiment')!;
        expect(sent.on).toBe(false);
        expect(sent.weight).toBe(0);
        expect(sent.reason).toMatch(
          r.strategy === 'mpls/graph-only' ||
            r.strategy === 'mpls/volatility-only' ||
            r.strategy === 'mpls/no-sentiment'
            ? /switched off/
            : /no news imported for djia30/,
        );
        // an off module's weight is exactly 0; the weights of the modules on sum to 1
        const on = d.modules.filter((m) => m.on);
        for (const m of d.modules.filter((x) => !x.on)) expect(m.weight).toBe(0);
        if (on.length) expect(on.reduce((a, m) => a + m.weight, 0)).toBeCloseTo(1, 6);
        expect(d.fused.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
        expect(d.sectors.reduce((a, s) => a + s.weight, 0)).toBeCloseTo(1, 6);
        for (const s of d.sectors) expect(s.intra.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
        expect(d.volatility === null).toBe(
          r.strategy === 'mpls/no-volatility' ||
            r.strategy === 'mpls/graph-only' ||
            r.strategy === 'mpls/sentiment-only',
        );
        expect(d.model?.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  it('sentiment-only without news has no module on: equal fused sectors, and every reason says so', () => {
    const rows = details(
      engine,
      runs.find((r) => r.strategy === 'mpls/sentiment-only')!,
    );
    for (const { d } of rows) {
      expect(d.modules.every((m) => !m.on && m.weight === 0)).toBe(true);
      for (const m of d.modules) expect(m.reason).toMatch(/fused allocation is equal over the sectors/);
      for (const f of d.fused) expect(f).toBeCloseTo(1 / d.sectors.length, 12);
    }
  });

  it('stores its model next to the database and decides exactly the same from the stored file', async () => {
    const dir = modelsDir(engine.db)!;
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('mpls-')).length).toBe(MPLS_VARIANTS.length);
    forgetTrainedModels();
    const lines: string[] = [];
    const [again] = await runBacktest(
      engine.db,
      { universe: 'djia30', strategies: ['mpls'], ...WINDOW, params: { mpls: QUICK } },
      { progress: (_f, m) => lines.push(m) },
    );
    expect(lines.some((l) => /loaded stored model/.test(l))).toBe(true);
    const a = details(engine, runs[0]!);
    const b = details(engine, again!);
    expect(b.map((x) => x.w)).toEqual(a.map((x) => x.w));
  }, 300_000);
});

describe('mpls on an imported universe with pre-scored news', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = tempEngine({ seedDefaultData: false });
    const dir = tempDir();
    // 8 assets in two classes over about 520 business days of a seeded random walk
    const tickers = ['EQ1', 'EQ2', 'EQ3', 'EQ4', 'EQ5', 'BD1', 'BD2', 'BD3'];
    const rng = seedrandom('mpls-imported');
    const prices = tickers.map(() => 100);
    const lines = [`date,${tickers.join(',')}`];
    const dates: string[] = [];
    for (let d = new Date(Date.UTC(2018, 0, 1)); dates.length < 520; d = new Date(d.getTime() + 86_400_000)) {
      if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
      const iso = d.toISOString().slice(0, 10);
      dates.push(iso);
      tickers.forEach(
        (t, i) => (prices[i] = prices[i]! * (1 + (t.startsWith('EQ') ? 0.015 : 0.004) * (rng() * 2 - 1))),
      );
      lines.push(`${iso},${prices.map((p) => p.toFixed(4)).join(',')}`);
    }
    fs.writeFileSync(path.join(dir, 'prices.csv'), lines.join('\n') + '\n');
    fs.writeFileSync(
      path.join(dir, 'meta.csv'),
      'ticker,name,class,sector\n' +
        tickers
          .map((t) => `${t},${t},${t.startsWith('EQ') ? 'Equity' : 'Bond'},${t.startsWith('EQ') ? 'Tech' : 'Rates'}`)
          .join('\n') +
        '\n',
    );
    const imp = await runImport(engine.db, [path.join(dir, 'prices.csv')], {
      universe: 'mixed',
      meta: path.join(dir, 'meta.csv'),
    });
    if (!imp.result) throw new Error(`the price import failed: ${JSON.stringify(imp.preview)}`);
    // a pre-scored headline per ticker every fifth day, confident, alternating in sign
    const news = ['date,ticker,source,text,positive,neutral,negative'];
    dates.forEach((iso, k) => {
      if (k % 5) return;
      tickers.forEach((t, i) => {
        const up = (k / 5 + i) % 2 === 0;
        news.push(`${iso},${t},news,headline ${k} ${t},${up ? 0.8 : 0.1},0.1,${up ? 0.1 : 0.8}`);
      });
    });
    fs.writeFileSync(path.join(dir, 'news.csv'), news.join('\n') + '\n');
    const n = await runNewsImport(engine.db, path.join(dir, 'news.csv'), 'mixed');
    if (!n.result) throw new Error(`the news import failed: ${JSON.stringify(n.preview)}`);
  }, 120_000);
  afterAll(() => engine?.close());

  it('trains and decides over its classes with the sentiment module on', async () => {
    const runs = await runBacktest(engine.db, {
      universe: 'mixed',
      strategies: ['mpls', 'mpls/sentiment-only'],
      protocol: 'mpls',
      params: { mpls: QUICK, 'mpls/sentiment-only': QUICK },
    });
    for (const r of runs) {
      const rows = details(engine, r);
      expect(rows.length).toBeGreaterThan(90);
      const d = rows[0]!.d;
      expect(d.basis).toBe('class');
      expect(d.sectors.map((s) => s.name)).toEqual(['Bond', 'Equity']);
      const sent = d.modules.find((m) => m.name === 'sentiment')!;
      expect(sent.on).toBe(true);
      expect(sent.proposal).toHaveLength(2);
      if (r.strategy === 'mpls/sentiment-only') expect(sent.weight).toBe(1);
    }
  }, 600_000);
});

describe('the mpls protocol validates on its own validation days', () => {
  it('trains the modules and agents up to the end of the training 70% and validates on the next 10%', () => {
    const dates = Array.from({ length: 1000 }, (_, k) =>
      new Date(Date.UTC(2000, 0, 3) + k * 86_400_000).toISOString().slice(0, 10),
    );
    const [w] = protocolWindows(dates, 'mpls');
    const cfg = mplsConfigFromParams('mpls', { preset: 'quick' });
    const per = mplsPeriods(cfg, w!);
    expect(per.trainLast).toBe(w!.trainEnd);
    expect(per.validationEnd).toBe(w!.validationEnd);
    expect(per.validationEnd).toBe(w!.testStart - 1);
    // a window without validation days of its own holds out the last validationDays of its training days
    expect(heldOutValidation(100, 699, 700, 126)).toEqual({ trainLast: 573, validationEnd: 699 });
    expect(heldOutValidation(100, 699, 700, 0)).toEqual({ trainLast: 699, validationEnd: null });
  });
});
