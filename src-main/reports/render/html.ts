/**
 * Self-contained HTML reports (docs/architecture.md "Reports": an allocation report in PDF and HTML; the backtest tear
 * sheet).
 *
 * One file, nothing to fetch: inline CSS, charts as inline SVG from ECharts SSR (./svgCharts), no script, no
 * remote URL, and a Content-Security-Policy meta tag `default-src 'none'; style-src 'unsafe-inline';
 * img-src data:` so that even a hostile string that slipped through could neither run nor load anything. Every
 * piece of report text goes through escapeHtml. Print-friendly: A4 landscape @page, table rows never split,
 * table headers repeat, colours kept when printing.
 *
 * Why this file is long: one self-contained page per report kind, with every section's markup and the print CSS in
 * one place, so the escaping rule is applied by one file.
 */
import {
  CLOSE_TO_EW_NOTE,
  GAIN_COLOR,
  HINDSIGHT_NOTE,
  LOSS_COLOR,
  MONTHS,
  HEATMAP_DECIMALS,
  agentLabel,
  escapeHtml as e,
  flattenConfig,
  formatStat,
  heatColor,
  heatTextColor,
  metricColumns,
  metricSpec,
  num,
  pct,
  signedPct,
  valueText,
} from '../format';
import type {
  AgentSummary,
  AllocationReportData,
  BacktestReportData,
  DrawdownPeriod,
  MetricsRow,
  MonthlyReturn,
  ReportAnalytics,
  ReportVerdict,
  YearlyReturn,
} from '../model';
import { curvesOf, optionSvg, rollingVolOf, yearlyOption } from './svgCharts';
import { drawdownOption, equityOption } from '../../../src-shared/charts/performance';
import {
  distributionOption,
  riskOption,
  stitchedOption,
  tradingOption,
  weightsOption,
} from '../../../src-shared/charts/analytics';
import { actionScaleOption, classAllocationOption, classBasisText } from '../../../src-shared/charts/classes';
import { allocationTurnover, NO_LEARNED_VERDICT, verdictText } from '../derive';

