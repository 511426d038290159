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
import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser';
import { mplsDetail } from '../../src-shared/domain/decision';
import { explainLargestHolding, useDeskOnRuns } from '../helpers/desk';
import { MPLS_JUNE_2000 } from '../helpers/runs';
import { pct } from '../../src-renderer/src/format';

const desk = useDeskOnRuns(MPLS_JUNE_2000);

describe('Agents on an MPLS run (issue 19)', () => {
  it('explains the decision agent by agent, in plain words first', { timeout: 300_000 }, async () => {
    const runId = desk.runId('mpls');
    await desk.page.goto(`${desk.host.url}#/agents?run=${runId}`);
    await desk.page.locator('[data-testid="explain-none"]').waitFor();
    expect(await desk.page.locator('[data-testid="agents-run"]').inputValue()).toBe(runId);
    const { weights: w, top, explanation: e, words } = await explainLargestHolding(desk, runId);
    const d = mplsDetail(w.detail)!;
    expect(e.mpls?.reproduced).toBe(true);
    for (const s of [...e.words.asset, ...e.words.portfolio]) expect(words).toContain(s);
    const sector = d.sectors.find((s) => s.tickers.includes(top))!;
    expect(words).toMatch(new RegExp(`^${top}'s \\d+\\.\\d% is ${sector.name}`));
    expect(words).toContain('The fusion agent weighs the ');
    expect(words).toContain('the sentiment module is off (no news imported for djia30');
    expect(words).not.toMatch(/SHAP|efficiency|NaN|undefined|e-1\d/);

    // the modules: the fusion weights the decision recorded, the sentiment module's reason
    for (const m of d.modules) {
      const row = `[data-testid="mpls-module-${m.name}"]`;
      if (m.on) expect(await desk.text(`${row} [data-col="weight"]`)).toBe(pct(m.weight, 1));
      else expect(await desk.text(`${row} [data-col="reason"]`)).toBe(`off: ${m.reason}`);
    }
    // the sectors: fused against the high-level agent's weight
    for (const [k, s] of d.sectors.entries()) {
      const row = `[data-testid="mpls-sector-${s.name}"]`;
      expect(await desk.text(`${row} [data-col="fused"]`)).toBe(pct(d.fused[k]!, 1));
      expect(await desk.text(`${row} [data-col="weight"]`)).toBe(pct(s.weight, 1));
    }
    expect(await desk.text('[data-testid="mpls-conservative"]')).toMatch(/^Volatility uncertainty \d\.\d{3} against /);
    // the charts: the run's fusion weights and each agent's attributions; the SAMP-HDRL agent cards are not shown
    for (const id of ['mpls-run-chart', 'mpls-fusion-bars', 'mpls-high-bars', 'mpls-low-bars'])
      await desk.page.locator(`[data-testid="${id}"] canvas`).first().waitFor();
    expect(await desk.page.locator('[data-testid="final-portfolio"]').count()).toBe(0);
    expect(await desk.page.locator('[data-testid="method-details"]').count()).toBe(0);
    // the method behind a closed toggle
    expect(await desk.page.locator('[data-testid="mpls-method"]').getAttribute('open')).toBeNull();
    expect(await desk.page.locator('[data-testid="mpls-method-text"]').isVisible()).toBe(false);

    // the PM looks inside another sector: its members are offered, the largest weight inside first shown
    const other = d.sectors.find((s) => s.tickers.length > 1 && s.name !== sector.name)!;
    await desk.page.locator('[data-testid="mpls-low-sector"]').selectOption(other.name);
    await desk.page
      .locator('[data-testid="mpls-low"] h2', { hasText: `inside ${other.name}` })
      .first()
      .waitFor();
    expect(await desk.page.locator('[data-testid="mpls-low-asset"]').inputValue()).toBe(
      other.tickers[other.intra.indexOf(Math.max(...other.intra))],
    );

    for (const [wd, ht] of [
      [1600, 1000],
      [1280, 800],
    ] as const) {
      await desk.page.setViewportSize({ width: wd, height: ht });
      await desk.page.waitForTimeout(300);
      expect(await desk.overflow(), `Agents at ${wd}x${ht}`).toEqual({ page: 0, content: 0 });
      await desk.page.screenshot({ path: screenshotPath(`mpls-agents-${wd}`), fullPage: true });
    }
    // the agents' cards lie below the fold of the scrolling content: their own picture, on a taller window
    await desk.page.setViewportSize({ width: 1600, height: 1600 });
    await desk.page.waitForTimeout(300);
    await desk.page.locator('[data-testid="mpls-agents"]').screenshot({ path: screenshotPath('mpls-agents-cards') });
    expect(desk.errors).toEqual([]);
  });
});
