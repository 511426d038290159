/**
 * The Agents view on an MPLS run (issue 19), end to end in Chromium against the headless host: a real run of the
 * bundled DJIA data over June 2000 (quick preset; no news, so the sentiment module is off) beside equal weight. The PM
 * presses Explain (a job in its own process); the words say where the largest holding's weight comes from (sector
 * weight × weight inside, what moved each) and what each agent did, as explain.get serves them; the modules are
 * listed with their fusion weights and the sentiment module's reason; the fusion weights over the run, the sectors
 * fused against final and each agent's attributions are drawn; the method sits behind a closed toggle; nothing
 * overflows sideways at 1600x1000 or 1280x800 (screenshots .e2e/screenshots/mpls-agents-<width>.png, the agents' cards
 * mpls-agents-cards.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { runBacktest } from '../../src-main/backtest/run';
import { ensureBuilt, launchBrowser, openSignedIn, screenshotPath, collectPageErrors } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import type { RunWeights } from '../../src-shared/contract/runs';
import type { RunExplanation } from '../../src-shared/contract/explain';
import { mplsDetail } from '../../src-shared/domain/decision';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
let runId = '';

async function call<T>(channel: string, req: object): Promise<T> {
  const r = await dispatch(engine, channel, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value as T;
}
const pct = (x: number, d = 2) => `${(x * 100).toFixed(d)}%`.replace(/^-(0\.0*%)$/, '$1');
const text = async (sel: string) => ((await page.locator(sel).first().textContent()) ?? '').trim();
interface BrowserDocument {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): { scrollWidth: number; clientWidth: number } | null;
}

beforeAll(async () => {
  const dir = ensureBuilt();
  engine = tempEngine();
  const runs = await runBacktest(engine.db, {
    universe: 'djia30',
    from: '2000-06-01',
    to: '2000-06-30',
    lookback: 340,
    strategies: ['crp', 'mpls'],
    params: { mpls: { preset: 'quick' } },
  });
  const m = runs.find((r) => r.strategy === 'mpls');
  expect([m?.status, m?.error]).toEqual(['complete', undefined]);
  runId = m!.runId!;
  host = await startHost(engine, { rendererDir: dir });
  browser = await launchBrowser();
  page = await openSignedIn(browser, host, { viewport: { width: 1600, height: 1000 } });
  collectPageErrors(page, consoleErrors);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  engine?.close();
});

describe('Agents on an MPLS run (issue 19)', () => {
  it('explains the decision agent by agent, in plain words first', { timeout: 300_000 }, async () => {
    const w = await call<RunWeights>('runs.weights', { id: runId });
    const d = mplsDetail(w.detail)!;
    await page.goto(`${host.url}#/agents?run=${runId}`);
    await page.locator('[data-testid="explain-none"]').waitFor();
    expect(await page.locator('[data-testid="agents-run"]').inputValue()).toBe(runId);
    const top = w.tickers[w.final.weights.indexOf(Math.max(...w.final.weights))]!;
    expect(await page.locator('[data-testid="explain-asset"]').inputValue()).toBe(top);
    await page.click('[data-testid="explain-run"]');
    await page.locator('[data-testid="explain-words"]').waitFor({ timeout: 240_000 });

    const e = await call<RunExplanation>('explain.get', { runId });
    expect(e.subject).toBe(top);
    expect(e.mpls?.reproduced).toBe(true);
    const words = await text('[data-testid="explain-words"]');
    for (const s of [...e.words.asset, ...e.words.portfolio]) expect(words).toContain(s);
    const sector = d.sectors.find((s) => s.tickers.includes(top))!;
    expect(words).toMatch(new RegExp(`^${top}'s \\d+\\.\\d% is ${sector.name}`));
    expect(words).toContain('The fusion agent weighs the ');
    expect(words).toContain('the sentiment module is off (no news imported for djia30');
    expect(words).not.toMatch(/SHAP|efficiency|NaN|undefined|e-1\d/);

    // the modules: the fusion weights the decision recorded, the sentiment module's reason
    for (const m of d.modules) {
      const row = `[data-testid="mpls-module-${m.name}"]`;
      if (m.on) expect(await text(`${row} [data-col="weight"]`)).toBe(pct(m.weight, 1));
      else expect(await text(`${row} [data-col="reason"]`)).toBe(`off: ${m.reason}`);
    }
    // the sectors: fused against the high-level agent's weight
    for (const [k, s] of d.sectors.entries()) {
      const row = `[data-testid="mpls-sector-${s.name}"]`;
      expect(await text(`${row} [data-col="fused"]`)).toBe(pct(d.fused[k]!, 1));
      expect(await text(`${row} [data-col="weight"]`)).toBe(pct(s.weight, 1));
    }
    expect(await text('[data-testid="mpls-conservative"]')).toMatch(/^Volatility uncertainty \d\.\d{3} against /);
    // the charts: the run's fusion weights and each agent's attributions; the SAMP-HDRL agent cards are not shown
    for (const id of ['mpls-run-chart', 'mpls-fusion-bars', 'mpls-high-bars', 'mpls-low-bars'])
      await page.locator(`[data-testid="${id}"] canvas`).first().waitFor();
    expect(await page.locator('[data-testid="final-portfolio"]').count()).toBe(0);
    expect(await page.locator('[data-testid="method-details"]').count()).toBe(0);
    // the method behind a closed toggle
    expect(await page.locator('[data-testid="mpls-method"]').getAttribute('open')).toBeNull();
    expect(await page.locator('[data-testid="mpls-method-text"]').isVisible()).toBe(false);

    // the PM looks inside another sector: its members are offered, the largest weight inside first shown
    const other = d.sectors.find((s) => s.tickers.length > 1 && s.name !== sector.name)!;
    await page.locator('[data-testid="mpls-low-sector"]').selectOption(other.name);
    await page
      .locator('[data-testid="mpls-low"] h2', { hasText: `inside ${other.name}` })
      .first()
      .waitFor();
    expect(await page.locator('[data-testid="mpls-low-asset"]').inputValue()).toBe(
      other.tickers[other.intra.indexOf(Math.max(...other.intra))],
    );

    for (const [wd, ht] of [
      [1600, 1000],
      [1280, 800],
    ] as const) {
      await page.setViewportSize({ width: wd, height: ht });
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => {
        const doc = (globalThis as unknown as { document: BrowserDocument }).document;
        const c = doc.querySelector('.content')!;
        return {
          page: doc.documentElement.scrollWidth - doc.documentElement.clientWidth,
          content: c.scrollWidth - c.clientWidth,
        };
      });
      expect(overflow, `Agents at ${wd}x${ht}`).toEqual({ page: 0, content: 0 });
      await page.screenshot({ path: screenshotPath(`mpls-agents-${wd}`), fullPage: true });
    }
    // the agents' cards lie below the fold of the scrolling content: their own picture, on a taller window
    await page.setViewportSize({ width: 1600, height: 1600 });
    await page.waitForTimeout(300);
    await page.locator('[data-testid="mpls-agents"]').screenshot({ path: screenshotPath('mpls-agents-cards') });
    expect(consoleErrors).toEqual([]);
  });
});
