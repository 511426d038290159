/**
 * A backtest under a sector scenario (`--scenario`, backtest/run.ts with market/scenarios.ts): every strategy of a
 * window trades exactly the stocks the scenario chose from that window's training days; the run config stores the
 * scenario and the tickers; the CLI, the results document and the desk's runs.start channel carry it; and runs of
 * one scenario are one setting across windows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PretrainJobParams, pretrainJobParams } from '../../src-main/backtest/pretrain';
import { loadUniversePrices, requestWindows, runBacktest } from '../../src-main/backtest/run';
import { main } from '../../src-main/cli';
import { openEngine, type Engine } from '../../src-main/engine';
import { chooseScenario } from '../../src-main/market/scenarios';
import { dispatch } from '../../src-main/services';
import { settingsText } from '../../src-main/services/runs';
import { getRun } from '../../src-main/store/runs';
import type { JobInfo, RunInfo } from '../../src-shared/contract';
import { experimentIdentity, marketIdentity, settingsIdentity } from '../../src-shared/domain';
import { handBuiltSectors } from '../market/scenario-universe';

let dir: string;
let dbFile: string;
let engine: Engine;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-scenario-'));
  dbFile = path.join(dir, 's.db');
  engine = openEngine({ dbPath: dbFile, shell: 'cli' }); // loads the bundled DJIA universe
});
afterAll(() => {
  engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function hdrl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(['--db', dbFile, ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** The stored runs of `ids` with what the scenario should have chosen in each one's window, from the stored data. */
function expectedChoice(runIds: readonly (string | null)[], scenario: 'volatile-sectors' | 'calm-sectors') {
  const m = loadUniversePrices(engine.db, 'djia30');
  const windows = requestWindows(m.dates, { protocol: 'samp' });
  return runIds.map((id) => {
    const run = getRun(engine.db, id!)!;
    const w = windows.find((x) => m.dates[x.testStart] === run.windowFrom)!;
    return { run, choice: chooseScenario(m, scenario, w) };
  });
}

