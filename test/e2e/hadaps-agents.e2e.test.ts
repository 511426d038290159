/**
 * The Agents view on a HADAPS run (issue 18), end to end in Chromium against the headless host: a real run of the
 * bundled DJIA data over 2000-Q4 under a sector scenario (ten stocks in two classes; quick preset, one episode) beside
 * equal weight. The PM presses Explain (a job in its own process); the words say where the largest holding's weight
 * comes from, layer by layer, and what moved the class weights, as explain.get serves them; the book is shown class by
 * class with the class weights the decision recorded and what the book holds of each; each layer's attributions are drawn, the intra-class layer of
 * the class the PM picks; the method sits behind a closed toggle; nothing overflows sideways at 1600x1000 or 1280x800
 * (screenshots .e2e/screenshots/hadaps-agents-<width>.png).
 */
import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser';
import { hadapsDetail } from '../../src-shared/domain/decision';
import { explainLargestHolding, useDeskOnRuns } from '../helpers/desk';
import { DECISIONS_WINDOW } from './fixture';
import { pct } from '../../src-renderer/src/format';

const desk = useDeskOnRuns({
  ...DECISIONS_WINDOW,
  strategies: ['crp', 'hadaps'],
  scenario: 'volatile-sectors',
  params: { hadaps: { preset: 'quick', episodes: 1 } },
});

describe('Agents on a HADAPS run (issue 18)', () => {
  it('explains the decision layer by layer, in plain words first', { timeout: 300_000 }, async () => {
    const runId = desk.runId('hadaps');
    await desk.page.goto(`${desk.host.url}#/agents?run=${runId}`);
    await desk.page.locator('[data-testid="explain-none"]').waitFor();
    expect(await desk.page.locator('[data-testid="agents-run"]').inputValue()).toBe(runId);
    const { weights: w, top, explanation: e, words } = await explainLargestHolding(desk, runId);
    const d = hadapsDetail(w.detail)!;
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
      expect(await desk.text(`${row} [data-col="weight"]`)).toBe(pct(c.weight, 1));
      const held = c.tickers.reduce((s, t) => s + w.final.weights[w.tickers.indexOf(t)]!, 0);
      expect(await desk.text(`${row} [data-col="held"]`)).toBe(pct(held, 1));
    }
    expect(await desk.text('[data-testid="hadaps-cash"]')).toBe(pct(w.final.cash, 1));
    // each layer drawn; the SAMP-HDRL agent cards are not
    await desk.page.locator('[data-testid="hadaps-inter-assets"] canvas').first().waitFor();
    await desk.page.locator('[data-testid="hadaps-intra-assets"] canvas').first().waitFor();
    expect(await desk.page.locator('[data-testid="final-portfolio"]').count()).toBe(0);
    expect(await desk.page.locator('[data-testid="hadaps-inter-class"]').inputValue()).toBe(cls.name);
    // the method behind a closed toggle
    expect(await desk.page.locator('[data-testid="hadaps-method"]').getAttribute('open')).toBeNull();
    expect(await desk.page.locator('[data-testid="hadaps-method-text"]').isVisible()).toBe(false);

    // the PM looks inside the other class: its members are offered, the largest weight inside first shown
    const other = d.classes.find((c) => c.tickers.length > 1 && c.name !== cls.name);
    if (other) {
      await desk.page.locator('[data-testid="hadaps-intra-class"]').selectOption(other.name);
      await desk.page
        .locator('[data-testid="hadaps-intra"] h2', { hasText: `inside ${other.name}` })
        .first()
        .waitFor();
      const shown = await desk.page.locator('[data-testid="hadaps-intra-asset"]').inputValue();
      expect(shown).toBe(other.tickers[other.intra.indexOf(Math.max(...other.intra))]);
    }

    for (const [wd, ht] of [
      [1600, 1000],
      [1280, 800],
    ] as const) {
      await desk.page.setViewportSize({ width: wd, height: ht });
      await desk.page.waitForTimeout(300);
      expect(await desk.overflow(), `Agents at ${wd}x${ht}`).toEqual({ page: 0, content: 0 });
      await desk.page.screenshot({ path: screenshotPath(`hadaps-agents-${wd}`), fullPage: true });
    }
    expect(desk.errors).toEqual([]);
  });
});