/** The Content-Security-Policy every HTML report carries. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `
:root{--ink:#1d2330;--muted:#5b6474;--line:#d9dee5;--soft:#f4f6f9;--accent:#0b5fa5;--gain:${GAIN_COLOR};--loss:${LOSS_COLOR}}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0 auto;max-width:1200px;padding:28px 32px 40px;font:13px/1.45 "Helvetica Neue",Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
header.top{display:flex;justify-content:space-between;align-items:flex-end;border-bottom:3px solid var(--accent);padding-bottom:10px;margin-bottom:16px}
header.top h1{margin:0;font-size:22px;font-weight:700;letter-spacing:.2px}
header.top .sub{color:var(--muted);font-size:13px;margin-top:2px}
header.top .brand{color:var(--accent);font-weight:700;font-size:12px;text-transform:uppercase;letter-spacing:1px;text-align:right}
h2{font-size:15px;margin:26px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line);break-after:avoid}
h3{font-size:13px;margin:14px 0 6px;break-after:avoid}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:4px 24px;margin:0}
dl.facts div{display:flex;gap:8px;min-width:0;border-bottom:1px dotted var(--line);padding:2px 0}
dl.facts dt{color:var(--muted);flex:0 0 110px}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px;margin-top:14px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:var(--soft);break-inside:avoid}
.card h3{margin:0 0 6px;font-size:12px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted)}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:11px;font-weight:700;border:1px solid currentColor;margin-right:4px}
.b-bull{color:var(--gain)}.b-bear{color:var(--loss)}.b-sideways,.b-normal{color:var(--muted)}.b-calm{color:var(--accent)}.b-stressed{color:var(--loss)}
.b-flag{color:#9a5b00;background:#fff4e0}.b-none{color:var(--muted)}.b-ew{color:#7a4b9a;font-size:10px;padding:0 6px}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{padding:3px 7px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{background:#e8edf3;text-align:left;font-weight:700;border-bottom:1px solid #8a94a6;white-space:nowrap}
thead{display:table-header-group}
tr{break-inside:avoid}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.n{text-align:right}
tbody tr.grp th{background:#f0f3f7;text-align:left;font-size:12px;border-bottom:1px solid #b9c1cc}
tbody tr.grp th span{float:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:700;border-top:1.5px solid #8a94a6}
tr.this-run td{font-weight:700;background:#f5f9fd}
.buy{color:var(--gain)}.sell{color:var(--loss)}
.wbar{display:inline-block;height:8px;background:#9db8d6;border-radius:2px;vertical-align:middle;margin-right:6px}
td.barcell{width:120px}
.sd{display:block;color:var(--muted);font-size:10px}
sup.mark{color:var(--muted);font-weight:400}
.notes{color:var(--muted);font-size:11px;margin:6px 0 0;padding-left:0;list-style:none}
figure{margin:10px 0 4px;break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:12px;font-weight:700;margin-bottom:2px}
.agents{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
.dv{display:flex;width:100%;height:10px;align-items:center}
.dv span{flex:1;display:flex;height:8px}.dv span.l{justify-content:flex-end;border-right:1px solid #8a94a6}
.dv i{display:block;height:8px}.dv .l i{background:var(--loss)}.dv .r i{background:var(--gain)}
.heat td{text-align:center;font-size:11px;font-variant-numeric:tabular-nums;border:1px solid #fff;padding:3px 2px}
.heat th{text-align:center}.heat tbody th{border-bottom:1px solid #fff}
.heat td.yr{font-weight:700;border-left:2px solid #8a94a6}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:18px;align-items:start}
.run{break-inside:avoid}
.verdicts{margin-top:12px}.verdicts li.v-beats{color:var(--gain)}.verdicts li.v-does-not-beat{color:var(--loss)}
ul.caveats{padding-left:18px;margin:4px 0}
footer{margin-top:28px;border-top:1px solid var(--line);padding-top:6px;color:var(--muted);font-size:11px;display:flex;justify-content:space-between}
@page{size:A4 landscape;margin:12mm}
@media print{body{max-width:none;padding:0;font-size:10.5px}table{font-size:10px}h2{margin-top:16px}.pair{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}section.page{break-before:page}}
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="HDRL Desk">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function facts(items: [string, string][]): string {
  return `<dl class="facts">${items.map(([k, v]) => `<div><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join('')}</dl>`;
}

function tradeCell(t: number | null): string {
  if (t === null) return '<td class="n"></td>';
  const cls = t > 0 ? 'buy' : t < 0 ? 'sell' : '';
  return `<td class="n ${cls}">${e(signedPct(t))}</td>`;
}

/** Metrics table with marks, spreads and footnotes (shared by both reports). */
function metricsTableHtml(rows: readonly MetricsRow[], highlightFirst: boolean): string {
  if (rows.length === 0) return '<p class="notes">No metrics.</p>';
  const keys = metricColumns(rows);
  const specs = keys.map(metricSpec);
  const head = `<tr><th>Strategy</th><th class="n">Seeds</th>${specs.map((s) => `<th class="n" title="${e(s.help)}">${e(s.label)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r, i) => {
      const marks = `${r.hindsight ? '\u2020' : ''}${r.closeToEqualWeight ? '\u2021' : ''}`;
      const name = `${e(r.strategy)}${marks ? `<sup class="mark">${marks}</sup>` : ''}${r.closeToEqualWeight ? ' <span class="badge b-ew">\u2248 EW</span>' : ''}`;
      const cells = specs
        .map((s) => {
          const f = formatStat(r.metrics[s.key], s.unit);
          return `<td class="n">${e(f.mean)}${f.std !== null ? `<span class="sd">${e(f.std)}</span>` : ''}</td>`;
        })
        .join('');
      return `<tr${highlightFirst && i === 0 ? ' class="this-run"' : ''}><td>${name}</td><td class="n">${r.seeds}</td>${cells}</tr>`;
    })
    .join('\n');
  const notes: string[] = [];
  if (rows.some((r) => r.hindsight)) notes.push(`\u2020 ${HINDSIGHT_NOTE}`);
  if (rows.some((r) => r.closeToEqualWeight)) notes.push(`\u2021 ${CLOSE_TO_EW_NOTE}`);
  if (rows.some((r) => Object.values(r.metrics).some((m) => m.std !== null)))
    notes.push('\u00b1 standard deviation over seeds.');
  return `<table class="metrics"><thead>${head}</thead><tbody>
${body}
</tbody></table>${notes.length ? `<ul class="notes">${notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''}`;
}

function caveatsHtml(caveats: readonly string[]): string {
  if (caveats.length === 0) return '';
  return `<h2>Caveats</h2><ul class="caveats">${caveats.map((c) => `<li>${e(c)}</li>`).join('')}</ul>`;
}

function agentCard(a: AgentSummary): string {
  const max = Math.max(1e-300, ...a.topDrivers.map((d) => Math.abs(d.value)).filter(Number.isFinite));
  const rows = a.topDrivers
    .map((d) => {
      const w = Number.isFinite(d.value) ? Math.round((Math.abs(d.value) / max) * 100) : 0;
      const neg = d.value < 0 ? w : 0;
      const pos = d.value >= 0 ? w : 0;
      return `<tr><td>${e(d.player)}</td><td class="barcell"><span class="dv"><span class="l"><i style="width:${neg}%"></i></span><span class="r"><i style="width:${pos}%"></i></span></span></td><td class="n">${e(num(d.value, 3))}</td></tr>`;
    })
    .join('');
  return `<div class="card"><h3>${e(agentLabel(a.agent))}</h3>
