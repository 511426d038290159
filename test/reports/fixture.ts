/**
 * A realistic report fixture: 30 DJIA-like tickers in 2 groups, 3 strategies (the run, an equal-weight
 * baseline flagged close to equal weight, a hindsight baseline), 250 trading days of equity from a seeded
 * random walk. Everything is deterministic (seedrandom).
 */
import seedrandom from 'seedrandom';
import { computeMetrics } from '../../src-main/metrics';
import { returnsFromValues, tearSheetParts } from '../../src-main/reports/derive';
import type {
  AllocationGroup,
  AllocationReportData,
  BacktestReportData,
  MetricsRow,
  ReportSeries,
} from '../../src-main/reports/model';

export const ASSETS: [string, string, string][] = [
  ['AA', 'Alcoa Inc.', 'Materials'],
  ['AXP', 'American Express Co.', 'Financials'],
  ['BA', 'Boeing Co.', 'Industrials'],
  ['C', 'Citigroup Inc.', 'Financials'],
  ['CAT', 'Caterpillar Inc.', 'Industrials'],
  ['DD', 'E. I. du Pont de Nemours and Company', 'Materials'],
  ['DIS', 'Walt Disney Co.', 'Communication Services'],
  ['EK', 'Eastman Kodak Co.', 'Consumer Discretionary'],
  ['GE', 'General Electric Co.', 'Industrials'],
  ['GM', 'General Motors Corp.', 'Consumer Discretionary'],
  ['HD', 'Home Depot Inc.', 'Consumer Discretionary'],
  ['HON', 'Honeywell International Inc.', 'Industrials'],
  ['HPQ', 'Hewlett-Packard Co.', 'Information Technology'],
  ['IBM', 'International Business Machines Corp.', 'Information Technology'],
  ['INTC', 'Intel Corp.', 'Information Technology'],
  ['IP', 'International Paper Co.', 'Materials'],
  ['JNJ', 'Johnson & Johnson', 'Health Care'],
  ['JPM', 'JPMorgan Chase & Co.', 'Financials'],
  ['KO', 'Coca-Cola Co.', 'Consumer Staples'],
  ['MCD', "McDonald's Corp.", 'Consumer Discretionary'],
  ['MMM', '3M Co.', 'Industrials'],
  ['MO', 'Altria Group Inc.', 'Consumer Staples'],
  ['MRK', 'Merck & Co. Inc.', 'Health Care'],
  ['MSFT', 'Microsoft Corp.', 'Information Technology'],
  ['PG', 'Procter & Gamble Co.', 'Consumer Staples'],
  ['SBC', 'SBC Communications Inc.', 'Communication Services'],
  ['T', 'AT&T Corp.', 'Communication Services'],
  ['UTX', 'United Technologies Corp.', 'Industrials'],
  ['WMT', 'Wal-Mart Stores Inc.', 'Consumer Staples'],
  ['XOM', 'Exxon Mobil Corp.', 'Energy'],
];

