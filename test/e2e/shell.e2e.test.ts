/**
 * End to end: the built renderer served by the headless host, in Debian's Chromium. Loads the app, visits every
 * route without a console error, checks the About panel against app.info, runs and cancels a job, and saves a
 * screenshot of each view under .e2e/screenshots (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { routes } from '../../src-renderer/src/routes';
import { ensureBuilt, launchBrowser, openSignedIn, screenshotPath, collectPageErrors } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import type { AppInfo } from '../../src-shared/contract';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  const dir = ensureBuilt();
  engine = tempEngine();
  host = await startHost(engine, { rendererDir: dir });
  browser = await launchBrowser();
  page = await openSignedIn(browser, host, { viewport: { width: 1280, height: 800 } });
  collectPageErrors(page, consoleErrors);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  engine?.close();
});

describe('desk shell in Chromium', () => {
  it('visits every route without a console error', async () => {
    await page.goto(host.url);
    for (const r of routes) {
      await page.click(`[data-testid="nav-${String(r.name)}"]`);
      await page.locator('h1', { hasText: r.meta.title }).waitFor();
      await page.waitForTimeout(150);
      await page.screenshot({ path: screenshotPath(`shell-${String(r.name)}`) });
    }
    expect(consoleErrors).toEqual([]);
  });

  it('shows what app.info says in the About panel', async () => {
    const info = (await dispatch(engine, 'app.info', {})) as { ok: true; value: AppInfo };
    await page.goto(`${host.url}#/about`);
    const backend = await page.locator('[data-testid="about-backend"] strong').textContent();
    expect(backend).toBe(info.value.backend.name);
    expect(await page.locator('[data-testid="about-db"]').textContent()).toContain(engine.dbPath);
    expect(await page.locator('[data-testid="about-onnx"]').textContent()).toContain(info.value.onnxRuntime.version);
  });

  it('runs a job with progress in the tray and cancels another', async () => {
    // the desk has no button for the plumbing check job: the test starts it through the engine, the tray shows it
    await page.goto(`${host.url}#/about`);
    await dispatch(engine, 'jobs.demo', { steps: 20, delayMs: 100 });
    await page.waitForSelector('[data-testid="job-tray"] .job[data-status="succeeded"]', { timeout: 30_000 });
    await dispatch(engine, 'jobs.demo', { steps: 20, delayMs: 100 });
    const running = page.locator('[data-testid="job-tray"] .job[data-status="running"]').first();
    await running.waitFor();
    await running.locator('button').click();
    await page.waitForSelector('[data-testid="job-tray"] .job[data-status="cancelled"]', { timeout: 30_000 });
    await page.screenshot({ path: screenshotPath('shell-jobs') });
    expect(consoleErrors).toEqual([]);
  });

  it('switches to the dark theme', async () => {
    await page.click('[data-testid="theme-toggle"]');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.screenshot({ path: screenshotPath('shell-dark') });
    await page.click('[data-testid="theme-toggle"]');
  });
});
