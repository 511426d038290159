/**
 * The three-level hierarchy on the desk (issue 20), end to end in Chromium against the headless host: a quick
 * three-level run of the bundled DJIA data over 1999 to 2000-Q1 with the impact model, beside equal weight. Backtests
 * draws the three levels on one timeline for the class the PM picks, with each level's row of costs; Today gives the
 * three levels' targets per class; Agents explains a decision level by level after the PM presses Explain (a job in
 * its own process). Nothing overflows sideways at 1600x1000 (screenshots .e2e/screenshots/three-level-*.png).
 */
import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser';
import type { RunWeights, ThreeLevelTimeline } from '../../src-shared/contract/runs';
import type { RunExplanation } from '../../src-shared/contract/explain';
import { busiestClass, levelSummaries } from '../../src-shared/charts/threeLevel';
import { useDeskOnRuns } from '../helpers/desk';
import { pct } from '../../src-renderer/src/format';

const desk = useDeskOnRuns({
  universe: 'djia30',
  strategies: ['three-level', 'crp'],
  from: '1999-01-04',
  to: '2000-03-31',
  lookback: 500,
  impact: {},
  params: { 'three-level': { preset: 'quick', episodes: 4 } },
});

describe('the desk on a three-level run (issue 20)', () => {
  it('Backtests draws the three levels of a class on one timeline, with each level’s costs', async () => {
    const runId = desk.runId('three-level');
    const tl = (await desk.call<ThreeLevelTimeline | null>('runs.threeLevel', { id: runId }))!;
    await desk.page.goto(`${desk.host.url}#/backtests`);
    const card = desk.page.locator('[data-testid="three-level"]');
    await card.locator('[data-testid="chart-three-level"] canvas').waitFor();
    expect(await card.locator('[data-testid="three-level-class"]').inputValue()).toBe(busiestClass(tl));
    const other = tl.classes.find((c) => c.name !== busiestClass(tl) && c.name !== 'Cash')!;
    await card.locator('[data-testid="three-level-class"]').selectOption(other.name);
    expect(await desk.text('[data-testid="three-level-caption"]')).toMatch(
      new RegExp(`^${other.name}'s share of the book as each level set it`),
    );
    for (const s of levelSummaries(tl)) {
      const cells = await card.locator(`[data-testid="three-level-cost-${s.level}"] td`).allTextContents();
      expect(cells[1]).toBe(String(s.decisions));
      expect(cells[4]).toContain(`${(s.costPerPeriod * 10_000).toFixed(2)} bp`);
    }
    expect(await desk.text('[data-testid="three-level-split"]')).toContain(
      `${pct(tl.costSplit!.spread)} in spread and ${pct(tl.costSplit!.impact)} in market impact`,
    );
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: screenshotPath('three-level-backtests-timeline') });
    await desk.page.screenshot({ path: screenshotPath('three-level-backtests-1600'), fullPage: true });
    expect(await desk.overflows()).toBe(false);
  });

  it('Today gives the three levels’ targets of the decision', async () => {
    const runId = desk.runId('three-level');
    const w = await desk.call<RunWeights>('runs.weights', { id: runId });
    await desk.page.goto(`${desk.host.url}#/?run=${runId}`);
    await desk.page.locator('[data-testid="today-three-level"]').waitFor();
    const d = w.detail!.family === 'three-level' ? w.detail! : null;
    for (const c of d!.classes) {
      const cells = await desk.page.locator(`[data-testid="target-${c.name}"] td`).allTextContents();
      expect(cells[1]).toBe(pct(c.strategic));
      expect(cells[3]).toBe(pct(c.target));
    }
    await desk.page
      .locator('[data-testid="today-three-level"]')
      .screenshot({ path: screenshotPath('three-level-today') });
    expect(await desk.overflows()).toBe(false);
  });

  it('Agents explains a decision level by level', { timeout: 300_000 }, async () => {
    const runId = desk.runId('three-level');
    await desk.page.goto(`${desk.host.url}#/agents?run=${runId}`);
    await desk.page.locator('[data-testid="explain-none"]').waitFor();
    await desk.page.click('[data-testid="explain-run"]');
    await desk.page.locator('[data-testid="three-level-explain"]').waitFor({ timeout: 240_000 });
    const e = await desk.call<RunExplanation>('explain.get', { runId });
    const words = await desk.text('[data-testid="explain-words"]');
    for (const s of [...e.words.asset, ...e.words.portfolio]) expect(words).toContain(s);
    expect(words).toContain('Level 1 (strategic), by the fixed inverse-volatility rule');
    expect(words).toContain('Level 2 (tactical), by the learned tactical policy');
    expect(words).not.toMatch(/NaN|undefined|e-1\d/);
    for (const lv of ['strategic', 'tactical', 'execution'])
      await desk.page.locator(`[data-testid="level-${lv}"]`).waitFor();
    expect(await desk.page.locator('[data-testid="final-portfolio"]').count()).toBe(0);
    expect(await desk.page.locator('[data-testid="method-details"]').count()).toBe(0);
    await desk.page.screenshot({ path: screenshotPath('three-level-agents-1600'), fullPage: true });
    for (const lv of ['tactical', 'execution']) {
      const c = desk.page.locator(`[data-testid="level-${lv}"]`);
      await c.scrollIntoViewIfNeeded();
      await c.screenshot({ path: screenshotPath(`three-level-agents-${lv}`) });
    }
    expect(await desk.overflows()).toBe(false);
    expect(desk.errors).toEqual([]);
  });
});
