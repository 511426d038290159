/**
 * The Backtests analytics end to end, in Debian's Chromium against the headless host, on the database of
 * test/analytics/fixture.ts (classic runs on the bundled DJIA data over 2000 and 1999, two seeds of a learned
 * strategy stored by hand): the verdict with its p-value is shown before anything is selected, hindsight runs are
 * marked and left unselected, every analytics block shows the numbers analytics.compare returns, nothing overflows
 * the page horizontally at 1280x800; screenshots at 1600x1000 and 1280x800, and the first page of the tear sheet's
 * PDF as a PNG (pdftoppm), go to .e2e/screenshots.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildBacktestReport, renderBacktestPdf } from '../../src-main/reports';
import type { AnalyticsCompareResponse, LearnedVerdict } from '../../src-shared/contract/analytics';
import { screenshotPath } from '../helpers/browser';
import { analyticsFixture, type AnalyticsFixture } from '../analytics/fixture';
import { useDesk } from '../helpers/desk';
import { num, pct } from '../../src-renderer/src/format';

let fx: AnalyticsFixture;
const desk = useDesk(
  async () => {
    fx = await analyticsFixture();
    return fx.engine;
  },
  { page: { viewport: { width: 1280, height: 800 } } },
);

/** Viewport screenshots of the panel, block by block (the view scrolls inside its own container). */
async function shootPanel(p: Page, size: string): Promise<void> {
  for (const [k, id] of [
    ['relative', 'analytics-relative'],
    ['charts', 'chart-rolling-vol'],
    ['weights', 'chart-weights'],
    ['risk', 'chart-risk'],
  ] as const) {
    await p.locator(`[data-testid="${id}"]`).scrollIntoViewIfNeeded();
    await p.waitForTimeout(200);
    await p.screenshot({ path: screenshotPath(`analytics-${size}-${k}`) });
  }
}

