/**
 * The analytics in the reports: the equal-weight verdict with its p-value on the first page of every report (HTML
 * and PDF, allocation and tear sheet), and the tear sheet's analytics sections with the numbers of the service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAllocationReport,
  buildBacktestReport,
  renderAllocationHtml,
  renderAllocationPdf,
  renderBacktestHtml,
  renderBacktestPdf,
} from '../../src-main/reports';
import { NO_LEARNED_VERDICT, pValueText, verdictText } from '../../src-main/reports/derive';
import { dispatch } from '../../src-main/services';
import type { AnalyticsCompareResponse } from '../../src-shared/contract/analytics';
import { analyticsFixture, type AnalyticsFixture } from '../analytics/fixture';
import { readPdf } from './pdfText';

let fx: AnalyticsFixture;
beforeAll(async () => {
  fx = await analyticsFixture();
}, 300_000);
afterAll(() => fx?.engine.close());

/** The PDF lines of page 1 (before the first page footer). */
async function firstPage(bytes: Buffer): Promise<string> {
  const r = await readPdf(bytes);
  const end = r.lines.findIndex((l) => /Page 1 of \d+$/.test(l));
  return r.lines.slice(0, end + 1).join('\n');
}

describe('the verdict on the first page', () => {
  it('of a tear sheet with a learned strategy: its seeds against crp with the paired p-value, before the metrics', async () => {
    const data = await buildBacktestReport(fx.engine.db, [...fx.samp, fx.ids.crp!, fx.ids.bcrp!]);
    expect(data.verdicts).toHaveLength(1);
    const v = data.verdicts![0]!;
    expect(v.seeds).toBe(2);
    expect(v.reference).toBe('crp');
    expect(Number.isFinite(v.pValue)).toBe(true);
    const text = verdictText(v);
    expect(text).toContain(`Sharpe ratios ${pValueText(v.pValue)} over`);
    expect(pValueText(0.0004)).toBe('p < 0.001');
    expect(pValueText(0.04321)).toBe('p = 0.043');
    expect(text).toMatch(/(beats|does NOT beat) equal weight \(crp\)/);
    const html = renderBacktestHtml(data);
    const esc = (s: string) =>
      s
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
    expect(html.indexOf(esc(text))).toBeGreaterThan(0);
    expect(html.indexOf(esc(text))).toBeLessThan(html.indexOf('<h2>Metrics</h2>'));
    const page1 = await firstPage(await renderBacktestPdf(data));
    expect(page1).toContain('Against equal weight');
    expect(page1.replace(/\s+/g, ' ')).toContain(pValueText(v.pValue));
  });

  it('of an allocation report of a learned run, and of a report without one (saying so)', async () => {
    const alloc = await buildAllocationReport(fx.engine.db, fx.samp[0]!);
    expect(alloc.verdicts).toHaveLength(1);
    const page1 = (await firstPage(await renderAllocationPdf(alloc))).replace(/\s+/g, ' ');
    expect(page1).toContain(pValueText(alloc.verdicts![0]!.pValue));
    expect(renderAllocationHtml(alloc)).toContain('Against equal weight');
    const classic = await buildAllocationReport(fx.engine.db, fx.ids.minvar!);
    expect(classic.verdicts).toEqual([]);
    expect(renderAllocationHtml(classic)).toContain(NO_LEARNED_VERDICT);
    expect((await firstPage(await renderAllocationPdf(classic))).replace(/\s+/g, ' ')).toContain(NO_LEARNED_VERDICT);
  });
});

describe("the tear sheet's analytics", () => {
  it("are the service's numbers, for the same runs", async () => {
    const data = await buildBacktestReport(fx.engine.db, [fx.samp[0]!, fx.ids.crp!, fx.ids.minvar!]);
    const r = await dispatch(fx.engine, 'analytics.compare', { ids: [fx.samp[0]!, fx.ids.crp!, fx.ids.minvar!] });
    if (!r.ok) throw new Error(r.error.message);
    const svc = r.value as AnalyticsCompareResponse;
    const a = data.analytics!;
    for (const run of svc.runs) {
      const mine = a.runs.find((x) => x.id === run.id)!;
      expect(mine.trading.annualTurnover).toBeCloseTo(run.trading.annualTurnover!, 12);
      expect(mine.relative?.informationRatio ?? null).toEqual(run.relative?.informationRatio ?? null);
      expect(mine.stress.map((s) => s.ret)).toEqual(run.stress.map((s) => s.ret));
    }
    expect(a.focus!.run.id).toBe(fx.samp[0]);
    expect(a.stitched!.total).toBeCloseTo(svc.stitched!.total!, 12);
  });

  it('each have a chart or table in the HTML and the PDF, hindsight marked and the learned strategy emphasised', async () => {
    const data = await buildBacktestReport(fx.engine.db, [fx.samp[0]!, fx.ids.crp!, fx.ids.bcrp!]);
    const html = renderBacktestHtml(data);
    for (const h of [
      'Relative to the benchmark',
      'Trading and concentration',
      'Rolling volatility',
      'Distribution of daily returns',
      'Stress windows',
      'By sector, with cash',
      'By the strategy\u2019s groups, with cash',
      'Risk contribution of',
      'Stitched out-of-sample record of',
    ])
      expect(html, h).toContain(h);
    expect(html).toContain('Dot-com peak, Mar-Apr 2000');
    const bcrp = data.metrics.find((r) => r.hindsight)!.strategy;
    expect(html).toContain(`<td>${bcrp}<sup class="mark">\u2020</sup></td>`);
    expect(html).toContain('<td class="this-run">');
    expect(html).not.toMatch(/<script|NaN|undefined/);
    const pdf = (await readPdf(await renderBacktestPdf(data))).lines.join('\n');
    for (const h of [
      'Relative to the benchmark',
      'Trading and concentration',
      'Rolling volatility',
      'Stress windows',
      'Risk contribution of',
      'Stitched out-of-sample record of',
    ])
      expect(pdf, h).toContain(h);
    expect(pdf).not.toMatch(/NaN|undefined/);
  });
});
