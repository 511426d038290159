/**
 * PDF reports with pdfkit (docs/architecture.md "Reports": an allocation report in PDF and HTML; the backtest
 * tear sheet). A4 landscape, standard Helvetica only, tables paginated without cutting rows. Same content as the
 * HTML reports (./html), with the same charts: the shared options of src-shared/charts rendered to SVG
 * (./svgCharts.ts) and drawn as vector paths and text (./pdfLayout.ts).
 *
 * Why this file is long: one function per section of the two reports, drawn through pdfLayout.ts; the sections
 * follow the HTML reports one for one, so keeping them in one file keeps the two renderers easy to compare.
 */
import { PRINTED_METRIC_IDS } from '../../../src-shared/domain/metrics';
import {
  CLOSE_TO_EW_NOTE,
  GAIN_COLOR,
  HEATMAP_DECIMALS,
  HINDSIGHT_NOTE,
  LOSS_COLOR,
  MONTHS,
  agentLabel,
  flattenConfig,
  formatStat,
  heatColor,
  heatTextColor,
  metricColumns,
  metricSpec,
  num,
  pct,
  signedPct,
  strategyMarks,
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
import { allocationTurnover, NO_LEARNED_VERDICT, verdictText } from '../derive';
import { ACCENT, BOLD, INK, MUTED, PdfLayout, type PdfCell, type PdfColumn, type PdfRow } from './pdfLayout';
import { curvesOf, optionSvg, rollingVolOf, yearlyOption } from './svgCharts';
import { drawdownOption, equityOption } from '../../../src-shared/charts/performance';
import { stitchedOption, tradingOption, weightsOption } from '../../../src-shared/charts/analytics';
import { actionScaleOption, classAllocationOption, classBasisText } from '../../../src-shared/charts/classes';

/** Top drivers shown per agent in the PDF. */
export const PDF_AGENT_DRIVERS = 10;
/** Agents per row of agent boxes. */
const AGENTS_PER_ROW = 3;
/** Chart heights, points. */
const EQUITY_CHART_H = 230;
const DRAWDOWN_CHART_H = 150;
const BAR_CHART_H = 170;

/** Charts may shrink to this fraction of their height to share a page. */
const MIN_CHART_SCALE = 0.75;
/** Points per pixel of a chart's SVG: ECharts' 11-12 px labels come out at 7.3-7.9 pt, as the tables' text. */
const PT_PER_PX = 0.66;
/** Height of a chart's title line, points. */
const CHART_TITLE_H = 14;

const WEIGHT_BAR = '#9db8d6';

function created(stamp: string | undefined): Date | undefined {
  if (!stamp) return undefined;
  const t = Date.parse(stamp);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Metrics table (marks, spreads as second lines, first row emphasised on request) and its footnotes. */
function metricsTable(L: PdfLayout, rows: readonly MetricsRow[], highlightFirst: boolean): void {
  if (rows.length === 0) {
    L.paragraph('No metrics.', { color: MUTED, size: 8 });
    return;
  }
  const { cols, pdfRows } = metricsRows(rows, highlightFirst);
  L.table(cols, pdfRows, { fontSize: 7.5, continued: 'Metrics (continued)' });
  const notes: string[] = [];
  if (rows.some((r) => r.hindsight)) notes.push(`\u2020 ${HINDSIGHT_NOTE}`);
  if (rows.some((r) => r.closeToEqualWeight)) notes.push(`\u2021 ${CLOSE_TO_EW_NOTE}`);
  if (rows.some((r) => Object.values(r.metrics).some((m) => m.std !== null)))
    notes.push('\u00b1 standard deviation over seeds (second line).');
  if (metricColumns(rows).some((k) => !(PRINTED_METRIC_IDS as readonly string[]).includes(k)))
    notes.push(
      'More metrics (Omega, Calmar, VaR, gross return, hit rate, daily turnover) are in the HTML, CSV and XLSX exports.',
    );
  L.space(3);
  for (const n of notes) L.paragraph(n, { size: 7, color: MUTED }, 0, 1);
}

/** Height of the metrics table, points. */
function metricsHeight(L: PdfLayout, rows: readonly MetricsRow[]): number {
  if (rows.length === 0) return 20;
  const { cols, pdfRows } = metricsRows(rows, false);
  return L.tableHeight(cols, pdfRows, { fontSize: 7.5 }) + 30;
}

function metricsRows(rows: readonly MetricsRow[], highlightFirst: boolean): { cols: PdfColumn[]; pdfRows: PdfRow[] } {
  // a page has room for the printed metrics only (src-shared/domain/metrics.ts); the other formats carry them all
  const keys = metricColumns(rows).filter((k) => (PRINTED_METRIC_IDS as readonly string[]).includes(k));
  const specs = keys.map(metricSpec);
  const cols: PdfColumn[] = [
    { header: 'Strategy', width: 22 },
    { header: 'Seeds', width: 5, align: 'right' },
    ...specs.map((s) => ({ header: s.label, width: 5.9, align: 'right' as const })),
  ];
  const pdfRows: PdfRow[] = rows.map((r, i) => ({
    type: 'row',
    bold: highlightFirst && i === 0,
    ...(highlightFirst && i === 0 ? { shade: '#eaf2fb' } : {}),
    cells: [
      { text: `${r.strategy}${strategyMarks(r) ? ` ${strategyMarks(r)}` : ''}` },
      String(r.seeds),
      ...specs.map((s): PdfCell => {
        const f = formatStat(r.metrics[s.key], s.unit);
        return { text: f.mean, sub: f.std };
      }),
    ],
  }));
  return { cols, pdfRows };
}

interface CardLine {
  label: string;
  value: string;
  color?: string;
  bold?: boolean;
}

/** Boxes side by side with a title and label/value lines; all as tall as the tallest. */
function cards(L: PdfLayout, items: readonly { title: string; lines: CardLine[] }[]): void {
  const gap = 12;
  const w = (L.width - gap * (items.length - 1)) / items.length;
  const lineH = 11;
  const h = 22 + Math.max(...items.map((c) => c.lines.length)) * lineH + 4;
  L.ensure(h);
  items.forEach((c, i) => {
    const x = L.left + i * (w + gap);
    L.doc.save().roundedRect(x, L.y, w, h, 4).fillAndStroke('#f4f6f9', '#d9dee5').restore();
    L.textAt(c.title.toUpperCase(), x + 9, L.y + 8, { font: BOLD, size: 7.5, color: MUTED }, 'left', w - 18);
    c.lines.forEach((ln, j) => {
      const yy = L.y + 22 + j * lineH;
      if (ln.value === '') {
        L.textAt(
          ln.label,
          x + 9,
          yy,
          { font: ln.bold ? BOLD : undefined, size: 8.5, color: ln.color ?? INK },
          'left',
          w - 18,
        );
        return;
      }
      const vw = Math.min(L.measure(ln.value, { font: ln.bold ? BOLD : undefined, size: 8.5 }), (w - 18) * 0.6);
      L.textAt(ln.label, x + 9, yy, { size: 8.5, color: MUTED }, 'left', w - 18 - vw - 6);
      L.textAt(
        ln.value,
        x + w - 9,
        yy,
        { font: ln.bold ? BOLD : undefined, size: 8.5, color: ln.color ?? INK },
        'right',
        (w - 18) * 0.6,
      );
    });
  });
  L.y += h;
}

const TREND_COLOR: Record<string, string> = { bull: GAIN_COLOR, bear: LOSS_COLOR };
const VOL_COLOR: Record<string, string> = { stressed: LOSS_COLOR, calm: ACCENT };

/** Agent boxes: concentration and the top drivers with signed bars. */
function agentBoxes(L: PdfLayout, agents: readonly AgentSummary[]): void {
  const gap = 12;
  for (let i = 0; i < agents.length; i += AGENTS_PER_ROW) {
    const row = agents.slice(i, i + AGENTS_PER_ROW);
    const w = (L.width - gap * (AGENTS_PER_ROW - 1)) / AGENTS_PER_ROW;
    const lineH = 10.5;
    const n = Math.max(1, ...row.map((a) => Math.min(PDF_AGENT_DRIVERS, a.topDrivers.length)));
    const h = 36 + n * lineH + 4;
    L.ensure(h);
    row.forEach((a, j) => {
      const x = L.left + j * (w + gap);
      const y = L.y;
      L.doc.save().roundedRect(x, y, w, h, 4).lineWidth(0.6).stroke('#d9dee5').restore();
      L.textAt(agentLabel(a.agent), x + 9, y + 7, { font: BOLD, size: 9 }, 'left', w - 18);
      L.textAt(
        `Effective holdings ${num(a.concentration.effectiveN, 3)}  \u00b7  HHI ${num(a.concentration.herfindahl, 3)}`,
        x + 9,
        y + 19,
        { size: 7.5, color: MUTED },
        'left',
        w - 18,
      );
      const drivers = a.topDrivers.slice(0, PDF_AGENT_DRIVERS);
      const max = Math.max(1e-300, ...drivers.map((d) => Math.abs(d.value)).filter(Number.isFinite));
      const nameW = (w - 18) * 0.38;
      const valW = 46;
      const barX = x + 9 + nameW + 4;
      const barW = w - 18 - nameW - valW - 8;
      const mid = barX + barW / 2;
      if (drivers.length === 0) L.textAt('No explanation stored.', x + 9, y + 34, { size: 7.5, color: MUTED });
      drivers.forEach((d, k) => {
        const yy = y + 33 + k * lineH;
        L.textAt(d.player, x + 9, yy, { size: 7.5 }, 'left', nameW);
        const frac = Number.isFinite(d.value) ? Math.abs(d.value) / max : 0;
        const bw = (frac * barW) / 2;
        L.doc
          .save()
          .rect(d.value >= 0 ? mid : mid - bw, yy + 1, bw, 6)
          .fill(d.value >= 0 ? GAIN_COLOR : LOSS_COLOR)
          .restore();
        L.textAt(num(d.value, 3), x + w - 9, yy, { size: 7.5 }, 'right', valW);
      });
      if (drivers.length)
        L.doc
          .save()
          .moveTo(mid, y + 31)
          .lineTo(mid, y + 33 + drivers.length * lineH)
          .lineWidth(0.4)
          .stroke('#8a94a6')
          .restore();
    });
    L.y += h + 8;
  }
}

function caveats(L: PdfLayout, items: readonly string[]): void {
  if (items.length === 0) return;
  L.heading('Caveats', 20);
  for (const c of items) L.paragraph(`\u2022  ${c}`, { size: 8 }, 0, 2);
}

/**
 * A chart (a shared chart option) under its title, `h` points tall in all, across the content width at the cursor
 * (new page first when it does not fit).
 */
function chart(L: PdfLayout, h: number, title: string, option: Record<string, unknown>): void {
  L.ensure(h);
  L.textAt(title, L.left, L.y, { font: BOLD, size: 9 }, 'left', L.width);
  const width = Math.round(L.width / PT_PER_PX);
  const height = Math.round((h - CHART_TITLE_H) / PT_PER_PX);
  const box = { x: L.left, y: L.y + CHART_TITLE_H, w: width * PT_PER_PX, h: height * PT_PER_PX };
  L.svg(optionSvg(option, { title, width, height }), box);
  L.y += h + 10;
}

/**
 * The allocation report as a PDF (A4 landscape): title and run facts; regime, rebound and allocation summary
 * boxes; the grouped weights table with previous weights, trades and weight bars; agent explanation boxes; the
 * metrics table against baselines; equity and drawdown charts; the configuration; caveats.
 * @param data report data (fractions; see ../model)
 * @returns the PDF bytes
 */
export async function renderAllocationPdf(data: AllocationReportData): Promise<Buffer> {
  const h = data.header;
  const L = new PdfLayout(
    {
      title: `Allocation report \u2014 ${h.strategy.label} \u2014 ${h.date}`,
      subject: `${h.universe.name}, run ${h.runId}`,
      ...(created(h.generatedAt) ? { created: created(h.generatedAt)! } : {}),
    },
    `HDRL Desk ${h.codeVersion}  \u00b7  run ${h.runId}  \u00b7  ${h.universe.name}  \u00b7  weights as of ${h.date}${h.generatedAt ? `  \u00b7  generated ${h.generatedAt}` : ''}`,
  );
  L.titleBlock('Allocation report', `${h.strategy.label}  \u00b7  ${h.universe.name}  \u00b7  weights as of ${h.date}`);
  L.keyValues(
    [
      ['Universe', `${h.universe.name} (${h.universe.id})`],
      ['Strategy', `${h.strategy.label} (${h.strategy.id})`],
      ['Run id', h.runId],
      ['Data source', h.dataSource],
      ['Test window', `${h.window.from} \u2013 ${h.window.to}`],
      ['Seed', String(h.seed)],
      ['Weights as of', h.date],
      ['Code version', h.codeVersion],
      ['Backend', h.backend ?? 'n/a'],
    ],
    3,
    8,
  );
  L.space(8);
  verdictBox(L, data.verdicts);
  L.space(4);

  const allRows = data.groups.flatMap((g) => g.rows);
  const regimeLines: CardLine[] = data.regime
    ? [
        {
          label: 'Trend',
          value: data.regime.trend,
          bold: true,
          ...(TREND_COLOR[data.regime.trend] ? { color: TREND_COLOR[data.regime.trend]! } : {}),
        },
        {
          label: 'Volatility',
          value: data.regime.volatility,
          bold: true,
          ...(VOL_COLOR[data.regime.volatility] ? { color: VOL_COLOR[data.regime.volatility]! } : {}),
        },
        { label: 'As of', value: data.regime.date },
      ]
    : [{ label: 'No regime label.', value: '', color: MUTED }];
  const reboundLines: CardLine[] = data.rebound
    ? [
        data.rebound.flagged
          ? { label: 'Rebound flagged', value: '', bold: true, color: '#9a5b00' }
          : { label: 'No rebound flag', value: '', color: MUTED },
        ...Object.entries(data.rebound.detail).map(([k, v]) => ({ label: k, value: valueText(v) })),
      ]
    : [{ label: 'No rebound detector for this strategy.', value: '', color: MUTED }];
  const traded = allocationTurnover(allRows, data.cashWeight, data.previousCashWeight);
  const summaryLines: CardLine[] = [
    ...data.groups.map((g) => ({ label: g.name, value: pct(g.total) })),
    { label: 'Cash', value: pct(data.cashWeight) },
    { label: 'Holdings', value: `${allRows.filter((r) => r.weight > 0).length} of ${allRows.length}` },
    { label: 'One-way turnover', value: pct(traded) },
  ];
  const c = data.classes;
  const tl = data.threeLevel;
  cards(L, [
    { title: 'Market regime', lines: regimeLines },
    { title: 'Rebound', lines: reboundLines },
    { title: 'Allocation', lines: summaryLines },
    ...(c
      ? [
          {
            title: 'HADAPS classes (inter-class layer)',
            lines: [
              { label: `Action scale (beta) = ${c.actionScale}`, value: '', bold: true },
              ...c.layer.map((x) => ({ label: x.name, value: pct(x.weight) })),
            ],
          },
        ]
      : []),
    ...(tl
      ? [
          {
            title: 'Three levels: strategic, tilt, target',
            lines: tl.rows.map((x) => ({
              label: x.name,
              value: `${pct(x.strategic)} ${x.tilt >= 0 ? '+' : '-'}${Math.abs(x.tilt * 100).toFixed(2)} = ${pct(x.target)}`,
            })),
          },
        ]
      : []),
  ]);
  const mp = data.mpls;
  if (mp) {
    cards(L, [
      {
        title: 'MPLS fusion weights: today, run mean, led',
        lines: mp.modules.map((m) => ({
          label: m.name,
          value: m.on ? `${pct(m.weight)}  ${pct(m.mean)}  ${pct(m.led, 0)}` : 'off',
          ...(m.on ? {} : { color: MUTED }),
        })),
      },
      {
        title: 'MPLS sectors: fused, final',
        lines: mp.sectors.map((x) => ({ label: x.name, value: `${pct(x.fused)}  ${pct(x.weight)}` })),
      },
    ]);
    const off = mp.modules.filter((m) => !m.on).map((m) => `${m.name} off: ${m.reason ?? ''}`);
    L.paragraph(
      `MPLS: the fusion agent's weight on each module's sector proposal today, its mean over the run's ${mp.days} decisions and the share of them it led; each sector's weight in the fused allocation and as the high-level agent set it, before the no-trade band.${mp.conservative ? ` Volatility ${mp.conservative}.` : ''}${off.length ? ` ${off.join('; ')}.` : ''}`,
      { size: 7.5, color: MUTED },
    );
  }
  if (tl)
    L.paragraph(
      `Three levels: Level 1 (${tl.levels.strategic}) next decides in ${tl.nextStrategicIn} trading days; Level 2 (${tl.levels.tactical}) ${tl.nextTacticalIn === null ? 'never (none in this ablation)' : `in ${tl.nextTacticalIn}`}; Level 3 (${tl.levels.execution}) trades towards the target daily. The card gives each class's strategic weight, the tilt in percentage points and the target.`,
      { size: 7.5, color: MUTED },
    );
  if (c)
    L.paragraph(
      `HADAPS ${c.basis}. The classes card shows each class's weight as the inter-class layer set it, before the no-trade band; the table below groups the book's target weights by class.`,
      { size: 7.5, color: MUTED },
    );

  L.heading('Target weights', 80);
  const maxW = Math.max(1e-12, ...allRows.map((r) => r.weight).filter(Number.isFinite), data.cashWeight);
  const cols: PdfColumn[] = [
    { header: 'Ticker', width: 9 },
    { header: 'Name', width: 29 },
    { header: 'Sector', width: 22 },
    { header: '', width: 10 },
    { header: 'Weight', width: 9, align: 'right' },
    { header: 'Previous', width: 9, align: 'right' },
    { header: 'Trade', width: 9, align: 'right' },
  ];
  const tradeCell = (t: number | null): PdfCell =>
    t === null
      ? { text: '' }
      : { text: signedPct(t), ...(t > 0 ? { color: GAIN_COLOR } : t < 0 ? { color: LOSS_COLOR } : {}) };
  const bar = (w: number): PdfCell => ({
    text: '',
    bar: { frac: Number.isFinite(w) ? Math.max(0, w / maxW) : 0, color: WEIGHT_BAR },
  });
  const rows: PdfRow[] = [];
  for (const g of data.groups) {
    rows.push({ type: 'group', label: g.name, right: `${pct(g.total)}  \u00b7  ${g.rows.length} assets` });
    for (const r of g.rows) {
      rows.push({
        type: 'row',
        cells: [
          { text: r.ticker, bold: true },
          r.name,
          r.sector,
          bar(r.weight),
          pct(r.weight),
          pct(r.previousWeight),
          tradeCell(r.trade),
        ],
      });
    }
  }
  const prevCash = data.previousCashWeight ?? null;
  rows.push({ type: 'group', label: 'Cash', right: pct(data.cashWeight) });
  rows.push({
    type: 'row',
    cells: [
      { text: 'CASH', bold: true },
      'Cash',
      '',
      bar(data.cashWeight),
      pct(data.cashWeight),
      prevCash === null ? '' : pct(prevCash),
      tradeCell(prevCash === null ? null : data.cashWeight - prevCash),
    ],
  });
  const totalW = data.groups.reduce((s, g) => s + g.total, 0) + data.cashWeight;
  rows.push({ type: 'total', cells: ['Total', '', '', '', pct(totalW), '', ''] });
  L.table(cols, rows, { fontSize: 8, continued: 'Target weights (continued)' });
  L.space(3);
  L.paragraph(
    'Trade = target weight - previous weight drifted with the day\u2019s prices (fractions of the portfolio).',
    { size: 7, color: MUTED },
  );

  if (data.agents.length) {
    L.heading('Agents', 90);
    agentBoxes(L, data.agents);
  }

  L.heading('Performance', Math.min(200, metricsHeight(L, data.metrics)));
  metricsTable(L, data.metrics, true);
  L.space(8);
  // both charts on one page when they fit at no less than MIN_CHART_SCALE of their height
  let scale = 1;
  if (data.equity.length && data.drawdown) {
    const need = EQUITY_CHART_H + DRAWDOWN_CHART_H + 20;
    if (need > L.room && L.room >= need * MIN_CHART_SCALE) scale = L.room / need;
  }
  if (data.equity.length)
    chart(L, EQUITY_CHART_H * scale, 'Equity (growth of 1)', equityOption(curvesOf(data.equity, data.equity, true)));
  if (data.drawdown)
    chart(
      L,
      DRAWDOWN_CHART_H * scale,
      `Drawdown of ${data.drawdown.name}`,
      drawdownOption(curvesOf([data.drawdown]), { area: true }),
    );

  const config = flattenConfig(h.config);
  if (config.length) {
    L.heading('Configuration', 30);
    L.keyValues(config, 3, 7, 110);
  }
  caveats(L, data.caveats);
  return L.finish();
}

function heatmapRows(months: readonly MonthlyReturn[], years: readonly YearlyReturn[]): PdfRow[] {
  const yearly = new Map(years.map((y) => [y.year, y.ret]));
  const allYears = [...new Set([...months.map((m) => m.year), ...years.map((y) => y.year)])].sort((a, b) => a - b);
  const cell = (v: number | undefined, bold = false): PdfCell =>
    v === undefined
      ? { text: '' }
      : { text: pct(v, HEATMAP_DECIMALS), fill: heatColor(v), color: heatTextColor(v), bold };
  return allYears.map((y) => {
    const byMonth = new Map(months.filter((m) => m.year === y).map((m) => [m.month, m.ret]));
    return {
      type: 'row',
      cells: [
        { text: String(y), bold: true },
        ...MONTHS.map((_, i) => cell(byMonth.get(i + 1))),
        cell(yearly.get(y), true),
      ],
    };
  });
}

const HEATMAP_COLS: PdfColumn[] = [
  { header: 'Year', width: 5 },
  ...MONTHS.map((m) => ({ header: m, width: 5.4, align: 'center' as const })),
  { header: 'Year', width: 6.4, align: 'center' },
];

const DRAWDOWN_COLS: PdfColumn[] = [
  { header: '#', width: 2.4, align: 'right' },
  { header: 'Peak', width: 7 },
  { header: 'Trough', width: 7 },
  { header: 'Recovery', width: 8 },
  { header: 'Depth', width: 6, align: 'right' },
  { header: 'Days', width: 4.6, align: 'right' },
];

function drawdownRows(items: readonly DrawdownPeriod[]): PdfRow[] {
  return items.map((d, i) => ({
    type: 'row',
    cells: [
      String(i + 1),
      d.start,
      d.trough,
      d.end ?? { text: 'not recovered', color: MUTED },
      { text: pct(d.depth), color: LOSS_COLOR },
      String(d.days),
    ],
  }));
}

/**
 * The backtest tear sheet as a PDF (A4 landscape): header facts, metrics table with seed spreads and marks,
 * equity, underwater and calendar-year charts for all runs, and per run a monthly-return heatmap (with the
 * year's return) beside its worst drawdowns.
 * @param data report data (fractions; see ../model)
 * @returns the PDF bytes
 */
export async function renderBacktestPdf(data: BacktestReportData): Promise<Buffer> {
  const h = data.header;
  const title = h.title ?? 'Backtest tear sheet';
  const L = new PdfLayout(
    {
      title: `${title} \u2014 ${h.universe.name}`,
      subject: `${h.window.from} to ${h.window.to}`,
      ...(created(h.generatedAt) ? { created: created(h.generatedAt)! } : {}),
    },
    `HDRL Desk${h.codeVersion ? ` ${h.codeVersion}` : ''}  \u00b7  ${h.universe.name}  \u00b7  ${h.window.from} \u2013 ${h.window.to}  \u00b7  generated ${h.generatedAt}`,
  );
  L.titleBlock(title, `${h.universe.name}  \u00b7  ${h.window.from} \u2013 ${h.window.to}`);
  const facts: [string, string][] = [
    ['Universe', `${h.universe.name} (${h.universe.id})`],
    ['Window', `${h.window.from} \u2013 ${h.window.to}`],
    ['Transaction cost', `${pct(h.cost, 3)} per unit traded`],
    ['Rebalance', h.rebalance],
    ['Generated', h.generatedAt],
  ];
  if (h.dataSource) facts.push(['Data source', h.dataSource]);
  if (h.codeVersion) facts.push(['Code version', h.codeVersion]);
  L.keyValues(facts, 3, 8, 80);
  verdictBox(L, data.verdicts);

  L.heading('Metrics', Math.min(200, metricsHeight(L, data.metrics)));
  metricsTable(L, data.metrics, false);

  L.heading('Curves', EQUITY_CHART_H);
  if (data.equity.length) chart(L, EQUITY_CHART_H, 'Equity (growth of 1)', equityOption(curvesOf(data.equity)));
  if (data.underwater.length)
    chart(
      L,
      DRAWDOWN_CHART_H + 20,
      'Underwater (drawdown from the running peak)',
      drawdownOption(curvesOf(data.underwater, data.equity)),
    );
  const yearly = yearlyOption(data);
  if (yearly) chart(L, BAR_CHART_H, 'Calendar-year returns', yearly);

  classesPdf(L, data);
  if (data.analytics) analyticsPdf(L, data.analytics);

  const names = [...new Set([...data.monthly.map((p) => p.name), ...data.worstDrawdowns.map((p) => p.name)])];
  if (names.length) {
    L.heading('Monthly returns and worst drawdowns', 120);
    L.paragraph(
      'Monthly and yearly returns compound the daily returns of the calendar period. Drawdown days are trading days from the peak to the recovery (or to the last date).',
      { size: 7.5, color: MUTED },
    );
  }
  const gap = 16;
  const heatW = L.width * 0.62;
  const ddW = L.width - heatW - gap;
  for (const name of names) {
    const hm = heatmapRows(
      data.monthly.find((p) => p.name === name)?.items ?? [],
      data.yearly.find((p) => p.name === name)?.items ?? [],
    );
    const dd = drawdownRows(data.worstDrawdowns.find((p) => p.name === name)?.items ?? []);
    const hmOpts = { fontSize: 7, width: heatW, zebra: false, grid: true, continued: `${name} (continued)` };
    const ddOpts = { fontSize: 7, x: L.left + heatW + gap, width: ddW, continued: `${name} (continued)` };
    const hmH = hm.length ? L.tableHeight(HEATMAP_COLS, hm, hmOpts) : 0;
    const ddH = dd.length ? L.tableHeight(DRAWDOWN_COLS, dd, ddOpts) : 12;
    const needed = 16 + Math.max(hmH, ddH);
    const fullPage = L.bottom - L.top - 40;
    if (needed <= fullPage) {
      // side by side, kept together on one page
      L.ensure(needed + 4);
      L.subheading(name, 0);
      const y0 = L.y;
      if (hm.length) L.table(HEATMAP_COLS, hm, hmOpts);
      const yHeat = L.y;
      L.y = y0;
      if (dd.length) L.table(DRAWDOWN_COLS, dd, ddOpts);
      else L.textAt('No drawdown.', L.left + heatW + gap, L.y, { size: 7.5, color: MUTED });
      L.y = Math.max(yHeat, L.y, y0 + 12) + 10;
    } else {
      // too long for one page: stacked, each table paginating on its own
      L.subheading(name, 60);
      if (hm.length) L.table(HEATMAP_COLS, hm, { ...hmOpts, width: L.width });
      L.space(8);
      if (dd.length) L.table(DRAWDOWN_COLS, dd, { ...ddOpts, x: L.left, width: ddW });
      L.space(10);
    }
  }
  caveats(L, data.caveats);
  return L.finish();
}

/** HADAPS in a tear sheet (as ./html.ts classesHtml): class allocation charts and the action scale's effect. */
function classesPdf(L: PdfLayout, data: BacktestReportData): void {
  const runs = data.classes ?? [];
  const scale = data.actionScale ?? [];
  if (!runs.length && !scale.length) return;
  L.heading('Asset classes (HADAPS)', DRAWDOWN_CHART_H + 40);
  for (const r of runs) {
    chart(
      L,
      DRAWDOWN_CHART_H + 20,
      `Class allocation of ${r.run}: the inter-class layer's weights, cash on top`,
      classAllocationOption(r.allocation),
    );
    L.paragraph(
      `${classBasisText(r.allocation.basis)}; action scale (beta) = ${r.allocation.actionScale}; the class weights moved by ${pc(2)(r.std)} on average (standard deviation over the window, mean over the classes).`,
      { size: 7.5, color: MUTED },
    );
  }
  if (scale.length) {
    chart(
      L,
      BAR_CHART_H,
      "The action scale's effect: class-weight std (bars) and cumulative return (line)",
      actionScaleOption(scale),
    );
    L.table(
      [
        { header: 'Action scale (beta)', width: 10 },
        { header: 'Runs', width: 6, align: 'right' },
        { header: 'Class-weight std', width: 10, align: 'right' },
        { header: 'Cumulative return', width: 10, align: 'right' },
      ],
      scale.map((x): PdfRow => ({
        type: 'row',
        cells: [String(x.actionScale), String(x.runs), pc(2)(x.classStd), pc(2)(x.cumulativeReturn)],
      })),
      { fontSize: 7.5, width: L.width * 0.5 },
    );
    L.space(6);
  }
}

// ---------------------------------------------------------------------------------------------------------
// analytics (issue 17): the verdict box of the first page and the tear sheet's analytics sections

const VERDICT_COLOR: Record<string, string> = { beats: GAIN_COLOR, 'does-not-beat': LOSS_COLOR };

/** The equal-weight verdicts, or the line saying none applies (right under the header facts of every report). */
function verdictBox(L: PdfLayout, verdicts: readonly ReportVerdict[] | undefined): void {
  if (verdicts === undefined) return;
  L.heading('Against equal weight', 30);
  if (verdicts.length === 0) L.paragraph(NO_LEARNED_VERDICT, { size: 8, color: MUTED });
  for (const v of verdicts)
    L.paragraph(
      `\u2022  ${verdictText(v)}`,
      { size: 8, font: BOLD, ...(VERDICT_COLOR[v.outcome] ? { color: VERDICT_COLOR[v.outcome]! } : {}) },
      0,
      2,
    );
}

const dash = (v: number | null | undefined, f: (x: number) => string) =>
  v == null || !Number.isFinite(v) ? '-' : f(v);
const pc = (d: number) => (v: number | null | undefined) => dash(v, (x) => pct(x, d));
const rt = (v: number | null | undefined) => dash(v, (x) => x.toFixed(2));
const nameOf = (r: { name: string; hindsight: boolean }) => `${r.name}${r.hindsight ? ' \u2020' : ''}`;

/** The analytics sections of a tear sheet, as tables and charts (the HTML's content and charts). */
function analyticsPdf(L: PdfLayout, a: ReportAnalytics): void {
  const runs = a.runs;
  L.heading('Analytics', 120);
  L.paragraph(
    `Each strategy by its lowest seed, against equal weight (crp, else ubah) on the same window and trading terms; annualised with 252 trading days.${a.left > 0 ? ` ${a.left} further groups are not analysed.` : ''}`,
    { size: 7.5, color: MUTED },
  );
  const row = (r: { learned: boolean }, cells: (string | PdfCell)[]): PdfRow => ({
    type: 'row',
    cells,
    bold: r.learned,
    ...(r.learned ? { shade: '#eaf2fb' } : {}),
  });
  L.subheading('Relative to the benchmark', 60);
  L.table(
    [
      { header: 'Strategy', width: 20 },
      { header: 'Benchmark', width: 14 },
      ...['Active /yr', 'Tracking err. /yr', 'Info. ratio', 'Beta', 'Correlation', 'Alpha /yr'].map((h) => ({
        header: h,
        width: 8,
        align: 'right' as const,
      })),
    ],
    runs.map((r) =>
      row(r, [
        nameOf(r),
        r.benchmark?.name ?? '-',
        pc(2)(r.relative?.activeReturn),
        pc(2)(r.relative?.trackingError),
        rt(r.relative?.informationRatio),
        rt(r.relative?.beta),
        rt(r.relative?.correlation),
        pc(2)(r.relative?.alpha),
      ]),
    ),
    { fontSize: 7.5 },
  );
  L.space(6);
  L.subheading('Trading and concentration', 60);
  L.table(
    [
      { header: 'Strategy', width: 20 },
      { header: 'Turnover /yr (one-way)', width: 10, align: 'right' },
      { header: 'Cost drag /yr', width: 10, align: 'right' },
      { header: 'Flags', width: 20 },
    ],
    runs.map((r) =>
      row(r, [
        nameOf(r),
        pc(0)(r.trading.annualTurnover),
        pc(2)(r.trading.costDrag),
        [r.concentrated ? 'concentrated' : '', r.flags.includes('close-to-equal-weight') ? '\u2248 EW' : '']
          .filter(Boolean)
          .join(', ') || '-',
      ]),
    ),
    { fontSize: 7.5 },
  );
  L.space(6);
  chart(L, DRAWDOWN_CHART_H + 20, `Rolling volatility (${a.rollingDays} trading days, annualised)`, rollingVolOf(a));
  L.subheading('Distribution of daily returns', 60);
  L.table(
    [
      { header: 'Strategy', width: 20 },
      ...['Days', 'Mean /day', 'Std /day', 'Skew', 'Excess kurt.', 'VaR 95%', 'CVaR 95%', 'Best day', 'Worst day'].map(
        (h) => ({ header: h, width: 7, align: 'right' as const }),
      ),
    ],
    runs.map((r) => {
      const d = r.distribution;
      return row(r, [
        nameOf(r),
        String(d.days),
        pc(3)(d.mean),
        pc(2)(d.std),
        rt(d.skew),
        rt(d.kurtosis),
        pc(2)(d.var95),
        pc(2)(d.cvar95),
        pc(2)(d.best),
        pc(2)(d.worst),
      ]);
    }),
    { fontSize: 7.5 },
  );
  L.space(6);
  const stress = runs.flatMap((r) => r.stress.map((s) => ({ r, s })));
  L.subheading('Stress windows', 60);
  if (stress.length === 0) L.paragraph('No run covers a stress window.', { size: 7.5, color: MUTED });
  else
    L.table(
      [
        { header: 'Window', width: 18 },
        { header: 'Dates', width: 14 },
        { header: 'Strategy', width: 18 },
        ...['Return', 'Benchmark', 'Difference', 'Days'].map((h) => ({ header: h, width: 7, align: 'right' as const })),
      ],
      stress.map(({ r, s }) =>
        row(r, [
          s.label,
          `${s.from} - ${s.to}`,
          nameOf(r),
          { text: pc(2)(s.ret), ...(s.ret != null && s.ret < 0 ? { color: LOSS_COLOR } : {}) },
          pc(2)(s.benchmarkRet),
          s.ret != null && s.benchmarkRet != null ? signedPct(s.ret - s.benchmarkRet) : '-',
          `${s.days}${s.partial ? ' (partial)' : ''}`,
        ]),
      ),
      { fontSize: 7.5, continued: 'Stress windows (continued)' },
    );
  L.space(6);
  const f = a.focus;
  if (f) {
    const w = f.weights;
    chart(
      L,
      DRAWDOWN_CHART_H + 20,
      `Weights of ${nameOf(f.run)} by sector, and cash`,
      weightsOption(w.dates, w.bySector, w.cash),
    );
    if (w.byGroup)
      chart(
        L,
        DRAWDOWN_CHART_H + 20,
        `Weights of ${nameOf(f.run)} by the strategy\u2019s groups, and cash`,
        weightsOption(w.dates, w.byGroup, w.cash),
      );
    const fr = runs.find((r) => r.id === f.run.id);
    if (fr && fr.trading.months.length)
      chart(
        L,
        BAR_CHART_H,
        `Turnover (one-way) and cost of ${nameOf(f.run)}, month by month`,
        tradingOption(fr.trading.months),
      );
    if (f.risk) {
      const k = f.risk;
      L.subheading(
        `Risk contribution of ${nameOf(f.run)} on ${k.date} (covariance of the last ${k.lookbackDays} days; volatility ${pc(1)(k.volatility)} a year)`,
        60,
      );
      L.table(
        [
          { header: 'Sector', width: 24 },
          { header: 'Weight', width: 8, align: 'right' },
          { header: 'Share of variance', width: 10, align: 'right' },
        ],
        k.sectors.map((s) => ({ type: 'row', cells: [s.sector, pc(1)(s.weight), pc(1)(s.share)] })),
        { fontSize: 7.5, width: L.width * 0.5 },
      );
      L.space(6);
    }
  }
  const st = a.stitched;
  if (st && st.segments.length) {
    chart(
      L,
      EQUITY_CHART_H * 0.8,
      `Stitched out-of-sample record of ${st.name} (${st.segments.length} window${st.segments.length > 1 ? 's' : ''}, growth of 1)`,
      stitchedOption(
        st.dates,
        { name: st.name, hindsight: false, learned: true, values: st.values },
        st.benchmark,
        st.segments.map((x) => x.from),
      ),
    );
    L.table(
      [
        { header: 'Window', width: 20 },
        ...['Seeds', 'Days', 'Return', 'Value at end', 'Days left out before'].map((h) => ({
          header: h,
          width: 8,
          align: 'right' as const,
        })),
      ],
      st.segments.map((s) => ({
        type: 'row',
        cells: [
          `${s.from} - ${s.to}`,
          String(s.seeds),
          String(s.days),
          pc(2)(s.ret),
          rt(s.endValue),
          String(s.gapDays),
        ],
      })),
      { fontSize: 7.5, width: L.width * 0.7 },
    );
  }
}
