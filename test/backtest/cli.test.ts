/** `hdrl backtest`, `hdrl runs`, `hdrl optimize` in-process through the CLI entry (output captured). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src-main/cli';
import {
  clockTime,
  deskHint,
  expandStrategyList,
  parseParamFlags,
  ProgressClock,
} from '../../src-main/cli/commands/backtest';
import { resolveDbPath } from '../../src-main/engine';
import { classicIds } from '../../src-main/strategies/registry';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';

let dir: string;
let db: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-cli-bt-'));
  db = path.join(dir, 'c.db');
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

describe('hdrl backtest / runs / optimize', () => {
  it('backtest prints run ids and a metrics table, and writes the JSON results', async () => {
    const json = path.join(dir, 'r.json');
    const r = await hdrl(
      'backtest',
      '--universe',
      'djia30',
      '--strategy',
      'crp,bcrp',
      '--from',
      '2000-01-01',
      '--to',
      '2000-03-31',
      '--seeds',
      '2',
      '--json',
      json,
    );
    expect(r.code, r.err).toBe(0);
    const ids = [...r.err.matchAll(/: stored as run (r-[0-9a-f]+) /gm)].map((m) => m[1]);
    expect(ids.length).toBe(4); // 2 strategies x 2 seeds
    expect(r.out).toMatch(/^crp\s+2\s/m);
    expect(r.out).toMatch(/^bcrp \*\s+2\s/m);
    expect(r.out).toContain('* hindsight');
    expect(r.out).toMatch(/≈EW 2\/2/);
    const data = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      results: {
        strategy: string;
        seed: number;
        window: { from: string; to: string };
        metrics: Record<string, unknown>;
        weights: { date: string; weights: Record<string, number> }[];
      }[];
    };
    expect(data.results.map((x) => [x.strategy, x.seed])).toEqual([
      ['crp', 1],
      ['crp', 2],
      ['bcrp', 1],
      ['bcrp', 2],
    ]);
    const first = data.results[0]!;
    expect(first.window).toEqual({ from: '2000-01-03', to: '2000-03-31' });
    expect(first.weights[0]!.date).toBe('2000-01-03');
    expect(Object.keys(first.weights[0]!.weights).length).toBe(30);
    expect(first.weights[0]!.weights.AA).toBeCloseTo(1 / 30, 15);
    expect(Object.keys(first.metrics)).toEqual(
      expect.arrayContaining(['sharpe', 'sortino', 'maxDrawdown', 'var95', 'hitRate']),
    );
    const runs = await hdrl('runs', '--json');
    const listed = JSON.parse(runs.out) as { id: string; status: string }[];
    expect(listed.map((x) => x.id).sort()).toEqual([...ids].sort());
    expect(listed.every((x) => x.status === 'complete')).toBe(true);
    const table = await hdrl('runs', '--universe', 'djia30');
    expect(table.out).toContain('bcrp *');
  });

  it('backtest reports progress in plain lines when its output is not a terminal, and ends saying how to open the desk', async () => {
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    let r: Awaited<ReturnType<typeof hdrl>>;
    try {
      r = await hdrl('backtest', '--universe', 'djia30', '--protocol', 'samp', '--strategy', 'crp,ubah');
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    expect(r.code, r.err).toBe(0);
    // one line per stored run: what it is, its id, the time so far and, until the last, an estimate of the rest
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(6); // 2 strategies x 3 test years, nothing else
    lines.forEach((l, k) =>
      expect(l).toMatch(
        new RegExp(
          `^  run ${k + 1}/6 (crp|ubah) seed 1, test (1998|1999|2000): stored as run r-[0-9a-f]+ \\(\\d+:\\d\\d elapsed${k < 5 ? ', about \\d+:\\d\\d left' : ''}\\)$`,
        ),
      ),
    );
    expect(lines[0]).toContain('crp seed 1, test 1998');
    expect(lines[5]).toContain('ubah seed 1, test 2000');
    // no bare run ids anywhere: an id always comes with what the run is
    expect(`${r.out}\n${r.err}`).not.toMatch(/^\s*(run: )?r-[0-9a-f]+\s*$/m);
    // the spread is said to be one across years, and the annual return that repeats the cumulative one is left out
    expect(r.out).toContain('± is the sample std across the 3 test years (1998, 1999, 2000), one seed each');
    expect(r.out.split('\n').find((l) => l.startsWith('strategy'))).not.toContain('ann ret');
    expect(r.out).toContain('ann ret is not shown: it equals cum ret in every row');
    const out = r.out.trimEnd().split('\n');
    expect(out.at(-2)).toBe(`stored 6 run(s) in ${path.resolve(db)}; \`hdrl runs --universe djia30\` lists them`);
    expect(out.at(-1)).toBe(
      `to look at the runs in the desk: npm run serve -- --db ${db} and open the link it prints, or HDRL_DB=${db} npm start for the desktop window`,
    );
    // --quiet: the same results without the progress lines
    const quiet = await hdrl('backtest', '--universe', 'djia30', '--protocol', 'samp', '--strategy', 'crp', '--quiet');
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe('');
  });

  it('ProgressClock: elapsed time and what remains at the pace so far', () => {
    let now = 0;
    const c = new ProgressClock(4, () => now);
    now = 30_000;
    expect(c.note(1)).toBe('0:30 elapsed, about 1:30 left');
    now = 3_725_000;
    expect(c.note(4)).toBe('1:02:05 elapsed');
    expect(new ProgressClock(null, () => 0).note(3)).toBe('0:00 elapsed');
    expect(clockTime(59_400)).toBe('0:59');
  });

  it('the desk hint names the database only when it is not the default one', () => {
    expect(deskHint(resolveDbPath())).toBe(
      'to look at the runs in the desk: npm run serve and open the link it prints, or npm start for the desktop window',
    );
    expect(deskHint("/tmp/it's here.db")).toContain(`npm run serve -- --db '/tmp/it'\\''s here.db'`);
  });

  it('optimize prints long-only weights summing to 1', async () => {
    const json = path.join(dir, 'o.json');
    const r = await hdrl(
      'optimize',
      '--universe',
      'djia30',
      '--method',
      'minvar',
      '--from',
      '1999-01-01',
      '--to',
      '1999-12-31',
      '--json',
      json,
    );
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(fs.readFileSync(json, 'utf8')) as { weights: Record<string, number>; days: number };
    const w = Object.values(o.weights);
    expect(w.length).toBe(30);
    expect(w.every((x) => x >= 0)).toBe(true);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(o.days).toBe(251); // 252 trading days in 1999 -> 251 returns inside the range
  });

  it('bad usage exits 2 with the usage line', async () => {
    expect((await hdrl('backtest', '--strategy', 'crp')).code).toBe(2);
    const r = await hdrl('backtest', '--universe', 'djia30', '--strategy', 'crp', '--rebalance', 'monthly');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/rebalance/);
    expect((await hdrl('backtest', '--universe', 'djia30', '--strategy', 'crp', '--protocol', 'nope')).code).toBe(2);
    for (const w of ['0', '1.5', 'many'])
      expect((await hdrl('backtest', '--universe', 'djia30', '--strategy', 'crp', '--workers', w)).err).toMatch(
        /bad --workers/,
      );
    expect(
      (await hdrl('optimize', '--universe', 'djia30', '--method', 'best', '--from', '1999-01-01', '--to', '1999-12-31'))
        .code,
    ).toBe(2);
  });

  it(
    '--workers trains the learned models in job processes first, then backtests with them',
    { timeout: 240_000 },
    async () => {
      const r = await hdrl(
        'backtest',
        '--universe',
        'djia30',
        '--strategy',
        'crp,samp-hdrl',
        '--from',
        '1992-06-01',
        '--to',
        '1992-07-31',
        '--lookback',
        '90',
        '--seeds',
        '2',
        '--workers',
        '2',
        '--param',
        `samp-hdrl.overrides=${TINY_OVERRIDES}`,
        '--param',
        'samp-hdrl.regroupEvery=30',
      );
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/training 2 model\(s\) \(learned strategy x seed x window\) in 2 processes/);
      expect(r.err).toMatch(
        /^ {2}model 2\/2 samp-hdrl seed \d, test 1992-06-01\.\.1992-07-31: trained in \d+ s \(\d+:\d\d elapsed\)$/m,
      );
      expect(r.err.match(/^ {2}run \d\/4 .*: stored as run r-/gm)).toHaveLength(4);
      const classicOnly = await hdrl(
        'backtest',
        '--universe',
        'djia30',
        '--strategy',
        'crp',
        '--from',
        '1992-06-01',
        '--to',
        '1992-07-31',
        '--workers',
        '2',
      );
      expect(classicOnly.code).toBe(0);
      expect(classicOnly.err).not.toMatch(/training/);
    },
  );

  it('--strategy lists: classic baselines and variants by pattern, duplicates dropped', async () => {
    expect(await expandStrategyList('crp, ubah')).toEqual(['crp', 'ubah']);
    expect(await expandStrategyList('samp-hdrl,samp-hdrl/*,ddpg-flat')).toEqual([
      'samp-hdrl',
      'samp-hdrl/no-dc',
      'samp-hdrl/no-utility',
      'samp-hdrl/no-rebound',
      'samp-hdrl/upper-only',
      'samp-hdrl/lower-only',
      'samp-hdrl/fixed-temperature',
      'samp-hdrl/rebound-gate',
      'samp-hdrl/no-holdings',
      'samp-hdrl/no-band',
      'samp-hdrl/no-turnover-penalty',
      'samp-hdrl/rebased-features',
      'samp-hdrl/ensemble',
      'ddpg-flat',
    ]);
    const classic = classicIds();
    expect(classic.length).toBeGreaterThanOrEqual(20);
    expect(await expandStrategyList('crp,classic')).toEqual(
      classic.includes('crp') ? ['crp', ...classic.filter((x) => x !== 'crp')] : ['crp', ...classic],
    );
    expect(await expandStrategyList('all')).toEqual(classic);
    await expect(expandStrategyList('nope/*')).rejects.toThrow(/no strategy matches nope\/\*/);
  });

  it('--param parsing', () => {
    expect(parseParamFlags(['olmar.window=5', 'x.flag=true', 'samp-hdrl.overrides={"a":1}'])).toEqual({
      olmar: { window: 5 },
      x: { flag: true },
      'samp-hdrl': { overrides: '{"a":1}' },
    });
  });
});
