/**
 * End to end: the built renderer served by the headless host, in Debian's Chromium. Loads the app, visits every
 * route without a console error, checks the About panel against app.info, runs and cancels a job, shows the end of
 * a job that ended while the event stream was cut, and saves a screenshot of each view under .e2e/screenshots
 * (git-ignored).
 */
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/services';
import { routes } from '../../src-renderer/src/routes';
import { screenshotPath } from '../helpers/browser';
import { useDesk } from '../helpers/desk';
import { tempEngine } from '../helpers/engine';
import type { AppInfo, JobInfo } from '../../src-shared/contract';

const desk = useDesk(() => tempEngine(), { page: { viewport: { width: 1280, height: 800 } } });

describe('desk shell in Chromium', () => {
  it('visits every route without a console error', async () => {
    await desk.page.goto(desk.host.url);
    for (const r of routes) {
      await desk.page.click(`[data-testid="nav-${String(r.name)}"]`);
      await desk.page.locator('h1', { hasText: r.meta.title }).waitFor();
      await desk.page.waitForTimeout(150);
      await desk.page.screenshot({ path: screenshotPath(`shell-${String(r.name)}`) });
    }
    expect(desk.errors).toEqual([]);
  });

  it('shows what app.info says in the About panel', async () => {
    const info = (await dispatch(desk.engine, 'app.info', {})) as { ok: true; value: AppInfo };
    await desk.page.goto(`${desk.host.url}#/about`);
    const backend = await desk.page.locator('[data-testid="about-backend"] strong').textContent();
    expect(backend).toBe(info.value.backend.name);
    expect(await desk.page.locator('[data-testid="about-db"]').textContent()).toContain(desk.engine.dbPath);
    expect(await desk.page.locator('[data-testid="about-onnx"]').textContent()).toContain(
      info.value.onnxRuntime.version,
    );
  });

  it('runs a job with progress in the tray and cancels another', async () => {
    // the desk has no button for the plumbing check job: the test starts it through the engine, the tray shows it
    await desk.page.goto(`${desk.host.url}#/about`);
    await dispatch(desk.engine, 'jobs.demo', { steps: 20, delayMs: 100 });
    await desk.page.waitForSelector('[data-testid="job-tray"] .job[data-status="succeeded"]', { timeout: 30_000 });
    await dispatch(desk.engine, 'jobs.demo', { steps: 20, delayMs: 100 });
    const running = desk.page.locator('[data-testid="job-tray"] .job[data-status="running"]').first();
    await running.waitFor();
    await running.locator('button').click();
    await desk.page.waitForSelector('[data-testid="job-tray"] .job[data-status="cancelled"]', { timeout: 30_000 });
    await desk.page.screenshot({ path: screenshotPath('shell-jobs') });
    expect(desk.errors).toEqual([]);
  });

  it('shows the end of a job that ended while the event stream was cut, once the stream is back', async () => {
    // the page's first event stream ends at once (the host restarted, the machine slept); the browser opens it
    // again after the retry time the stream set, and the events sent meanwhile are lost
    let streams = 0;
    await desk.page.route('**/events', async (route) => {
      if (++streams === 1)
        await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: 'retry: 3000\n\n' });
      else await route.continue();
    });
    await desk.page.goto(`${desk.host.url}#/about`);
    await desk.page.reload();
    await desk.page.locator('h1', { hasText: 'About' }).waitFor();
    await desk.page.waitForTimeout(500); // the tray has listed the jobs there were
    expect(streams).toBe(1);
    const job = await desk.call<JobInfo>('jobs.demo', { steps: 3, delayMs: 10 });
    expect((await desk.engine.jobs.wait(job.id)).status).toBe('succeeded');
    await desk.page.waitForSelector(`[data-testid="job-${job.id}"][data-status="succeeded"]`, {
      timeout: 15_000,
    });
    expect(streams).toBe(2);
    await desk.page.unroute('**/events');
    expect(desk.errors).toEqual([]);
  });

  it('switches to the dark theme', async () => {
    await desk.page.click('[data-testid="theme-toggle"]');
    expect(await desk.page.locator('html').getAttribute('data-theme')).toBe('dark');
    await desk.page.screenshot({ path: screenshotPath('shell-dark') });
    await desk.page.click('[data-testid="theme-toggle"]');
  });
});
