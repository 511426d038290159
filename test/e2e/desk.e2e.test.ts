/**
 * The desk end to end, in Debian's Chromium against the headless host, on a database prepared with real runs on
 * the bundled DJIA data: classic baselines over 2000 and a SAMP-HDRL quick run (one training episode per stage, so
 * the suite stays fast). Every view is opened, its figures checked against what the services return, an import of
 * a malformed file is previewed (problems shown, nothing written), a training job is started and cancelled, and a
 * screenshot of each view is saved under .e2e/screenshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StrategyInfo } from '../../src-shared/contract/runs';
import { runBacktest } from '../../src-main/backtest/run';
import { storeRuns } from '../helpers/runs';
import { DECISIONS_WINDOW } from './fixture';
import { ROOT, screenshotPath } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import type { RunSummary, RunWeights } from '../../src-shared/contract/runs';
import { sampDetail } from '../../src-shared/domain/decision';
import { LEARNED_GROUPS } from '../../src-shared/domain/strategyGroups';
import type { MarketReboundsResponse, RegimesResponse } from '../../src-shared/contract/explain';
import type { ModelsListResponse } from '../../src-shared/contract/models';
import { fileModelStore, modelsDir } from '../../src-main/store/models';
import type { SampTrainingSummary } from '../../src-main/agents/samp/artifacts';
import { useDesk } from '../helpers/desk';
import { pct } from '../../src-renderer/src/format';

let sampRun = '';

const desk = useDesk(
  async () => {
    const engine = tempEngine();
    await storeRuns(engine, {
      universe: 'djia30',
      strategies: ['crp', 'ubah', 'eg', 'bcrp'],
      from: '2000-01-03',
      to: '2000-12-29',
      lookback: 252,
    });
    // the decision suites' SAMP-HDRL run (fixture.ts)
    const samp = await storeRuns(engine, {
      ...DECISIONS_WINDOW,
      strategies: ['samp-hdrl'],
      params: { 'samp-hdrl': { preset: 'quick', episodes: 1 } },
    });
    sampRun = samp['samp-hdrl']!;
    // the run records its model (a file next to the database, checksummed) and the backend that trained it
    const row = engine.db.prepare('SELECT backend, model_path, model_sha256 FROM runs WHERE id = ?').get(sampRun) as {
      backend: string;
      model_path: string;
      model_sha256: string;
    };
    expect(row.backend).toMatch(/^(onnxruntime-cpu|onnxruntime-cuda|tfjs-node-gpu|tfjs-node|wasm|cpu)$/);
    expect(fs.existsSync(path.join(engine.dir, row.model_path))).toBe(true);
    expect(row.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    return engine;
  },
  { page: { viewport: { width: 1280, height: 900 }, acceptDownloads: true } },
);

describe('the desk on real runs', () => {
  it("Today shows the run's weights, grouped, with trades and group totals that match runs.weights", async () => {
    const w = await desk.call<RunWeights>('runs.weights', { id: sampRun });
    await desk.page.goto(`${desk.host.url}#/`);
    await desk.page.locator('[data-testid="weights-table"]').waitFor();
    expect(await desk.page.locator('[data-testid="today-run"]').inputValue()).toBe(sampRun);
    expect(await desk.page.locator('[data-testid="today-decision-date"]').textContent()).toBe(w.date);
    for (const i of [0, 7, 19]) {
      const t = w.tickers[i]!;
      expect(await desk.page.locator(`[data-testid="weight-row-${t}"] [data-col="weight"]`).textContent()).toBe(
        pct(w.final.weights[i]!),
      );
    }
    expect(await desk.page.locator('[data-testid="cash-weight"]').textContent()).toBe(pct(w.final.cash));
    const groups = sampDetail(w.detail)!.groups;
    const high = w.tickers.reduce((s, t, i) => s + (groups.high.includes(t) ? w.final.weights[i]! : 0), 0);
    expect(await desk.page.locator('[data-testid="group-total-High-quality"]').textContent()).toBe(pct(high));
    await desk.page.fill('[data-testid="note-text"]', 'Approved after review of the high-quality tilt.');
    await desk.page.click('[data-testid="note-save"]');
    await desk.page.locator('[data-testid="note-saved"]', { hasText: 'saved' }).waitFor();
    const note = await desk.call<{ text: string } | null>('notes.get', { runId: sampRun, date: w.date });
    expect(note?.text).toBe('Approved after review of the high-quality tilt.');
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('desk-today'), fullPage: true });
  });

  it('Backtests lists every run with the metrics runs.list holds, hindsight marked', async () => {
    const runs = await desk.call<RunSummary[]>('runs.list', { universe: 'djia30', status: 'complete' });
    const crp = runs.find((r) => r.strategy === 'crp')!;
    await desk.page.goto(`${desk.host.url}#/backtests`);
    const row = desk.page.locator(`[data-testid="metrics-row-crp-${crp.windowFrom}"]`);
    await row.waitFor();
    expect(await row.locator('[data-metric="sharpe"]').textContent()).toContain(
      (crp.metrics.sharpe as number).toFixed(2),
    );
    expect(await row.locator('[data-metric="cumulativeReturn"]').textContent()).toContain(
      pct(crp.metrics.cumulativeReturn as number),
    );
    expect(await desk.page.locator('[data-testid^="metrics-row-bcrp"]').first().textContent()).toContain('†');
    expect(await desk.page.locator('[data-testid^="metrics-row-crp"]').first().textContent()).toContain('equal weight');
    await desk.page.locator('[data-testid="chart-equity"] canvas').first().waitFor();
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('desk-backtests'), fullPage: true });
  });

  it('Backtests keeps experiments apart: a repeat of the same seed counts once, other settings get their own row', async () => {
    const w = { universe: 'djia30', strategies: ['crp'], from: '2000-01-03', to: '2000-12-29', lookback: 252 };
    const [repeat] = await runBacktest(desk.engine.db, w);
    const [dearer] = await runBacktest(desk.engine.db, { ...w, cost: 0.005 });
    await desk.page.goto(`${desk.host.url}#/backtests`);
    await desk.page.reload(); // the view was open already: load the runs again
    const rows = desk.page.locator('[data-testid="metrics-row-crp-2000-01-03"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const texts = await rows.allTextContents();
    // one run per seed: the repeat of seed 1 does not make it "×2"
    expect(texts.some((t) => t.includes('×'))).toBe(false);
    expect(texts.some((t) => t.includes('cost 0.10% · daily'))).toBe(true);
    expect(texts.some((t) => t.includes('cost 0.50% · daily'))).toBe(true);
    const sharpes = (await rows.locator('[data-metric="sharpe"]').allTextContents()).map((t) => t.trim());
    expect(sharpes.sort()).toEqual([repeat!.metrics!.sharpe.toFixed(2), dearer!.metrics!.sharpe.toFixed(2)].sort());
    // the newest test window is selected by default: its equity curves are drawn
    await desk.page.locator('[data-testid="chart-equity"] canvas').first().waitFor();
    expect(
      await rows
        .locator('input[type="checkbox"]')
        .evaluateAll((els) => els.map((e) => (e as unknown as { checked: boolean }).checked)),
    ).toEqual([true, true]);
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('desk-backtests-settings'), fullPage: true });
  });

  it('the backtest form lists the strategies by family, the learned ones by group with the DRL baselines apart', async () => {
    await desk.page.goto(`${desk.host.url}#/backtests`);
    const learned = desk.page.locator('[data-testid="family-learning"]');
    await learned.waitFor();
    const labels = async (family: string) =>
      (await desk.page.locator(`[data-testid="family-${family}"] label`).allTextContents()).map((t) => t.trim());
    const reg = await desk.call<StrategyInfo[]>('strategies.list', {});
    for (const family of ['benchmark', 'classic', 'online'] as const) {
      const want = reg.filter((s) => s.family === family).map((s) => s.label + (s.hindsight ? ' †' : ''));
      expect(await labels(family)).toEqual(want);
    }
    const inGroup = async (group: string) =>
      (await desk.page.locator(`[data-testid="group-${group}"] label`).allTextContents()).map((t) => t.trim());
    for (const group of LEARNED_GROUPS) {
      expect(await inGroup(group)).toEqual(reg.filter((s) => s.group === group).map((s) => s.label));
    }
    // every learned strategy is in one group, in the order of LEARNED_GROUPS
    expect(await labels('learning')).toEqual(
      LEARNED_GROUPS.flatMap((g) => reg.filter((s) => s.family === 'learning' && s.group === g).map((s) => s.label)),
    );
    expect(await inGroup('drl-baselines')).toEqual(
      expect.arrayContaining([
        'TD3 flat (single agent)',
        'SAC flat (single agent)',
        'EIIE (CNN ensemble of identical independent evaluators)',
      ]),
    );
    expect(await inGroup('samp-hdrl')).toContain('SAMP-HDRL');
    await desk.page
      .locator('[data-testid="family-learning"]')
      .screenshot({ path: screenshotPath('desk-strategy-groups') });
  });

  it('Backtests says whether the learned run beat equal weight, by the rule of the results document', async () => {
    const [ew] = await runBacktest(desk.engine.db, {
      universe: 'djia30',
      strategies: ['crp'],
      from: '2000-10-02',
      to: '2000-12-29',
      lookback: 500,
    });
    const samp = await desk.call<RunSummary>('runs.get', { id: sampRun });
    await desk.page.goto(`${desk.host.url}#/backtests`);
    await desk.page.reload();
    const sampRow = desk.page.locator('[data-testid="metrics-row-samp-hdrl-2000-10-02"]');
    await sampRow.waitFor();
    // the newest window (the crp run just made) is selected by default; add the SAMP-HDRL group
    await sampRow.locator('input[type="checkbox"]').check();
    const verdict = desk.page.locator('[data-testid="ew-verdict"] li [data-testid="verdict-text"]');
    await verdict.first().waitFor();
    const s = samp.metrics.sharpe as number;
    const c = samp.metrics.cumulativeReturn as number;
    const beats = s > ew!.metrics!.sharpe && c > ew!.metrics!.cumulativeReturn;
    const labels = new Map(
      (await desk.call<{ id: string; label: string }[]>('strategies.list', {})).map((d) => [d.id, d.label]),
    );
    expect(await verdict.first().textContent()).toBe(
      `${labels.get('samp-hdrl')} 2000: Sharpe ${s.toFixed(2)} vs ${labels.get('crp')} ${ew!.metrics!.sharpe.toFixed(2)}, cumulative return ${pct(c)} vs ${pct(ew!.metrics!.cumulativeReturn)} — ${beats ? 'beats' : 'does not beat'} equal weight`,
    );
  });

  it('Regimes and Rebounds show what the services compute', async () => {
    const reg = await desk.call<RegimesResponse>('market.regimes', { universe: 'djia30' });
    await desk.page.goto(`${desk.host.url}#/regimes`);
    await desk.page.locator('[data-testid="regime-trend"]').waitFor();
    expect((await desk.page.locator('[data-testid="regime-trend"] .big').textContent())!.toLowerCase()).toBe(
      reg.trend[reg.trend.length - 1],
    );
    expect((await desk.page.locator('[data-testid="regime-vol"] .big').textContent())!.toLowerCase()).toBe(
      reg.volatility[reg.volatility.length - 1],
    );
    // the grouping timeline shows the SAMP-HDRL run's regroupings on the same axis
    await desk.page.locator('[data-testid="chart-grouping"] canvas').first().waitFor();
    const tl = await desk.call<{ changes: unknown[] }>('runs.groupings', { runId: sampRun });
    expect(await desk.page.locator('[data-testid="grouping-timeline"]').textContent()).toContain(
      `${tl.changes.length} regroupings`,
    );
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('desk-regimes'), fullPage: true });
    const rb = await desk.call<MarketReboundsResponse>('market.rebounds', { universe: 'djia30' });
    await desk.page.goto(`${desk.host.url}#/rebounds`);
    await desk.page.locator('[data-testid="rebound-count"]').waitFor();
    expect(await desk.page.locator('[data-testid="rebound-count"]').textContent()).toBe(String(rb.summary.count));
    expect(await desk.page.locator('[data-testid="rebound-table"] tbody tr').count()).toBe(rb.flags.length);
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('desk-rebounds'), fullPage: true });
  });

  it('Agents computes explanations on the real model and shows them', async () => {
    await desk.page.goto(`${desk.host.url}#/agents`);
    await desk.page.locator('[data-testid="agents-model"]').waitFor();
    const backend = (
      desk.engine.db.prepare('SELECT backend FROM runs WHERE id = ?').get(sampRun) as { backend: string }
    ).backend;
    expect(await desk.page.locator('[data-testid="agents-model"] strong').textContent()).toBe(backend);
    await desk.page.locator('[data-testid="explain-run"]').click();
    await desk.page.locator('[data-testid="explain-words"]').waitFor({ timeout: 240_000 });
    // the method (Kernel SHAP, its checks) is behind a toggle
    await desk.page.locator('[data-testid="method-details"] summary').click();
    await desk.page.locator('[data-testid="explain-meta"]').waitFor();
    const e = await desk.call<{ agents: { agent: string; efficiencyGap: number }[] }>('explain.get', {
      runId: sampRun,
    });
    expect(e.agents.map((a) => a.agent)).toEqual(expect.arrayContaining(['upper', 'lower1', 'lower2']));
    for (const a of e.agents) expect(a.efficiencyGap).toBeLessThan(1e-6);
    // the capital split attribution recomputes exactly the split the strategy used that day
    const full = await desk.call<{ date: string; capital: { output: string; fx: number }[] }>('explain.get', {
      runId: sampRun,
    });
    const w = await desk.call<RunWeights>('runs.weights', { id: sampRun, date: full.date });
    const cap = sampDetail(w.detail)!.capital;
    expect(full.capital.find((c) => c.output.startsWith('high'))!.fx).toBeCloseTo(cap.c2, 9);
    expect(full.capital.find((c) => c.output.startsWith('cash'))!.fx).toBeCloseTo(cap.cash, 9);
    await desk.page.locator('[data-testid="capital-shap"]').waitFor();
    await desk.page.locator('[data-testid="shap-upper-assets"] canvas').first().waitFor();
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('desk-agents'), fullPage: true });
  });

  it('Data rejects a malformed file with its problems listed and writes nothing', async () => {
    const before = (desk.engine.db.prepare('SELECT COUNT(*) AS n FROM bars').get() as { n: number }).n;
    await desk.page.goto(`${desk.host.url}#/data`);
    await desk.page.locator('[data-testid="assets-table"]').waitFor();
    await desk.page.setInputFiles(
      '[data-testid="import-file"]',
      path.join(ROOT, 'test/fixtures/import/malformed/negative-price.csv'),
    );
    await desk.page.fill('[data-testid="import-universe"]', 'bad import');
    await desk.page.click('[data-testid="import-preview"]');
    await desk.page.locator('[data-testid="import-verdict"]').waitFor();
    expect(await desk.page.locator('[data-testid="import-verdict"]').textContent()).toContain('Rejected');
    expect(await desk.page.locator('[data-testid="import-problems"] tbody tr').count()).toBeGreaterThan(0);
    expect(await desk.page.locator('[data-testid="import-problems"]').textContent()).toMatch(/negative-price\.csv:\d+/);
    expect(await desk.page.locator('[data-testid="import-commit"]').count()).toBe(0);
    const after = (desk.engine.db.prepare('SELECT COUNT(*) AS n FROM bars').get() as { n: number }).n;
    expect(after).toBe(before);
    await desk.page.screenshot({ path: screenshotPath('desk-data'), fullPage: true });
  });

  it('Training starts a job with progress and cancels it', async () => {
    await desk.page.goto(`${desk.host.url}#/training`);
    await desk.page.locator('[data-testid="train-start"]').click();
    await desk.page.locator('[data-testid="train-status"]', { hasText: 'running' }).waitFor();
    expect(await desk.page.locator('[data-testid="train-backend"]').textContent()).toBe(
      (await desk.call<{ backend: { name: string } }>('app.info', {})).backend.name,
    );
    await desk.page.waitForTimeout(1500);
    await desk.page.screenshot({ path: screenshotPath('desk-training'), fullPage: true });
    await desk.page.locator('[data-testid="train-cancel"]').click();
    await desk.page.locator('[data-testid="train-status"]', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    const runs = await desk.call<RunSummary[]>('runs.list', { universe: 'djia30' });
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  });

  it('Training draws the validation curve of a model per stage and marks its chosen checkpoint; an older model says it has none', async () => {
    const { models } = await desk.call<ModelsListResponse>('models.list', {});
    const real = models.find((x) => x.runs.some((r) => r.id === sampRun))!;
    // the fixture's model was trained with a validation period
    expect(real.training?.stages.length).toBeGreaterThan(0);
    // beside it: a model whose stages ran several episodes (one stopped early, before its last episode was the
    // best), and one trained before validation was added (no record)
    const store = fileModelStore(modelsDir(desk.engine.db)!);
    const artifacts = (await store.get(real.key))!;
    const point = (episode: number, sharpe: number) => ({
      episode,
      updates: episode * 500,
      sharpe,
      netReturn: sharpe / 12,
      turnover: 0.004 + 0.001 * episode,
    });
    const upper = [0.21, 0.64, 1.38, 1.12, 0.95, 1.2, 0.71].map((x, i) => point(i + 1, x));
    const lower = [0.88, 1.05, 1.31, 1.52].map((x, i) => point(i + 1, x));
    const summary: SampTrainingSummary = {
      trainDays: { first: 60, last: 504, startDate: '1997-03-27', endDate: '1998-12-31' },
      validationDays: 252,
      validation: { first: 504, last: 756, startDate: '1998-12-31', endDate: '1999-12-31' },
      episodes: 11,
      updates: 5500,
      stages: [
        {
          stage: 'upper',
          episodes: 7,
          updates: 3500,
          endedBy: 'patience',
          chosenEpisode: 3,
          chosen: upper[2]!,
          validation: upper,
        },
        {
          stage: 'lower',
          episodes: 4,
          updates: 2000,
          endedBy: 'budget',
          chosenEpisode: 4,
          chosen: lower[3]!,
          validation: lower,
        },
      ],
    };
    const keys = { curve: 'a1'.repeat(32), old: 'b2'.repeat(32) };
    await store.put(keys.curve, { ...artifacts, key: keys.curve, training: summary });
    const { training: _none, ...before } = artifacts;
    await store.put(keys.old, { ...before, key: keys.old });
    try {
      await desk.page.goto(`${desk.host.url}#/training`);
      await desk.page.reload(); // the view may be open already: list the models as they are now
      const card = desk.page.locator('[data-testid="model-training"]');
      const show = async (key: string) => {
        await desk.page.click(`[data-testid="model-show-${key.slice(0, 12)}"]`);
        await desk.page.locator(`[data-testid="model-${key.slice(0, 12)}"].selected`).waitFor();
      };
      const text = async (testid: string) => (await card.locator(`[data-testid="${testid}"]`).textContent())!.trim();

      await show(keys.curve);
      await card.locator('[data-testid="curve-upper"] canvas').waitFor();
      await card.locator('[data-testid="curve-lower"] canvas').waitFor();
      expect(await text('training-period')).toBe('1997-03-27 – 1998-12-31');
      expect(await text('validation-period')).toMatch(/^1998-12-31 – 1999-12-31 \(252\s+trading days/);
      expect(await text('training-episodes')).toBe('11');
      expect(await text('training-updates')).toBe('5,500');
      expect(await text('training-early-stopped')).toBe('yes (upper)');
      // each chart is drawn with the chosen checkpoint (its description is part of the option the chart renders)
      expect(await card.locator('[data-testid="curve-upper"]').getAttribute('aria-label')).toContain(
        'validation net Sharpe after each of 7 episodes, chosen checkpoint: episode 3, net Sharpe 1.38.',
      );
      expect(await card.locator('[data-testid="curve-lower"]').getAttribute('aria-label')).toContain(
        'chosen checkpoint: episode 4, net Sharpe 1.52.',
      );
      const upperFig = card.locator('[data-testid="stage-upper"]');
      expect(await upperFig.locator('figcaption').textContent()).toMatch(
        /7 episodes, 3,500 updates;\s+stopped early: no better validation Sharpe over the last episodes\.\s+Chosen checkpoint: episode 3, validation net Sharpe 1\.38, net return 11\.50%, turnover 0\.70% a day\./,
      );
      expect(await card.locator('[data-testid="stage-lower"] figcaption').textContent()).toMatch(
        /4 episodes, 2,000 updates;\s+ran until its update budget was spent/,
      );
      // the points behind the chart, for screen readers: one row per episode, the chosen one marked
      expect(await upperFig.locator('tbody tr').count()).toBe(7);
      expect(await upperFig.locator('tr[data-chosen]').count()).toBe(1);
      expect(await upperFig.locator('tr[data-chosen] td').allTextContents()).toEqual([
        '3 (chosen)',
        '1.38',
        '11.50%',
        '0.70%',
        '1,500',
      ]);
      await desk.page.setViewportSize({ width: 1280, height: 800 });
      await card.scrollIntoViewIfNeeded();
      await desk.page.waitForTimeout(300);
      await desk.page.screenshot({ path: screenshotPath('desk-training-curve-1280') });
      await desk.page.setViewportSize({ width: 1280, height: 900 });

      // the fixture's own model: its record as models.list gives it
      await show(real.key);
      expect(await text('training-episodes')).toBe(String(real.training!.episodes));
      for (const st of real.training!.stages) {
        await card.locator(`[data-testid="curve-${st.stage}"] canvas`).waitFor();
        expect(await card.locator(`[data-testid="curve-${st.stage}"]`).getAttribute('aria-label')).toContain(
          `chosen checkpoint: episode ${st.chosenEpisode},`,
        );
      }
      await card.scrollIntoViewIfNeeded();
      await desk.page.screenshot({ path: screenshotPath('desk-training-curve-fixture') });

      await show(keys.old);
      expect(await text('training-none')).toContain('The model file keeps no validation record');
      expect(await card.locator('canvas').count()).toBe(0);
    } finally {
      for (const k of Object.values(keys)) fs.rmSync(path.join(modelsDir(desk.engine.db)!, `${k}.json`));
      // leave the view listing the folder as it is again, and the page started before the next test navigates
      await desk.page.reload();
      await desk.page.locator('[data-testid="models-table"]').waitFor();
    }
  });

  it('Reports downloads the allocation report as a PDF and CSV from the browser', async () => {
    await desk.page.goto(`${desk.host.url}#/reports`);
    await desk.page.locator('[data-testid="export-allocation-pdf"]').waitFor();
    const [pdf] = await Promise.all([
      desk.page.waitForEvent('download'),
      desk.page.click('[data-testid="export-allocation-pdf"]'),
    ]);
    const pdfBytes = fs.readFileSync((await pdf.path())!);
    expect(pdfBytes.subarray(0, 5).toString()).toBe('%PDF-');
    const [csv] = await Promise.all([
      desk.page.waitForEvent('download'),
      desk.page.click('[data-testid="export-allocation-csv-weights"]'),
    ]);
    const text = fs.readFileSync((await csv.path())!, 'utf8');
    const run = await desk.call<RunSummary>('runs.get', {
      id: await desk.page.locator('[data-testid="report-run"]').inputValue(),
    });
    const w = await desk.call<RunWeights>('runs.weights', { id: run.id });
    expect(text).toContain(w.tickers[0]!);
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('desk-reports'), fullPage: true });
  });

  it('About renders, and no view logged a console error', async () => {
    for (const r of ['about']) {
      await desk.page.goto(`${desk.host.url}#/${r}`);
      await desk.page.locator('h1').waitFor();
      await desk.page.waitForTimeout(500);
      await desk.page.screenshot({ path: screenshotPath(`desk-${r}`), fullPage: true });
    }
    await desk.page.goto(`${desk.host.url}#/`);
    await desk.page.click('[data-testid="theme-toggle"]');
    await desk.page.locator('[data-testid="weights-table"]').waitFor();
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('desk-today-dark'), fullPage: true });
    await desk.page.click('[data-testid="theme-toggle"]');
    expect(desk.errors).toEqual([]);
    expect(fs.existsSync(screenshotPath('desk-today'))).toBe(true);
  });

  it('friction: Training lists the stored models with what they were trained on and the runs that used them', async () => {
    const { models } = await desk.call<ModelsListResponse>('models.list', {});
    expect(models.length).toBeGreaterThan(0);
    const m = models.find((x) => x.runs.some((r) => r.id === sampRun))!;
    await desk.page.goto(`${desk.host.url}#/training`);
    const row = desk.page.locator(`[data-testid="model-${m.key.slice(0, 12)}"]`);
    await row.waitFor();
    expect(await desk.page.locator('[data-testid="models-table"] tbody tr').count()).toBe(models.length);
    const cell = async (col: string) => (await row.locator(`[data-col="${col}"]`).textContent())!.trim();
    expect(await cell('strategy')).toBe('samp-hdrl');
    expect(await cell('variant')).toBe('full method');
    expect(await cell('seed')).toBe(String(m.seed));
    expect(await cell('preset')).toBe(m.preset);
    expect(await cell('train')).toBe(`${m.trainFrom} – ${m.trainTo}`);
    expect(await cell('backend')).toBe(m.backend);
    expect(await cell('trainingMs')).toMatch(/^\d+ (s|min \d\d s)$/);
    const run = await desk.call<RunSummary>('runs.get', { id: sampRun });
    expect(await cell('runs')).toContain(`${run.windowFrom} – ${run.windowTo}`);
    expect(await desk.page.getByText('No training started in this session yet').count()).toBe(0);
  });

  it('friction: Reports sorts its runs from the keyboard (buttons in the headers, aria-sort) and previews a report in a sandboxed frame', async () => {
    await desk.page.goto(`${desk.host.url}#/reports`);
    const table = desk.page.locator('[data-testid="backtest-runs"]');
    await table.locator('tbody tr').first().waitFor();
    // Tab moves from one header button to the next: the headers are reachable without a mouse
    await desk.page.locator('[data-testid="sort-strategy"]').focus();
    await desk.page.keyboard.press('Tab');
    expect(await desk.focused()).toBe('sort-seed');
    await desk.page.keyboard.press('Tab');
    await desk.page.keyboard.press('Tab');
    await desk.page.keyboard.press('Tab');
    expect(await desk.focused()).toBe('sort-sharpe');
    const sharpeTh = table.locator('th', { has: desk.page.locator('[data-testid="sort-sharpe"]') });
    expect(await sharpeTh.getAttribute('aria-sort')).toBe('none');
    const runs = await desk.call<RunSummary[]>('runs.list', { universe: 'djia30', status: 'complete', limit: 5000 });
    const sharpeCells = async () =>
      (await table.locator('tbody tr td:nth-child(6)').allTextContents()).map((t) => t.trim());
    const expected = (dir: 1 | -1) =>
      [...runs]
        .sort((a, b) => ((a.metrics.sharpe as number) - (b.metrics.sharpe as number)) * dir)
        .map((r) => (r.metrics.sharpe as number).toFixed(2));
    await desk.page.keyboard.press('Enter');
    expect(await sharpeTh.getAttribute('aria-sort')).toBe('descending');
    expect(await sharpeCells()).toEqual(expected(-1));
    await desk.page.keyboard.press('Space');
    expect(await sharpeTh.getAttribute('aria-sort')).toBe('ascending');
    expect(await sharpeCells()).toEqual(expected(1));

    // the preview: the HTML report of the chosen run, in an iframe with an empty sandbox, from srcdoc
    const chosen = await desk.page.locator('[data-testid="report-run"]').inputValue();
    const date = await desk.page.locator('[data-testid="report-date"]').inputValue();
    await desk.page.click('[data-testid="preview-allocation"]');
    const frame = desk.page.locator('[data-testid="report-preview"]');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('src')).toBeNull();
    const html = (await frame.getAttribute('srcdoc'))!;
    expect(html).toMatch(/^<!doctype html>/i);
    const body = desk.page.frameLocator('[data-testid="report-preview"]').locator('body');
    await body.waitFor();
    expect(await body.textContent()).toContain(date);
    expect(await desk.page.locator('[data-testid="preview-title"]').textContent()).toContain(`decision of ${date}`);
    const label = (await desk.call<RunSummary>('runs.get', { id: chosen })).strategy;
    expect(await desk.page.locator('[data-testid="preview-title"]').textContent()).toContain(label);
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('friction-reports-preview-1280'), fullPage: true });
  });

  it('friction: the chosen run is kept across views and reloads', async () => {
    const runs = await desk.call<RunSummary[]>('runs.list', { universe: 'djia30', status: 'complete', limit: 5000 });
    const other = runs.find((r) => r.strategy === 'ubah')!;
    await desk.page.goto(`${desk.host.url}#/reports`);
    const picker = desk.page.locator('[data-testid="report-run"]');
    await picker.waitFor();
    expect(await picker.inputValue()).not.toBe(other.id);
    await picker.selectOption(other.id);
    await desk.page.click('[data-testid="nav-training"]');
    await desk.page.locator('h1', { hasText: 'Training' }).waitFor();
    await desk.page.click('[data-testid="nav-reports"]');
    await desk.page.locator('[data-testid="report-date"]').waitFor();
    expect(await picker.inputValue()).toBe(other.id);
    await desk.page.reload();
    await desk.page.locator('[data-testid="report-date"]').waitFor();
    expect(await picker.inputValue()).toBe(other.id);
  });

  it('friction: while the runs load, Reports shows placeholders, never "no runs"', async () => {
    await desk.page.goto(`${desk.host.url}#/about`);
    await desk.page.locator('[data-testid="about-info"]').waitFor();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await desk.page.route('**/api/runs.list', async (route) => {
      await gate;
      await route.continue();
    });
    try {
      await desk.page.click('[data-testid="nav-reports"]');
      await desk.page.locator('[data-testid="reports-loading"]').waitFor();
      expect(await desk.page.locator('[data-testid="reports-empty"]').count()).toBe(0);
      expect(await desk.page.locator('[data-testid="reports-loading"]').getAttribute('aria-busy')).toBe('true');
      release();
      await desk.page.locator('[data-testid="allocation-card"]').waitFor();
      expect(await desk.page.locator('[data-testid="reports-loading"]').count()).toBe(0);
    } finally {
      release();
      await desk.page.unroute('**/api/runs.list');
    }
  });

  it('friction: the job tray collapses, stays collapsed after a reload, and a dismissed job stays dismissed', async () => {
    await desk.page.goto(`${desk.host.url}#/about`);
    await desk.page.locator('[data-testid="about-info"]').waitFor();
    const job = await desk.call<{ id: string }>('jobs.demo', { steps: 2, delayMs: 10 });
    const tray = desk.page.locator('[data-testid="job-tray"]');
    await tray.locator(`[data-testid="job-${job.id}"][data-status="succeeded"]`).waitFor({ timeout: 30_000 });
    await desk.page.click('[data-testid="tray-collapse"]');
    expect(await tray.getAttribute('data-collapsed')).toBe('true');
    expect(await tray.locator('.job').count()).toBe(0);
    const collapsedBox = (await tray.boundingBox())!;
    expect(collapsedBox.height).toBeLessThan(60);
    await desk.page.reload();
    await desk.page.locator('[data-testid="tray-expand"]').waitFor();
    expect(await tray.getAttribute('data-collapsed')).toBe('true');
    expect(await tray.locator('.job').count()).toBe(0);
    await desk.page.screenshot({ path: screenshotPath('friction-tray-collapsed-1280') });
    await desk.page.click('[data-testid="tray-expand"]');
    await tray.locator(`[data-testid="job-${job.id}"]`).waitFor();
    await desk.page.screenshot({ path: screenshotPath('friction-tray-open-1280') });
    // dismiss every finished job shown: after a reload the tray does not bring them back
    for (const id of await tray
      .locator('.job')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(4)))) {
      await desk.page.click(`[data-testid="dismiss-${id}"]`);
    }
    await tray.waitFor({ state: 'detached' });
    await desk.page.reload();
    await desk.page.locator('[data-testid="about-info"]').waitFor();
    await desk.page.waitForTimeout(300); // jobs.list has answered (the tray renders from it)
    expect(await desk.page.locator('[data-testid="job-tray"]').count()).toBe(0);
  });

  it('friction: About has no demo job button; no horizontal overflow at 1280x800; screenshots at both sizes', async () => {
    await desk.page.goto(`${desk.host.url}#/about`);
    await desk.page.locator('[data-testid="about-info"]').waitFor();
    expect(await desk.page.locator('[data-testid="demo-job"]').count()).toBe(0);
    expect(await desk.page.getByText('Run a demo job').count()).toBe(0);
    const views: [string, string][] = [
      ['training', '[data-testid="models-table"]'],
      ['reports', '[data-testid="allocation-card"]'],
      ['about', '[data-testid="about-info"]'],
    ];
    for (const [w, h] of [
      [1280, 800],
      [1600, 1000],
    ]) {
      await desk.page.setViewportSize({ width: w!, height: h! });
      for (const [name, ready] of views) {
        await desk.page.goto(`${desk.host.url}#/${name}`);
        await desk.page.locator(ready).waitFor();
        await desk.page.waitForTimeout(300);
        expect(await desk.overflow(), `${name} at ${w}x${h}`).toEqual({ page: 0, content: 0 });
        await desk.page.screenshot({ path: screenshotPath(`friction-${name}-${w}`) });
      }
    }
    await desk.page.setViewportSize({ width: 1280, height: 900 });
    expect(desk.errors).toEqual([]);
  });
});
