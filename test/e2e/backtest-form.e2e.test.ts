/**
 * The desk's backtest form (issue 18's leftover): a user picks a sector scenario and the spread-and-impact model in
 * Backtests, starts the run, and the stored run's config says it traded that scenario under that cost model (the
 * settings left empty keep the engine's defaults). End to end in Chromium against the headless host; equal weight
 * over a custom quarter of the bundled data keeps it short.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { IMPACT_DEFAULTS } from '../../src-main/market/costs';
import { ensureBuilt, launchBrowser, openSignedIn, collectPageErrors, screenshotPath } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import type { RunInfo, RunSummary } from '../../src-shared/contract/runs';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

async function call<T>(channel: string, req: object): Promise<T> {
  const r = await dispatch(engine, channel, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  const dir = ensureBuilt();
  engine = tempEngine();
  host = await startHost(engine, { rendererDir: dir });
  browser = await launchBrowser();
  page = await openSignedIn(browser, host, { viewport: { width: 1600, height: 1000 } });
  collectPageErrors(page, consoleErrors);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  engine?.close();
});

describe('the backtest form', () => {
  it('starts a run under a sector scenario with the spread-and-impact model, defaults kept where left empty', async () => {
    await page.goto(`${host.url}#/backtests`);
    await page.locator('[data-testid="start-backtest-btn"]').waitFor();
    await page.locator('select').filter({ hasText: 'custom window' }).selectOption('custom');
    await page.locator('input[placeholder="YYYY-MM-DD"]').first().fill('2000-10-02');
    await page.locator('input[placeholder="YYYY-MM-DD"]').nth(1).fill('2000-12-29');
    await page.locator('[data-testid="start-scenario"]').selectOption('volatile-sectors');
    // the model's fields appear only once it is switched on
    expect(await page.locator('[data-testid="start-impact-k"]').count()).toBe(0);
    await page.locator('[data-testid="start-impact"]').check();
    await page.locator('[data-testid="start-impact-k"]').fill('0.5');
    await page.locator('[data-testid="family-benchmark"] input[value="crp"]').check();
    await page.locator('[data-testid="start-backtest-btn"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('backtest-form-1600') });
    await page.locator('[data-testid="start-backtest-btn"]').click();
    await expect
      .poll(async () => (await call<RunSummary[]>('runs.list', { strategy: 'crp', status: 'complete' })).length, {
        timeout: 120_000,
        interval: 500,
      })
      .toBe(1);
    const [summary] = await call<RunSummary[]>('runs.list', { strategy: 'crp' });
    const run = await call<RunInfo>('runs.get', { id: summary!.id });
    expect(run.config.scenario?.name).toBe('volatile-sectors');
    expect(run.config.tickers.length).toBeLessThanOrEqual(10);
    expect(run.config.impact).toMatchObject({
      impactK: 0.5,
      halfSpreadBp: IMPACT_DEFAULTS.halfSpreadBp,
      bookValue: IMPACT_DEFAULTS.bookValue,
    });
    expect(consoleErrors).toEqual([]);
  }, 180_000);
});
