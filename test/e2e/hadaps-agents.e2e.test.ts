/**
 * The Agents view on a HADAPS run (issue 18), end to end in Chromium against the headless host: a real run of the
 * bundled DJIA data over 2000-Q4 under a sector scenario (ten stocks in two classes; quick preset, one episode) beside
 * equal weight. The PM presses Explain (a job in its own process); the words say where the largest holding's weight
 * comes from, layer by layer, and what moved the class weights, as explain.get serves them; the book is shown class by
 * class with the class weights the decision recorded and what the book holds of each; each layer's attributions are drawn, the intra-class layer of
 * the class the PM picks; the method sits behind a closed toggle; nothing overflows sideways at 1600x1000 or 1280x800
 * (screenshots .e2e/screenshots/hadaps-agents-<width>.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { runBacktest } from '../../src-main/backtest/run';
import { ensureBuilt, launchBrowser, openSignedIn, screenshotPath, collectPageErrors } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';
import { DECISIONS_WINDOW } from './fixture';
import type { RunWeights } from '../../src-shared/contract/runs';
import type { RunExplanation } from '../../src-shared/contract/explain';
import { hadapsDetail } from '../../src-shared/domain/decision';

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
    ...DECISIONS_WINDOW,
    strategies: ['crp', 'hadaps'],
    scenario: 'volatile-sectors',
    params: { hadaps: { preset: 'quick', episodes: 1 } },
  });
  const h = runs.find((r) => r.strategy === 'hadaps');
  expect([h?.status, h?.error]).toEqual(['complete', undefined]);
  runId = h!.runId!;
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

describe('Agents on a HADAPS run (issue 18)', () => {
  it('explains the decision layer by layer, in plain words first', { timeout: 300_000 }, async () => {
    const w = await call<RunWeights>('runs.weights', { id: runId });
    const d = hadapsDetail(w.detail)!;
    await page.goto(`${host.url}#/agents?run=${runId}`);
    await page.locator('[data-testid="explain-none"]').waitFor();
    expect(await page.locator('[data-testid="agents-run"]').inputValue()).toBe(runId);
    const top = w.tickers[w.final.weights.indexOf(Math.max(...w.final.weights))]!;
    expect(await page.locator('[data-testid="explain-asset"]').inputValue()).toBe(top);
    await page.click('[data-testid="explain-run"]');
    await page.locator('[data-testid="explain-words"]').waitFor({ timeout: 240_000 });

    const e = await call<RunExplanation>('explain.get', { runId });
    expect(e.subject).toBe(top);
    const words = await text('[data-testid="explain-words"]');
    for (const s of [...e.words.asset, ...e.words.portfolio]) expect(words).toContain(s);
    const cls = d.classes.find((c) => c.tickers.includes(top))!;
    expect(words).toMatch(new RegExp(`^${top}'s \\d+\\.\\d% is ${cls.name}`));
    expect(words).toContain(`Inside ${cls.name}, ${top}'s `);
    expect(words).toContain('the class weights were driven mostly by ');
    expect(words).toMatch(/the recent volatility of /);
    expect(words).not.toMatch(/SHAP|efficiency|NaN|undefined|e-1\d/);

    // the book class by class: the class weights the decision recorded, and the book's cash
    for (const c of d.classes.filter((x) => x.tickers.length > 0)) {
      const row = `[data-testid="hadaps-class-${c.name}"]`;
      expect(await text(`${row} [data-col="weight"]`)).toBe(pct(c.weight, 1));
      const held = c.tickers.reduce((s, t) => s + w.final.weights[w.tickers.indexOf(t)]!, 0);
      expect(await text(`${row} [data-col="held"]`)).toBe(pct(held, 1));
    }
    expect(await text('[data-testid="hadaps-cash"]')).toBe(pct(w.final.cash, 1));
    // each layer drawn; the SAMP-HDRL agent cards are not
    await page.locator('[data-testid="hadaps-inter-assets"] canvas').first().waitFor();
    await page.locator('[data-testid="hadaps-intra-assets"] canvas').first().waitFor();
    expect(await page.locator('[data-testid="final-portfolio"]').count()).toBe(0);
    expect(await page.locator('[data-testid="hadaps-inter-class"]').inputValue()).toBe(cls.name);
    // the method behind a closed toggle
    expect(await page.locator('[data-testid="hadaps-method"]').getAttribute('open')).toBeNull();
    expect(await page.locator('[data-testid="hadaps-method-text"]').isVisible()).toBe(false);

    // the PM looks inside the other class: its members are offered, the largest weight inside first shown
    const other = d.classes.find((c) => c.tickers.length > 1 && c.name !== cls.name);
    if (other) {
      await page.locator('[data-testid="hadaps-intra-class"]').selectOption(other.name);
      await page
        .locator('[data-testid="hadaps-intra"] h2', { hasText: `inside ${other.name}` })
        .first()
        .waitFor();
      const shown = await page.locator('[data-testid="hadaps-intra-asset"]').inputValue();
      expect(shown).toBe(other.tickers[other.intra.indexOf(Math.max(...other.intra))]);
    }

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
      await page.screenshot({ path: screenshotPath(`hadaps-agents-${wd}`), fullPage: true });
    }
    expect(consoleErrors).toEqual([]);
  });
});