<p style="margin:0 0 6px">Effective holdings <b>${e(num(a.concentration.effectiveN, 3))}</b> &middot; HHI <b>${e(num(a.concentration.herfindahl, 3))}</b></p>
<table><thead><tr><th>Top driver</th><th></th><th class="n">Value</th></tr></thead><tbody>${rows || '<tr><td colspan="3">none</td></tr>'}</tbody></table></div>`;
}

/**
 * The allocation report as one self-contained HTML document (sections: header, regime / rebound / summary,
 * grouped weights with trades, agents, metrics with baselines, equity and drawdown charts, configuration,
 * caveats).
 * @param data report data (fractions; see ../model)
 * @returns the HTML text (UTF-8)
 */
export function renderAllocationHtml(data: AllocationReportData): string {
  const h = data.header;
  const title = `Allocation report \u2014 ${h.strategy.label} \u2014 ${h.date}`;
  const allRows = data.groups.flatMap((g) => g.rows);
  const maxW = Math.max(1e-12, ...allRows.map((r) => r.weight).filter(Number.isFinite), data.cashWeight);
  const bar = (w: number): string =>
    `<span class="wbar" style="width:${Number.isFinite(w) ? Math.max(0, Math.round((w / maxW) * 100)) : 0}%"></span>`;

  const headFacts: [string, string][] = [
    ['Universe', `${h.universe.name} (${h.universe.id})`],
    ['Data source', h.dataSource],
    ['Strategy', `${h.strategy.label} (${h.strategy.id})`],
    ['Run id', h.runId],
    ['Weights as of', h.date],
    ['Test window', `${h.window.from} \u2013 ${h.window.to}`],
    ['Seed', String(h.seed)],
    ['Code version', h.codeVersion],
    ['Backend', h.backend ?? 'n/a'],
  ];
  if (h.generatedAt) headFacts.push(['Generated', h.generatedAt]);

  const regime = data.regime
    ? `<span class="badge b-${e(data.regime.trend)}">${e(data.regime.trend)}</span><span class="badge b-${e(data.regime.volatility)}">${e(data.regime.volatility)} volatility</span><div class="notes">as of ${e(data.regime.date)}</div>`
    : '<span class="notes">No regime label.</span>';
  const rebound = data.rebound
    ? `${data.rebound.flagged ? '<span class="badge b-flag">Rebound flagged</span>' : '<span class="badge b-none">No rebound flag</span>'}${
        Object.keys(data.rebound.detail).length
          ? `<table style="margin-top:6px">${Object.entries(data.rebound.detail)
              .map(([k, v]) => `<tr><td>${e(k)}</td><td class="n">${e(valueText(v))}</td></tr>`)
              .join('')}</table>`
          : ''
      }`
    : '<span class="notes">No rebound detector for this strategy.</span>';
  const traded = allocationTurnover(allRows, data.cashWeight, data.previousCashWeight);
  const holdings = allRows.filter((r) => r.weight > 0).length;
  const summary = `<table>${data.groups.map((g) => `<tr><td>${e(g.name)}</td><td class="n">${e(pct(g.total))}</td></tr>`).join('')}<tr><td>Cash</td><td class="n">${e(pct(data.cashWeight))}</td></tr><tr><td>Holdings</td><td class="n">${holdings} of ${allRows.length}</td></tr><tr><td>One-way turnover</td><td class="n">${e(pct(traded))}</td></tr></table>`;

  const groupsHtml = data.groups
    .map(
      (
        g,
      ) => `<tbody><tr class="grp"><th colspan="6">${e(g.name)} <span>${e(pct(g.total))} &middot; ${g.rows.length} assets</span></th></tr>
${g.rows
  .map(
    (r) =>
      `<tr><td><b>${e(r.ticker)}</b></td><td>${e(r.name)}</td><td>${e(r.sector)}</td><td class="n">${bar(r.weight)}${e(pct(r.weight))}</td><td class="n">${e(pct(r.previousWeight))}</td>${tradeCell(r.trade)}</tr>`,
  )
  .join('\n')}</tbody>`,
    )
    .join('\n');
  const prevCash = data.previousCashWeight ?? null;
  const totalW = data.groups.reduce((s, g) => s + g.total, 0) + data.cashWeight;
  const weightsTable = `<table class="weights"><thead><tr><th>Ticker</th><th>Name</th><th>Sector</th><th class="n">Weight</th><th class="n">Previous</th><th class="n">Trade</th></tr></thead>
