/**
 * A jointly trained three-level run on the desk (issue 20's joint training option, `three-level/joint`), end to end in
 * Chromium against the headless host: its three learned levels are stored as the bottom-up levels are, so Backtests
 * draws its timeline and Agents explains its decision with Level 1 named as a learned policy (not the fixed rule).
 * Screenshots .e2e/screenshots/three-level-joint-*.png.
 */
import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser';
import { useDeskOnRuns } from '../helpers/desk';

const desk = useDeskOnRuns({
  universe: 'djia30',
  strategies: ['three-level/joint', 'crp'],
  from: '2000-01-03',
  to: '2000-03-31',
  lookback: 756,
  params: { 'three-level/joint': { preset: 'quick', episodes: 2 } },
});

describe('the desk on a jointly trained three-level run', () => {
  it('Backtests draws its three levels on one timeline', async () => {
    await desk.page.goto(`${desk.host.url}#/backtests`);
    const card = desk.page.locator('[data-testid="three-level"]');
    await card.locator('[data-testid="chart-three-level"] canvas').waitFor();
    expect((await card.locator('[data-testid="three-level-caption"]').textContent()) ?? '').toMatch(
      /share of the book as each level set it/,
    );
    for (const level of ['strategic', 'tactical', 'execution'])
      await card.locator(`[data-testid="three-level-cost-${level}"]`).waitFor();
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: screenshotPath('three-level-joint-backtests') });
  });

  it('Agents explains its decision with Level 1 as a learned policy', { timeout: 300_000 }, async () => {
    const runId = desk.runId('three-level/joint');
    await desk.page.goto(`${desk.host.url}#/agents?run=${runId}`);
    await desk.page.locator('[data-testid="explain-none"]').waitFor();
    await desk.page.click('[data-testid="explain-run"]');
    await desk.page.locator('[data-testid="three-level-explain"]').waitFor({ timeout: 240_000 });
    const words = ((await desk.page.locator('[data-testid="explain-words"]').first().textContent()) ?? '').trim();
    expect(words).toMatch(/Level 1 \(strategic\), by the learned strategic policy \(model [0-9a-f]{12}/);
    expect(words).toContain('Level 2 (tactical), by the learned tactical policy');
    expect(words).not.toMatch(/NaN|undefined/);
    // this run's last trade leaves a gap under half a hundredth of a point: it reads 0.00, not −0.00
    expect(words).toContain('leaving 0.00 points');
    expect(words).not.toContain('−0.00');
    await desk.page.screenshot({ path: screenshotPath('three-level-joint-agents'), fullPage: true });
    expect(desk.errors).toEqual([]);
  });
});
