/**
 * The desk on an MPLS run (issue 19), end to end in Chromium against the headless host: a quick MPLS run of the
 * bundled DJIA data over 2000-06 (no news: the sentiment module off), beside equal weight. Today shows each module on
 * or off with the reason, its fusion weight and, per sector, the proposals, the fused allocation, the sector weight
 * and the weights inside; Backtests draws the module weights and the sector allocation over time and the graph module
 * at a test day the PM picks (date field and day steps), with its strongest edges; Training lists the MPLS model with
 * its validation curve. Nothing overflows sideways. Screenshots: .e2e/screenshots/mpls-<view>.png.
 */
import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser';
import type { RunWeights } from '../../src-shared/contract/runs';
import type { MplsGraph, MplsTimeline } from '../../src-shared/contract/mpls';
import type { ModelsListResponse } from '../../src-shared/contract/models';
import { mplsDetail } from '../../src-shared/domain/decision';
import { pct } from '../../src-renderer/src/format';
import { useDeskOnRuns } from '../helpers/desk';
import { MPLS_JUNE_2000 } from '../helpers/runs';

const desk = useDeskOnRuns(MPLS_JUNE_2000);
/** the first match's text, white space collapsed */
const text = async (sel: string) => (await desk.text(sel)).replace(/\s+/g, ' ');
/** Wait until the graph's caption names this day. */
const captionStarting = (day: string) =>
  desk.page
    .locator('[data-testid="mpls-graph-caption"]')
    .filter({ hasText: new RegExp(`^\\s*${day}:`) })
    .waitFor();

