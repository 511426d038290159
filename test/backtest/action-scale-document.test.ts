/**
 * The results document's action scale section (issue 18): `hdrl backtest --markdown` over HADAPS at two action
 * scales (hadaps, beta 5, and hadaps-beta/1; quick preset, one episode, a sector scenario over 2000-Q4) lays out,
 * per scale, the mean over its runs of the class-weight standard deviation — recomputed here by hand from the class
 * weights the stored decisions recorded — and of the cumulative return; a document with one scale has no section.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src-main/cli';
import { openDatabase } from '../../src-main/store/db';
import { getRunDetails, getRunMetrics, listRuns } from '../../src-main/store/runs';
import { hadapsDetail } from '../../src-shared/domain/decision';

let dir: string;
let db: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-action-scale-'));
  db = path.join(dir, 'r.db');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function hdrl(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(['--db', db, ...args]), err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const WINDOW = ['--universe', 'djia30', '--from', '2000-10-02', '--to', '2000-12-29', '--lookback', '500'];
const QUICK = ['--preset', 'quick', '--param', 'hadaps.episodes=1', '--param', 'hadaps-beta/1.episodes=1'];

/** Population std of each class's weight over the days, averaged over the classes (by hand, from the details). */
function classStdByHand(runId: string): number {
  const store = openDatabase(db);
  try {
    const days = getRunDetails(store, runId).map((d) => hadapsDetail(d.detail)!);
    const names = days[0]!.classes.map((c) => c.name);
    let sum = 0;
    for (const name of names) {
      const w = days.map((d) => d.classes.find((c) => c.name === name)!.weight);
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      sum += Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    }
    return sum / names.length;
  } finally {
    store.close();
  }
}

describe('the action scale in a results document', () => {
  it(
    'gives each scale its class-weight std and cumulative return, from the stored decisions',
    { timeout: 600_000 },
    async () => {
      const file = path.join(dir, 'sweep.md');
      const args = ['--scenario', 'volatile-sectors', '--strategy', 'hadaps,hadaps-beta/1,crp', '--markdown', file];
      const r = await hdrl('backtest', ...WINDOW, ...QUICK, ...args);
      expect(r.code, r.err).toBe(0);
      const md = fs.readFileSync(file, 'utf8');
      const section = md.slice(md.indexOf('## The action scale'));
      expect(section).toContain('| action scale β | runs | class-weight std | cumulative return |');

      const store = openDatabase(db);
      const runs = listRuns(store, {})
        .filter((x) => x.status === 'complete')
        .map((x) => ({ ...x, cumulativeReturn: getRunMetrics(store, x.id).cumulativeReturn! }));
      store.close();
      const run = (strategy: string) => runs.find((x) => x.strategy === strategy)!;
      const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
      for (const [beta, strategy] of [
        [1, 'hadaps-beta/1'],
        [5, 'hadaps'],
      ] as const) {
        const x = run(strategy);
        const row = `| ${beta} | 1 | ${pct(classStdByHand(x.id))} | ${pct(x.cumulativeReturn)} |`;
        expect(section).toContain(row);
      }
      // the scales in ascending order, and the sharper softmax moves the classes more here
      expect(section.indexOf('| 1 | 1 |')).toBeLessThan(section.indexOf('| 5 | 1 |'));
      expect(classStdByHand(run('hadaps').id)).toBeGreaterThan(classStdByHand(run('hadaps-beta/1').id));

      // one scale alone shows no effect: no section
      const one = path.join(dir, 'one.md');
      const r1 = await hdrl(
        'backtest',
        ...WINDOW,
        ...QUICK,
        '--scenario',
        'volatile-sectors',
        '--strategy',
        'hadaps,crp',
        '--markdown',
        one,
      );
      expect(r1.code, r1.err).toBe(0);
      expect(fs.readFileSync(one, 'utf8')).not.toContain('## The action scale');
    },
  );
});
