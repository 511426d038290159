/**
 * The spread-and-impact model through a backtest: `hdrl backtest --impact` stores the cost split and the model's
 * settings with every run and prints the split and the proxy note; without it the runs and their tables are what
 * they were; the desk's runs.start request carries the model; the summary's tables and lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src-main/cli';
import { impactFromFlags, parseHalfSpread } from '../../src-main/cli/commands/backtest';
import { openDatabase } from '../../src-main/store/db';
import { getRun, getRunMetrics } from '../../src-main/store/runs';
import { settingsKey, settingsText } from '../../src-main/services/runs';
import { runBacktest, type BacktestRunResult } from '../../src-main/backtest/run';
import { costsTable, impactLines, tableMetrics, TABLE_METRICS } from '../../src-main/backtest/summary';
import { BacktestJobRequest } from '../../src-main/backtest/pretrain';
import { BacktestStartRequest } from '../../src-shared/contract/runs';
import { IMPACT_DEFAULTS } from '../../src-main/market/costs';
import { djiaSubset } from '../helpers/data';

let dir: string;
let db: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-impact-'));
  db = path.join(dir, 'i.db');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function hdrl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(['--db', db, ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const runIds = (err: string) => [...err.matchAll(/(crp|olmar) seed 1, test \S+: stored as run (r-[0-9a-f]+) /g)];
const header = (out: string) => out.split('\n').find((l) => l.startsWith('strategy'))!;

describe('hdrl backtest --impact', () => {
  it('stores the split and the settings, prints them, and says the ADV is a proxy on the bundled data', async () => {
    const window = ['--universe', 'djia30', '--strategy', 'crp,olmar', '--from', '2000-01-03', '--to', '2000-03-31'];
    const withModel = await hdrl(
      'backtest',
      ...window,
      '--impact',
      '--half-spread-bp',
      '5,IBM=8',
      '--book-value',
      '1000000000',
      '--markdown',
      path.join(dir, 'results.md'),
    );
    expect(withModel.code, withModel.err).toBe(0);
    const plain = await hdrl('backtest', ...window);
    expect(plain.code, plain.err).toBe(0);

    // the table splits the cost drag where it shows it; the plain run's table has no split
    expect(header(withModel.out)).toMatch(/cost drag\s+commission\s+spread\s+impact/);
    expect(header(plain.out)).not.toMatch(/commission|impact/);
    expect(withModel.out).toContain('half-spread of 5 bp (IBM 8 bp)');
    expect(withModel.out).toContain('on a book of 1,000,000,000');
    expect(withModel.out).toContain('a proxy of 100,000,000 a day per asset for every trade: the data have no volume');
    expect(plain.out).not.toContain('Execution costs');
    // the results document says the same and splits the drag in its tables
    const doc = fs.readFileSync(path.join(dir, 'results.md'), 'utf8');
    expect(doc).toContain('## Execution costs');
    expect(doc).toContain('a proxy of 100,000,000 a day per asset for every trade');
    expect(doc).toMatch(/\| cost drag \| commission \| spread \| impact \|/);

    const [crpImpact, olmarImpact] = runIds(withModel.err).map((m) => m[2]!);
    const [crpPlain, olmarPlain] = runIds(plain.err).map((m) => m[2]!);
    const store = openDatabase(db);
    try {
      for (const id of [crpImpact!, olmarImpact!]) {
        const m = getRunMetrics(store, id);
        expect(m.costImpact).toBeGreaterThan(0);
        expect(m.costSpread).toBeGreaterThan(0);
        expect(m.costCommission! + m.costSpread! + m.costImpact!).toBeCloseTo(m.costDrag!, 12);
        expect(m.advProxyShare).toBe(1);
        expect(getRun(store, id)!.config.impact).toEqual({
          ...IMPACT_DEFAULTS,
          halfSpreadBp: 5,
          halfSpreadBpByTicker: { IBM: 8 },
          bookValue: 1e9,
        });
      }
      for (const id of [crpPlain!, olmarPlain!]) {
        const m = getRunMetrics(store, id);
        expect(m.costCommission).toBe(m.costDrag);
        expect([m.costSpread, m.costImpact]).toEqual([0, 0]);
        expect(m.advProxyShare).toBeUndefined();
        expect(getRun(store, id)!.config.impact).toBeNull();
      }
      // equal weight's drifted weights do not depend on the value, so its commission is the same with or without
      // the model; the model's runs pay more in all, and return less
      const ci = getRunMetrics(store, crpImpact!);
      const cp = getRunMetrics(store, crpPlain!);
      expect(ci.costCommission).toBeCloseTo(cp.costDrag!, 15);
      expect(ci.costDrag).toBeGreaterThan(cp.costDrag!);
      expect(ci.cumulativeReturn).toBeLessThan(cp.cumulativeReturn!);
      // the model makes another experiment, and the desk's settings text says so
      const a = getRun(store, crpImpact!)!;
      const b = getRun(store, crpPlain!)!;
      expect(settingsKey(a)).not.toBe(settingsKey(b));
      expect(settingsText(a.config)).toBe('cost 0.10% · spread 5 bp + impact k 1 · daily');
      expect(settingsText(b.config)).toBe('cost 0.10% · daily');
    } finally {
      store.close();
    }
  });

  it("refuses the model's settings without --impact, and bad values, as usage errors", async () => {
    const base = [
      'backtest',
      '--universe',
      'djia30',
      '--strategy',
      'crp',
      '--from',
      '2000-01-03',
      '--to',
      '2000-01-31',
    ];
    const noFlag = await hdrl(...base, '--impact-k', '2');
    expect(noFlag.code).toBe(2);
    expect(noFlag.err).toContain('--impact-k needs --impact');
    const bad = await hdrl(...base, '--impact', '--book-value', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad --book-value');
    const unknown = await hdrl(...base, '--impact', '--half-spread-bp', '5,NOPE=3');
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('half-spread given for tickers outside the universe: NOPE');
    expect(() => parseHalfSpread('5,abc')).toThrow(/bad --half-spread-bp "5,abc"/);
    expect(() => parseHalfSpread('5,6')).toThrow(/two values for every asset/);
    expect(parseHalfSpread('4, KO=2.5')).toEqual({ halfSpreadBp: 4, halfSpreadBpByTicker: { KO: 2.5 } });
    expect(impactFromFlags({ impact: true })).toEqual({});
    expect(impactFromFlags({})).toBeUndefined();
  });
});

describe("the desk's request and the job that runs it", () => {
  it('runs.start takes the model (bounded), and the backtest job passes it on', async () => {
    const req = {
      universe: 'djia30',
      strategies: ['crp'],
      from: '1992-03-02',
      to: '1992-04-30',
      impact: { impactK: 0.5, window: 10 },
    };
    expect(BacktestStartRequest.parse(req).impact).toEqual({ impactK: 0.5, window: 10 });
    expect(BacktestStartRequest.safeParse({ ...req, impact: { impactK: 0.5, foo: 1 } }).success).toBe(false);
    expect(BacktestStartRequest.safeParse({ ...req, impact: { bookValue: 0 } }).success).toBe(false);
    const parsed = BacktestJobRequest.parse(req);
    const [r] = await runBacktest(null, parsed, { store: false, prices: djiaSubset(400, 5) });
    expect(r!.status).toBe('complete');
    expect(r!.impact).toEqual({ ...IMPACT_DEFAULTS, impactK: 0.5, window: 10 });
    expect(r!.metrics!.costImpact).toBeGreaterThan(0);
  });
});

describe('summary', () => {
  const result = (over: Partial<BacktestRunResult>): BacktestRunResult =>
    ({
      runId: null,
      strategy: 'crp',
      label: 'CRP',
      hindsight: false,
      seed: 1,
      window: { label: '2000', from: '2000-01-03', to: '2000-12-29', trainFrom: null, trainTo: null },
      status: 'complete',
      metrics: null,
      ewDistance: 0,
      flags: [],
      timings: {},
      ...over,
    }) as BacktestRunResult;

  it('adds the split after the cost drag only when a run paid the model', () => {
    expect(tableMetrics([result({})])).toEqual(TABLE_METRICS);
    const cols = tableMetrics([result({ impact: { ...IMPACT_DEFAULTS } })]);
    const at = cols.indexOf('costDrag');
    expect(cols.slice(at, at + 4)).toEqual(['costDrag', 'costCommission', 'costSpread', 'costImpact']);
    expect(cols.length).toBe(TABLE_METRICS.length + 3);
  });

  it('says where the ADV came from: the data, the proxy, or both', () => {
    const impact = { ...IMPACT_DEFAULTS };
    expect(impactLines([result({})])).toEqual([]);
    expect(impactLines([result({ impact, advProxyShare: 0 })])[1]).toBe(
      "The average daily traded value is the data's close x volume for every trade.",
    );
    expect(impactLines([result({ impact, advProxyShare: 0.25 }), result({ impact, advProxyShare: 0.75 })])[1]).toMatch(
      /close x volume, except for 50\.0% of the trades \(mean over runs\), where too few days had a volume and a proxy of 100,000,000 a day per asset stood in/,
    );
    expect(impactLines([result({ impact, advProxyShare: 1 })])[1]).toMatch(
      /^The average daily traded value is a proxy/,
    );
  });

  it('the before-and-after-costs table shows the split for the learned strategies when the model ran', () => {
    const base = () =>
      Object.fromEntries(
        [...TABLE_METRICS, 'sharpe', 'grossSharpe', 'grossCumulativeReturn', 'maxWeight', 'minEffectiveN'].map((k) => [
          k,
          0.1,
        ]),
      ) as unknown as NonNullable<BacktestRunResult['metrics']>;
    const metrics = { ...base(), costDrag: 0.02, costCommission: 0.01, costSpread: 0.004, costImpact: 0.006 };
    const rows = [
      result({ strategy: 'ddpg-flat', metrics, impact: { ...IMPACT_DEFAULTS } }),
      result({ strategy: 'crp', metrics, impact: { ...IMPACT_DEFAULTS } }),
    ];
    const table = costsTable(rows, new Set(['ddpg-flat']));
    expect(table.split('\n')[0]).toMatch(/cost drag\s+commission\s+spread\s+impact/);
    expect(table).toMatch(/ddpg-flat .* 2\.00%\s+1\.00%\s+0\.40%\s+0\.60%/);
    const plain = costsTable(
      rows.map((r) => ({ ...r, impact: null })),
      new Set(['ddpg-flat']),
    );
    expect(plain.split('\n')[0]).not.toMatch(/commission/);
  });
});