describe('Backtests analytics', () => {
  it("shows the learned strategy's verdict and paired p-value before anything is selected, and never selects a hindsight run", async () => {
    const [v] = await desk.call<LearnedVerdict[]>('analytics.verdicts', { universe: 'djia30' });
    await desk.page.goto(`${desk.host.url}#/backtests`);
    const line = desk.page.locator(`[data-testid="verdict-samp-hdrl-${v!.windowFrom}"]`);
    await line.waitFor();
    expect(await line.locator('[data-testid="verdict-p"]').textContent()).toContain(
      v!.pValue! < 0.001 ? 'paired p < 0.001' : `paired p = ${v!.pValue!.toFixed(3)}`,
    );
    expect(await line.locator('[data-testid="verdict-text"]').textContent()).toContain(`Sharpe ${num(v!.sharpe)}`);
    expect(await line.locator('[data-testid="verdict-text"]').textContent()).toContain(
      `(${v!.seedsBeating} of 2 seeds do)`,
    );
    const bcrp = desk.page.locator('[data-testid="metrics-row-bcrp-2000-01-03"]');
    expect(await bcrp.textContent()).toContain('†');
    expect(await bcrp.locator('input[type="checkbox"]').isChecked()).toBe(false);
    expect(
      await desk.page.locator('[data-testid="metrics-row-crp-2000-01-03"] input[type="checkbox"]').isChecked(),
    ).toBe(true);
    // turnover annualised, with its cost drag, as the stored metrics
    const crp = (await desk.call<{ metrics: Record<string, number> }>('runs.get', { id: fx.ids.crp! })).metrics;
    expect(
      (await desk.page
        .locator('[data-testid="metrics-row-crp-2000-01-03"] [data-metric="annualTurnover"]')
        .textContent())!.trim(),
    ).toBe(pct(crp.annualTurnover!, 0));
    expect(
      (await desk.page
        .locator('[data-testid="metrics-row-crp-2000-01-03"] [data-metric="costDrag"]')
        .textContent())!.trim(),
    ).toBe(pct(crp.costDrag!));
  });

  it('shows every analytics block with the numbers of analytics.compare', async () => {
    const panel = desk.page.locator('[data-testid="analytics-panel"]');
    await panel.locator('[data-testid="analytics-relative"]').waitFor();
    // the selected groups: crp, minvar, samp-hdrl (seed 1 stands for its group), ubah; focus on the learned run
    const ids = [fx.ids.crp!, fx.ids.minvar!, fx.samp[0]!, fx.ids.ubah!];
    const a = await desk.call<AnalyticsCompareResponse>('analytics.compare', { ids });
    const s = a.runs.find((r) => r.id === fx.samp[0])!;
    const rel = desk.page.locator(`[data-testid="rel-row-${s.id}"]`);
    await rel.waitFor();
    expect(await rel.locator('[data-col="activeReturn"]').textContent()).toBe(pct(s.relative!.activeReturn));
    expect(await rel.locator('[data-col="trackingError"]').textContent()).toBe(pct(s.relative!.trackingError));
    expect(await rel.locator('[data-col="informationRatio"]').textContent()).toBe(num(s.relative!.informationRatio));
    expect(await rel.locator('[data-col="beta"]').textContent()).toBe(num(s.relative!.beta));
    const m = a.runs.find((r) => r.strategy === 'minvar')!;
    const tr = desk.page.locator(`[data-testid="trading-row-${m.id}"]`);
    expect(await tr.locator('[data-col="annualTurnover"]').textContent()).toBe(pct(m.trading.annualTurnover, 0));
    expect(await tr.locator('[data-col="costDrag"]').textContent()).toBe(pct(m.trading.costDrag));
    const st = m.stress.find((x) => x.id === 'dotcom-2000')!;
    expect(await desk.page.locator(`[data-testid="stress-dotcom-2000-${m.id}"] [data-col="ret"]`).textContent()).toBe(
      pct(st.ret),
    );
    expect(a.focus!.run.id).toBe(fx.samp[0]);
    expect(await panel.locator('[data-testid="risk-vol"]').textContent()).toContain(
      `Volatility ${pct(a.focus!.risk!.volatility, 1)} a year`,
    );
    expect(await panel.locator('[data-testid="stitched-total"]').textContent()).toContain(
      `total ${pct(a.stitched!.total)}`,
    );
    for (const c of [
      'chart-rolling-vol',
      'chart-distribution',
      'chart-weights',
      'chart-trading',
      'chart-risk',
      'chart-stitched',
    ])
      await panel.locator(`[data-testid="${c}"] canvas`).first().waitFor();
    // the group view exists for the learned strategy
    await panel.locator('[data-testid="weights-view"]').selectOption('group');
    await desk.page.waitForTimeout(300);
    expect(await desk.overflow('.view')).toEqual({ page: 0, content: 0 });
    await desk.page.screenshot({ path: screenshotPath('analytics-1280x800'), fullPage: true });
    await shootPanel(desk.page, '1280x800');
    await desk.page.setViewportSize({ width: 1600, height: 1000 });
    await desk.page.waitForTimeout(400);
    expect((await desk.overflow('.view')).page).toBe(0);
    await desk.page.screenshot({ path: screenshotPath('analytics-1600x1000'), fullPage: true });
    await shootPanel(desk.page, '1600x1000');
    await desk.page.setViewportSize({ width: 1280, height: 800 });
    expect(desk.errors).toEqual([]);
  });

  it('a chosen benchmark changes the comparison the panel shows', async () => {
    const panel = desk.page.locator('[data-testid="analytics-panel"]');
    await panel.locator('[data-testid="analytics-benchmark"]').selectOption('minvar');
    const a = await desk.call<AnalyticsCompareResponse>('analytics.compare', {
      ids: [fx.ids.crp!, fx.ids.minvar!, fx.samp[0]!, fx.ids.ubah!],
      benchmark: 'minvar',
    });
    const c = a.runs.find((r) => r.strategy === 'crp')!;
    await desk.page
      .locator(`[data-testid="rel-row-${c.id}"] [data-col="beta"]`, { hasText: num(c.relative!.beta) })
      .waitFor();
    await panel.locator('[data-testid="analytics-benchmark"]').selectOption('');
  });

  it("the tear sheet's first page carries the verdict; saved as a PNG", async () => {
    const data = await buildBacktestReport(desk.engine.db, [...fx.samp, fx.ids.crp!, fx.ids.minvar!, fx.ids.bcrp!]);
    const pdf = screenshotPath('analytics-report').replace(/\.png$/, '.pdf');
    fs.writeFileSync(pdf, await renderBacktestPdf(data));
    const r = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '3', pdf, pdf.replace(/\.pdf$/, '')]);
    if (r.error)
      console.warn(`pdftoppm not available (${r.error.message}): the report's pages were not rendered to PNG`);
    else expect(r.status, String(r.stderr)).toBe(0);
    expect(data.verdicts!.length).toBe(1);
  });
});
