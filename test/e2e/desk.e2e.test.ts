/**
 * The desk end to end, in Debian's Chromium against the headless host, on a database prepared with real runs on
 * the bundled DJIA data: classic baselines over 2000 and a SAMP-HDRL quick run (one training episode per stage, so
 * the suite stays fast). Every view is opened, its figures checked against what the services return, an import of
 * a malformed file is previewed (problems shown, nothing written), a training job is started and cancelled, and a
 * screenshot of each view is saved under .e2e/screenshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { runBacktest } from '../../src-main/backtest/run';
import { ensureBuilt, launchBrowser, openSignedIn, ROOT, screenshotPath } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import type { RunSummary, RunWeights } from '../../src-shared/contract/runs';
import type { MarketReboundsResponse, RegimesResponse } from '../../src-shared/contract/explain';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
let sampRun = '';

async function call<T>(channel: string, req: object): Promise<T> {
  const r = await dispatch(engine, channel, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value as T;
}
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

beforeAll(async () => {
  const dir = ensureBuilt();
  engine = tempEngine();
  await runBacktest(engine.db, { universe: 'djia30', strategies: ['crp', 'ubah', 'eg', 'bcrp'], from: '2000-01-03', to: '2000-12-29', lookback: 252 });
  const samp = await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ['samp-hdrl'],
    from: '2000-10-02',
    to: '2000-12-29',
    lookback: 500,
    params: { 'samp-hdrl': { preset: 'quick', episodes: 1 } },
  });
  sampRun = samp[0]!.runId!;
  expect(samp[0]!.status).toBe('complete');
  // the run records its model (a file next to the database, checksummed) and the backend that trained it
  const row = engine.db.prepare('SELECT backend, model_path, model_sha256 FROM runs WHERE id = ?').get(sampRun) as { backend: string; model_path: string; model_sha256: string };
  expect(row.backend).toMatch(/^(tfjs-node-gpu|tfjs-node|wasm|cpu)$/);
  expect(fs.existsSync(path.join(engine.dir, row.model_path))).toBe(true);
  expect(row.model_sha256).toMatch(/^[0-9a-f]{64}$/);
  host = await startHost(engine, { rendererDir: dir });
  browser = await launchBrowser();
  page = await openSignedIn(browser, host, { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  engine?.close();
});

describe('the desk on real runs', () => {
  it('Today shows the run\'s weights, grouped, with trades and group totals that match runs.weights', async () => {
    const w = await call<RunWeights>('runs.weights', { id: sampRun });
    await page.goto(`${host.url}#/`);
    await page.locator('[data-testid="weights-table"]').waitFor();
    expect(await page.locator('[data-testid="today-run"]').inputValue()).toBe(sampRun);
    expect(await page.locator('[data-testid="today-decision-date"]').textContent()).toBe(w.date);
    for (const i of [0, 7, 19]) {
      const t = w.tickers[i]!;
      expect(await page.locator(`[data-testid="weight-row-${t}"] [data-col="weight"]`).textContent()).toBe(pct(w.final.weights[i]!));
    }
    expect(await page.locator('[data-testid="cash-weight"]').textContent()).toBe(pct(w.final.cash));
    const groups = w.detail!.groups as { high: string[] };
    const high = w.tickers.reduce((s, t, i) => s + (groups.high.includes(t) ? w.final.weights[i]! : 0), 0);
    expect(await page.locator('[data-testid="group-total-High-quality"]').textContent()).toBe(pct(high));
    await page.fill('[data-testid="note-text"]', 'Approved after review of the high-quality tilt.');
    await page.click('[data-testid="note-save"]');
    await page.locator('[data-testid="note-saved"]', { hasText: 'saved' }).waitFor();
    const note = await call<{ text: string } | null>('notes.get', { runId: sampRun, date: w.date });
    expect(note?.text).toBe('Approved after review of the high-quality tilt.');
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('desk-today'), fullPage: true });
  });

  it('Backtests lists every run with the metrics runs.list holds, hindsight marked', async () => {
    const runs = await call<RunSummary[]>('runs.list', { universe: 'djia30', status: 'complete' });
    const crp = runs.find((r) => r.strategy === 'crp')!;
    await page.goto(`${host.url}#/backtests`);
    const row = page.locator(`[data-testid="metrics-row-crp-${crp.windowFrom}"]`);
    await row.waitFor();
    expect(await row.locator('[data-metric="sharpe"]').textContent()).toContain((crp.metrics.sharpe as number).toFixed(2));
    expect(await row.locator('[data-metric="cumulativeReturn"]').textContent()).toContain(pct(crp.metrics.cumulativeReturn as number));
    expect(await page.locator('[data-testid^="metrics-row-bcrp"]').first().textContent()).toContain('†');
    expect(await page.locator('[data-testid^="metrics-row-crp"]').first().textContent()).toContain('equal weight');
    await page.locator('[data-testid="chart-equity"] canvas').first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('desk-backtests'), fullPage: true });
  });

  it('Backtests keeps experiments apart: a repeat of the same seed counts once, other settings get their own row', async () => {
    const w = { universe: 'djia30', strategies: ['crp'], from: '2000-01-03', to: '2000-12-29', lookback: 252 };
    const [repeat] = await runBacktest(engine.db, w);
    const [dearer] = await runBacktest(engine.db, { ...w, cost: 0.005 });
    await page.goto(`${host.url}#/backtests`);
    await page.reload(); // the view was open already: load the runs again
    const rows = page.locator('[data-testid="metrics-row-crp-2000-01-03"]');
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
    await page.locator('[data-testid="chart-equity"] canvas').first().waitFor();
    expect(await rows.locator('input[type="checkbox"]').evaluateAll((els) => els.map((e) => (e as unknown as { checked: boolean }).checked))).toEqual([true, true]);
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('desk-backtests-settings'), fullPage: true });
  });

  it('Backtests says whether the learned run beat equal weight, by the rule of the results document', async () => {
    const [ew] = await runBacktest(engine.db, { universe: 'djia30', strategies: ['crp'], from: '2000-10-02', to: '2000-12-29', lookback: 500 });
    const samp = await call<RunSummary>('runs.get', { id: sampRun });
    await page.goto(`${host.url}#/backtests`);
    await page.reload();
    const sampRow = page.locator('[data-testid="metrics-row-samp-hdrl-2000-10-02"]');
    await sampRow.waitFor();
    // the newest window (the crp run just made) is selected by default; add the SAMP-HDRL group
    await sampRow.locator('input[type="checkbox"]').check();
    const verdict = page.locator('[data-testid="ew-verdict"] li');
    await verdict.first().waitFor();
    const s = samp.metrics.sharpe as number;
    const c = samp.metrics.cumulativeReturn as number;
    const beats = s > ew!.metrics!.sharpe && c > ew!.metrics!.cumulativeReturn;
    const labels = new Map((await call<{ id: string; label: string }[]>('strategies.list', {})).map((d) => [d.id, d.label]));
    expect(await verdict.first().textContent()).toBe(
      `${labels.get('samp-hdrl')} 2000: Sharpe ${s.toFixed(2)} vs ${labels.get('crp')} ${ew!.metrics!.sharpe.toFixed(2)}, cumulative return ${pct(c)} vs ${pct(ew!.metrics!.cumulativeReturn)} — ${beats ? 'beats' : 'does not beat'} equal weight`,
    );
  });

  it('Regimes and Rebounds show what the services compute', async () => {
    const reg = await call<RegimesResponse>('market.regimes', { universe: 'djia30' });
    await page.goto(`${host.url}#/regimes`);
    await page.locator('[data-testid="regime-trend"]').waitFor();
    expect((await page.locator('[data-testid="regime-trend"] .big').textContent())!.toLowerCase()).toBe(reg.trend[reg.trend.length - 1]);
    expect((await page.locator('[data-testid="regime-vol"] .big').textContent())!.toLowerCase()).toBe(reg.volatility[reg.volatility.length - 1]);
    // the grouping timeline shows the SAMP-HDRL run's regroupings on the same axis
    await page.locator('[data-testid="chart-grouping"] canvas').first().waitFor();
    const tl = await call<{ changes: unknown[] }>('runs.groupings', { runId: sampRun });
    expect(await page.locator('[data-testid="grouping-timeline"]').textContent()).toContain(`${tl.changes.length} regroupings`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('desk-regimes'), fullPage: true });
    const rb = await call<MarketReboundsResponse>('market.rebounds', { universe: 'djia30' });
    await page.goto(`${host.url}#/rebounds`);
    await page.locator('[data-testid="rebound-count"]').waitFor();
    expect(await page.locator('[data-testid="rebound-count"]').textContent()).toBe(String(rb.summary.count));
    expect(await page.locator('[data-testid="rebound-table"] tbody tr').count()).toBe(rb.flags.length);
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('desk-rebounds'), fullPage: true });
  });

  it('Agents computes explanations on the real model and shows them', async () => {
    await page.goto(`${host.url}#/agents`);
    await page.locator('[data-testid="agents-model"]').waitFor();
    const backend = (engine.db.prepare('SELECT backend FROM runs WHERE id = ?').get(sampRun) as { backend: string }).backend;
    expect(await page.locator('[data-testid="agents-model"] strong').textContent()).toBe(backend);
    await page.locator('[data-testid="explain-run"]').click();
    await page.locator('[data-testid="explain-meta"]').waitFor({ timeout: 240_000 });
    const e = await call<{ agents: { agent: string; efficiencyGap: number }[] }>('explain.get', { runId: sampRun });
    expect(e.agents.map((a) => a.agent)).toEqual(expect.arrayContaining(['upper', 'lower1', 'lower2']));
    for (const a of e.agents) expect(a.efficiencyGap).toBeLessThan(1e-6);
    // the capital split attribution recomputes exactly the split the strategy used that day
    const full = await call<{ date: string; capital: { output: string; fx: number }[] }>('explain.get', { runId: sampRun });
    const w = await call<RunWeights>('runs.weights', { id: sampRun, date: full.date });
    const cap = (w.detail as { capital: { c1: number; c2: number; cash: number } }).capital;
    expect(full.capital.find((c) => c.output.startsWith('high'))!.fx).toBeCloseTo(cap.c2, 9);
    expect(full.capital.find((c) => c.output.startsWith('cash'))!.fx).toBeCloseTo(cap.cash, 9);
    await page.locator('[data-testid="capital-shap"]').waitFor();
    await page.locator('[data-testid="shap-upper-assets"] canvas').first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('desk-agents'), fullPage: true });
  });

  it('Data rejects a malformed file with its problems listed and writes nothing', async () => {
    const before = (engine.db.prepare('SELECT COUNT(*) AS n FROM bars').get() as { n: number }).n;
    await page.goto(`${host.url}#/data`);
    await page.locator('[data-testid="assets-table"]').waitFor();
    await page.setInputFiles('[data-testid="import-file"]', path.join(ROOT, 'test/fixtures/import/malformed/negative-price.csv'));
    await page.fill('[data-testid="import-universe"]', 'bad import');
    await page.click('[data-testid="import-preview"]');
    await page.locator('[data-testid="import-verdict"]').waitFor();
    expect(await page.locator('[data-testid="import-verdict"]').textContent()).toContain('Rejected');
    expect(await page.locator('[data-testid="import-problems"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="import-problems"]').textContent()).toMatch(/negative-price\.csv:\d+/);
    expect(await page.locator('[data-testid="import-commit"]').count()).toBe(0);
    const after = (engine.db.prepare('SELECT COUNT(*) AS n FROM bars').get() as { n: number }).n;
    expect(after).toBe(before);
    await page.screenshot({ path: screenshotPath('desk-data'), fullPage: true });
  });

  it('Training starts a job with progress and cancels it', async () => {
    await page.goto(`${host.url}#/training`);
    await page.locator('[data-testid="train-start"]').click();
    await page.locator('[data-testid="train-status"]', { hasText: 'running' }).waitFor();
    expect(await page.locator('[data-testid="train-backend"]').textContent()).toBe((await call<{ backend: { name: string } }>('app.info', {})).backend.name);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: screenshotPath('desk-training'), fullPage: true });
    await page.locator('[data-testid="train-cancel"]').click();
    await page.locator('[data-testid="train-status"]', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    const runs = await call<RunSummary[]>('runs.list', { universe: 'djia30' });
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  });

  it('Reports downloads the allocation report as a PDF and CSV from the browser', async () => {
    await page.goto(`${host.url}#/reports`);
    await page.locator('[data-testid="export-allocation-pdf"]').waitFor();
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-allocation-pdf"]')]);
    const pdfBytes = fs.readFileSync((await pdf.path())!);
    expect(pdfBytes.subarray(0, 5).toString()).toBe('%PDF-');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-allocation-csv-weights"]')]);
    const text = fs.readFileSync((await csv.path())!, 'utf8');
    const run = await call<RunSummary>('runs.get', { id: (await page.locator('[data-testid="report-run"]').inputValue()) });
    const w = await call<RunWeights>('runs.weights', { id: run.id });
    expect(text).toContain(w.tickers[0]!);
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('desk-reports'), fullPage: true });
  });

  it('About renders, and no view logged a console error', async () => {
    for (const r of ['about']) {
      await page.goto(`${host.url}#/${r}`);
      await page.locator('h1').waitFor();
      await page.waitForTimeout(500);
      await page.screenshot({ path: screenshotPath(`desk-${r}`), fullPage: true });
    }
    await page.goto(`${host.url}#/`);
    await page.click('[data-testid="theme-toggle"]');
    await page.locator('[data-testid="weights-table"]').waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('desk-today-dark'), fullPage: true });
    await page.click('[data-testid="theme-toggle"]');
    expect(consoleErrors).toEqual([]);
    expect(fs.existsSync(screenshotPath('desk-today'))).toBe(true);
  });
});
