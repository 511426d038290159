import { describe, expect, it } from 'vitest';
import {
  renderAllocationHtml,
  renderAllocationPdf,
  renderBacktestHtml,
  renderBacktestPdf,
  renderCsv,
  renderXlsx,
  type AllocationReportData,
  type BacktestReportData,
} from '../../src-main/reports';
import { readPdf } from './pdfText';

const bare: AllocationReportData = {
  kind: 'allocation',
  header: {
    universe: { id: 'u', name: 'U' },
    dataSource: 'none',
    strategy: { id: 'ew', label: 'Equal weight' },
    config: {},
    seed: 0,
    codeVersion: 'dev',
    runId: 'r1',
    date: '2020-01-02',
    window: { from: '2020-01-01', to: '2020-01-02' },
    backend: null,
  },
  groups: [],
  cashWeight: 1,
  regime: null,
  rebound: null,
  agents: [],
  metrics: [],
  equity: [],
  drawdown: null,
  caveats: [],
};

const bareBacktest: BacktestReportData = {
  kind: 'backtest',
  header: {
    universe: { id: 'u', name: 'U' },
    window: { from: '2020-01-01', to: '2020-01-02' },
    cost: 0,
    rebalance: 'daily',
    generatedAt: '2020-01-03T00:00:00Z',
  },
  metrics: [],
  equity: [],
  underwater: [],
  monthly: [],
  yearly: [],
  worstDrawdowns: [],
  caveats: [],
};

describe('reports with nothing in them', () => {
  it('render in every format without throwing and say so', async () => {
    const r = await readPdf(await renderAllocationPdf(bare));
    expect(r.pages).toBe(1);
    expect(r.lines).toContain('CASH | Cash | 100.00%');
    expect(r.lines).toContain('No regime label. | No rebound detector for this strategy. | Cash | 100.00%');
    expect(r.lines).toContain('No metrics.');
    expect(renderAllocationHtml(bare)).toContain('No metrics.');
    expect(renderCsv('weights', bare)).toBe(
      'run,date,group,ticker,name,sector,weight,previous_weight,trade\r\nr1,2020-01-02,Cash,CASH,Cash,,1,,\r\n',
    );
    expect(renderCsv('trades', bare)).toBe('run,date,group,ticker,name,sector,side,trade,previous_weight,weight\r\n');
    expect((await renderXlsx(bare)).length).toBeGreaterThan(1000);
    const b = await readPdf(await renderBacktestPdf(bareBacktest));
    expect(b.pages).toBe(1);
    expect(renderBacktestHtml(bareBacktest)).not.toContain('<svg');
    expect(renderCsv('monthly', bareBacktest)).toBe('run,year,month,return\r\n');
    expect((await renderXlsx(bareBacktest)).length).toBeGreaterThan(1000);
  });
});