${groupsHtml}
<tbody><tr class="grp"><th colspan="6">Cash <span>${e(pct(data.cashWeight))}</span></th></tr><tr><td><b>CASH</b></td><td>Cash</td><td></td><td class="n">${bar(data.cashWeight)}${e(pct(data.cashWeight))}</td><td class="n">${prevCash === null ? '' : e(pct(prevCash))}</td>${tradeCell(prevCash === null ? null : data.cashWeight - prevCash)}</tr>
<tr class="total"><td colspan="3">Total</td><td class="n">${e(pct(totalW))}</td><td class="n"></td><td class="n"></td></tr></tbody></table>
<p class="notes">Trade = target weight &minus; previous weight drifted with the day\u2019s prices (fractions of the portfolio).</p>`;

  const c = data.classes;
  const classesCard = c
    ? `<div class="card" data-section="classes"><h3>HADAPS classes</h3><div class="notes">${e(c.basis)}; action scale β = ${e(String(c.actionScale))}. The inter-class layer’s weights, before the no-trade band:</div><table>${c.layer.map((x) => `<tr><td>${e(x.name)}</td><td class="n">${e(pct(x.weight))}</td></tr>`).join('')}</table></div>`
    : '';

  const tl = data.threeLevel;
  const pts = (v: number) => `${v >= 0 ? '+' : '\u2212'}${Math.abs(v * 100).toFixed(2)}`;
  const threeLevelCard = tl
    ? `<div class="card" data-section="three-level"><h3>Three levels</h3><div class="notes">Level 1 (${e(tl.levels.strategic)}) next decides in ${tl.nextStrategicIn} trading days; Level 2 (${e(tl.levels.tactical)}) ${tl.nextTacticalIn === null ? 'never (none in this ablation)' : `in ${tl.nextTacticalIn}`}; Level 3 (${e(tl.levels.execution)}) trades towards the target daily. Tilts in percentage points.</div><table><tr><th>Class</th><th class="n">Strategic</th><th class="n">Tilt</th><th class="n">Target</th></tr>${tl.rows.map((x) => `<tr><td>${e(x.name)}</td><td class="n">${e(pct(x.strategic))}</td><td class="n">${e(pts(x.tilt))}</td><td class="n">${e(pct(x.target))}</td></tr>`).join('')}</table></div>`
    : '';

  const mp = data.mpls;
  const mplsCard = mp
    ? `<div class="card" data-section="mpls"><h3>MPLS modules and sectors</h3><div class="notes">The fusion agent’s weight on each module’s sector proposal today, its mean over the run’s ${mp.days} decisions and the share of them it led.${mp.conservative ? ` Volatility ${e(mp.conservative)}.` : ''}</div><table><tr><th>Module</th><th class="n">Today</th><th class="n">Mean</th><th class="n">Led</th></tr>${mp.modules.map((m) => (m.on ? `<tr><td>${e(m.name)}</td><td class="n">${e(pct(m.weight))}</td><td class="n">${e(pct(m.mean))}</td><td class="n">${e(pct(m.led, 0))}</td></tr>` : `<tr><td>${e(m.name)}</td><td colspan="3" class="notes">off: ${e(m.reason ?? '')}</td></tr>`)).join('')}</table><div class="notes">Each sector in the fused allocation and as the high-level agent set it (before the no-trade band):</div><table><tr><th>Sector</th><th class="n">Fused</th><th class="n">Final</th></tr>${mp.sectors.map((x) => `<tr><td>${e(x.name)}</td><td class="n">${e(pct(x.fused))}</td><td class="n">${e(pct(x.weight))}</td></tr>`).join('')}</table></div>`
    : '';

  const agents = data.agents.length
    ? `<h2>Agents</h2><div class="agents">${data.agents.map(agentCard).join('')}</div>`
    : '';

  const charts: string[] = [];
  if (data.equity.length)
    charts.push(
      `<figure><figcaption>Equity (growth of 1)</figcaption>${optionSvg(equityOption(curvesOf(data.equity, data.equity, true)), { title: 'Equity curves, growth of 1' })}</figure>`,
    );
  if (data.drawdown)
    charts.push(
      `<figure><figcaption>Drawdown of ${e(data.drawdown.name)}</figcaption>${optionSvg(drawdownOption(curvesOf([data.drawdown]), { area: true }), { title: `Drawdown of ${data.drawdown.name}`, height: 220 })}</figure>`,
    );
  const config = flattenConfig(h.config);

  const body = `<header class="top"><div><h1>Allocation report</h1><div class="sub">${e(h.strategy.label)} &middot; ${e(h.universe.name)} &middot; weights as of ${e(h.date)}</div></div><div class="brand">HDRL Desk</div></header>
