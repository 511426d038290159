/**
 * The desk's backtest form (issue 18's leftover): a user picks a sector scenario and the spread-and-impact model in
 * Backtests, starts the run, and the stored run's config says it traded that scenario under that cost model (the
 * settings left empty keep the engine's defaults). End to end in Chromium against the headless host; equal weight
 * over a custom quarter of the bundled data keeps it short.
 */
import { describe, expect, it } from 'vitest';
import { IMPACT_DEFAULTS } from '../../src-main/market/costs';
import { screenshotPath } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import type { RunInfo, RunSummary } from '../../src-shared/contract/runs';
import { useDesk } from '../helpers/desk';

const desk = useDesk(() => tempEngine(), { page: { viewport: { width: 1600, height: 1000 } }, timeoutMs: 300_000 });

describe('the backtest form', () => {
  it('starts a run under a sector scenario with the spread-and-impact model, defaults kept where left empty', async () => {
    await desk.page.goto(`${desk.host.url}#/backtests`);
    await desk.page.locator('[data-testid="start-backtest-btn"]').waitFor();
    await desk.page.locator('select').filter({ hasText: 'custom window' }).selectOption('custom');
    await desk.page.locator('input[placeholder="YYYY-MM-DD"]').first().fill('2000-10-02');
    await desk.page.locator('input[placeholder="YYYY-MM-DD"]').nth(1).fill('2000-12-29');
    await desk.page.locator('[data-testid="start-scenario"]').selectOption('volatile-sectors');
    // the model's fields appear only once it is switched on
    expect(await desk.page.locator('[data-testid="start-impact-k"]').count()).toBe(0);
    await desk.page.locator('[data-testid="start-impact"]').check();
    await desk.page.locator('[data-testid="start-impact-k"]').fill('0.5');
    await desk.page.locator('[data-testid="family-benchmark"] input[value="crp"]').check();
    await desk.page.locator('[data-testid="start-backtest-btn"]').scrollIntoViewIfNeeded();
    await desk.page.screenshot({ path: screenshotPath('backtest-form-1600') });
    await desk.page.locator('[data-testid="start-backtest-btn"]').click();
    await expect
      .poll(async () => (await desk.call<RunSummary[]>('runs.list', { strategy: 'crp', status: 'complete' })).length, {
        timeout: 120_000,
        interval: 500,
      })
      .toBe(1);
    const [summary] = await desk.call<RunSummary[]>('runs.list', { strategy: 'crp' });
    const run = await desk.call<RunInfo>('runs.get', { id: summary!.id });
    expect(run.config.scenario?.name).toBe('volatile-sectors');
    expect(run.config.tickers.length).toBeLessThanOrEqual(10);
    expect(run.config.impact).toMatchObject({
      impactK: 0.5,
      halfSpreadBp: IMPACT_DEFAULTS.halfSpreadBp,
      bookValue: IMPACT_DEFAULTS.bookValue,
    });
    expect(desk.errors).toEqual([]);
  }, 180_000);
});
