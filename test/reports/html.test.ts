import { describe, expect, it } from 'vitest';
import { renderAllocationHtml, renderBacktestHtml } from '../../src-main/reports/render/html';
import { cleanSvg } from '../../src-main/reports/render/svgCharts';
import { HOSTILE_NAME, makeFixture, makeHostileFixture } from './fixture';

/** Text content of the HTML with tags removed and the five entities decoded (enough for these checks). */
function text(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<svg[\s\S]*?<\/svg>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Hand formatting of a weight as the table shows it: percent with 2 decimals. */
const pct2 = (w: number): string => `${(w * 100).toFixed(2)}%`;

function selfContained(html: string): void {
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/https?:\/\//i);
  // no inline event handler in any tag (escaped text has no '<', so every '<x ...>' here is a real tag)
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/<(link|iframe|object|embed|img)\b/i);
  expect(html).toContain(
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
  );
}

describe('renderAllocationHtml', () => {
  const { allocation } = makeFixture();
  const html = renderAllocationHtml(allocation);

  it('is one self-contained file: no script, no URL, strict CSP, inline SVG charts', () => {
    selfContained(html);
    // equity and drawdown charts
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html).toMatch(/<svg role="img" aria-label="Equity curves, growth of 1"/);
    expect(html).toContain('<path');
  });

  it('lists every ticker in a table row with its weight, previous weight and signed trade', () => {
    for (const g of allocation.groups) {
      expect(html).toContain(`${g.name} <span>${pct2(g.total)}`);
      for (const r of g.rows) {
        const row = html.split('\n').find((l) => l.startsWith(`<tr><td><b>${r.ticker}</b></td>`));
        expect(row, r.ticker).toBeDefined();
        const cells = text(row!)
          .trim()
          .split(/\s{2,}/);
        expect(cells).toContain(pct2(r.weight));
        expect(cells).toContain(pct2(r.previousWeight));
        const t = (r.trade * 100).toFixed(2);
        expect(cells).toContain(r.trade > 0 && t !== '0.00' ? `+${t}%` : t === '-0.00' ? '0.00%' : `${t}%`);
      }
    }
    expect(text(html)).toContain('100.00%'); // total with cash
  });

  it('metrics: this run first and bold, Sharpe of each strategy, dagger and EW flag with footnotes', () => {
    const t = text(html);
    for (const m of allocation.metrics) expect(t).toContain(m.metrics.sharpe!.mean.toFixed(2));
    expect(html).toContain('<tr class="this-run"><td>SAMP-HDRL</td>');
    expect(html).toContain('Best stock<sup class="mark">\u2020</sup>');
    expect(html).toContain(
      'Equal weight (1/N)<sup class="mark">\u2021</sup> <span class="badge b-ew">\u2248 EW</span>',
    );
    expect(t).toContain('\u2020 Hindsight baseline');
    expect(t).toContain('\u2021 Close to equal weight');
    // seed spread of the run shown as ±
    expect(t).toContain(`\u00b1${allocation.metrics[0]!.metrics.sharpe!.std!.toFixed(2)}`);
  });

  it('shows regime, rebound, agents, config and caveats', () => {
    const t = text(html);
    expect(t).toContain('bull');
    expect(t).toContain('Rebound flagged');
    expect(t).toContain('Upper agent');
    expect(t).toContain('Lower agent 2');
    expect(t).toContain('MSFT t-1..t-5');
    expect(t).toContain('upper.heads');
    for (const c of allocation.caveats) expect(t).toContain(c);
  });
});

describe('renderBacktestHtml', () => {
  const { backtest } = makeFixture();
  const html = renderBacktestHtml(backtest);

  it('is self-contained with equity, underwater and yearly charts', () => {
    selfContained(html);
    expect(html.match(/<svg /g)?.length).toBe(3);
  });

  it('has a heatmap row per run and year with the monthly returns at 1 decimal, and the worst drawdowns', () => {
    const p = backtest.monthly[0]!;
    const m = p.items[2]!;
    expect(html).toContain(`${(m.ret * 100).toFixed(1)}%</td>`);
    const d = backtest.worstDrawdowns[0]!.items[0]!;
    expect(html).toContain(`<td>${d.start}</td><td>${d.trough}</td>`);
    expect(text(html).replace(/\s+/g, ' ')).toContain('Transaction cost 0.100% per unit traded');
    for (const r of backtest.metrics) expect(text(html)).toContain(r.metrics.sharpe!.mean.toFixed(2));
  });
});

describe('hostile strings in HTML', () => {
  const f = makeHostileFixture();

  it('are escaped everywhere, charts included', () => {
    for (const html of [renderAllocationHtml(f.allocation), renderBacktestHtml(f.backtest)]) {
      selfContained(html);
      expect(html).not.toContain('<img');
    }
    const html = renderAllocationHtml(f.allocation);
    expect(html).toContain('Acme, &quot;Widgets&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons\nLtd');
    expect(text(html)).toContain(HOSTILE_NAME);
    expect(html).toContain('&lt;/td&gt;&lt;script&gt;evil()&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('cleanSvg strips styles, namespaces and escapes the label', () => {
    const svg = cleanSvg(
      '<svg width="10" height="10" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" baseProfile="full"><path class="zr0-cls-1" ecmeta_series_index="0" d="M0 0"/><style ><![CDATA[.zr0-cls-1:hover{cursor:pointer}]]></style></svg>',
      '"><script>',
    );
    expect(svg).toBe(
      '<svg role="img" aria-label="&quot;&gt;&lt;script&gt;" preserveAspectRatio="xMidYMid meet" width="10" height="10"><path d="M0 0"/></svg>',
    );
  });
});