${facts(headFacts)}
${verdictBoxHtml(data.verdicts)}
<div class="cards"><div class="card"><h3>Market regime</h3>${regime}</div><div class="card"><h3>Rebound</h3>${rebound}</div><div class="card"><h3>Allocation</h3>${summary}</div>${classesCard}${threeLevelCard}${mplsCard}</div>
<h2>Target weights</h2>
${weightsTable}
${agents}
<h2>Performance</h2>
${metricsTableHtml(data.metrics, true)}
${charts.join('\n')}
${config.length ? `<h2>Configuration</h2>${facts(config)}` : ''}
${caveatsHtml(data.caveats)}
<footer><span>HDRL Desk ${e(h.codeVersion)} &middot; run ${e(h.runId)}</span><span>${e(h.generatedAt ?? h.date)}</span></footer>`;
  return page(title, body);
}

function heatmapHtml(months: readonly MonthlyReturn[], years: readonly YearlyReturn[]): string {
  const yearly = new Map(years.map((y) => [y.year, y.ret]));
  const allYears = [...new Set([...months.map((m) => m.year), ...years.map((y) => y.year)])].sort((a, b) => a - b);
  const cell = (v: number | undefined, cls = ''): string =>
    v === undefined
      ? `<td${cls ? ` class="${cls}"` : ''}></td>`
      : `<td${cls ? ` class="${cls}"` : ''} style="background:${heatColor(v)};color:${heatTextColor(v)}">${e(pct(v, HEATMAP_DECIMALS))}</td>`;
  const rows = allYears
    .map((y) => {
      const byMonth = new Map(months.filter((m) => m.year === y).map((m) => [m.month, m.ret]));
      return `<tr><th>${y}</th>${MONTHS.map((_, i) => cell(byMonth.get(i + 1))).join('')}${cell(yearly.get(y), 'yr')}</tr>`;
    })
    .join('');
  return `<table class="heat"><thead><tr><th>Year</th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}<th>Year</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function drawdownTableHtml(items: readonly DrawdownPeriod[]): string {
  if (items.length === 0) return '<p class="notes">No drawdown.</p>';
  return `<table><thead><tr><th class="n">#</th><th>Peak</th><th>Trough</th><th>Recovery</th><th class="n">Depth</th><th class="n">Days</th></tr></thead><tbody>${items
    .map(
      (d, i) =>
        `<tr><td class="n">${i + 1}</td><td>${e(d.start)}</td><td>${e(d.trough)}</td><td>${d.end === null ? '<i>not recovered</i>' : e(d.end)}</td><td class="n sell">${e(pct(d.depth))}</td><td class="n">${d.days}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

/**
 * The backtest tear sheet as one self-contained HTML document: header, metrics table with seed spreads and
 * marks, equity and underwater curves of every run, calendar-year returns, and per run a monthly-return
 * heatmap with the worst drawdowns.
 * @param data report data (fractions; see ../model)
 * @returns the HTML text (UTF-8)
 */
export function renderBacktestHtml(data: BacktestReportData): string {
  const h = data.header;
  const title = h.title ?? 'Backtest tear sheet';
  const headFacts: [string, string][] = [
    ['Universe', `${h.universe.name} (${h.universe.id})`],
    ['Window', `${h.window.from} \u2013 ${h.window.to}`],
    ['Transaction cost', `${pct(h.cost, 3)} per unit traded`],
    ['Rebalance', h.rebalance],
    ['Generated', h.generatedAt],
  ];
  if (h.dataSource) headFacts.push(['Data source', h.dataSource]);
  if (h.codeVersion) headFacts.push(['Code version', h.codeVersion]);

  const charts: string[] = [];
  if (data.equity.length)
    charts.push(
      `<figure><figcaption>Equity (growth of 1)</figcaption>${optionSvg(equityOption(curvesOf(data.equity)), { title: 'Equity curves, growth of 1' })}</figure>`,
    );
  if (data.underwater.length)
    charts.push(
      `<figure><figcaption>Underwater (drawdown from the running peak)</figcaption>${optionSvg(drawdownOption(curvesOf(data.underwater, data.equity)), { title: 'Drawdown curves', height: 260 })}</figure>`,
    );
  const yearly = yearlyOption(data);
  if (yearly)
    charts.push(
      `<figure><figcaption>Calendar-year returns</figcaption>${optionSvg(yearly, { title: 'Calendar-year returns', height: 260 })}</figure>`,
    );

  const names = [...new Set([...data.monthly.map((p) => p.name), ...data.worstDrawdowns.map((p) => p.name)])];
  const runs = names
    .map((name) => {
      const m = data.monthly.find((p) => p.name === name)?.items ?? [];
      const y = data.yearly.find((p) => p.name === name)?.items ?? [];
      const dd = data.worstDrawdowns.find((p) => p.name === name)?.items ?? [];
      return `<div class="run"><h3>${e(name)}</h3><div class="pair"><div>${heatmapHtml(m, y)}</div><div>${drawdownTableHtml(dd)}</div></div></div>`;
    })
    .join('\n');

  const body = `<header class="top"><div><h1>${e(title)}</h1><div class="sub">${e(h.universe.name)} &middot; ${e(h.window.from)} \u2013 ${e(h.window.to)}</div></div><div class="brand">HDRL Desk</div></header>
${facts(headFacts)}
${verdictBoxHtml(data.verdicts)}
<h2>Metrics</h2>
${metricsTableHtml(data.metrics, false)}
<h2>Curves</h2>
${charts.join('\n')}
${classesHtml(data)}
${data.analytics ? analyticsHtml(data.analytics) : ''}
${runs ? `<h2>Monthly returns and worst drawdowns</h2>\n${runs}\n<p class="notes">Monthly and yearly returns compound the daily returns of the calendar period; drawdown days are trading days from the peak to the recovery (or to the last date).</p>` : ''}
${caveatsHtml(data.caveats)}
<footer><span>HDRL Desk${h.codeVersion ? ` ${e(h.codeVersion)}` : ''}</span><span>${e(h.generatedAt)}</span></footer>`;
  return page(title, body);
}

/**
 * HADAPS in a tear sheet (issue 18): each HADAPS group's class allocation over time, and the action scale's effect
 * when runs of two or more scales are in it; '' without HADAPS runs.
 */
function classesHtml(data: BacktestReportData): string {
  const runs = data.classes ?? [];
  const scale = data.actionScale ?? [];
  if (!runs.length && !scale.length) return '';
  const n = (v: string) => `<td class="n">${v}</td>`;
  const out = ['<h2>Asset classes (HADAPS)</h2>'];
  for (const r of runs)
    out.push(
      `<div data-section="class-allocation">${figure(
        `Class allocation of ${r.run}: the inter-class layer’s weights, cash on top (${classBasisText(r.allocation.basis)}; β = ${r.allocation.actionScale}; class weights moved by ${pctOrDash(r.std)} on average)`,
        optionSvg(classAllocationOption(r.allocation), { title: `Class allocation of ${r.run}`, height: 240 }),
      )}</div>`,
    );
  if (scale.length) {
    out.push('<h3>The action scale’s effect</h3>');
    out.push(
      '<p class="notes">Per action scale β, over the HADAPS runs of this sheet at that scale: how much the class weights moved over time (the mean over the classes of each weight’s standard deviation; higher is a more adaptive allocation) and the mean cumulative return.</p>',
    );
    out.push(
      figure(
        'Class-weight std and cumulative return by action scale',
        optionSvg(actionScaleOption(scale), { title: 'The action scale’s effect', height: 240 }),
      ),
    );
    out.push(
      table(
        ['Action scale β', 'Runs', 'Class-weight std', 'Cumulative return'],
        scale.map((x) => [
          `<td>${e(String(x.actionScale))}</td>`,
          n(String(x.runs)),
          n(e(pctOrDash(x.classStd))),
          n(e(pctOrDash(x.cumulativeReturn))),
        ]),
      ).replace('<table>', '<table data-section="action-scale">'),
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// analytics (issue 17): the verdict box of the first page and the tear sheet's analytics sections

/** The equal-weight verdicts, or the line saying none applies: the first page of every report. */
function verdictBoxHtml(verdicts: readonly ReportVerdict[] | undefined): string {
  if (verdicts === undefined) return '';
  const items = verdicts.length
    ? verdicts.map((v) => `<li class="v-${e(v.outcome)}">${e(verdictText(v))}</li>`).join('')
    : `<li>${e(NO_LEARNED_VERDICT)}</li>`;
  return `<div class="card verdicts" data-section="verdicts"><h3>Against equal weight</h3><ul class="caveats">${items}</ul></div>`;
}

const ratio = (v: number | null | undefined, d = 2) => (v == null || !Number.isFinite(v) ? '\u2014' : v.toFixed(d));
const pctOrDash = (v: number | null | undefined, d = 2) => (v == null || !Number.isFinite(v) ? '\u2014' : pct(v, d));
const runName = (r: { name: string; hindsight: boolean }) =>
  `${e(r.name)}${r.hindsight ? '<sup class="mark">\u2020</sup>' : ''}`;
const rowClass = (r: { learned: boolean }) => (r.learned ? ' class="this-run"' : '');

function table(head: string[], rows: string[][], numericFrom = 1): string {
  return `<table><thead><tr>${head.map((h, i) => `<th${i >= numericFrom ? ' class="n"' : ''}>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}

function figure(caption: string, svg: string): string {
  return `<figure><figcaption>${e(caption)}</figcaption>${svg}</figure>`;
}

/** The analytics sections of a tear sheet (see src-main/analytics). */
export function analyticsHtml(a: ReportAnalytics): string {
  const out: string[] = ['<h2>Analytics</h2>'];
  const n = (v: string) => `<td class="n">${v}</td>`;
  const runs = a.runs;
  const anyBench = runs.some((r) => r.benchmark);
  out.push(
    `<p class="notes">Each strategy is shown by its lowest seed, against ${anyBench ? 'equal weight (crp, else ubah) run on the same window with the same data and trading terms' : 'no benchmark (no equal-weight run on the same window and terms)'}; figures annualised with 252 trading days.${a.left > 0 ? ` ${a.left} further groups of this report are not analysed (at most ${runs.length}).` : ''}</p>`,
  );
  out.push('<h3>Relative to the benchmark</h3>');
  out.push(
    table(
      [
        'Strategy',
        'Benchmark',
        'Active return /yr',
        'Tracking error /yr',
        'Information ratio',
        'Beta',
        'Correlation',
        'Alpha /yr',
      ],
      runs.map((r) => {
        const x = r.relative;
        return [
          `<td${rowClass(r)}>${runName(r)}</td>`,
          `<td class="n">${r.benchmark ? e(r.benchmark.name) : '\u2014'}</td>`,
          n(e(pctOrDash(x?.activeReturn))),
          n(e(pctOrDash(x?.trackingError))),
          n(e(ratio(x?.informationRatio))),
          n(e(ratio(x?.beta))),
          n(e(ratio(x?.correlation))),
          n(e(pctOrDash(x?.alpha))),
        ];
      }),
    ),
  );
  out.push('<h3>Trading and concentration</h3>');
  out.push(
    table(
      ['Strategy', 'Turnover /yr (one-way)', 'Cost drag /yr', 'Flags'],
      runs.map((r) => [
        `<td>${runName(r)}</td>`,
        n(e(pctOrDash(r.trading.annualTurnover, 0))),
        n(e(pctOrDash(r.trading.costDrag, 2))),
        `<td class="n">${[r.concentrated ? '<span class="badge b-flag">concentrated</span>' : '', r.flags.includes('close-to-equal-weight') ? '<span class="badge b-ew">\u2248 EW</span>' : ''].join('') || '\u2014'}</td>`,
      ]),
    ),
  );
  out.push(
    '<p class="notes">Turnover: one-way, fraction of the book traded in a year, the initial purchase left out. Cost drag: what the costs took from the value in a year. Concentrated: on some day one stock held more than half the book, or the holdings were worth fewer than two equal positions.</p>',
  );
  out.push(
    figure(
      `Rolling volatility (${a.rollingDays} trading days, annualised)`,
      optionSvg(rollingVolOf(a), { title: 'Rolling volatility', height: 260 }),
    ),
  );
  out.push(
    figure(
      'Distribution of daily returns',
      optionSvg(
        distributionOption(
          a.bins,
          runs.map((r) => ({ ...r, counts: r.histogram })),
        ),
        { title: 'Distribution of daily returns', height: 260 },
      ),
    ),
  );
  out.push(
    table(
      [
        'Strategy',
        'Days',
        'Mean /day',
        'Std /day',
        'Skew',
        'Excess kurtosis',
        'VaR 95%',
        'CVaR 95%',
        'Best day',
        'Worst day',
      ],
      runs.map((r) => {
        const d = r.distribution;
        return [
          `<td>${runName(r)}</td>`,
          n(String(d.days)),
          n(e(pctOrDash(d.mean, 3))),
          n(e(pctOrDash(d.std, 2))),
          n(e(ratio(d.skew))),
          n(e(ratio(d.kurtosis))),
          n(e(pctOrDash(d.var95))),
          n(e(pctOrDash(d.cvar95))),
          n(e(pctOrDash(d.best))),
          n(e(pctOrDash(d.worst))),
        ];
      }),
    ),
  );
  const stress = runs.flatMap((r) => r.stress.map((s) => ({ r, s })));
  out.push('<h3>Stress windows</h3>');
  out.push(
    stress.length
      ? table(
          ['Window', 'Dates', 'Strategy', 'Return', 'Benchmark', 'Difference', 'Days'],
          stress.map(({ r, s }) => [
            `<td>${e(s.label)}</td>`,
            `<td>${e(s.from)} \u2013 ${e(s.to)}</td>`,
            `<td>${runName(r)}</td>`,
            `<td class="n ${(s.ret ?? 0) < 0 ? 'sell' : 'buy'}">${e(pctOrDash(s.ret))}</td>`,
            n(e(pctOrDash(s.benchmarkRet))),
            n(e(s.ret != null && s.benchmarkRet != null ? signedPct(s.ret - s.benchmarkRet) : '\u2014')),
            n(`${s.days}${s.partial ? ' (partial)' : ''}`),
          ]),
          3,
        )
      : '<p class="notes">No run covers a stress window.</p>',
  );
  const f = a.focus;
  if (f) {
    const w = f.weights;
    out.push(`<h3>Weights of ${runName(f.run)} over time</h3>`);
    out.push(
      figure(
        'By sector, with cash',
        optionSvg(weightsOption(w.dates, w.bySector, w.cash), {
          title: `Weights by sector of ${f.run.name}`,
          height: 260,
        }),
      ),
    );
    if (w.byGroup)
      out.push(
        figure(
          'By the strategy\u2019s groups, with cash',
          optionSvg(weightsOption(w.dates, w.byGroup, w.cash), {
            title: `Weights by group of ${f.run.name}`,
            height: 220,
          }),
        ),
      );
    out.push(
      figure(
        'By asset (largest holdings), with cash',
        optionSvg(weightsOption(w.dates, w.byAsset, w.cash), {
          title: `Weights by asset of ${f.run.name}`,
          height: 260,
        }),
      ),
    );
    const fr = runs.find((r) => r.id === f.run.id);
    if (fr)
      out.push(
        figure(
          `Turnover and cost of ${f.run.name}, month by month`,
          optionSvg(tradingOption(fr.trading.months), { title: `Turnover and cost of ${f.run.name}`, height: 220 }),
        ),
      );
    if (f.risk) {
      const k = f.risk;
      out.push(`<h3>Risk contribution of ${runName(f.run)} on ${e(k.date)}</h3>`);
      out.push(
        `<p class="notes">Share of the portfolio variance each sector and asset carries (w<sub>i</sub>(\u03a3w)<sub>i</sub> / w\u1d40\u03a3w, covariance of the last ${k.lookbackDays} daily returns up to ${e(k.date)}); portfolio volatility ${e(pctOrDash(k.volatility, 1))} a year.</p>`,
      );
      out.push(
        figure(
          'By sector',
          optionSvg(riskOption(k.sectors.map((s) => ({ name: s.sector, weight: s.weight, share: s.share }))), {
            title: 'Risk contribution by sector',
            height: 40 + 26 * k.sectors.length,
          }),
        ),
      );
      const top = [...k.assets].sort((x, y) => (y.share ?? 0) - (x.share ?? 0)).slice(0, 10);
      out.push(
        table(
          ['Asset', 'Sector', 'Weight', 'Share of variance'],
          top.map((x) => [
            `<td>${e(x.ticker)}</td>`,
            `<td class="n">${e(x.sector)}</td>`,
            n(e(pctOrDash(x.weight, 1))),
            n(e(pctOrDash(x.share, 1))),
          ]),
        ),
      );
    }
  }
  const st = a.stitched;
  if (st && st.segments.length) {
    out.push(`<h3>Stitched out-of-sample record of ${e(st.name)}</h3>`);
    out.push(
      `<p class="notes">Its ${st.segments.length} test window${st.segments.length > 1 ? 's' : ''} with the same settings one after the other, each starting where the previous ended (seeds averaged day by day): total ${e(pctOrDash(st.total))}${st.benchmark ? `, ${e(st.benchmark.name)} ${e(pctOrDash(st.benchmark.total))} over the same windows` : ''}.${st.skipped.length ? ` ${st.skipped.length} overlapping window(s) left out.` : ''}</p>`,
    );
    out.push(
      figure(
        'Growth of 1 across the windows',
        optionSvg(
          stitchedOption(
            st.dates,
            { name: st.name, hindsight: false, learned: true, values: st.values },
            st.benchmark,
            st.segments.map((s) => s.from),
          ),
          { title: `Stitched record of ${st.name}`, height: 260 },
        ),
      ),
    );
    out.push(
      table(
        ['Window', 'Seeds', 'Days', 'Return', 'Value at end', 'Days not in the record before it'],
        st.segments.map((s) => [
          `<td>${e(s.from)} \u2013 ${e(s.to)}</td>`,
          n(String(s.seeds)),
          n(String(s.days)),
          n(e(pctOrDash(s.ret))),
          n(e(ratio(s.endValue, 3))),
          n(String(s.gapDays)),
        ]),
      ),
    );
  }
  return out.join('\n');
}
