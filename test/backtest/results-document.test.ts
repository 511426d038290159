/**
 * `hdrl backtest --markdown`: the results document's paired test, costs table and caveats come from the stored
 * runs (the backtest keeps no daily series in memory without --json, so the writer reads each run's days back
 * from the database), and the CLI prints the figures before and after costs with the concentration flag.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src-main/cli';
import { formatMetric, formatP, pairedTests } from '../../src-main/backtest/summary';
import type { BacktestRunResult } from '../../src-main/backtest/run';
import { openDatabase } from '../../src-main/store/db';
import { getRunDays, listRuns } from '../../src-main/store/runs';
import { registerStrategy } from '../../src-main/strategies/registry';
import type { StrategyDef } from '../../src-main/strategies/types';

/** A quick stand-in for a learned strategy: 60 % in one stock chosen by the seed, the rest spread at random. */
const tilted: StrategyDef = {
  id: 'test-tilted',
  label: 'tilted (test)',
  description: 'test-only',
  family: 'learning',
  hindsight: false,
  params: [],
  create(ctx) {
    const rng = seedrandom(`tilted-${ctx.seed}`);
    return {
      decide(view) {
        const w = new Float64Array(view.nAssets);
        let s = 0;
        for (let i = 0; i < w.length; i++) s += w[i] = rng();
        for (let i = 0; i < w.length; i++) w[i] = (0.4 * w[i]!) / s;
        w[ctx.seed % w.length] = w[ctx.seed % w.length]! + 0.6;
        return w;
      },
    };
  },
};

let dir: string;
let db: string;
let off: () => void;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-results-doc-'));
  db = path.join(dir, 'r.db');
  off = registerStrategy(tilted);
});
afterAll(() => {
  off();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function hdrl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(['--db', db, ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('hdrl backtest --markdown', () => {
  it("writes the paired test from the stored runs' days, the costs table, the flag and the caveats", async () => {
    const file = path.join(dir, 'results.md');
    const r = await hdrl(
      'backtest',
      '--universe',
      'djia30',
      '--protocol',
      'samp',
      '--strategy',
      'test-tilted,crp',
      '--seeds',
      '2',
      '--markdown',
      file,
    );
    expect(r.code, r.err).toBe(0);
    // the CLI: net and gross figures, turnover a year at a time, the cost drag and the concentration flag
    expect(r.out).toMatch(/before and after costs/);
    expect(r.out).toMatch(/^test-tilted\s+6\s/m);
    expect(r.out).toContain('concentrated 6/6');
    const md = fs.readFileSync(file, 'utf8');
    expect(md).toContain('30 members of the Dow Jones Industrial Average of 2001, traded back to 1991');
    expect(md).toContain('The figures come from 3 test windows');
    // every window's table and the all-windows table carry the Omega ratio and the daily 95% VaR and CVaR, last before the flags
    expect(md.match(/\| holdings \| cash \| omega \| VaR95 \| CVaR95 \| flags \|/g)?.length).toBe(4);
    // before and after costs: the largest weight of any day is the 60 % tilt plus its share of the rest
    expect(md).toMatch(/\| test-tilted \| 6 \| .* \| 6\d\.\d% \| \d\.\d \| 6\/6 \|/);

    // the same paired tests, recomputed here from what the database holds
    const store = openDatabase(db);
    try {
      const runs = listRuns(store, {}).filter((x) => x.status === 'complete');
      expect(runs).toHaveLength(12); // 2 strategies x 2 seeds x 3 windows
      const results = runs.map((x): BacktestRunResult => ({
        runId: x.id,
        strategy: x.strategy,
        label: x.strategy,
        hindsight: false,
        seed: x.seed,
        window: {
          label: String((x.config.window as { label: string }).label),
          from: x.windowFrom,
          to: x.windowTo,
          trainFrom: null,
          trainTo: null,
        },
        status: 'complete',
        metrics: { sharpe: 0, cumulativeReturn: 0 } as BacktestRunResult['metrics'],
        ewDistance: 0,
        flags: x.flags,
        timings: {},
      }));
      const rows = pairedTests(results, new Set(['test-tilted']), (x) => getRunDays(store, x.runId!));
      expect(rows.map((x) => x.window).sort()).toEqual(['1998', '1999', '2000', 'all']);
      for (const row of rows) {
        const t = row.test;
        expect(md).toContain(
          `| test-tilted | ${row.window} | ${t.days} | 2 | ${formatMetric('sharpe', t.sharpe)} | ${formatMetric('sharpe', t.benchmarkSharpe)} (crp) | ${formatMetric('sharpe', t.difference)} | ${formatMetric('sharpe', t.bootstrap.low)} to ${formatMetric('sharpe', t.bootstrap.high)} | ${formatP(t.bootstrap.p)} | ${formatP(t.jobsonKorkie.p)} |`,
        );
      }
    } finally {
      store.close();
    }
  });
});
