/**
 * The desk on HADAPS runs (issue 18), end to end in Chromium against the headless host: real runs of the bundled
 * DJIA data over 2000-Q4 under a sector scenario (ten stocks in two classes; quick preset, one episode) at action
 * scales 5 (hadaps) and 1 (hadaps-beta/1), beside equal weight. Today groups the decision by the run's classes with
 * what each layer decided, the action scale and where the classes came from; Backtests draws the class allocation
 * over time and the action scale's effect with the figures the shared module computes; Training lists the HADAPS
 * models with their validation curve. Screenshots: .e2e/screenshots/classes-<view>-<width>.png.
 */
import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser';
import type { ClassAllocation, RunSummary, RunWeights } from '../../src-shared/contract/runs';
import type { ModelsListResponse } from '../../src-shared/contract/models';
import { actionScaleEffect, classWeightStd } from '../../src-shared/charts/classes';
import { hadapsDetail } from '../../src-shared/domain/decision';
import { pct } from '../../src-renderer/src/format';
import { useDeskOnRuns } from '../helpers/desk';
import { DECISIONS_WINDOW } from './fixture';

const desk = useDeskOnRuns({
  ...DECISIONS_WINDOW,
  strategies: ['crp', 'hadaps', 'hadaps-beta/1'],
  scenario: 'volatile-sectors',
  params: { hadaps: { preset: 'quick', episodes: 1 }, 'hadaps-beta/1': { preset: 'quick', episodes: 1 } },
});
/** the first match's text, white space collapsed */
const text = async (sel: string) => (await desk.text(sel)).replace(/\s+/g, ' ');