/** n weekdays from a start date (ISO), as ISO dates. */
export function businessDays(start: string, n: number): string[] {
  const out: string[] = [];
  const d = new Date(`${start}T00:00:00Z`);
  while (out.length < n) {
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

function walk(rng: () => number, n: number, drift: number, vol: number): number[] {
  const v = [1];
  for (let i = 1; i < n; i++) {
    // sum of 3 uniforms: a bell-shaped, bounded shock with std 1
    const z = (rng() + rng() + rng() - 1.5) * 2;
    v.push(v[i - 1]! * (1 + drift + vol * z));
  }
  return v;
}

export const STRATEGIES = ['SAMP-HDRL', 'Equal weight (1/N)', 'Best stock'];

export interface Fixture {
  allocation: AllocationReportData;
  backtest: BacktestReportData;
}

/** Build the fixture (deterministic). */
export function makeFixture(seed = 'hdrl-report-fixture'): Fixture {
  const rng = seedrandom(seed);
  const dates = businessDays('1999-07-01', 250);
  const equity: ReportSeries[] = [
    { name: STRATEGIES[0]!, dates, values: walk(rng, 250, 0.0006, 0.012), highlight: true },
    { name: STRATEGIES[1]!, dates, values: walk(rng, 250, 0.0004, 0.01), equalWeight: true },
    { name: STRATEGIES[2]!, dates, values: walk(rng, 250, 0.0015, 0.02), hindsight: true },
  ];
  const metrics: MetricsRow[] = equity.map((s, i) => {
    const r = returnsFromValues(s.values);
    const m = computeMetrics({ returns: r, turnover: r.map(() => 0.01 * (i + 1)), weights: [], nRisky: 30 });
    const seeds = i === 0 ? 5 : 1;
    return {
      strategy: s.name,
      hindsight: i === 2,
      closeToEqualWeight: i === 1,
      seeds,
      metrics: Object.fromEntries(
        Object.entries(m).map(([k, v]) => [
          k,
          { mean: v, std: seeds > 1 && Number.isFinite(v) ? Math.abs(v) * 0.1 + 0.001 : null },
        ]),
      ),
    };
  });

  // weights: 10 high-quality names (larger, concentrated), 20 ordinary (small), 3 % cash, two zero weights
  const raw = ASSETS.map((_, i) => (i < 10 ? 0.5 + rng() : i === 17 || i === 23 ? 0 : 0.1 + 0.3 * rng()));
  const sum = raw.reduce((a, b) => a + b, 0);
  const cashWeight = 0.03;
  const weights = raw.map((x) => (x / sum) * (1 - cashWeight));
  const prevRaw = weights.map((w) => (w === 0 ? 0 : w * (0.8 + 0.4 * rng()) + (rng() < 0.2 ? 0.004 : 0)));
  const prevSum = prevRaw.reduce((a, b) => a + b, 0);
  const previousCashWeight = 0.05;
  const previous = prevRaw.map((x) => (x / prevSum) * (1 - previousCashWeight));
  const mkGroup = (name: string, idx: number[]): AllocationGroup => {
    const rows = idx.map((i) => ({
      ticker: ASSETS[i]![0],
      name: ASSETS[i]![1],
      sector: ASSETS[i]![2],
      weight: weights[i]!,
      previousWeight: previous[i]!,
      trade: weights[i]! - previous[i]!,
    }));
    return { name, rows, total: rows.reduce((s, r) => s + r.weight, 0) };
  };
  const idx = ASSETS.map((_, i) => i);
  const groups = [mkGroup('High-quality', idx.slice(0, 10)), mkGroup('Ordinary', idx.slice(10))];

  const runDd = tearSheetParts(equity[0]!).underwater;
  const allocation: AllocationReportData = {
    kind: 'allocation',
    header: {
      universe: { id: 'djia30', name: 'DJIA 30 (1991-2001)' },
      dataSource: 'resources/data/djia30-1991-2001.csv (bundled, daily closes)',
      strategy: { id: 'samp-hdrl', label: 'SAMP-HDRL' },
      config: {
        windowLength: 60,
        clusterK: 2,
        upper: { layers: 2, heads: 4, dModel: 64 },
        lower: { kernel: 31, smallKernel: 5, channels: 32 },
        rebound: { drawdown: 0.1, rise: 0.05, holdDays: 3 },
        transactionCost: 0.001,
        learningRate: 0.0003,
        episodes: 200,
      },
      seed: 42,
      codeVersion: '0.1.0+abc1234',
      runId: 'run-20000623-0001',
      date: dates[dates.length - 1]!,
      window: { from: dates[0]!, to: dates[dates.length - 1]! },
      backend: 'tfjs-node',
      generatedAt: '2024-05-01T08:30:00Z',
    },
    groups,
    cashWeight,
    previousCashWeight,
    regime: { trend: 'bull', volatility: 'normal', date: dates[dates.length - 1]! },
    rebound: { flagged: true, detail: { drawdown: -0.124, rise: 0.051, daysHeld: 3 } },
    agents: [
      {
        agent: 'upper',
        topDrivers: [
          { player: 'MSFT t-1..t-5', value: 0.0421 },
          { player: 'INTC t-1..t-5', value: -0.0312 },
          { player: 'GE t-6..t-10', value: 0.0187 },
          { player: 'XOM t-1..t-5', value: -0.0102 },
        ],
        concentration: { effectiveN: 21.4, herfindahl: 0.0467 },
      },
      {
        agent: 'lower1',
        topDrivers: [
          { player: 'KO', value: 0.011 },
          { player: 'PG', value: 0.0093 },
          { player: 'WMT', value: -0.004 },
        ],
        concentration: { effectiveN: 17.9, herfindahl: 0.0559 },
      },
      {
        agent: 'lower2',
        topDrivers: [
          { player: 'AA', value: 0.052 },
          { player: 'BA', value: -0.021 },
        ],
        concentration: { effectiveN: 4.2, herfindahl: 0.238 },
      },
    ],
    metrics,
    equity,
    drawdown: { name: runDd.name, dates: runDd.dates, values: runDd.values },
    caveats: [
      'Costs assumed: 0.1 % of the traded value on every rebalance; no market impact, no borrowing.',
      'No look-ahead: every decision at date t reads prices up to t only (tested).',
      'SAMP-HDRL figures are the mean over 5 seeds; \u00b1 is the standard deviation over seeds.',
    ],
  };

  const parts = equity.map((s) => ({ name: s.name, ...tearSheetParts(s) }));
  const backtest: BacktestReportData = {
    kind: 'backtest',
    header: {
      universe: { id: 'djia30', name: 'DJIA 30 (1991-2001)' },
      window: { from: dates[0]!, to: dates[dates.length - 1]! },
      cost: 0.001,
      rebalance: 'daily',
      generatedAt: '2024-05-01T08:30:00Z',
      dataSource: 'resources/data/djia30-1991-2001.csv',
      codeVersion: '0.1.0+abc1234',
    },
    metrics,
    equity,
    underwater: parts.map((p) => p.underwater),
    monthly: parts.map((p) => ({ name: p.name, items: p.monthly })),
    yearly: parts.map((p) => ({ name: p.name, items: p.yearly })),
    worstDrawdowns: parts.map((p) => ({ name: p.name, items: p.worstDrawdowns })),
    lastWeights: [{ run: 'SAMP-HDRL', date: dates[dates.length - 1]!, groups, cashWeight }],
    caveats: allocation.caveats,
  };
  return { allocation, backtest };
}

/** Hostile strings for escaping tests. */
export const HOSTILE_NAME = 'Acme, "Widgets" <script>alert(1)</script> & Sons\nLtd';
export const HOSTILE_TICKER = '=HYPERLINK("x")';
export const HOSTILE_STRATEGY = '</td><script>evil()</script>';

/** The fixture with hostile strings in a name, a ticker, a strategy, a config value and a caveat. */
export function makeHostileFixture(): Fixture {
  const f = makeFixture();
  const row = f.allocation.groups[0]!.rows[0]!;
  row.name = HOSTILE_NAME;
  row.ticker = HOSTILE_TICKER;
  row.sector = 'Tech; "Quoted"';
  f.allocation.metrics[1]!.strategy = HOSTILE_STRATEGY;
  f.allocation.equity[1]!.name = HOSTILE_STRATEGY;
  f.allocation.header.config.note = '<img src=x onerror=alert(1)>';
  f.allocation.caveats.push('<script>document.cookie</script>');
  f.backtest.metrics[1]!.strategy = HOSTILE_STRATEGY;
  f.backtest.monthly[1]!.name = HOSTILE_STRATEGY;
  return f;
}
