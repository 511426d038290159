/**
 * Reports from a real SAMP-HDRL quick run on the DJIA data (one training episode per stage to keep it short):
 * the CSV and XLSX weights equal runs.weights exactly, grouped as the strategy grouped them, and the PDF names
 * the agents and says whether the run beat equal weight.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { dispatch } from '../../src-main/services';
import type { ReportFile, RunWeights } from '../../src-shared/contract';
import { sampDetail } from '../../src-shared/domain/decision';
import { tempEngine } from '../helpers/engine';
import { readPdf } from './pdfText';

let engine: ReturnType<typeof tempEngine>;
let runId = '';
let w: RunWeights;

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const r = await dispatch(engine, channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value as T;
}
const file = async (req: object) => Buffer.from((await call<ReportFile>('reports.export', req)).base64, 'base64');

beforeAll(async () => {
  engine = tempEngine();
  const [samp] = await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ['samp-hdrl', 'crp'],
    from: '2000-10-02',
    to: '2000-12-29',
    lookback: 500,
    params: { 'samp-hdrl': { preset: 'quick', episodes: 1 } },
  });
  runId = samp!.runId!;
  w = await call<RunWeights>('runs.weights', { id: runId });
}, 300_000);
afterAll(() => engine?.close());

describe('reports of a real SAMP-HDRL quick run', () => {
  it('CSV weights: exact weights, grouped High-quality / Ordinary as the strategy grouped them', async () => {
    const rows = parse(
      (await file({ kind: 'allocation', runId, format: 'csv', csvKind: 'weights' })).toString('utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const groups = sampDetail(w.detail)!.groups;
    w.tickers.forEach((t, i) => {
      const r = rows.find((x) => x.ticker === t)!;
      expect(Number(r.weight), t).toBe(w.final.weights[i]);
      expect(r.group, t).toBe(groups.high.includes(t) ? 'High-quality' : 'Ordinary');
    });
  });

  it('XLSX Weights sheet: the same numbers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await file({ kind: 'allocation', runId, format: 'xlsx' })) as never);
    const ws = wb.getWorksheet('Weights')!;
    const header = (ws.getRow(1).values as unknown[]).map(String);
    const col = (name: string) => header.indexOf(name);
    let seen = 0;
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const t = String(row.getCell(col('Ticker')).value);
      const i = w.tickers.indexOf(t);
      if (i < 0) return;
      expect(row.getCell(col('Weight')).value, t).toBe(w.final.weights[i]);
      seen++;
    });
    expect(seen).toBe(w.tickers.length);
  });

  it('PDF: the agents are there and the equal-weight comparison is stated', async () => {
    const text = (await readPdf(await file({ kind: 'allocation', runId, format: 'pdf' }))).lines.join('\n');
    expect(text).toMatch(/Upper agent/);
    expect(text).toMatch(/Lower agent 1/);
    expect(text).toMatch(/(does NOT beat|beats) equal weight/);
  });
});