describe('the desk on HADAPS runs (issue 18)', () => {
  it('Today groups the decision by class: the book per class, the layers’ weights, the action scale and the basis', async () => {
    const hadapsRun = desk.runId('hadaps');
    const w = await desk.call<RunWeights>('runs.weights', { id: hadapsRun });
    const d = hadapsDetail(w.detail)!;
    const risky = d.classes.filter((c) => c.name !== 'Cash');
    expect(risky).toHaveLength(2);
    await desk.page.goto(`${desk.host.url}#/?run=${hadapsRun}`);
    await desk.page.locator('[data-testid="today-hadaps"]').waitFor();
    const words = await text('[data-testid="today-hadaps"]');
    expect(words).toContain("classes from the universe's sectors");
    expect(words).toContain(`action scale β = ${d.actionScale}`);
    for (const c of d.classes) expect(words).toContain(`${c.name} ${pct(c.weight, 1)}`);
    expect(await text('h2:has-text("Allocation by")')).toBe('Allocation by asset class (as HADAPS allocated)');
    // one group per class, in the run's order: the book's weight of the class, and the inter-class layer's weight
    const groups = await desk.page
      .locator('[data-testid="weights-table"] tr.group-row td:first-child')
      .allTextContents();
    expect(groups.map((g) => g.replace(/\s*\(\d+\)\s*$/, '').trim())).toEqual([...risky.map((c) => c.name), 'Cash']);
    for (const c of risky) {
      const book = c.tickers.reduce((s, t) => s + w.final.weights[w.tickers.indexOf(t)]!, 0);
      expect(await text(`[data-testid="group-total-${c.name}"]`)).toBe(pct(book));
      expect(await text(`[data-testid="class-layer-${c.name}"]`)).toBe(pct(c.weight));
      // each asset's weight inside its class, as the intra-class layer decided it
      for (const [i, t] of c.tickers.entries())
        expect(await text(`[data-testid="weight-row-${t}"] [data-col="in-class"]`)).toBe(
          `${pct(c.intra[i]!)} of class`,
        );
    }
    expect(await text('[data-testid="class-layer-Cash"]')).toBe(pct(d.classes.at(-1)!.weight));
    expect(await text('[data-testid="cash-weight"]')).toBe(pct(w.final.cash));
    await desk.page.screenshot({ path: screenshotPath('classes-today-1600'), fullPage: true });
    expect(await desk.overflows()).toBe(false);
    await desk.page.setViewportSize({ width: 1280, height: 800 });
    await desk.page.screenshot({ path: screenshotPath('classes-today-1280'), fullPage: true });
    expect(await desk.overflows()).toBe(false);
    await desk.page.setViewportSize({ width: 1600, height: 1000 });
  });

  it("Backtests draws the class allocation over time and the action scale's effect", async () => {
    const hadapsRun = desk.runId('hadaps');
    const betaRun = desk.runId('hadaps-beta/1');
    const list = await desk.call<RunSummary[]>('runs.list', { universe: 'djia30' });
    const alloc = (await desk.call<ClassAllocation>('runs.classes', { id: hadapsRun }))!;
    const beta = (await desk.call<ClassAllocation>('runs.classes', { id: betaRun }))!;
    expect([alloc.actionScale, beta.actionScale]).toEqual([5, 1]);
    await desk.page.goto(`${desk.host.url}#/backtests`);
    const card = desk.page.locator('[data-testid="hadaps-classes"]');
    await card.locator('[data-testid="chart-classes"] canvas').waitFor();
    // both HADAPS runs are selected: the chart opens on one and the PM can pick the other
    const options = await card.locator('[data-testid="classes-run"] option').allTextContents();
    expect(options.sort()).toEqual(['hadaps', 'hadaps-beta/1']);
    await card.locator('[data-testid="classes-run"]').selectOption({ label: 'hadaps' });
    expect(await text('[data-testid="classes-caption"]')).toContain(
      `action scale β = 5. The classes' weights moved by ${pct(classWeightStd(alloc))} on average`,
    );
    const cum = (id: string) => list.find((r) => r.id === id)!.metrics.cumulativeReturn as number;
    const rows = actionScaleEffect([
      { strategy: 'hadaps', actionScale: 5, classStd: classWeightStd(alloc), cumulativeReturn: cum(hadapsRun) },
      { strategy: 'hadaps-beta/1', actionScale: 1, classStd: classWeightStd(beta), cumulativeReturn: cum(betaRun) },
    ]);
    expect(rows.map((r) => r.actionScale)).toEqual([1, 5]);
    const table = desk.page.locator('[data-testid="action-scale-table"]');
    await desk.page.locator('[data-testid="chart-action-scale"] canvas').waitFor();
    for (const r of rows)
      expect(await table.locator(`[data-testid="action-scale-${r.actionScale}"] td`).allTextContents()).toEqual([
        String(r.actionScale),
        '1',
        pct(r.classStd),
        pct(r.cumulativeReturn),
      ]);
    await card.scrollIntoViewIfNeeded();
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('classes-backtests-1600') });
    expect(await desk.overflows()).toBe(false);
    await desk.page.setViewportSize({ width: 1280, height: 800 });
    await desk.page.locator('[data-testid="action-scale"]').scrollIntoViewIfNeeded();
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('classes-backtests-1280') });
    expect(await desk.overflows()).toBe(false);
    await desk.page.setViewportSize({ width: 1600, height: 1000 });
  });

  it('Training lists the HADAPS models with their validation curve', async () => {
    const hadapsRun = desk.runId('hadaps');
    const models = await desk.call<ModelsListResponse>('models.list', {});
    const m = models.models.find((x) => x.runs.some((r) => r.id === hadapsRun))!;
    expect(m.training!.stages.map((s) => s.stage)).toEqual(['hadaps']);
    await desk.page.goto(`${desk.host.url}#/training`);
    await desk.page.locator(`[data-testid="model-show-${m.key.slice(0, 12)}"]`).click();
    const card = desk.page.locator('[data-testid="model-training"]');
    await card.locator('[data-testid="curve-hadaps"] canvas').waitFor();
    expect(await text('[data-testid="training-episodes"]')).toBe(String(m.training!.episodes));
    expect(await text('[data-testid="training-period"]')).toContain('not recorded in the model file');
    expect(await text(`[data-testid="model-${m.key.slice(0, 12)}"] [data-col="seed"]`)).toBe(String(m.seed));
    await card.scrollIntoViewIfNeeded();
    await desk.page.screenshot({ path: screenshotPath('classes-training-1600') });
    expect(desk.errors).toEqual([]);
  });
});
