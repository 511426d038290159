/**
 * The three-level hierarchy on the desk (issue 20), end to end in Chromium against the headless host: a quick
 * three-level run of the bundled DJIA data over 1999 to 2000-Q1 with the impact model, beside equal weight. Backtests
 * draws the three levels on one timeline for the class the PM picks, with each level's row of costs; Today gives the
 * three levels' targets per class; Agents explains a decision level by level after the PM presses Explain (a job in
 * its own process). Nothing overflows sideways at 1600x1000 (screenshots .e2e/screenshots/three-level-*.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { runBacktest } from '../../src-main/backtest/run';
import { ensureBuilt, launchBrowser, openSignedIn, screenshotPath, collectPageErrors } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import type { RunWeights, ThreeLevelTimeline } from '../../src-shared/contract/runs';
import type { RunExplanation } from '../../src-shared/contract/explain';
import { busiestClass, levelSummaries } from '../../src-shared/charts/threeLevel';

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
}
const overflows = () =>
  page.evaluate(() => {
    const doc = (globalThis as unknown as { document: BrowserDocument }).document;
    return doc.documentElement.scrollWidth > doc.documentElement.clientWidth;
  });

beforeAll(async () => {
  const dir = ensureBuilt();
  engine = tempEngine();
  const runs = await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ['three-level', 'crp'],
    from: '1999-01-04',
    to: '2000-03-31',
    lookback: 500,
    impact: {},
    params: { 'three-level': { preset: 'quick', episodes: 4 } },
  });
  expect(runs.map((r) => [r.strategy, r.status, r.error])).toEqual([
    ['three-level', 'complete', undefined],
    ['crp', 'complete', undefined],
  ]);
  runId = runs[0]!.runId!;
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

describe('the desk on a three-level run (issue 20)', () => {
  it('Backtests draws the three levels of a class on one timeline, with each level’s costs', async () => {
    const tl = (await call<ThreeLevelTimeline | null>('runs.threeLevel', { id: runId }))!;
    await page.goto(`${host.url}#/backtests`);
    const card = page.locator('[data-testid="three-level"]');
    await card.locator('[data-testid="chart-three-level"] canvas').waitFor();
    expect(await card.locator('[data-testid="three-level-class"]').inputValue()).toBe(busiestClass(tl));
    const other = tl.classes.find((c) => c.name !== busiestClass(tl) && c.name !== 'Cash')!;
    await card.locator('[data-testid="three-level-class"]').selectOption(other.name);
    expect(await text('[data-testid="three-level-caption"]')).toMatch(
      new RegExp(`^${other.name}'s share of the book as each level set it`),
    );
    for (const s of levelSummaries(tl)) {
      const cells = await card.locator(`[data-testid="three-level-cost-${s.level}"] td`).allTextContents();
      expect(cells[1]).toBe(String(s.decisions));
      expect(cells[4]).toContain(`${(s.costPerPeriod * 10_000).toFixed(2)} bp`);
    }
    expect(await text('[data-testid="three-level-split"]')).toContain(
      `${pct(tl.costSplit!.spread)} in spread and ${pct(tl.costSplit!.impact)} in market impact`,
    );
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: screenshotPath('three-level-backtests-timeline') });
    await page.screenshot({ path: screenshotPath('three-level-backtests-1600'), fullPage: true });
    expect(await overflows()).toBe(false);
  });

  it('Today gives the three levels’ targets of the decision', async () => {
    const w = await call<RunWeights>('runs.weights', { id: runId });
    await page.goto(`${host.url}#/?run=${runId}`);
    await page.locator('[data-testid="today-three-level"]').waitFor();
    const d = w.detail!.family === 'three-level' ? w.detail! : null;
    for (const c of d!.classes) {
      const cells = await page.locator(`[data-testid="target-${c.name}"] td`).allTextContents();
      expect(cells[1]).toBe(pct(c.strategic));
      expect(cells[3]).toBe(pct(c.target));
    }
    await page.locator('[data-testid="today-three-level"]').screenshot({ path: screenshotPath('three-level-today') });
    expect(await overflows()).toBe(false);
  });

  it('Agents explains a decision level by level', { timeout: 300_000 }, async () => {
    await page.goto(`${host.url}#/agents?run=${runId}`);
    await page.locator('[data-testid="explain-none"]').waitFor();
    await page.click('[data-testid="explain-run"]');
    await page.locator('[data-testid="three-level-explain"]').waitFor({ timeout: 240_000 });
    const e = await call<RunExplanation>('explain.get', { runId });
    const words = await text('[data-testid="explain-words"]');
    for (const s of [...e.words.asset, ...e.words.portfolio]) expect(words).toContain(s);
    expect(words).toContain('Level 1 (strategic), by the fixed inverse-volatility rule');
    expect(words).toContain('Level 2 (tactical), by the learned tactical policy');
    expect(words).not.toMatch(/NaN|undefined|e-1\d/);
    for (const lv of ['strategic', 'tactical', 'execution'])
      await page.locator(`[data-testid="level-${lv}"]`).waitFor();
    expect(await page.locator('[data-testid="final-portfolio"]').count()).toBe(0);
    expect(await page.locator('[data-testid="method-details"]').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('three-level-agents-1600'), fullPage: true });
    for (const lv of ['tactical', 'execution']) {
      const c = page.locator(`[data-testid="level-${lv}"]`);
      await c.scrollIntoViewIfNeeded();
      await c.screenshot({ path: screenshotPath(`three-level-agents-${lv}`) });
    }
    expect(await overflows()).toBe(false);
    expect(consoleErrors).toEqual([]);
  });
});