describe('backtest under a sector scenario', () => {
  it('runs equal weight (and a hindsight reference) on exactly the chosen tickers of each window', async () => {
    const m = handBuiltSectors();
    const req = {
      universe: 'hand',
      strategies: ['crp', 'bcrp'],
      from: m.dates[150],
      to: m.dates[199],
      lookback: 120,
    };
    const chosen = chooseScenario(m, 'volatile-sectors', { trainStart: 30, trainEnd: 149 });
    expect(chosen.tickers).toHaveLength(10);
    const results = await runBacktest(null, { ...req, scenario: 'volatile-sectors' }, { prices: m, store: false });
    expect(results.map((r) => [r.strategy, r.status, r.error])).toEqual([
      ['crp', 'complete', undefined],
      ['bcrp', 'complete', undefined],
    ]);
    for (const r of results) {
      expect(r.sim!.tickers).toEqual(chosen.tickers);
      expect(r.scenario).toEqual(chosen);
    }
    // equal weight holds a tenth of each chosen stock every day, and nothing else
    for (const w of results[0]!.sim!.target) {
      expect(w).toHaveLength(11); // 10 stocks and cash
      for (let i = 0; i < 10; i++) expect(w[i]).toBeCloseTo(0.1, 12);
    }
    // without a scenario the same request trades all 16 members
    const [whole] = await runBacktest(null, { ...req, strategies: ['crp'] }, { prices: m, store: false });
    expect(whole!.sim!.tickers).toEqual(m.tickers);
    expect(whole!.scenario).toBeUndefined();
  });

  it('refuses, before any run, a universe without sectors and an unknown scenario', async () => {
    const { assets: _a, ...bare } = handBuiltSectors();
    const req = { universe: 'hand', strategies: ['crp'], from: bare.dates[150], lookback: 120 };
    await expect(
      runBacktest(null, { ...req, scenario: 'calm-sectors' }, { prices: { ...bare, universe: 'plain' }, store: false }),
    ).rejects.toThrow(/universe "plain" has no sectors/);
    await expect(
      runBacktest(null, { ...req, scenario: 'mixed' as 'calm-sectors' }, { prices: bare, store: false }),
    ).rejects.toThrow('unknown scenario "mixed" (use volatile-sectors, calm-sectors)');
  });

  it('stores the scenario and its tickers in each run config; one setting across windows, per window one experiment', async () => {
    const results = await runBacktest(engine.db, {
      universe: 'djia30',
      strategies: ['crp'],
      protocol: 'samp',
      scenario: 'calm-sectors',
    });
    expect(results.map((r) => r.status)).toEqual(['complete', 'complete', 'complete']);
    const runs = expectedChoice(
      results.map((r) => r.runId),
      'calm-sectors',
    );
    for (const { run, choice } of runs) {
      expect(run.config.tickers).toEqual(choice.tickers);
      expect(run.config.scenario).toEqual({ name: 'calm-sectors', sectors: choice.sectors });
      expect(settingsText(run.config)).toBe('calm-sectors · cost 0.10% · daily');
      // the desk reads the same config back through the contract
      const info = await dispatch(engine, 'runs.get', { id: run.id });
      expect(info.ok && (info.value as RunInfo).config.scenario?.name).toBe('calm-sectors');
    }
    // the bundled DJIA universe has sectors of 1 to 6 members: a scenario there holds fewer than ten stocks
    expect(runs.every(({ choice }) => choice.tickers.length < 10)).toBe(true);
    const [a, b] = runs.map(({ run }) => run);
    expect(settingsIdentity(a!)).toBe(settingsIdentity(b!));
    expect(experimentIdentity(a!)).not.toBe(experimentIdentity(b!));
    // the same strategy on the whole universe, or under the other scenario, is another setting and market
    const [whole] = await runBacktest(engine.db, {
      universe: 'djia30',
      strategies: ['crp'],
      protocol: 'samp',
      from: '2000-01-01',
    });
    const wholeRun = getRun(engine.db, whole!.runId!)!;
    const calm2000 = runs.find(({ run }) => run.windowFrom === wholeRun.windowFrom)!.run;
    expect(settingsIdentity(wholeRun)).not.toBe(settingsIdentity(calm2000));
    expect(marketIdentity(wholeRun.config)).not.toBe(marketIdentity(calm2000.config));
    const otherName = { ...calm2000.config, scenario: { ...calm2000.config.scenario!, name: 'volatile-sectors' } };
    expect(marketIdentity(otherName)).not.toBe(marketIdentity(calm2000.config));
  });

  it('hdrl backtest --scenario lists the stocks per window in its output and in the results document', async () => {
    const md = path.join(dir, 'scenario.md');
    const r = await hdrl(
      'backtest',
      '--universe',
      'djia30',
      '--strategy',
      'crp,ubah',
      '--protocol',
      'samp',
      '--scenario',
      'volatile-sectors',
      '--markdown',
      md,
      '--quiet',
    );
    expect(r.code, r.err).toBe(0);
    const m = loadUniversePrices(engine.db, 'djia30');
    const windows = requestWindows(m.dates, { protocol: 'samp' });
    const doc = fs.readFileSync(md, 'utf8');
    expect(doc).toContain('## Sector scenario');
    for (const w of windows) {
      const c = chooseScenario(m, 'volatile-sectors', w);
      for (const out of [r.out, doc]) {
        const got = out.split('\n').find((l) => l.startsWith(`- ${w.label}: `));
        expect(got, out).toBeDefined();
        for (const s of c.sectors) expect(got).toContain(`${s.sector} (volatility ${(s.volatility * 100).toFixed(1)}%`);
        for (const s of c.sectors) expect(got).toContain(`: ${s.tickers.join(', ')}`);
      }
    }
    expect(r.out).toMatch(/Scenario volatile-sectors: the 2 sectors whose stocks were the most volatile/);
    expect(r.out).toMatch(/In 3 of 3 windows the scenario holds fewer than 10 stocks/);
  });

  it('hdrl backtest refuses an unknown --scenario (usage) and a universe without sectors (its name)', async () => {
    const bad = await hdrl('backtest', '--universe', 'djia30', '--strategy', 'crp', '--scenario', 'mixed');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--scenario must be one of volatile-sectors, calm-sectors');
    // a universe imported without a meta file: its members have no sector
    const rows = ['date,QX1,QX2,QX3'];
    for (let t = 0; t < 300; t++) {
      const d = new Date(Date.UTC(2010, 0, 4 + t + 2 * Math.floor(t / 5))).toISOString().slice(0, 10);
      rows.push(
        `${d},${(10 + Math.sin(t / 7)).toFixed(4)},${(20 + Math.cos(t / 5)).toFixed(4)},${(30 + t / 100).toFixed(4)}`,
      );
    }
    const csv = path.join(dir, 'plain.csv');
    fs.writeFileSync(csv, rows.join('\n') + '\n');
    const imported = await hdrl('import', csv, '--universe', 'plain');
    expect(imported.code, imported.err + imported.out).toBe(0);
    const r = await hdrl('backtest', '--universe', 'plain', '--strategy', 'crp', '--scenario', 'calm-sectors');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: universe "plain" has no sectors');
  });

  it('the desk channel runs.start takes a scenario and the job stores it; a pretrain job keeps it', async () => {
    const req = {
      universe: 'djia30',
      strategies: ['crp'],
      protocol: 'samp' as const,
      from: '2000-01-01',
      scenario: 'volatile-sectors' as const,
    };
    const bad = await dispatch(engine, 'runs.start', { ...req, scenario: 'mixed' });
    expect(bad.ok ? null : bad.error.code).toBe('BAD_REQUEST');
    const started = await dispatch(engine, 'runs.start', req);
    if (!started.ok) throw new Error(started.error.message);
    const end = await engine.jobs.wait((started.value as JobInfo).id);
    expect(end.status, end.error ?? '').toBe('succeeded');
    const [stored] = (end.result as { runs: { runId: string }[] }).runs;
    const [{ run, choice }] = expectedChoice([stored!.runId], 'volatile-sectors') as [
      ReturnType<typeof expectedChoice>[0],
    ];
    expect(run.config.tickers).toEqual(choice.tickers);
    expect(run.config.scenario?.name).toBe('volatile-sectors');
    const job = PretrainJobParams.parse(pretrainJobParams(req, { strategy: 'crp', seed: 1, window: 0 }));
    expect(job.request.scenario).toBe('volatile-sectors');
  });
});