describe('the desk on an MPLS run (issue 19)', () => {
  it('Today shows the modules, their fusion weights, the fused allocation and the sectors with the weights inside', async () => {
    const runId = desk.runId('mpls');
    const w = await desk.call<RunWeights>('runs.weights', { id: runId });
    const d = mplsDetail(w.detail)!;
    await desk.page.goto(`${desk.host.url}#/?run=${runId}`);
    const card = desk.page.locator('[data-testid="today-mpls"]');
    await card.waitFor();
    expect(await text('[data-testid="mpls-module-sentiment"]')).toMatch(/^Sentiment off: no news imported for djia30/);
    for (const m of d.modules.filter((x) => x.on))
      expect(await text(`[data-testid="mpls-module-${m.name}"] [data-col="weight"]`)).toBe(pct(m.weight, 1));
    const heads = await card.locator('[data-testid="mpls-sectors"] thead th').allTextContents();
    expect(heads.map((h) => h.trim())).toEqual([
      'Sector',
      'Volatility proposal',
      'Graph proposal',
      'Fused',
      'Sector weight',
      'Forecast vol',
      'Inside the sector (low-level agent)',
    ]);
    for (const [k, s] of d.sectors.entries()) {
      const row = `[data-testid="mpls-sector-${s.name}"]`;
      expect(await text(`${row} [data-col="graph"]`)).toBe(pct(d.modules[2]!.proposal[k], 1));
      expect(await text(`${row} [data-col="fused"]`)).toBe(pct(d.fused[k], 1));
      expect(await text(`${row} [data-col="weight"]`)).toBe(pct(s.weight, 1));
      expect(await text(`${row} [data-col="forecast"]`)).toBe(pct(d.volatility!.forecast[k], 1));
      expect(await desk.page.locator(`${row} [data-col="inside"] .run-chip`).allTextContents()).toEqual(
        s.tickers.map((t, i) => `${t} ${pct(s.intra[i], 1)}`),
      );
    }
    expect(await text('[data-testid="mpls-conservative"]')).toMatch(
      d.volatility!.conservative ? /^Conservative switch: on/ : /^Conservative switch: off: the forecast's uncertainty/,
    );
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: screenshotPath('mpls-today-card') });
    await desk.page.screenshot({ path: screenshotPath('mpls-today-1600'), fullPage: true });
    expect(await desk.overflows()).toBe(false);
    await desk.page.setViewportSize({ width: 1280, height: 800 });
    await desk.page.screenshot({ path: screenshotPath('mpls-today-1280'), fullPage: true });
    expect(await desk.overflows()).toBe(false);
    await desk.page.setViewportSize({ width: 1600, height: 1000 });
  });

  it('Backtests draws the module weights and the sector allocation over time, and the graph at a picked day', async () => {
    const runId = desk.runId('mpls');
    const tl = (await desk.call<MplsTimeline | null>('runs.mpls', { id: runId }))!;
    await desk.page.goto(`${desk.host.url}#/backtests`);
    const card = desk.page.locator('[data-testid="mpls-timeline"]');
    await card.locator('[data-testid="chart-mpls-modules"] canvas').waitFor();
    await card.locator('[data-testid="chart-mpls-sectors"] canvas').waitFor();
    expect(await text('[data-testid="mpls-caption"]')).toContain(
      tl.conservativeDays.length
        ? `the shaded days are the ${tl.conservativeDays.length} of ${tl.dates.length} on which`
        : `turned the fused allocation conservative on none of the ${tl.dates.length} days`,
    );
    expect(await text('[data-testid="mpls-off-sentiment"]')).toMatch(/^Sentiment off: no news imported for djia30/);
    // the graph opens on the last test day
    const graph = desk.page.locator('[data-testid="mpls-graph"]');
    await graph.locator('[data-testid="chart-mpls-graph"] canvas').waitFor();
    const last = await desk.call<MplsGraph>('mpls.graph', { id: runId, date: tl.dates.at(-1)! });
    expect(await text('[data-testid="mpls-graph-caption"]')).toMatch(
      new RegExp(`^${last.date}: the correlations of the 60 days to ${last.refreshDate}`),
    );
    expect(await graph.locator('[data-testid="mpls-graph-date"]').inputValue()).toBe(last.date);
    const e0 = last.edges[0]!;
    expect(await graph.locator(`[data-testid="mpls-edge-${e0.a}-${e0.b}"] td`).allTextContents()).toEqual([
      `${e0.a} – ${e0.b}`,
      `${e0.rho >= 0 ? '+' : '−'}${Math.abs(e0.rho).toFixed(2)}`,
      pct(e0.attentionAB, 1),
      pct(e0.attentionBA, 1),
    ]);
    await card.scrollIntoViewIfNeeded();
    await desk.page.waitForTimeout(300);
    await card.screenshot({ path: screenshotPath('mpls-backtests-timeline') });
    await graph.screenshot({ path: screenshotPath('mpls-graph-last') });
    // a day picked in the date field: a Saturday shows the Friday before; then one day back
    await graph.locator('[data-testid="mpls-graph-date"]').fill('2000-06-10');
    await captionStarting('2000-06-09');
    const friday = await desk.call<MplsGraph>('mpls.graph', { id: runId, date: '2000-06-09' });
    expect(await text('[data-testid="mpls-graph-caption"]')).toContain(`to ${friday.refreshDate}`);
    await graph.locator('[data-testid="mpls-graph-prev"]').click();
    await captionStarting('2000-06-08');
    await graph.scrollIntoViewIfNeeded();
    await desk.page.waitForTimeout(300);
    await graph.screenshot({ path: screenshotPath('mpls-graph-picked') });
    await desk.page.screenshot({ path: screenshotPath('mpls-backtests-1600'), fullPage: true });
    expect(await desk.overflows()).toBe(false);
    await desk.page.setViewportSize({ width: 1280, height: 800 });
    await graph.scrollIntoViewIfNeeded();
    await desk.page.waitForTimeout(300);
    await desk.page.screenshot({ path: screenshotPath('mpls-backtests-1280') });
    expect(await desk.overflows()).toBe(false);
    await desk.page.setViewportSize({ width: 1600, height: 1000 });
  });

  it('Training lists the MPLS model with its validation curve', async () => {
    const runId = desk.runId('mpls');
    const models = await desk.call<ModelsListResponse>('models.list', {});
    const m = models.models.find((x) => x.runs.some((r) => r.id === runId))!;
    expect([m.variant, m.kind]).toEqual(['mpls', 'volatility + graph modules']);
    await desk.page.goto(`${desk.host.url}#/training`);
    await desk.page.locator(`[data-testid="model-show-${m.key.slice(0, 12)}"]`).click();
    const card = desk.page.locator('[data-testid="model-training"]');
    await card.locator('[data-testid="curve-mpls"] canvas').waitFor();
    expect(await text(`[data-testid="model-${m.key.slice(0, 12)}"] [data-col="strategy"]`)).toBe('mpls');
    expect(await text(`[data-testid="model-${m.key.slice(0, 12)}"] [data-col="variant"]`)).toBe('full method');
    await card.scrollIntoViewIfNeeded();
    await desk.page.screenshot({ path: screenshotPath('mpls-training-1600') });
    expect(desk.errors).toEqual([]);
  });
});
